"""The offline answer backend's former home: it now lives in `assistant.answering`, one module
per kind of answer, with its thresholds in `assistant.answering.thresholds`. Kept so that
`from assistant.extractive import ExtractiveAnswerer` (and the helpers below) keeps working."""

from assistant.answering import (
    DEFAULT_THRESHOLDS,
    AnswerThresholds,
    ExtractiveAnswerer,
    Scored,
    container_score,
    enumerated,
    item_named,
    loosely_in,
    scope_free,
)

NAMED_HEADING_BONUS = DEFAULT_THRESHOLDS.named_heading_bonus  # now AnswerThresholds.named_heading_bonus

__all__ = [
    "NAMED_HEADING_BONUS",
    "AnswerThresholds",
    "ExtractiveAnswerer",
    "Scored",
    "container_score",
    "enumerated",
    "item_named",
    "loosely_in",
    "scope_free",
]
