"""OpenAI-compatible `POST /v1/chat/completions` and `GET /v1/models`.

Enough of the protocol for the official SDK, Open WebUI and Dify: the last user message is the
question, earlier user/assistant messages are the history, system messages are ignored. The
citations travel in an extra top-level `citations` field (in the final chunk when streaming),
with `refused` and `refusal_reason` beside them. `doc_ids` and `mode` may be sent as extra body
fields. Token counts in `usage` are estimates.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from assistant.api.conversation import ask_context, conversation_log, logged
from assistant.api.deps import ServiceDep, SettingsDep, admit_question
from assistant.api.errors import INTERNAL_ERROR
from assistant.api.models import DocIds, ErrorBody
from assistant.api.sse import sse_event, sse_response
from assistant.logstore import Surface
from assistant.logstore.recorder import new_answer_id
from assistant.schemas import Answer, Mode, Turn
from retrieval.errors import InvalidInput, PlanqaError

logger = logging.getLogger("planqa.api")
router = APIRouter(tags=["openai"])

MODEL_ID = "planqa"


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text or "" for part in self.content if part.type == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    include_usage: StrictBool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, … are accepted and ignored

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: StrictBool = False  # "yes" or 1 is refused: a client that sends it would be confused
    stream_options: StreamOptions | None = None
    doc_ids: DocIds | None = None
    mode: Mode = "answer"


def estimate_tokens(text: str) -> int:
    """Roughly one token per CJK character and per four other characters."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return cjk + (len(text) - cjk + 3) // 4


def split_conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The question (last message, which must be the user's) and the earlier turns."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or messages[-1].role != "user":
        raise InvalidInput("最后一条消息必须是用户 (role=user) 的问题。")
    history = [Turn(role=m.role, content=m.text) for m in turns[:-1] if m.text]
    return turns[-1].text, history


@router.get("/models")
def list_models() -> dict[str, Any]:
    """The one model this server offers."""
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "planqa"}],
    }


@router.post(
    "/chat/completions",
    responses={
        200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}},
        404: {"model": ErrorBody},
        422: {"model": ErrorBody},
        503: {"model": ErrorBody},
    },
)
def chat_completions(
    body: ChatCompletionRequest, request: Request, service: ServiceDep, settings: SettingsDep
):
    """Chat completion over the plans; `stream: true` sends OpenAI-style chunks then `[DONE]`."""
    if body.model != MODEL_ID:
        raise HTTPException(status_code=404, detail=f"未知模型 {body.model!r}；可用模型: {MODEL_ID}")
    question, history = split_conversation(body.messages)
    admit_question(request, question, settings, context="".join(t.content for t in history))
    prompt_tokens = sum(estimate_tokens(m.text) for m in body.messages)
    # the completion's id is the answer's in the conversation log (chatcmpl-<answer_id>), so a
    # client can send feedback on it; a stream names it before the answer exists
    answer_id = new_answer_id() if conversation_log(request) is not None else None
    completion_id = f"chatcmpl-{answer_id or uuid.uuid4().hex}"
    context = ask_context(request, Surface.OPENAI, question, body.mode)
    if not body.stream:
        answer = service.ask(question, history=history, doc_ids=body.doc_ids, mode=body.mode)
        answer = logged(request, answer, context, answer_id=answer_id)
        return _completion(completion_id, answer, prompt_tokens)
    items = iter(service.stream(question, history=history, doc_ids=body.doc_ids, mode=body.mode))
    first = next(items, None)  # input errors become a 4xx before the stream starts
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    finish = lambda answer: logged(request, answer, context, answer_id=answer_id)  # noqa: E731
    return sse_response(_chunks(completion_id, first, items, prompt_tokens, include_usage, finish))


def _extras(answer: Answer) -> dict[str, Any]:
    return {
        "citations": [c.model_dump(mode="json") for c in answer.citations],
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "answer_id": answer.answer_id,
    }


def _usage(prompt_tokens: int, completion: str) -> dict[str, int]:
    completion_tokens = estimate_tokens(completion)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _completion(completion_id: str, answer: Answer, prompt_tokens: int) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": answer.answer}, "finish_reason": "stop"}
        ],
        "usage": _usage(prompt_tokens, answer.answer),
        **_extras(answer),
    }


def _chunks(
    completion_id: str,
    first: str | Answer | None,
    rest: Iterator[str | Answer],
    prompt_tokens: int,
    include_usage: bool,
    finish: Callable[[Answer], Answer],
) -> Iterator[bytes]:
    created = int(time.time())

    def chunk(delta: dict, finish: str | None = None, **extra: Any) -> bytes:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return sse_event(payload)

    yield chunk({"role": "assistant", "content": ""})
    item, written = first, ""
    try:
        while item is not None and not isinstance(item, Answer):
            if item:
                written += item
                yield chunk({"content": item})
            item = next(rest, None)
        if item is None:
            raise RuntimeError("stream ended without a final Answer")
        yield chunk({}, "stop", **_extras(finish(item)))
        if include_usage:
            payload = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": MODEL_ID,
                "choices": [],
                "usage": _usage(prompt_tokens, written),
            }
            yield sse_event(payload)
    except Exception as exc:  # the stream has begun: finish it with a readable message
        if not isinstance(exc, PlanqaError):
            logger.exception("chat completion stream failed")
        message = str(exc) if isinstance(exc, PlanqaError) else INTERNAL_ERROR
        yield chunk(
            {"content": f"\n\n[错误] {message}"}, "stop", refused=True, refusal_reason=message, citations=[]
        )
    yield sse_event("[DONE]")
