"""Dependencies shared by the routes: the service, the settings and the access check."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.api.security import question_cost
from assistant.service import AssistantService
from assistant.settings import Settings
from retrieval.errors import IndexUnavailable, InvalidInput

_bearer = HTTPBearer(
    auto_error=False, description="An API key (PLANQA_API_KEYS) or, from an allowed origin, a widget key."
)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_service(request: Request) -> AssistantService:
    service = request.app.state.service
    if service is None:
        raise IndexUnavailable(request.app.state.service_error or "服务正在启动，请稍后再试。")
    return service


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[AssistantService, Depends(get_service)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_origin(request: Request) -> str | None:
    """The page's origin: the Origin header, else the origin of the Referer.

    Browsers leave Origin out of same-origin GETs (the widget's passage fetch on /widget-demo).
    Both headers are set by the browser, so neither lets another web page use a widget key; a
    non-browser client can send anything, which is why widget keys open only /api/*.
    """
    if origin := request.headers.get("origin"):
        return origin
    referer = urlsplit(request.headers.get("referer", ""))
    return f"{referer.scheme}://{referer.netloc}" if referer.scheme and referer.netloc else None


def _too_many(retry_after: int) -> HTTPException:
    return HTTPException(
        status_code=429,
        detail=f"请求过于频繁，请 {retry_after} 秒后再试。",
        headers={"Retry-After": str(retry_after)},
    )


def require_access(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Rate-limit by IP, check the key, then rate-limit by key (see `assistant.api.security`)."""
    state = request.app.state
    limiter = state.limiter
    if (wait := limiter.hit(f"ip:{client_ip(request)}")) is not None:
        raise _too_many(wait)
    key = credentials.credentials if credentials else None
    access = state.key_policy.check(
        key, origin=request_origin(request), widget_allowed=request.url.path.startswith("/api/")
    )
    if access is None:
        raise HTTPException(
            status_code=401,
            detail="需要有效的 API 密钥：请在请求头中加入 Authorization: Bearer <key>。",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if key and access != "open" and (wait := limiter.hit(f"key:{key}")) is not None:
        raise _too_many(wait)


def check_question(text: str, settings: Settings, *, field: str = "question") -> str:
    """Refuse blank and over-long questions with a 422 that says the limit."""
    if not text.strip():
        raise InvalidInput(f"{field} 不能为空：请输入问题。")
    if len(text) > settings.max_question_chars:
        raise InvalidInput(f"{field} 过长：最多 {settings.max_question_chars} 个字符，当前 {len(text)} 个。")
    return text


def note_question(request: Request, text: str) -> None:
    """Hand the question to the access log, which writes it only when PLANQA_ACCESS_LOG_QUESTIONS is on
    (PLANQA_LOG_QUESTIONS is the conversation log's: assistant.logstore)."""
    request.state.question = text


def admit_question(
    request: Request, text: str, settings: Settings, *, field: str = "question", context: str = ""
) -> str:
    """Note, check and charge a question: `require_access` counted the request once; a long one
    (with its `context`, the history's text) counts once more per PLANQA_LONG_QUESTION_CHARS."""
    note_question(request, text)
    check_question(text, settings, field=field)
    extra = question_cost(len(text) + len(context), settings.long_question_chars) - 1
    if extra > 0:
        limiter = request.app.state.limiter
        key = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        for bucket in (f"ip:{client_ip(request)}", *([f"key:{key}"] if key else [])):
            if (wait := limiter.hit(bucket, extra)) is not None:
                raise _too_many(wait)
    return text
