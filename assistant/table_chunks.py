"""Whole tables from their chunks (pure): a long table is split over several chunks, each holding
some rows; positions, rankings, counts and filters need all of them, and a citation needs the chunk
that holds each chosen row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.models import Chunk, Table

__all__ = ["WholeTable", "whole_tables"]


@dataclass(frozen=True)
class WholeTable:
    """One table of a plan with every row, and for each row the chunk that holds its line."""

    doc_id: str
    table: Table
    chunks: tuple[Chunk, ...]  # the table's chunks in document order
    chunk_of_row: tuple[int, ...]  # for each row of `table`, its chunk's index in `chunks`

    def chunk_for(self, row: int) -> Chunk:
        """The chunk whose text holds row `row` as a tab-joined line (cite it with that line)."""
        return self.chunks[self.chunk_of_row[row]]


def whole_tables(chunks: Iterable[Chunk]) -> list[WholeTable]:
    """Table chunks grouped into whole tables: same plan, section, 专栏, title and header, rows in
    document order. Chunks of other kinds are ignored."""
    groups: dict[tuple, list[Chunk]] = {}
    for chunk in chunks:
        if chunk.kind != "table" or chunk.table is None:
            continue
        t = chunk.table
        key = (chunk.doc_id, chunk.section, chunk.column, t.title, tuple(t.header))
        groups.setdefault(key, []).append(chunk)
    out = []
    for (doc_id, *_), members in groups.items():
        members.sort(key=lambda c: c.char_start)
        rows: list[list[str]] = []
        owner: list[int] = []
        for k, chunk in enumerate(members):
            assert chunk.table is not None
            for row in chunk.table.rows:
                rows.append(list(row))
                owner.append(k)
        first = members[0].table
        assert first is not None
        table = Table(title=first.title, header=list(first.header), rows=rows)
        out.append(WholeTable(doc_id, table, tuple(members), tuple(owner)))
    return out
