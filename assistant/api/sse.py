"""Server-Sent Events helpers shared by `/api/ask/stream` and `/v1/chat/completions`."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi.sse import EventSourceResponse, format_sse_event


def sse_event(payload: dict | str) -> bytes:
    """One `data:` event; dicts are sent as JSON (Chinese kept readable), strings as they are."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return format_sse_event(data_str=data)


def sse_response(events: Iterator[bytes]) -> EventSourceResponse:
    """A stream that proxies neither cache nor buffer (nginx honours X-Accel-Buffering)."""
    return EventSourceResponse(events, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
