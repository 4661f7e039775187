"""All chunks in memory, looked up by id, document, section and 专栏.

Every lookup the answerer makes is a dictionary read, built once when the catalog is made: at 500
plans (50,000 chunks) scanning the chunks for a 专栏 or a section cost more than the rest of an
answer. Each list keeps document order.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

import numpy as np

from retrieval.grams import grams
from retrieval.models import Chunk


class Catalog:
    def __init__(self, chunks: Iterable[Chunk]):
        self.chunks: list[Chunk] = sorted(chunks, key=lambda c: (c.doc_id, c.char_start))
        self.by_id = {c.chunk_id: c for c in self.chunks}
        self.by_doc: dict[str, list[Chunk]] = defaultdict(list)
        self._at: dict[tuple[str, tuple[str, ...]], list[Chunk]] = defaultdict(list)
        self._under: dict[tuple[str, tuple[str, ...]], list[Chunk]] = defaultdict(list)
        self._column: dict[tuple[str, str], list[Chunk]] = defaultdict(list)
        self._place: dict[tuple[str, str, str | None], list[Chunk]] = defaultdict(list)
        for c in self.chunks:
            self.by_doc[c.doc_id].append(c)
            path = tuple(c.section_path)
            if not c.column:
                self._at[(c.doc_id, path)].append(c)
            else:
                self._column[(c.doc_id, c.column)].append(c)
            for i in range(len(path) + 1):
                self._under[(c.doc_id, path[:i])].append(c)
            self._place[(c.doc_id, c.section, c.column)].append(c)
        self._columns = list(self._column)  # (doc_id, label) in document order
        self._doc_columns: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for doc_id, label in self._columns:
            self._doc_columns[doc_id].append((doc_id, label))
        # computed once: the answerer walks every section of a plan for every list question
        self._paths = {doc: self._find_paths(doc) for doc in self.by_doc}
        self.tables: list[Chunk] = [c for c in self.chunks if c.kind == "table"]
        self._doc_tables: dict[str, list[Chunk]] = defaultdict(list)
        for c in self.tables:
            self._doc_tables[c.doc_id].append(c)
        # n-gram → positions in self.tables of the tables whose text holds it; made when first
        # needed (a corpus with many tables: 0.8 s at 500 plans, never for the shipped five)
        self._table_grams: dict[str, np.ndarray] | None = None
        self._table_grams_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.chunks)

    def get(self, chunk_id: str) -> Chunk | None:
        return self.by_id.get(chunk_id)

    def column(self, doc_id: str, label: str) -> list[Chunk]:
        """Every chunk of one 专栏, in order (no label: the chunks outside any 专栏)."""
        if not label:
            return [c for c in self.by_doc.get(doc_id, []) if c.column == label]
        return list(self._column.get((doc_id, label), ()))

    def columns(self, doc_id: str | None = None) -> list[tuple[str, str]]:
        """(doc_id, 专栏 label) pairs in document order."""
        return list(self._columns if doc_id is None else self._doc_columns.get(doc_id, ()))

    def tables_of(
        self,
        doc_ids: Collection[str] | None,
        query: Collection[str],
        limit: int,
        weight: Callable[[str], float] = lambda g: 1.0,
    ) -> list[Chunk]:
        """The table chunks of some documents (None: of all), in document order; when there are
        more than `limit`, the `limit` whose text shares the most weight of the query's n-grams."""
        tables = (
            self.tables
            if doc_ids is None
            else [c for d in dict.fromkeys(doc_ids) for c in self._doc_tables.get(d, ())]
        )
        if len(tables) <= limit:
            return list(tables)
        index = self._table_gram_index()
        shared = np.zeros(len(self.tables))
        for g in sorted(set(query)):
            held = index.get(g)
            if held is not None:
                shared[held] += weight(g)
        if doc_ids is None:
            positions = np.flatnonzero(shared > 0)
        else:
            wanted = {c.chunk_id for c in tables}
            positions = np.array(
                [i for i, c in enumerate(self.tables) if c.chunk_id in wanted and shared[i] > 0]
            )
        if not len(positions):
            return []
        ranked = positions[np.lexsort((positions, -shared[positions]))][:limit]
        keep = {self.tables[i].chunk_id for i in ranked}
        return [c for c in tables if c.chunk_id in keep]

    def _table_gram_index(self) -> dict[str, np.ndarray]:
        with self._table_grams_lock:
            if self._table_grams is None:
                index: dict[str, list[int]] = defaultdict(list)
                for i, c in enumerate(self.tables):
                    for g in grams(c.search_text):
                        index[g].append(i)
                self._table_grams = {g: np.array(held, dtype=np.int32) for g, held in index.items()}
            return self._table_grams

    def section(self, doc_id: str, path: list[str], include_columns: bool = False) -> list[Chunk]:
        """Chunks at or below a section path (columns excluded unless asked)."""
        under = self._under.get((doc_id, tuple(path)), ())
        return [c for c in under if include_columns or not c.column]

    def neighbours(self, chunk: Chunk) -> list[Chunk]:
        """The chunks of the same section and 专栏 (a section split into several chunks)."""
        return list(self._place.get((chunk.doc_id, chunk.section, chunk.column), ()))

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
