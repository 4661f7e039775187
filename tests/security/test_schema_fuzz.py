"""schemathesis over the OpenAPI schema against a real `planqa serve` (the real runtime: e5
index, extractive answers, worker processes): valid and invalid requests, never a 5xx.
tests/test_api_schemathesis.py does the same, with more examples, against the fake service."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.test_api_schemathesis import OPERATIONS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_schema(open_server):
    return schemathesis.openapi.from_url(f"{open_server.url}/openapi.json")


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_no_server_errors_from_the_real_runtime(real_schema, open_server, method, path):
    operation = real_schema[path][method]
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

    @given(case=cases)
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case):
        case.call_and_validate(base_url=open_server.url, checks=[not_a_server_error], timeout=60)

    check()
    assert "Traceback" not in open_server.log_text()
