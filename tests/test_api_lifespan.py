"""The lifespan builds the real runtime only when no service is passed, and degrades to 503s."""

from __future__ import annotations

import httpx
import pytest

import assistant.runtime
from assistant.schemas import Health
from retrieval.errors import IndexUnavailable
from tests.api_fakes import FakeService, live_server, serving_settings
from ui.app import create_app

pytestmark = pytest.mark.slow


class StubRuntime(FakeService):
    """Stands in for `assistant.runtime.Runtime`: records how the lifespan drives it."""

    instances: list[StubRuntime] = []
    missing_index = False

    def __init__(self, settings):
        super().__init__()
        self.settings, self.steps = settings, []
        StubRuntime.instances.append(self)

    def ensure_index(self):
        self.steps.append("ensure_index")
        if self.missing_index:
            raise IndexUnavailable("没有索引：请先运行 planqa ingest")

    def load(self):
        self.steps.append("load")

    def start_workers(self, processes):
        self.steps.append(f"start_workers {processes}")

    def close(self):
        self.steps.append("close")

    def ask(self, question, **kwargs):
        if self.missing_index:
            raise IndexUnavailable("没有索引：请先运行 planqa ingest")
        return super().ask(question, **kwargs)

    def health(self):
        if self.missing_index:
            return Health(
                status="degraded",
                index_loaded=False,
                chunks=0,
                backend="-",
                embeddings="-",
                detail="没有索引：请先运行 planqa ingest",
            )
        return super().health()


@pytest.fixture
def stub_runtime(monkeypatch):
    StubRuntime.instances = []
    monkeypatch.setattr(assistant.runtime, "Runtime", StubRuntime)
    return StubRuntime


def test_runtime_is_built_once_in_the_lifespan(stub_runtime):
    settings = serving_settings(workers=3)
    app = create_app(settings)
    assert stub_runtime.instances == []  # nothing heavy happens before the server starts
    with live_server(app) as url:
        assert httpx.post(f"{url}/api/ask", json={"question": "专栏2列了哪些项目？"}).status_code == 200
        assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
    (runtime,) = stub_runtime.instances
    assert runtime.settings is settings
    # the index is built before the answer workers start: they only open it
    assert runtime.steps == ["ensure_index", "load", "start_workers 3", "close"]


def test_a_passed_service_is_used_as_is(stub_runtime):
    with live_server(create_app(serving_settings(), FakeService())) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert stub_runtime.instances == []


def test_missing_index_gives_503_not_a_crash(stub_runtime, monkeypatch):
    monkeypatch.setattr(StubRuntime, "missing_index", True)
    with live_server(create_app(serving_settings())) as url:
        health = httpx.get(f"{url}/healthz")
        assert health.status_code == 503 and "planqa ingest" in health.json()["detail"]
        ask = httpx.post(f"{url}/api/ask", json={"question": "专栏2"})
        assert ask.status_code == 503 and "planqa ingest" in ask.json()["detail"]
        assert httpx.get(f"{url}/widget.js").status_code == 200
        StubRuntime.missing_index = False  # the index appears (planqa ingest ran): no restart needed
        assert httpx.post(f"{url}/api/ask", json={"question": "专栏2"}).status_code == 200
