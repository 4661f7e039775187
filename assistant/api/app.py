"""`create_app(settings, service=None, chat=None)`: the one FastAPI app behind `planqa serve`.

    /api/ask, /api/ask/stream, /api/search,     JSON and SSE; key-checked and rate-limited
    /api/documents, /api/chunks/{id}
    /v1/chat/completions, /v1/models            OpenAI-compatible; key-checked and rate-limited
    /api/feedback                               👍/👎 on an answer_id; key-checked and rate-limited
    /healthz, /docs, /openapi.json              open
    /admin/report                               the conversation log report (PLANQA_ADMIN_KEYS)
    /ui                                         the chat page passed as `chat` (ui.app passes the
                                                Gradio chat; login with a key when keys are set)
    /admin, /api/admin/...                      document administration (PLANQA_ADMIN_KEYS)
    /widget.js, /widget-demo                    the portal widget and a page that shows it

Middleware, outermost first: access log → CORS → body size limit → catch-all 500 → chat guard
(the chat page's events, login and uploads: assistant.api.chat_guard).
The real `Runtime` is built in the lifespan, once, and only when no service is passed in
(tests pass a fake): it builds the index if there is none, opens it, then starts the answer
worker processes (PLANQA_WORKERS, see assistant.workers), which only open it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import anyio
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse
from starlette.routing import Mount

from assistant.api.chat_guard import ChatGuard, event_specs
from assistant.api.conversation import CLIENT_HEADER, SESSION_HEADER
from assistant.api.deps import require_access
from assistant.api.docs import mount_docs
from assistant.api.errors import install_error_handlers
from assistant.api.middleware import AccessLog, BodySizeLimit, CatchAll
from assistant.api.routes import admin, admin_report, ask, corpus, feedback, health, openai, widget
from assistant.api.security import KeyPolicy, SlidingWindowLimiter
from assistant.logstore import open_conversation_log
from assistant.service import AssistantService
from assistant.settings import Settings
from retrieval.errors import IndexUnavailable

logger = logging.getLogger("planqa.api")
ADMIN_FILES_PER_REQUEST = 4  # an upload request may carry a few plans, each up to PLANQA_MAX_UPLOAD_MB
ADMIN_UPLOAD_SECONDS = 300.0  # a 50 MB PDF over a slow office line


class ChatPage(Protocol):
    """A chat page the app mounts (ui.chat.GRADIO_CHAT): the API does not import the UI, the
    composition above it (ui.app) hands the page in."""

    answer_events: frozenset[str]  # the page's events that answer a question (rate-limited as answers)

    def mount(
        self,
        app: FastAPI,
        get_service: Callable[[], Any],
        *,
        login: Callable[[str, str], bool] | None,
        get_log: Callable[[], Any],
    ) -> FastAPI: ...

    def takes_uploads(self, blocks: Any) -> bool: ...


def _build_runtime(settings: Settings) -> AssistantService:
    from assistant.runtime import Runtime  # imported here: heavy, and only the real server needs it

    runtime = Runtime(settings)
    try:
        runtime.ensure_index()
        load = getattr(runtime, "load", None)  # open the index now rather than on the first question
        if callable(load):
            load()
    except IndexUnavailable as exc:
        # Keep serving: /healthz says why, questions get 503, and the runtime retries the index.
        logger.error("index unavailable: %s", exc)
    start_workers = getattr(runtime, "start_workers", None)
    if callable(start_workers):  # after the index is built: the workers only open it
        start_workers(settings.serve_workers)
    return runtime


def _lifespan(settings: Settings):
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        built = None
        app.state.conversation_log = open_conversation_log(settings)  # its thread opens the database
        if app.state.service is None:
            try:
                built = await anyio.to_thread.run_sync(_build_runtime, settings)
                app.state.service = built
            except IndexUnavailable as exc:  # no runtime at all: /healthz and 503s, not a crash
                app.state.service_error = str(exc)
                logger.error("index unavailable: %s", exc)
        try:
            yield
        finally:
            close = getattr(built, "close", None)
            if callable(close):
                close()
            if app.state.conversation_log is not None:
                await anyio.to_thread.run_sync(app.state.conversation_log.close)  # writes what is queued

    return lifespan


def create_app(
    settings: Settings, service: AssistantService | None = None, chat: ChatPage | None = None
) -> FastAPI:
    app = FastAPI(
        title="规划问答 planqa",
        summary="Cited answers over five Jiangsu science-and-technology plans.",
        version="0.1.0",
        lifespan=_lifespan(settings),
        docs_url=None,  # served from bundled assets by mount_docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.service_error = None
    app.state.conversation_log = None  # opened in the lifespan (PLANQA_CONVERSATION_LOG)
    app.state.key_policy = KeyPolicy(
        tuple(settings.api_keys), tuple(settings.widget_keys), tuple(settings.cors_origins)
    )
    app.state.limiter = SlidingWindowLimiter(settings.rate_limit_per_minute)
    install_error_handlers(app)

    guarded = [Depends(require_access)]
    app.include_router(ask.router, prefix="/api", dependencies=guarded)
    app.include_router(corpus.router, prefix="/api", dependencies=guarded)
    app.include_router(feedback.router, prefix="/api", dependencies=guarded)
    app.include_router(openai.router, prefix="/v1", dependencies=guarded)
    app.include_router(admin.router, prefix="/api/admin", dependencies=[Depends(admin.require_admin)])
    app.include_router(admin.page)
    app.include_router(health.router)
    app.include_router(widget.router)
    app.include_router(admin_report.router, prefix="/admin")

    mount_docs(app)
    if chat is not None:
        _mount_chat(app, settings, chat)  # its guard is the innermost middleware

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/" if chat is not None else "/docs")

    app.add_middleware(CatchAll)
    app.add_middleware(
        BodySizeLimit,
        limit=settings.max_body_bytes,
        timeout=settings.body_timeout,
        admin_limit=(settings.max_upload_mb << 20) * ADMIN_FILES_PER_REQUEST,
        admin_timeout=ADMIN_UPLOAD_SECONDS,
        admin_keys=tuple(settings.admin_keys),
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", SESSION_HEADER, CLIENT_HEADER],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    app.add_middleware(AccessLog, log_questions=settings.access_log_questions)
    return app


def _mount_chat(app: FastAPI, settings: Settings, chat: ChatPage) -> None:
    keys = KeyPolicy(tuple(settings.api_keys))

    def login(_user: str, password: str) -> bool:
        return keys.check(password, origin=None, widget_allowed=False) is not None

    chat.mount(
        app,
        lambda: app.state.service,
        login=login if settings.api_keys else None,
        get_log=lambda: app.state.conversation_log,
    )
    blocks = next(r.app.get_blocks() for r in app.routes if isinstance(r, Mount) and r.path == "/ui")
    specs = event_specs(blocks, chat.answer_events)
    uploads = chat.takes_uploads(blocks)
    app.add_middleware(
        ChatGuard,
        specs=lambda: specs,
        answers=app.state.limiter,  # the chat's answers count with the API's, per IP
        events=SlidingWindowLimiter(settings.ui_events_per_minute),
        logins=SlidingWindowLimiter(settings.login_failures_per_minute),
        uploads=lambda: uploads,
        long_question_chars=settings.long_question_chars,
    )
