"""Request and response bodies of the HTTP API (the answer contract itself is `assistant.schemas`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from assistant.schemas import DocumentInfo, Mode, Turn
from assistant.validation import normalise_text

# Chunk ids are `<doc_id>:<12 hex>` (see retrieval.chunker.chunk_id); anything else is refused
# before it reaches the service, so no path-like id is ever looked up.
CHUNK_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}:[0-9a-f]{6,40}$"

DocId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
DocIds = Annotated[list[DocId], Field(max_length=20)]
# Text a user typed, cleaned once here (see assistant.validation.normalise_text): a question that
# is nothing but invalid code points ends up blank and is refused with a 422 naming its field.
UserText = Annotated[str, AfterValidator(normalise_text)]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: UserText = Field(description="The question; at most PLANQA_MAX_QUESTION_CHARS characters.")
    history: Annotated[list[Turn], Field(max_length=50)] = Field(
        default_factory=list, description="Earlier turns, oldest first: {role: user|assistant, content}."
    )
    doc_ids: DocIds | None = Field(
        None, description="Restrict the answer to these documents (see /api/documents)."
    )
    mode: Mode = Field("answer", description="`answer`, or `reply` to draft a reply to a citizen or firm.")


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: UserText = Field(description="What to look for; at most PLANQA_MAX_QUESTION_CHARS characters.")
    k: StrictInt = Field(
        5, ge=1, le=50, description='How many passages to return (an integer, not "5" or true).'
    )
    doc_ids: DocIds | None = None


class SearchResult(BaseModel):
    chunk_id: str
    doc_id: str
    doc_title: str
    section: str
    column: str | None = None
    text: str
    score: float


class SearchResponse(BaseModel):
    results: list[SearchResult]


class DocumentList(BaseModel):
    documents: list[DocumentInfo]


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: one `detail` a user can act on."""

    detail: str | list[dict]
