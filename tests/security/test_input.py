"""Items 1 and 7 of issue 12 against a real `planqa serve`: text with invalid code points is
cleaned at the boundary and never changes server-wide state; request types are strict."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.security.conftest import client, post_json

pytestmark = pytest.mark.slow

# Code points that are not characters, and control/format characters, around plan terms.
INVALID = [
    "\ud800",
    "\udfff",
    "\udfff\udbff",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
]


def _bodies(i: int) -> tuple[str, dict]:
    bad = INVALID[i % len(INVALID)]
    text = f"{bad} 研发投入{bad}目标 {i}"
    if i % 5 == 0:
        return "/api/ask", {"question": text}
    if i % 5 == 1:
        return "/v1/chat/completions", {"messages": [{"role": "user", "content": text}]}
    return "/api/search", {"query": text, "k": 3}


def test_a_thousand_requests_with_invalid_code_points_leave_the_server_ok(open_server):
    def one(i: int) -> int:
        path, body = _bodies(i)
        return post_json(http, path, body).status_code

    with client(open_server, key=None) as http:
        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(one, range(1000)))
        assert set(codes) == {200}, sorted(set(codes))
        health = http.get("/healthz").json()
        assert health["status"] == "ok" and health["detail"] is None, (health.get("log_store"), health.get("log_store_detail"))
        answer = post_json(
            http, "/api/ask", {"question": "\ud800到2025年江苏全社会研发投入占地区生产总值比重的目标是多少？"}
        ).json()
    assert "keyword-only" not in answer["backend"] and "3.2%" in answer["answer"]
    assert "dense search failed" not in open_server.log_text()


def test_a_question_of_nothing_but_invalid_code_points_is_a_422_naming_the_field(open_server):
    with client(open_server, key=None) as http:
        ask = post_json(http, "/api/ask", {"question": "\udfff\ud800\x00"})
        search = post_json(http, "/api/search", {"query": "\ufffe\u200b"})
    assert ask.status_code == 422 and "question" in ask.json()["detail"]
    assert search.status_code == 422 and "query" in search.json()["detail"]


@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/search", {"query": "研发投入", "k": "5"}),
        ("/api/search", {"query": "研发投入", "k": True}),
        ("/api/search", {"query": "研发投入", "k": 5.0}),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "研发投入"}], "stream": "yes"}),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "研发投入"}], "stream": 1}),
        (
            "/v1/chat/completions",
            {
                "messages": [{"role": "user", "content": "研发投入"}],
                "stream": True,
                "stream_options": {"include_usage": "yes"},
            },
        ),
    ],
    ids=["k-string", "k-bool", "k-float", "stream-yes", "stream-1", "include-usage-yes"],
)
def test_lax_types_are_refused(open_server, path, body):
    with client(open_server, key=None) as http:
        r = http.post(path, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] in ("k", "stream", "include_usage")
