"""The heavy objects, built once and shared by the CLI, the API, the chat UI and the evaluation:
the embedding model, the Chroma + BM25 indexes, the chunk catalog, the n-gram weights and the answer
pipeline. `Runtime` implements `assistant.service.AssistantService`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence

from assistant.backends import make_backend
from assistant.extractive import ExtractiveAnswerer
from assistant.pipeline import AnswerPipeline
from assistant.schemas import Answer, DocumentInfo, Health, Mode, Turn
from assistant.settings import Settings
from assistant.text import GramWeights
from assistant.validation import clean_question, validate_doc_ids, validate_history, validate_mode
from retrieval.catalog import Catalog
from retrieval.corpus import load_chunks, load_documents, load_manifest
from retrieval.errors import IndexUnavailable, InvalidInput
from retrieval.models import Chunk, SearchHit

log = logging.getLogger("planqa.runtime")


class Runtime:
    def __init__(self, settings: Settings, *, embedder=None, chat_model=None):
        self.settings = settings
        self.manifest = load_manifest(settings.corpus_dir)
        self.doc_ids = [e.doc_id for e in self.manifest]
        self._embedder = embedder
        self._chat_model = chat_model
        self._lock = threading.RLock()
        self.retriever = None
        self.pipeline: AnswerPipeline | None = None
        self.catalog: Catalog | None = None
        self.load_error: str | None = None

    # ------------------------------------------------------------ building

    @property
    def embedder(self):
        if self._embedder is None:
            from retrieval.embeddings import load_embedder

            s = self.settings
            self._embedder = load_embedder(s.embeddings, base_url=s.embeddings_base_url, api_key=s.embeddings_api_key)
        return self._embedder

    def ingest(self, rebuild: bool = False, progress: bool = False):
        """Parse, chunk and index the corpus (incremental; atomic switch). Returns the report."""
        from retrieval.index import ingest

        chunks = load_chunks(self.settings.corpus_dir, self.settings.chunk_tokens)
        report = ingest(chunks, self.settings.index_dir, self.embedder, rebuild=rebuild, progress=progress, chroma_url=self.settings.chroma_url)
        with self._lock:
            self.retriever = None
        return report

    def ensure_index(self, progress: bool = False):
        """Build the index if there is none; return the ingest report or None."""
        from retrieval.builds import current_build

        if self.settings.chroma_url is None and current_build(self.settings.index_dir) is not None:
            return None
        try:
            self.load()
            return None
        except IndexUnavailable:
            return self.ingest(progress=progress)

    def load(self) -> Runtime:
        """Open the index and build the answer pipeline (idempotent)."""
        with self._lock:
            if self.retriever is not None:
                return self
            from retrieval.index import open_index

            s = self.settings
            try:
                retriever = open_index(s.index_dir, self.embedder, chroma_url=s.chroma_url, dense_weight=s.dense_weight, keyword_weight=s.keyword_weight)
            except IndexUnavailable as exc:
                self.load_error = str(exc)
                raise
            catalog = Catalog(retriever.chunks)
            weights = GramWeights(c.search_text for c in catalog.chunks)
            answerer = ExtractiveAnswerer(catalog, weights)
            backend = make_backend(s.llm, answerer, base_url=s.llm_base_url, api_key=s.llm_api_key, timeout=s.llm_timeout, chat_model=self._chat_model)
            titles = [e.title for e in self.manifest]
            self.pipeline = AnswerPipeline(self._search, backend, weights, titles, top_k=s.top_k)
            self.catalog, self.retriever, self.load_error = catalog, retriever, None
            return self

    def _search(self, query: str, doc_ids: Sequence[str] | None) -> list[SearchHit]:
        return self.retriever.search(query[: self.settings.max_question_chars], k=max(3 * self.settings.top_k, 20), doc_ids=list(doc_ids) if doc_ids else None)

    # ------------------------------------------------------------ the service

    def _prepare(self, question, history, doc_ids, mode):
        self.load()
        return (
            clean_question(question, self.settings.max_question_chars),
            validate_history(history, self.settings.max_question_chars),
            validate_doc_ids(doc_ids, self.doc_ids),
            validate_mode(mode),
        )

    def ask(self, question: str, *, history: Sequence[Turn] = (), doc_ids: Sequence[str] | None = None, mode: Mode = "answer") -> Answer:
        question, history, doc_ids, mode = self._prepare(question, history, doc_ids, mode)
        return self.pipeline.invoke(question, history, doc_ids, mode)

    def stream(self, question: str, *, history: Sequence[Turn] = (), doc_ids: Sequence[str] | None = None, mode: Mode = "answer") -> Iterator[str | Answer]:
        question, history, doc_ids, mode = self._prepare(question, history, doc_ids, mode)
        yield from self.pipeline.stream(question, history, doc_ids, mode)

    def search(self, query: str, *, k: int = 5, doc_ids: Sequence[str] | None = None) -> list[SearchHit]:
        query = clean_question(query, self.settings.max_question_chars, what="查询")
        if not isinstance(k, int) or not 1 <= k <= 50:
            raise InvalidInput("k 必须是 1 到 50 之间的整数")
        doc_ids = validate_doc_ids(doc_ids, self.doc_ids)
        self.load()
        return self.retriever.search(query, k=k, doc_ids=doc_ids)

    def documents(self) -> list[DocumentInfo]:
        counts: dict[str, int] = {}
        if self.catalog is not None:
            for c in self.catalog.chunks:
                counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        stats = self._doc_stats()
        return [
            DocumentInfo(
                doc_id=e.doc_id, title=e.title, level=e.level, region=e.region, kind=e.kind, issuer=e.issuer,
                doc_number=e.doc_number, published=e.published, period=e.period, chunks=counts.get(e.doc_id, 0), **stats.get(e.doc_id, {}),
            )
            for e in self.manifest
        ]

    def _doc_stats(self) -> dict[str, dict[str, int]]:
        if not hasattr(self, "_stats"):
            self._stats = {
                d.entry.doc_id: {"sections": len(d.headings), "columns": len(d.columns), "tables": len(d.tables)}
                for d in load_documents(self.settings.corpus_dir)
            }
        return self._stats

    def chunk(self, chunk_id: str) -> Chunk | None:
        self.load()
        return self.catalog.get(chunk_id)

    def health(self) -> Health:
        try:
            self.load()
        except IndexUnavailable as exc:
            return Health(status="degraded", index_loaded=False, chunks=0, backend=self.settings.llm, embeddings=self.settings.embeddings, detail=str(exc))
        return Health(status="ok", index_loaded=True, chunks=len(self.catalog), backend=self.pipeline.backend.name, embeddings=self.settings.embeddings)
