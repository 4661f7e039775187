"""The chat page as a browser drives it, over plain HTTP: log in, read the page's config, join the
queue with an event, read the event stream."""

from __future__ import annotations

import json
import time

import httpx


def login(client: httpx.Client, password: str) -> httpx.Response:
    return client.post("/ui/login", data={"username": "tester", "password": password})


def send_event(client: httpx.Client) -> int:
    """The fn_index of the page's question event (the 提问 button's click)."""
    config = client.get("/ui/config").json()
    send = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "planqa-send")
    return next(
        i
        for i, d in enumerate(config["dependencies"])
        if [send, "click"] in d["targets"] and d.get("queue") is not False
    )


def question_body(fn_index: int, question: str, session: str | None = None) -> dict:
    return {
        "data": [question, [], False, []],
        "fn_index": fn_index,
        "session_hash": session or f"s{time.monotonic_ns()}",
        "event_data": None,
    }


def ask(client: httpx.Client, fn_index: int, question: str, session: str | None = None) -> dict:
    """One chat turn: join, then read the stream to `process_completed`; the final message."""
    body = question_body(fn_index, question, session)
    joined = client.post("/ui/gradio_api/queue/join", json=body)
    assert joined.status_code == 200, joined.text
    with client.stream(
        "GET", "/ui/gradio_api/queue/data", params={"session_hash": body["session_hash"]}
    ) as events:
        for line in events.iter_lines():
            if line.startswith("data:") and (message := json.loads(line[5:]))["msg"] == "process_completed":
                return message
    raise AssertionError("the chat turn never completed")
