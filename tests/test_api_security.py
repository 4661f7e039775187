"""Keys, widget keys and origins, CORS, rate limits and the access log, over real HTTP."""

from __future__ import annotations

import logging

import httpx
import pytest

from assistant.api.security import KeyPolicy, SlidingWindowLimiter
from tests.api_fakes import FakeService, live_server, serving_settings
from ui.app import create_app

PORTAL = "https://kjj.example.gov.cn"
API_KEY, WIDGET_KEY = "ak-test-0123456789", "wk-portal-0123456789"
QUESTION = {"question": "专栏2列了哪些项目？"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def guarded_url():
    settings = serving_settings(
        api_keys=[API_KEY], widget_keys=[WIDGET_KEY], cors_origins=[PORTAL], rate_limit_per_minute=1000
    )
    with live_server(create_app(settings, FakeService())) as url:
        yield url


@pytest.fixture
def client(guarded_url):
    with httpx.Client(base_url=guarded_url, timeout=10) as client:
        yield client


# -- keys -------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "headers", [{}, bearer("wrong"), {"Authorization": f"Basic {API_KEY}"}, {"Authorization": "Bearer"}]
)
def test_api_and_v1_need_a_key(client, headers):
    for method, path, body in (
        ("POST", "/api/ask", QUESTION),
        ("GET", "/api/documents", None),
        ("GET", "/v1/models", None),
        ("POST", "/v1/chat/completions", {"messages": []}),
    ):
        r = client.request(method, path, json=body, headers=headers)
        assert r.status_code == 401, (path, r.text)
        assert "Authorization: Bearer" in r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.slow
def test_a_valid_key_opens_api_and_v1(client):
    assert client.post("/api/ask", json=QUESTION, headers=bearer(API_KEY)).status_code == 200
    assert client.get("/v1/models", headers=bearer(API_KEY)).json()["data"][0]["id"] == "planqa"


@pytest.mark.slow
def test_health_docs_and_widget_stay_open(client):
    for path in ("/healthz", "/docs", "/openapi.json", "/widget.js", "/widget-demo"):
        assert client.get(path).status_code == 200, path


@pytest.mark.slow
def test_widget_demo_carries_the_widget_key(client):
    assert f'data-key="{WIDGET_KEY}"' in client.get("/widget-demo").text


@pytest.mark.slow
def test_chat_ui_asks_for_a_key_when_keys_are_set(client):
    assert client.get("/ui/config").status_code == 401
    assert client.post("/ui/login", data={"username": "staff", "password": "wrong"}).status_code == 400
    assert client.post("/ui/login", data={"username": "staff", "password": API_KEY}).status_code == 200
    assert client.get("/ui/config").status_code == 200


@pytest.mark.slow
def test_widget_key_works_only_from_an_allowed_origin_and_only_on_api(client):
    ok = client.post("/api/ask", json=QUESTION, headers=bearer(WIDGET_KEY) | {"Origin": PORTAL})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == PORTAL
    assert client.post("/api/ask", json=QUESTION, headers=bearer(WIDGET_KEY)).status_code == 401
    assert (
        client.post(
            "/api/ask", json=QUESTION, headers=bearer(WIDGET_KEY) | {"Origin": "https://evil.example"}
        ).status_code
        == 401
    )
    v1 = client.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "专栏2"}]},
        headers=bearer(WIDGET_KEY) | {"Origin": PORTAL},
    )
    assert v1.status_code == 401


@pytest.mark.slow
def test_widget_key_falls_back_to_the_referer_when_the_browser_sends_no_origin(client):
    # Browsers omit Origin on same-origin GETs, such as the widget's passage fetch.
    path = "/api/chunks/jiangsu-sti-14fyp:3fa2c1d9e0b1"
    assert (
        client.get(path, headers=bearer(WIDGET_KEY) | {"Referer": f"{PORTAL}/news/1.html"}).status_code == 200
    )
    assert (
        client.get(
            path, headers=bearer(WIDGET_KEY) | {"Referer": "https://evil.example/kjj.example.gov.cn"}
        ).status_code
        == 401
    )


# -- CORS -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cors_preflight_allows_only_listed_origins(client):
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = client.options("/api/ask/stream", headers=preflight | {"Origin": PORTAL})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == PORTAL
    denied = client.options("/api/ask/stream", headers=preflight | {"Origin": "https://evil.example"})
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers


@pytest.mark.slow
def test_errors_carry_cors_headers_so_the_widget_can_read_them(client):
    r = client.post("/api/ask", json=QUESTION, headers={"Origin": PORTAL})
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == PORTAL


# -- rate limits ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_rate_limit_answers_429_with_retry_after():
    settings = serving_settings(api_keys=[API_KEY], rate_limit_per_minute=3)
    with live_server(create_app(settings, FakeService())) as url, httpx.Client(base_url=url) as client:
        codes = [client.get("/api/documents", headers=bearer(API_KEY)).status_code for _ in range(3)]
        limited = client.get("/api/documents", headers=bearer(API_KEY))
        assert codes == [200, 200, 200]
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert "秒后再试" in limited.json()["detail"]
        assert client.get("/healthz").status_code == 200  # health checks are never limited


def test_sliding_window_forgets_old_hits():
    now = [0.0]
    limiter = SlidingWindowLimiter(2, window=60, clock=lambda: now[0])
    assert limiter.hit("ip:a") is None and limiter.hit("ip:a") is None
    assert limiter.hit("ip:a") == 60
    assert limiter.hit("ip:b") is None  # buckets are separate
    now[0] = 45.0
    assert limiter.hit("ip:a") == 15
    now[0] = 60.5
    assert limiter.hit("ip:a") is None


def test_rate_limit_zero_turns_it_off():
    limiter = SlidingWindowLimiter(0)
    assert all(limiter.hit("ip:a") is None for _ in range(1000))


def test_key_policy():
    policy = KeyPolicy((API_KEY,), (WIDGET_KEY,), (PORTAL,))
    assert policy.check(API_KEY, origin=None, widget_allowed=False) == "api"
    assert policy.check(WIDGET_KEY, origin=PORTAL, widget_allowed=True) == "widget"
    assert policy.check(WIDGET_KEY, origin=PORTAL, widget_allowed=False) is None
    assert policy.check(WIDGET_KEY, origin="https://evil.example", widget_allowed=True) is None
    assert policy.check(API_KEY[:-1], origin=None, widget_allowed=True) is None
    assert policy.check(None, origin=None, widget_allowed=True) is None
    assert KeyPolicy().check(None, origin=None, widget_allowed=True) == "open"


# -- access log -------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("log_questions", [False, True])
def test_access_log_leaves_questions_out_unless_asked(caplog, log_questions):
    settings = serving_settings(access_log_questions=log_questions)
    secret_question = "专栏2列了哪些项目？我的手机号是13800000000"
    with (
        live_server(create_app(settings, FakeService())) as url,
        caplog.at_level(logging.INFO, logger="planqa.access"),
    ):
        assert httpx.post(f"{url}/api/ask", json={"question": secret_question}).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "planqa.access"]
    line = next(m for m in lines if "/api/ask" in m)
    assert line.startswith("POST /api/ask 200 ") and "127.0.0.1" in line and "ms" in line
    assert (secret_question in line) is log_questions
