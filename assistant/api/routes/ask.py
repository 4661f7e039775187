"""`POST /api/ask` and `POST /api/ask/stream` (Server-Sent Events)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from assistant.api.conversation import ask_context, logged
from assistant.api.deps import ServiceDep, SettingsDep, admit_question
from assistant.api.errors import INTERNAL_ERROR
from assistant.api.models import AskRequest, ErrorBody
from assistant.api.sse import sse_event, sse_response
from assistant.logstore import Surface
from assistant.schemas import Answer
from retrieval.errors import PlanqaError

logger = logging.getLogger("planqa.api")
router = APIRouter(tags=["ask"])

_ERRORS = {422: {"model": ErrorBody}, 503: {"model": ErrorBody}}
_STREAM_DOC = {
    200: {
        "description": (
            '`data:` events: `{"delta": "…"}` text pieces, then `{"done": true, "answer": Answer}`; '
            'a failure after the stream began arrives as `{"error": "…"}`.'
        ),
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    **_ERRORS,
}


@router.post("/ask", response_model=Answer, responses=_ERRORS)
def ask(body: AskRequest, request: Request, service: ServiceDep, settings: SettingsDep) -> Answer:
    """Answer a question from the plans, with numbered citations, or refuse and say why."""
    admit_question(request, body.question, settings, context=_context(body))
    answer = service.ask(body.question, history=body.history, doc_ids=body.doc_ids, mode=body.mode)
    return logged(request, answer, ask_context(request, Surface.API, body.question, body.mode))


@router.post("/ask/stream", response_class=StreamingResponse, responses=_STREAM_DOC)
def ask_stream(
    body: AskRequest, request: Request, service: ServiceDep, settings: SettingsDep
) -> StreamingResponse:
    """The same answer as `/api/ask`, streamed as it is written."""
    admit_question(request, body.question, settings, context=_context(body))
    items = iter(service.stream(body.question, history=body.history, doc_ids=body.doc_ids, mode=body.mode))
    # Pull the first item now: input errors (unknown doc_id, bad history) then become a normal 4xx
    # instead of an error event inside a 200 stream.
    first = next(items, None)
    context = ask_context(request, Surface.STREAM, body.question, body.mode)
    return sse_response(_events(first, items, lambda answer: logged(request, answer, context)))


def _context(body: AskRequest) -> str:
    return "".join(turn.content for turn in body.history)


def _events(
    first: str | Answer | None, rest: Iterator[str | Answer], finish: Callable[[Answer], Answer]
) -> Iterator[bytes]:
    item = first
    try:
        while item is not None:
            if isinstance(item, Answer):
                item = finish(item)
                yield sse_event({"done": True, "answer": item.model_dump(mode="json")})
                return
            if item:
                yield sse_event({"delta": item})
            item = next(rest, None)
        yield sse_event({"error": INTERNAL_ERROR})  # the service ended without an Answer
        logger.error("stream ended without a final Answer")
    except PlanqaError as exc:
        yield sse_event({"error": str(exc)})
    except Exception:
        logger.exception("stream failed")
        yield sse_event({"error": INTERNAL_ERROR})
