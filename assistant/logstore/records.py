"""The typed records that travel from the surfaces to the conversation log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Surface(StrEnum):
    """Where an answer was given."""

    API = "api"  # POST /api/ask
    STREAM = "stream"  # POST /api/ask/stream
    OPENAI = "openai"  # POST /v1/chat/completions
    CHAT = "chat"  # the Gradio chat page
    WIDGET = "widget"  # the portal widget (it streams)
    CLI = "cli"  # planqa ask


class Rating(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class AnswerRecord:
    """One answer as stored: the question already masked (or None), the client already hashed."""

    answer_id: str
    created_at: datetime
    surface: Surface
    question: str | None
    question_chars: int
    mode: str
    refused: bool
    backend: str
    latency_ms: float
    citations: list[dict] = field(default_factory=list)
    answer: str | None = None
    refusal_reason: str | None = None
    condensed_question: str | None = None
    session_id: str | None = None
    client_hash: str | None = None


@dataclass(frozen=True)
class FeedbackRecord:
    answer_id: str
    created_at: datetime
    rating: Rating
    comment: str | None = None
