"""All chunks in memory, looked up by id, document, section and 专栏."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from retrieval.models import Chunk


class Catalog:
    def __init__(self, chunks: Iterable[Chunk]):
        self.chunks: list[Chunk] = sorted(chunks, key=lambda c: (c.doc_id, c.char_start))
        self.by_id = {c.chunk_id: c for c in self.chunks}
        self.by_doc: dict[str, list[Chunk]] = defaultdict(list)
        self._at: dict[tuple[str, tuple[str, ...]], list[Chunk]] = defaultdict(list)
        for c in self.chunks:
            self.by_doc[c.doc_id].append(c)
            if not c.column:
                self._at[(c.doc_id, tuple(c.section_path))].append(c)
        # computed once: the answerer walks every section of a plan for every list question
        self._paths = {doc: self._find_paths(doc) for doc in self.by_doc}

    def __len__(self) -> int:
        return len(self.chunks)

    def get(self, chunk_id: str) -> Chunk | None:
        return self.by_id.get(chunk_id)

    def column(self, doc_id: str, label: str) -> list[Chunk]:
        """Every chunk of one 专栏, in order."""
        return [c for c in self.by_doc.get(doc_id, []) if c.column == label]

    def columns(self, doc_id: str | None = None) -> list[tuple[str, str]]:
        """(doc_id, 专栏 label) pairs in document order."""
        seen: dict[tuple[str, str], None] = {}
        for c in self.chunks if doc_id is None else self.by_doc.get(doc_id, []):
            if c.column:
                seen.setdefault((c.doc_id, c.column), None)
        return list(seen)

    def section(self, doc_id: str, path: list[str], include_columns: bool = False) -> list[Chunk]:
        """Chunks at or below a section path (columns excluded unless asked)."""
        n = len(path)
        return [
            c
            for c in self.by_doc.get(doc_id, [])
            if c.section_path[:n] == path and (include_columns or not c.column)
        ]

    def neighbours(self, chunk: Chunk) -> list[Chunk]:
        """The chunks of the same section and 专栏 (a section split into several chunks)."""
        return [
            c
            for c in self.by_doc.get(chunk.doc_id, [])
            if c.section == chunk.section and c.column == chunk.column
        ]

    def paths(self, doc_id: str) -> list[tuple[str, ...]]:
        """Every section path of a document and its prefixes, in document order."""
        return self._paths.get(doc_id, [])

    def at(self, doc_id: str, path: tuple[str, ...]) -> list[Chunk]:
        """The chunks exactly at a section path, outside any 专栏 (the section's own text)."""
        return self._at.get((doc_id, tuple(path)), [])

    def _find_paths(self, doc_id: str) -> list[tuple[str, ...]]:
        seen: dict[tuple[str, ...], None] = {}
        for c in self.by_doc.get(doc_id, []):
            for i in range(1, len(c.section_path) + 1):
                seen.setdefault(tuple(c.section_path[:i]), None)
        return list(seen)

    def children(self, doc_id: str, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The sub-sections directly below a section, in order."""
        n = len(path)
        return [p for p in self.paths(doc_id) if len(p) == n + 1 and p[:n] == path]
