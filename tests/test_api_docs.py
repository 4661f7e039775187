"""The API docs work offline: /docs loads only assets served by the app itself."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from assistant.settings import load_settings
from tests.api_fakes import FakeService
from ui.app import create_app


def test_docs_page_uses_only_local_assets():
    client = TestClient(create_app(load_settings(), service=FakeService()))
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
        assert client.get(asset).status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"].startswith("规划问答")
