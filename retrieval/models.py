"""Typed records passed between the corpus, parsing, chunking and search stages."""

from __future__ import annotations

import functools
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChunkKind = Literal["text", "column", "table", "annex"]
KINDS: tuple[str, ...] = ("text", "column", "table", "annex")
# what a document is and whose: the values `planqa add --level/--kind` accept
LEVELS: tuple[str, ...] = ("province", "zone", "city", "county", "other")
PLAN_KINDS: tuple[str, ...] = ("plan", "outline", "article", "notice", "other")


class ManifestEntry(BaseModel):
    """One document of the corpus manifest (`corpus/manifest.json`)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    doc_id: str
    file: str
    title: str
    issuer: str | None = None
    doc_number: str | None = None
    published: str | None = None
    level: str = "province"
    region: str = ""
    kind: str = "plan"
    period: str | None = None
    author: str | None = None
    note: str | None = None
    source: str | None = None  # the file name it was added from (planqa add / the admin page)
    sha1: str | None = None  # of the file's bytes when added: the same content is not added twice


class Table(BaseModel):
    """A table recovered from the text: a title, a header row and data rows of cells."""

    title: str | None = None
    header: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)


class Chunk(BaseModel):
    """A retrievable passage: section-sized, with its address in the plan.

    `text` is always an exact slice of the cleaned document text
    (`text == document.text[char_start:char_end]`), so quotes taken from it are verbatim.
    Table chunks carry the rows they hold in `table`, with the header and title repeated.
    """

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    doc_id: str
    doc_title: str
    section_path: list[str]
    section: str
    column: str | None = None
    kind: ChunkKind = "text"
    text: str
    char_start: int
    char_end: int
    ordinal: int = 0
    level: str = ""
    region: str = ""
    table: Table | None = None
    truncated: bool = False

    # computed once per chunk: the answerer reads them for every passage it scores
    @functools.cached_property
    def context(self) -> str:
        """Where the chunk sits, as a line of text: used for embedding and keyword search."""
        parts = [self.doc_title, " ".join(self.section_path)]
        if self.column:
            parts.append(self.column)
        if self.table is not None:
            if self.table.title and self.table.title != self.column:
                parts.append(self.table.title)
            if self.table.header:
                parts.append(" ".join(self.table.header))
        return " ".join(p for p in parts if p)

    @functools.cached_property
    def search_text(self) -> str:
        """Context plus text: what the dense and keyword indexes see."""
        return f"{self.context}\n{self.text}"


class SearchHit(BaseModel):
    """A chunk returned by a retriever, with its fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
