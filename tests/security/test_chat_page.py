"""Items 2, 4 and 5 of issue 12 against a real `planqa serve`: the chat page's endpoints are an
API like /api/ask. Its login is limited and logged without the password, its events are
rate-limited per IP and per session, its answers cannot skip the queue, uploads are closed, and
malformed events are 4xx JSON; a fuzz of its endpoints gets no 5xx."""

from __future__ import annotations

import contextlib
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.security.chat import ask, login, question_body, send_event
from tests.security.conftest import API_KEYS, LOGIN_FAILURES, RATE_LIMIT, client

pytestmark = pytest.mark.slow

QUESTION = "南通市高新技术企业数量目标是多少？"


def test_login_failures_are_limited_and_logged_without_the_password(guarded_server):
    wrong = "not-the-key-S3CRET-guess"
    with client(guarded_server, key=None) as http:
        codes = [login(http, f"{wrong}{i}").status_code for i in range(LOGIN_FAILURES + 5)]
        refused = login(http, API_KEYS[0])  # even the right key, while the IP is blocked
    assert codes[:LOGIN_FAILURES] == [400] * LOGIN_FAILURES
    assert set(codes[LOGIN_FAILURES:]) == {429}
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "秒后再试" in refused.json()["detail"]
    with client(guarded_server, key=None) as other:  # another IP is not affected
        assert login(other, API_KEYS[0]).status_code == 200
    log = guarded_server.log_text()
    assert log.count("chat login failed from 127.0.") >= LOGIN_FAILURES
    assert wrong not in log and API_KEYS[0] not in log


@contextlib.contextmanager
def _logged_in(server):
    with client(server, key=None) as http:
        assert login(http, API_KEYS[-1]).status_code == 200
        yield http


def test_the_answer_event_cannot_skip_the_queue(guarded_server):
    with _logged_in(guarded_server) as http:
        fn_index = send_event(http)
        r = http.post("/ui/gradio_api/run/predict", json=question_body(fn_index, QUESTION))
    assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("application/json")
    assert "3600" not in r.text and "高新技术企业" not in r.text


def test_chat_answers_are_rate_limited_per_ip(guarded_server):
    with _logged_in(guarded_server) as http:
        fn_index = send_event(http)
        codes = [
            http.post("/ui/gradio_api/queue/join", json=question_body(fn_index, f"{QUESTION}{i}")).status_code
            for i in range(RATE_LIMIT + 10)
        ]
        limited = http.post("/ui/gradio_api/queue/join", json=question_body(fn_index, QUESTION))
    assert codes.count(200) == RATE_LIMIT and codes.count(429) == 10, codes
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_chat_answers_are_rate_limited_per_session(guarded_server):
    session = f"shared{time.monotonic_ns()}"
    with _logged_in(guarded_server) as first, _logged_in(guarded_server) as second:
        fn_index = send_event(first)
        codes = [
            http.post(
                "/ui/gradio_api/queue/join", json=question_body(fn_index, f"{QUESTION}{i}", session)
            ).status_code
            for i in range(RATE_LIMIT // 2 + 5)
            for http in (first, second)
        ]
    assert codes.count(200) == RATE_LIMIT and codes.count(429) == 10, codes


def test_the_chat_still_answers(guarded_server):
    with _logged_in(guarded_server) as http:
        message = ask(http, send_event(http), QUESTION)
    assert message["success"], message


def test_uploads_are_closed(guarded_server, open_server):
    files = {"files": ("x.html", b"<script>alert(1)</script>", "text/html")}
    with _logged_in(guarded_server) as logged_in, client(open_server, key=None) as keyless:
        for http in (logged_in, keyless):
            r = http.post("/ui/gradio_api/upload", files=files)
            assert r.status_code == 404 and r.json()["detail"]


@pytest.mark.parametrize(
    "path,body",
    [
        ("/ui/gradio_api/run/predict", {"data": ["x"]}),
        ("/ui/gradio_api/run/predict", {"data": ["x"], "fn_index": 1}),
        ("/ui/gradio_api/queue/join", {"data": ["x", [], False, []], "fn_index": 999, "session_hash": "abc"}),
        ("/ui/gradio_api/queue/join", {"data": [1, "x", "y", None], "fn_index": 1, "session_hash": "abc"}),
        ("/ui/gradio_api/queue/join", "not json"),
    ],
    ids=["no-fn-index", "wrong-arity", "unknown-fn", "wrong-types", "not-json"],
)
def test_malformed_events_are_4xx_json(open_server, path, body):
    with client(open_server, key=None) as http:
        if isinstance(body, str):
            r = http.post(path, content=body, headers={"content-type": "application/json"})
        else:
            r = http.post(path, json=body)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
    assert r.headers["content-type"].startswith("application/json") and r.json()["detail"]


def _fuzz_value(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "float", "bool", "none", "list", "dict", "huge", "unicode"]
    kind = rng.choice(kinds if depth < 3 else kinds[:5])
    return {
        "str": lambda: rng.choice(["", "x", "南通", "<script>", "\x00", "../../etc/passwd", "%00"]),
        "int": lambda: rng.choice([-1, 0, 1, 2, 3, 7, 999, 2**63, -(2**70)]),
        "float": lambda: rng.choice([0.5, -1e308, 1e308, float("nan")]) if rng.random() < 0.5 else 1.5,
        "bool": lambda: rng.random() < 0.5,
        "none": lambda: None,
        "list": lambda: [_fuzz_value(rng, depth + 1) for _ in range(rng.randint(0, 5))],
        "dict": lambda: {
            rng.choice(["a", "data", "fn_index", "role", "content"]): _fuzz_value(rng, depth + 1)
        },
        "huge": lambda: "研" * rng.choice([3000, 60_000]),
        "unicode": lambda: (
            "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(8))
            .encode("utf-8", "surrogatepass")
            .decode("utf-8", "replace")
        ),
    }[kind]()


def _fuzz_body(rng: random.Random) -> dict:
    body = {}
    for field in (
        "data",
        "fn_index",
        "session_hash",
        "event_data",
        "trigger_id",
        "batched",
        "simple_format",
        "event_id",
    ):
        if rng.random() < 0.7:
            body[field] = _fuzz_value(rng)
    if rng.random() < 0.5:
        body["data"] = [_fuzz_value(rng) for _ in range(rng.choice([0, 1, 3, 4, 5]))]
        body["fn_index"] = rng.randint(-1, 12)
    return body


def test_a_fuzz_of_the_chat_endpoints_gets_no_server_error(open_server):
    rng = random.Random(12)
    paths = [
        "/ui/gradio_api/queue/join",
        "/ui/gradio_api/run/predict",
        "/ui/gradio_api/api/predict",
        "/ui/gradio_api/call/predict",
        "/ui/gradio_api/call/v2/predict",
        "/ui/gradio_api/cancel",
        "/ui/gradio_api/reset",
        "/ui/login",
        "/ui/gradio_api/upload",
    ]
    requests = []
    for i in range(400):
        path = paths[i % len(paths)]
        body = (
            json.dumps(_fuzz_body(rng), allow_nan=True)
            if i % 7
            else rng.choice(["", "[", "null", "[]", "1", '{"data": {}}'])
        )
        requests.append((path, body))

    def post(http, path, body):
        try:
            return path, http.post(
                path, content=body, headers={"content-type": "application/json"}
            ).status_code
        except httpx.TransportError as exc:  # no response at all is as bad as a 500
            return path, f"{type(exc).__name__} for {body[:80]!r} ({len(body)} bytes)"

    def batch(part):
        with client(
            open_server, key=None, timeout=30
        ) as http:  # an IP per 50: the events limit is not tested here
            return [post(http, path, body) for path, body in part]

    with ThreadPoolExecutor(4) as pool:
        results = [
            r
            for part in pool.map(batch, [requests[i : i + 50] for i in range(0, len(requests), 50)])
            for r in part
        ]
    errors = [(path, code) for path, code in results if isinstance(code, str) or code >= 500]
    assert errors == [], errors[:20]
    assert "Traceback" not in open_server.log_text()
