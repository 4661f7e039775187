"""`serve(settings)`: run the app under uvicorn.

One HTTP process (uvicorn, one worker): the chat page keeps its sessions in this process's memory
(Gradio cannot share them between processes), and the rate limits count here. The runtime is
built in the lifespan; answers are composed in PLANQA_WORKERS worker processes it starts
(assistant.workers), so every core answers.

Connections, before the app sees them (see docs/OPERATIONS.md):

* a request's line and headers must arrive within PLANQA_HEADER_TIMEOUT seconds of the connection
  opening (or of the previous response, on a kept-alive connection), else 408 and the connection
  is closed (closed without a word if not a byte came): uvicorn's own keep-alive timer stops at
  the first byte, so a client trickling header bytes held a connection for as long as it liked;
* headers larger than MAX_HEADER_BYTES are refused (400) by h11;
* an idle kept-alive connection is closed after KEEP_ALIVE_SECONDS.
"""

from __future__ import annotations

import asyncio
import copy
import json

from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant.settings import Settings

MAX_HEADER_BYTES = 16_384  # a request line plus headers; browsers send 1-3 kB, cookies included
KEEP_ALIVE_SECONDS = 5  # uvicorn's default, named here so OPERATIONS.md can say what it is


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on the request head (line and headers)."""

    header_timeout: float = 10.0  # set per server by `protocol_class`
    _head_timer: asyncio.TimerHandle | None = None
    _head_started = False  # a byte of the awaited request head has arrived

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc) -> None:
        self._head_done()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_timer is not None:
            self._head_started = True
        super().data_received(data)

    def handle_events(self) -> None:
        waiting = self.cycle is None or self.cycle.response_complete
        super().handle_events()
        if waiting and self.cycle is not None and not self.cycle.response_complete:
            self._head_done()  # a request head arrived and its cycle runs

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()

    def _await_head(self) -> None:
        self._head_done()
        self._head_started = False
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _head_done(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not (self.cycle is None or self.cycle.response_complete):
            return
        if not self._head_started:  # an idle connection: nothing to answer, just close it
            self.transport.close()
            return
        body = json.dumps(
            {"detail": f"请求头发送超时：须在 {self.header_timeout:g} 秒内发完。"}, ensure_ascii=False
        ).encode("utf-8")
        head = (
            "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        ).encode("ascii")
        self.transport.write(head + body)
        self.transport.close()


def protocol_class(header_timeout: float) -> type[HeaderTimeoutProtocol]:
    """The protocol for one server, with its header deadline."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": header_timeout})


def _log_config() -> dict:
    """uvicorn's logging plus our access log; uvicorn's own access log is off (ours replaces it)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["planqa"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(settings: Settings) -> None:
    """Serve the API, the chat at /ui and the widget on settings.host:settings.port until stopped."""
    import uvicorn

    from ui.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        workers=1,
        http=protocol_class(settings.header_timeout),
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        access_log=False,
        log_config=_log_config(),
        timeout_graceful_shutdown=5,
    )
