"""The HTTP surfaces' side of the conversation log: who asked (session, client, surface) and the
answer handed back with its `answer_id`. Logging never fails a request (assistant.logstore)."""

from __future__ import annotations

import re

from fastapi import Request

from assistant.api.deps import client_ip
from assistant.logstore import AskContext, ConversationLog, Surface
from assistant.schemas import Answer

SESSION_HEADER = "X-Session-Id"  # any client may send one to group its turns; the widget does
CLIENT_HEADER = "X-Planqa-Client"  # "widget" from the portal widget, which streams like any client
_SESSION = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


def conversation_log(request: Request) -> ConversationLog | None:
    return getattr(request.app.state, "conversation_log", None)


def ask_context(request: Request, surface: Surface, question: str, mode: str) -> AskContext:
    if request.headers.get(CLIENT_HEADER, "").lower() == "widget":
        surface = Surface.WIDGET
    session = request.headers.get(SESSION_HEADER, "")
    return AskContext(
        surface=surface,
        question=question,
        mode=mode,
        session_id=session if _SESSION.match(session) else None,
        client=client_ip(request),
    )


def logged(request: Request, answer: Answer, context: AskContext, *, answer_id: str | None = None) -> Answer:
    """`answer` with its `answer_id`, queued for the log; as it was when the log is off."""
    log = conversation_log(request)
    return log.record(answer, context, answer_id=answer_id) if log is not None else answer
