"""Item 6 of issue 12: reply mode repeats the question in its subject line; no Markdown link, HTML
or URL of the question survives there, over JSON, SSE and the OpenAI stream."""

from __future__ import annotations

import json

import pytest

from tests.security.conftest import client

pytestmark = pytest.mark.slow

QUESTION = "[点我](javascript:alert(1)) <b onclick=alert(1)>到2025年</b>江苏全社会研发投入占地区生产总值比重的目标是多少？"
FORBIDDEN = ("](", "javascript:", "<b", "</b>", "onclick=")


def _assert_inert(answer: str) -> None:
    assert "关于“" in answer and "3.2%" in answer, answer  # a reply, with its subject line
    for needle in FORBIDDEN:
        assert needle not in answer, (needle, answer)


def test_reply_over_json(open_server):
    with client(open_server, key=None) as http:
        answer = http.post("/api/ask", json={"question": QUESTION, "mode": "reply"}).json()
    assert not answer["refused"]
    _assert_inert(answer["answer"])


def test_reply_over_sse(open_server):
    with client(open_server, key=None) as http:
        with http.stream("POST", "/api/ask/stream", json={"question": QUESTION, "mode": "reply"}) as r:
            events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    streamed = "".join(e.get("delta", "") for e in events)
    _assert_inert(streamed)
    _assert_inert(events[-1]["answer"]["answer"])


def test_reply_over_the_openai_stream(open_server):
    body = {"messages": [{"role": "user", "content": QUESTION}], "stream": True, "mode": "reply"}
    with client(open_server, key=None) as http:
        with http.stream("POST", "/v1/chat/completions", json=body) as r:
            chunks = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    text = "".join(
        choice["delta"].get("content") or ""
        for chunk in chunks[:-1]
        for choice in json.loads(chunk)["choices"]
    )
    _assert_inert(text)
