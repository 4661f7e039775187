"""`ChatGuard`: the chat page's HTTP endpoints get the protection the API has (pure ASGI middleware).

Gradio's event endpoints (`/ui/gradio_api/queue/join`, `/run/predict`) answer questions
in-process, so they are an API like `/api/ask`; Gradio's client API (`/call/…`, `/api/…`),
which the page does not use, is closed (404):

* every event is checked before Gradio sees it: a JSON object whose `fn_index` names an event of
  the page, whose `data` has one value per input, each of the input's JSON type; anything else
  is 422 JSON (Gradio answered some of these with a plain-text 500); the page's other JSON
  calls (cancel, reset) must be JSON objects without NaN;
* an answer (an event of a function in `answer_events`) counts against the API's limiter, in the
  same per-IP bucket as `/api/ask` and in one per browser session, weighted by the question's
  length like the API's; other events (page load, opening a passage) count in a looser
  limiter of their own; an excess event is 429 with `Retry-After`;
* `/ui/login` answers 429 with `Retry-After` after PLANQA_LOGIN_FAILURES_PER_MINUTE failures from
  one IP in a minute; each failure is logged with the IP and user name, never the password;
* `/ui/gradio_api/upload` is closed (404) unless the page has a component that uploads files.

It reads the request body of event calls only (a few hundred bytes; BodySizeLimit runs first).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.middleware import content_length, send_json
from assistant.api.security import SlidingWindowLimiter, question_cost

logger = logging.getLogger("planqa.api")

# The chat page's event endpoints (Gradio 6), below the mount path.
_EVENT = re.compile(r"^/gradio_api/(?:queue/join|run/predict)/?$")
# Gradio's client API (`/call/<name>`, `/api/<name>`, other `/run/<name>`): the page does not use
# it (its events are api_visibility="private"), so it is closed rather than guarded.
_CLIENT_API = re.compile(r"^/gradio_api/(?:call|api|run)/")
_UPLOAD = re.compile(r"^/(?:gradio_api/)?upload(?:_progress)?/?$")
_LOGIN = re.compile(r"^/login/?$")
MAX_EVENT_BYTES = 64_000  # an event carries a question, a few ids and flags
MAX_SESSION_HASH = 64
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int,),
    "array": (list,),
    "object": (dict,),
}


@dataclass(frozen=True)
class EventSpec:
    """What an event of the page takes: one JSON schema per input, and whether it answers."""

    input_schemas: tuple[dict, ...]
    answers: bool


def event_specs(blocks, answer_events: frozenset[str]) -> dict[int, EventSpec]:
    """The page's events by fn_index (from a Gradio Blocks)."""
    specs = {}
    for index, fn in blocks.fns.items():
        schemas = []
        for block in fn.inputs:
            try:
                schemas.append(block.api_info() or {})
            except Exception:  # a component without an API description takes anything
                schemas.append({})
        specs[index] = EventSpec(tuple(schemas), fn.name in answer_events)
    return specs


def fits(value, schema: dict) -> bool:
    """Whether `value` has the JSON type `schema` names (null always fits: Gradio sends it for empty)."""
    if value is None:
        return True
    kind = schema.get("type")
    if not isinstance(kind, str) or kind not in _JSON_TYPES:
        return True  # "any valid json" (State) and unions
    types = _JSON_TYPES[kind]
    if isinstance(value, bool) and bool not in types:
        return False  # JSON true is not a number
    if not isinstance(value, types):
        return False
    if kind == "array" and isinstance(schema.get("items"), dict):
        return all(fits(item, schema["items"]) for item in value)
    return True


def check_event(body: object, specs: dict[int, EventSpec]) -> tuple[EventSpec, str | None, str]:
    """(the event, its session hash, its question text) or ValueError saying what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("事件请求必须是 JSON 对象")
    index = body.get("fn_index")
    if isinstance(index, bool) or not isinstance(index, int) or index not in specs:
        raise ValueError("fn_index 无效：不是本页面的事件")
    session = body.get("session_hash")
    if session is not None and (not isinstance(session, str) or not 0 < len(session) <= MAX_SESSION_HASH):
        raise ValueError(f"session_hash 必须是 1 到 {MAX_SESSION_HASH} 个字符的文本")
    data = body.get("data")
    spec = specs[index]
    if not isinstance(data, list) or len(data) != len(spec.input_schemas):
        raise ValueError(f"data 必须是含 {len(spec.input_schemas)} 个值的列表")
    for i, (value, schema) in enumerate(zip(data, spec.input_schemas, strict=True)):
        if not fits(value, schema):
            raise ValueError(f"data 第 {i + 1} 个值的类型无效（应为 {schema.get('type')}）")
    text = " ".join(v for v in data if isinstance(v, str))
    return spec, session, text


class ChatGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        specs: Callable[[], dict[int, EventSpec]],
        answers: SlidingWindowLimiter,
        events: SlidingWindowLimiter,
        logins: SlidingWindowLimiter,
        uploads: Callable[[], bool],
        long_question_chars: int = 250,
        prefix: str = "/ui",
    ):
        self.app = app
        self.specs = specs
        self.answers, self.events, self.logins = answers, events, logins
        self.uploads = uploads
        self.long_question_chars = long_question_chars
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(self.prefix + "/"):
            await self.app(scope, receive, send)
            return
        rest, ip = path[len(self.prefix) :], _client_ip(scope)
        if _UPLOAD.match(rest):
            if self.uploads():
                await self.app(scope, receive, send)
            else:
                await _read_body(receive, None)  # read what was sent, so the client hears the answer
                await send_json(send, 404, {"detail": "聊天页面不接受文件上传。"})
        elif _CLIENT_API.match(rest) and not _EVENT.match(rest):
            await _read_body(receive, None)
            await send_json(send, 404, {"detail": "聊天页面的事件只能通过页面本身调用。"})
        elif scope["method"] == "POST" and _LOGIN.match(rest):
            await self._login(scope, receive, send, ip)
        elif scope["method"] == "POST" and rest.startswith("/gradio_api/"):
            await self._post(scope, receive, send, ip, event=bool(_EVENT.match(rest)))
        else:
            await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send, ip: str) -> None:
        bucket = f"login:{ip}"
        if (wait := self.logins.blocked(bucket)) is not None:
            logger.warning("chat login refused: too many failures from %s", ip)
            await _too_many(send, wait)
            return
        body = await _read_body(receive, MAX_EVENT_BYTES)
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, _replay(body, receive), watch)
        if status >= 400:
            self.logins.hit(bucket)
            logger.warning("chat login failed from %s (user %r)", ip, _login_user(body))

    async def _post(self, scope: Scope, receive: Receive, send: Send, ip: str, *, event: bool) -> None:
        """A JSON call of the page (an event, a cancel, a reset): checked, then counted, then run."""
        declared = content_length(scope)
        body = (
            None
            if declared is not None and declared > MAX_EVENT_BYTES
            else await _read_body(receive, MAX_EVENT_BYTES)
        )
        if body is None:
            await send_json(send, 413, {"detail": f"请求体过大：最多 {MAX_EVENT_BYTES} 字节。"})
            return
        try:
            # NaN and Infinity are not JSON; Gradio's 422 would echo them and fail with a 500
            parsed = json.loads(body or b"null", parse_constant=_not_json)
            if not isinstance(parsed, dict):
                raise ValueError("请求体必须是 JSON 对象")
            if event:
                spec, session, text = check_event(parsed, self.specs())
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            message = (
                "请求体不是有效的 JSON"
                if isinstance(exc, (json.JSONDecodeError, RecursionError))
                else str(exc)
            )
            await send_json(send, 422, {"detail": message})
            return
        if event:
            if spec.answers:
                cost = question_cost(len(text), self.long_question_chars)
                limiter, buckets = self.answers, [f"ip:{ip}", f"session:{session}"]
            else:
                cost, limiter, buckets = 1, self.events, [f"ui-ip:{ip}", f"ui-session:{session}"]
            for bucket in buckets if session else buckets[:1]:
                if (wait := limiter.hit(bucket, cost)) is not None:
                    await _too_many(send, wait)
                    return
        await self.app(scope, _replay(body, receive), send)


def _not_json(constant: str):
    raise ValueError(f"{constant} 不是有效的 JSON 数值")


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


async def _read_body(receive: Receive, limit: int | None) -> bytes | None:
    """The whole body, or None when it is over `limit` bytes (None: read and drop it; BodySizeLimit
    bounds it)."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk, more = message.get("body", b""), message.get("more_body", False)
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        if limit is not None:
            chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes | None, receive: Receive) -> Receive:
    """The body already read, then whatever the client sends next (its disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body or b"", "more_body": False}
        return await receive()

    return replayed


def _login_user(body: bytes | None) -> str:
    from urllib.parse import parse_qs

    try:
        return parse_qs((body or b"").decode("utf-8", "replace")).get("username", ["?"])[0][:40]
    except Exception:
        return "?"


async def _too_many(send: Send, wait: int) -> None:
    await send_json(
        send,
        429,
        {"detail": f"请求过于频繁，请 {wait} 秒后再试。"},
        headers=[(b"retry-after", str(wait).encode())],
    )


__all__ = ["ChatGuard", "EventSpec", "check_event", "event_specs", "fits"]
