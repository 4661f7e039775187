"""Pure ASGI middleware: the request body limit and the access log (both also cover streams)."""

from __future__ import annotations

import json
import logging
import time

import anyio
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_logger = logging.getLogger("planqa.access")
logger = logging.getLogger("planqa.api")

INTERNAL_ERROR = "内部错误，请稍后再试；若反复出现，请联系管理员。"


class CatchAll:
    """Turn an unexpected exception into 500 JSON here, inside the app.

    Starlette's own last-resort handler answers too, but then re-raises, and uvicorn drops the
    keep-alive connection; catching it here keeps the connection and still logs the traceback.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_and_watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        except Exception:
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            await send_json(send, 500, {"detail": INTERNAL_ERROR})


def _too_large_detail(limit: int) -> str:
    return f"请求体过大：最多 {limit} 字节。"


class BodySizeLimit:
    """Refuse bodies over `limit` bytes (`/ui` gets `ui_limit`) with 413 JSON, and bodies that take
    longer than `timeout` seconds to arrive with 408 JSON.

    A declared Content-Length is refused before the app runs; a chunked body is counted as it
    is read, and the route sees an HTTPException(413), which FastAPI re-raises to its handler.
    The timeout covers the whole body, not each piece: a client trickling a byte a second
    (slowloris) would otherwise hold a worker thread for as long as it likes. It stops once the
    body is complete, so a long answer stream is not cut.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        ui_limit: int = 1_000_000,
        timeout: float = 15.0,
        admin_limit: int | None = None,
        admin_timeout: float | None = None,
        admin_keys: tuple[str, ...] = (),
    ):
        self.app = app
        self.limit = limit
        self.ui_limit = max(limit, ui_limit)
        self.timeout = timeout
        # plan uploads on /api/admin (admin-key checked by the route) are larger and slower
        self.admin_limit = max(limit, admin_limit or 0)
        self.admin_timeout = max(timeout, admin_timeout or 0.0)
        self.admin_tokens = {f"Bearer {k}".encode() for k in admin_keys}

    def _admin(self, scope: Scope) -> bool:
        """Only a request carrying an admin key may send a plan-sized body (the key is checked
        again, in constant time, by the route)."""
        auth = dict(scope.get("headers") or []).get(b"authorization", b"")
        return auth in self.admin_tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.ui_limit if scope["path"].startswith("/ui") else self.limit
        timeout = self.timeout
        if scope["path"].startswith("/api/admin/") and self._admin(scope):
            limit, timeout = self.admin_limit, self.admin_timeout
        declared = content_length(scope)
        if declared is not None and declared > limit:
            await send_json(send, 413, {"detail": _too_large_detail(limit)})
            return
        received = 0
        deadline = time.monotonic() + timeout
        complete = False

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete:
                return await receive()
            try:
                with anyio.fail_after(max(deadline - time.monotonic(), 0.001)):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(
                    status_code=408, detail=f"请求体发送超时：须在 {timeout:g} 秒内发完。"
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(status_code=413, detail=_too_large_detail(limit))
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        await self.app(scope, limited_receive, send)


class AccessLog:
    """One line per request on logger `planqa.access`: method, path, status, ms, client.

    The question is added only when `log_questions` is on (routes put it in `request.state`).
    """

    def __init__(self, app: ASGIApp, log_questions: bool = False):
        self.app = app
        self.log_questions = log_questions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        state = scope.setdefault("state", {})

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            client = scope.get("client")
            fields = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "client": client[0] if client else "-",
            }
            line = "%(method)s %(path)s %(status)s %(ms)sms %(client)s"
            if self.log_questions and state.get("question"):
                fields["question"] = state["question"]
                line += " question=%(question)r"
            access_logger.info(line, fields, extra={"access": fields})


def content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def send_json(send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    """A whole JSON response, from middleware (before or instead of the app)."""
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
