"""The interface every surface (CLI, HTTP API, chat UI, widget, evaluation) talks to.

`assistant.runtime.Runtime` implements it with the real index and backends; tests may pass any
object with these methods. Input validation (empty question, unknown doc_id, bad history) raises
`retrieval.errors.InvalidInput`; a missing index raises `IndexUnavailable`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from assistant.schemas import Answer, DocumentInfo, Health, Mode, Turn
from retrieval.models import Chunk, SearchHit


class AssistantService(Protocol):
    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> Answer:
        """Answer a question from the plans, with citations, or refuse."""
        ...

    def stream(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> Iterator[str | Answer]:
        """Yield text deltas (str) of the answer, then the final `Answer` as the last item."""
        ...

    def search(self, query: str, *, k: int = 5, doc_ids: Sequence[str] | None = None) -> list[SearchHit]:
        """Ranked passages for a query."""
        ...

    def documents(self) -> list[DocumentInfo]:
        """The manifest with counts."""
        ...

    def chunk(self, chunk_id: str) -> Chunk | None:
        """One passage by id, or None."""
        ...

    def health(self) -> Health:
        """Whether the index is loaded and answers can be given."""
        ...
