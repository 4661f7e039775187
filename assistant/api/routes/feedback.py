"""`POST /api/feedback`: 👍/👎 and an optional comment on an answer, by its `answer_id`."""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.api.conversation import conversation_log
from assistant.api.deps import SettingsDep
from assistant.api.models import ErrorBody
from assistant.logstore import FeedbackOutcome, Rating
from retrieval.errors import InvalidInput

router = APIRouter(tags=["feedback"])

_ANSWER_ID = r"^(chatcmpl-)?[0-9a-f]{32}$"  # an /api answer_id, or the id of an OpenAI completion


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(
        max_length=64, description="`answer_id` of the answer (or the OpenAI completion `id`)."
    )
    rating: Rating = Field(description="`up` or `down`.")
    comment: str | None = Field(
        None, description="What was wrong or right; at most PLANQA_FEEDBACK_COMMENT_CHARS characters."
    )


class FeedbackSaved(BaseModel):
    answer_id: str
    rating: Rating
    saved: bool = True


def _unknown(answer_id: str) -> HTTPException:
    return HTTPException(
        status_code=404, detail=f"未找到回答 {answer_id[:64]!r}：请对本服务给出的回答（answer_id）评价。"
    )


@router.post(
    "/feedback",
    response_model=FeedbackSaved,
    responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)
def feedback(body: FeedbackRequest, request: Request, settings: SettingsDep) -> FeedbackSaved:
    """Rate an answer; a later rating of the same answer replaces the earlier one."""
    if body.comment and len(body.comment) > settings.feedback_comment_chars:
        raise InvalidInput(
            f"comment 过长：最多 {settings.feedback_comment_chars} 个字符，当前 {len(body.comment)} 个。"
        )
    log = conversation_log(request)
    if log is None:
        raise HTTPException(
            status_code=404, detail="本服务未开启对话记录（PLANQA_CONVERSATION_LOG），无法保存评价。"
        )
    if not re.match(_ANSWER_ID, body.answer_id):
        raise _unknown(body.answer_id)
    answer_id = body.answer_id.removeprefix("chatcmpl-")
    outcome = log.feedback(answer_id, body.rating, body.comment)
    if outcome is FeedbackOutcome.UNKNOWN_ANSWER:
        raise _unknown(body.answer_id)
    if outcome is FeedbackOutcome.UNAVAILABLE:
        raise HTTPException(
            status_code=503, detail="评价暂时无法保存，请稍后再试。", headers={"Retry-After": "30"}
        )
    return FeedbackSaved(answer_id=answer_id, rating=body.rating)
