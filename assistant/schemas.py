"""The answer contract shared by the CLI, the HTTP API, the chat UI and the evaluation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Mode = Literal["answer", "reply"]
Role = Literal["user", "assistant"]


class Turn(BaseModel):
    """One message of the conversation history."""

    role: Role
    content: str


class Citation(BaseModel):
    """A numbered citation: `quote` is an exact substring of the chunk's text."""

    n: int
    doc_id: str
    doc_title: str
    section: str
    column: str | None = None
    chunk_id: str
    quote: str


class Generation(BaseModel):
    """How a model wrote an answer (absent for extractive answers): the prompt it was given and
    what verification kept of what it wrote."""

    prompt_version: str
    sentences: int = 0  # sentences the model wrote (a bare 依据不足 is none)
    kept: int = 0  # sentences shown: supported by their cited passage, numbers and subject included
    dropped: list[str] = Field(default_factory=list)  # why each other sentence was dropped
    output_tokens: int | None = None
    model_ms: float | None = None  # time spent waiting on the model


class Answer(BaseModel):
    """What every surface returns for a question."""

    answer: str
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)
    backend: str = "extractive"
    latency_ms: float = 0.0
    refusal_reason: str | None = None
    answer_id: str | None = Field(
        None,
        description="This answer in the conversation log, for POST /api/feedback; null when the log is off.",
    )
    generation: Generation | None = None
    condensed_question: str | None = Field(
        None,
        exclude=True,  # for the conversation log; not part of the HTTP answer
        description="The standalone question a follow-up was read as (history carried over); null otherwise.",
    )


class DocumentInfo(BaseModel):
    """A document of the corpus as listed by `GET /api/documents`."""

    doc_id: str
    title: str
    level: str
    region: str
    kind: str
    issuer: str | None = None
    doc_number: str | None = None
    published: str | None = None
    period: str | None = None
    chunks: int = 0
    sections: int = 0
    columns: int = 0
    tables: int = 0


class Health(BaseModel):
    """`GET /healthz`: whether the index is loaded and which backends answer."""

    status: Literal["ok", "degraded"]
    index_loaded: bool
    chunks: int
    backend: str
    embeddings: str
    detail: str | None = None
    log_store: Literal["ok", "degraded", "off"] = "off"
    log_store_detail: str | None = None
