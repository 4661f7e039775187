"""Property-based requests generated from the app's own OpenAPI schema: never a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.api_fakes import FakeService, serving_settings
from ui.app import create_app

pytestmark = pytest.mark.slow

# Listed here rather than read from the schema so that collecting the tests stays cheap (no Gradio
# import); `test_every_operation_is_fuzzed` keeps the list honest.
OPERATIONS = [
    ("POST", "/api/ask"),
    ("POST", "/api/ask/stream"),
    ("POST", "/api/search"),
    ("GET", "/api/documents"),
    ("GET", "/api/chunks/{chunk_id}"),
    ("POST", "/api/feedback"),
    ("POST", "/v1/chat/completions"),
    ("GET", "/v1/models"),
    ("GET", "/healthz"),
]


@pytest.fixture(scope="module")
def api_schema():
    app = create_app(serving_settings(max_question_chars=500), FakeService())
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_operation_is_fuzzed(api_schema):
    found = {(result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_no_server_errors(api_schema, method, path):
    operation = api_schema[path][method]
    # Valid requests and deliberately invalid ones (wrong types, missing fields, bad patterns).
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

    @given(case=cases)
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case):
        case.call_and_validate(checks=[not_a_server_error])

    check()
