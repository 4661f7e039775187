"""The heavy objects, built once and shared by the CLI, the API, the chat UI and the evaluation:
the embedding model, the Chroma + BM25 indexes, the chunk catalog, the n-gram weights and the answer
pipeline. `Runtime` implements `assistant.service.AssistantService`.

Following the index folder (degraded mode). Answers come from the loaded build: chunks and BM25 in
memory, vectors in Chroma. Before each request the runtime looks at the index folder (a read of
`current.json` and three stats): a newer complete build, from an ingest here or in another process,
is opened and swapped in while requests already running finish on the old one. When the current
build's files are gone or broken, or a dense search fails (Chroma's files corrupt, its server down),
answers use keyword search over the chunks in memory: `Answer.backend` gets a
"(keyword-only: <why>)" suffix and `/healthz` says `degraded`, until a good build is back
(`planqa ingest --rebuild`). A failed dense search is retried after DENSE_RETRY_SECONDS. A search
that fails while the dense index still answers a known query (PROBE_QUERY) failed for its own
content: that one search is answered by keyword and nothing else changes.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Iterator, Sequence

from assistant.answering import DEFAULT_THRESHOLDS, AnswerThresholds, ExtractiveAnswerer
from assistant.backends import llm_options, make_backend
from assistant.pipeline import AnswerPipeline
from assistant.plans import PlanDirectory
from assistant.schemas import Answer, DocumentInfo, Health, Mode, Turn
from assistant.settings import Settings, usable_cpus
from assistant.table_handler import TableHandler, load_table_names, save_table_names
from assistant.text import GramWeights
from assistant.validation import clean_question, validate_doc_ids, validate_history, validate_mode
from retrieval.builds import builds_dir, current_build_id
from retrieval.catalog import Catalog
from retrieval.corpus import load_chunks, load_documents, load_manifest
from retrieval.errors import IndexUnavailable, InvalidInput
from retrieval.grams import load_counts
from retrieval.models import Chunk, SearchHit

log = logging.getLogger("planqa.runtime")

DENSE_RETRY_SECONDS = 30.0
MAX_QUERY_CHARS = 50_000
FILES_MISSING = "index files missing"
PROBE_QUERY = "科技创新"  # what /healthz and a failed search check the dense index with


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        embedder=None,
        chat_model=None,
        thresholds: AnswerThresholds = DEFAULT_THRESHOLDS,
    ):
        self.settings = settings
        self.thresholds = thresholds  # the answerer's and the pipeline's (evals.tune tries others)
        self.manifest = load_manifest(settings.corpus_dir)
        self.doc_ids = [e.doc_id for e in self.manifest]
        self._embedder = embedder
        self._chat_model = chat_model
        self._lock = threading.RLock()
        self.retriever = None
        self.pipeline: AnswerPipeline | None = None
        self.answerer: ExtractiveAnswerer | None = None
        self.catalog: Catalog | None = None
        self.load_error: str | None = None
        self.degraded: str | None = None  # why answers use keyword search only; None while hybrid
        self._dense_failed_at: float | None = None
        self._unusable_build: str | None = None  # a newer build that failed to open: not retried
        self._workers = None  # AnswerWorkers, once `start_workers` ran (planqa serve)

    # ------------------------------------------------------------ building

    @property
    def embedder(self):
        if self._embedder is None:
            from retrieval.embeddings import load_embedder

            s = self.settings
            self._embedder = load_embedder(
                s.embeddings, base_url=s.embeddings_base_url, api_key=s.embeddings_api_key
            )
        return self._embedder

    def ingest(self, rebuild: bool = False, progress: bool = False):
        """Parse, chunk and index the corpus (incremental; atomic switch). Returns the report."""
        from retrieval.index import ingest

        chunks = load_chunks(self.settings.corpus_dir, self.settings.chunk_tokens)
        report = ingest(
            chunks,
            self.settings.index_dir,
            self.embedder,
            rebuild=rebuild,
            progress=progress,
            chroma_url=self.settings.chroma_url,
            derive=save_table_names,  # the answerer's table names, stored with the build
        )
        self._refresh(wait=True)  # swap in the new build; requests under way finish on the old one
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
            if self.retriever is None:
                try:
                    self._open()
                except IndexUnavailable as exc:
                    self.load_error = str(exc)
                    raise
            return self

    def _open(self) -> None:
        from retrieval.index import open_index

        s = self.settings
        retriever = open_index(
            s.index_dir,
            self.embedder,
            chroma_url=s.chroma_url,
            dense_weight=s.dense_weight,
            keyword_weight=s.keyword_weight,
            dense_skip_lead=s.dense_skip_lead,
        )
        # The documents this build holds, with their manifest records: a document added to the
        # manifest goes live when a build holding it is switched in, and one removed leaves with it.
        manifest = load_manifest(s.corpus_dir)
        live = set(getattr(retriever, "doc_ids", None) or [e.doc_id for e in manifest])
        self.manifest = [e for e in manifest if e.doc_id in live] or manifest
        self.doc_ids = [e.doc_id for e in self.manifest]
        self.__dict__.pop("_stats", None)
        catalog = Catalog(retriever.chunks)
        weights = self._gram_weights(retriever, catalog)
        plans = PlanDirectory(self.manifest, thesaurus=getattr(retriever, "thesaurus", None))
        build_dir = builds_dir(s.index_dir) / getattr(retriever, "build_id", "")
        names = load_table_names(build_dir) if getattr(retriever, "build_id", "") else None
        tables = TableHandler(catalog, names)
        answerer = ExtractiveAnswerer(catalog, weights, plans, self.thresholds, tables)
        backend = make_backend(s.llm, answerer, **llm_options(s), chat_model=self._chat_model)
        titles = [e.title for e in self.manifest]
        # The pipeline searches the retriever it was built with, so an answer never mixes two builds.
        self.pipeline = AnswerPipeline(
            functools.partial(self._search, retriever),
            backend,
            weights,
            titles,
            top_k=s.top_k,
            cache_size=s.answer_cache,
            known_docs=self.doc_ids,
            plans=plans,
            thresholds=self.thresholds,
        )
        self.answerer = answerer
        self.pipeline.cache_ok = lambda: (
            self.degraded is None
        )  # answers from a keyword-only search are not kept
        self.catalog, self.retriever = catalog, retriever
        self.load_error = self.degraded = self._dense_failed_at = self._unusable_build = None

    def use_thresholds(self, thresholds: AnswerThresholds) -> None:
        """Answer with other thresholds from now on, on the index and models already loaded (the
        answer cache is emptied: its answers were made with the old ones)."""
        with self._lock:
            self.thresholds = thresholds
            if self.pipeline is not None:
                self.answerer.thresholds = thresholds
                self.pipeline.use_thresholds(thresholds)

    def _gram_weights(self, retriever, catalog: Catalog) -> GramWeights:
        """The build's stored n-gram counts (written by ingest), else counted here."""
        build_id = getattr(retriever, "build_id", "")
        counts = load_counts(builds_dir(self.settings.index_dir) / build_id) if build_id else None
        if counts is not None and counts[0] == len(catalog):
            return GramWeights.from_counts(*counts)
        return GramWeights(c.search_text for c in catalog.chunks)

    def _search(self, retriever, query: str, doc_ids: Sequence[str] | None) -> list[SearchHit]:
        return self._hits(
            retriever,
            query[: self.settings.max_question_chars],
            max(3 * self.settings.top_k, 20),
            list(doc_ids) if doc_ids else None,
        )

    # ------------------------------------------------------------ following the index folder

    def _hits(
        self, retriever, query: str, k: int, doc_ids: list[str] | None, *, probe: bool = False
    ) -> list[SearchHit]:
        """Hybrid search, or keyword search only while the dense index is unusable (see the docstring).

        A probe, and the first search after a dense failure, always runs the dense ranking (a search
        that BM25 answers alone would say nothing about the dense index)."""
        failed_at = self._dense_failed_at
        if self.degraded != FILES_MISSING and (
            failed_at is None or time.monotonic() - failed_at > DENSE_RETRY_SECONDS
        ):
            searcher = retriever
            if probe or failed_at is not None:
                from retrieval.hybrid import ALWAYS_DENSE

                searcher = retriever.with_options(dense_skip_lead=ALWAYS_DENSE)
            try:
                hits = searcher.search(query, k=k, doc_ids=doc_ids)
            except InvalidInput:
                raise
            except Exception as exc:  # Chroma's files deleted or corrupt, its server down … or this query
                if probe or not self._dense_works(retriever):
                    if retriever is self.retriever:
                        log.error(
                            "dense search failed (%s: %s); answering with keyword search",
                            type(exc).__name__,
                            str(exc)[:200],
                        )
                        self._dense_failed_at, self.degraded = (
                            time.monotonic(),
                            f"dense search failed: {type(exc).__name__}",
                        )
                else:  # the index answers a known query: the fault is this query's, and stays with it
                    log.warning(
                        "dense search failed for one query (%s: %s); it is answered with keyword search",
                        type(exc).__name__,
                        str(exc)[:200],
                    )
            else:
                if failed_at is not None and retriever is self.retriever:
                    self._dense_failed_at = self.degraded = None
                return hits
        return retriever.with_mode("keyword_only").search(query, k=k, doc_ids=doc_ids)

    @staticmethod
    def _dense_works(retriever) -> bool:
        """Whether the dense index answers a query known to be good (after a search failed): a
        failure that only one query's content causes must not degrade everyone's answers."""
        from retrieval.hybrid import ALWAYS_DENSE

        try:
            retriever.with_options(dense_skip_lead=ALWAYS_DENSE).search(PROBE_QUERY, k=1)
        except Exception:
            return False
        return True

    def _disk_build(self) -> str | None:
        """The id of the build `current.json` names, if its files are there; else None."""
        build_id = current_build_id(self.settings.index_dir)
        folder = builds_dir(self.settings.index_dir) / (build_id or "-")
        return (
            build_id
            if all((folder / name).is_file() for name in ("build.json", "chunks.json", "keyword.json"))
            else None
        )

    def _refresh(self, wait: bool = False) -> None:
        """Swap in a newer build from the index folder, or note that the loaded one is gone."""
        retriever = self.retriever
        if retriever is None:
            return
        on_disk = self._disk_build()
        if on_disk is None:
            if self.degraded != FILES_MISSING:
                log.error(
                    "index files of build %s are gone; answering with keyword search", retriever.build_id
                )
                self.degraded = FILES_MISSING
            return
        if on_disk == retriever.build_id:
            if self.degraded == FILES_MISSING:  # restored from a backup
                self.degraded = None
            return
        if on_disk == self._unusable_build or not self._lock.acquire(blocking=wait):
            return  # known to be unusable, or another request is opening it
        try:
            if self.retriever.build_id != on_disk:
                self._open()
        except IndexUnavailable as exc:
            log.error("cannot open build %s, still answering from %s: %s", on_disk, retriever.build_id, exc)
            self._unusable_build, self.load_error = on_disk, str(exc)
        finally:
            self._lock.release()

    def _flagged(self, answer: Answer) -> Answer:
        reason = self.degraded
        return (
            answer
            if reason is None
            else answer.model_copy(update={"backend": f"{answer.backend} (keyword-only: {reason})"})
        )

    # ------------------------------------------------------------ the service

    def _prepare(self, question, history, doc_ids, mode):
        self.load()
        self._refresh()
        return (
            clean_question(question, self.settings.max_question_chars),
            validate_history(history, self.settings.max_question_chars),
            validate_doc_ids(doc_ids, self.doc_ids),
            validate_mode(mode),
        )

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> Answer:
        args = self._prepare(question, history, doc_ids, mode)
        if self._workers is None:
            return self._answer(*args)
        # Repeated questions are answered here, from this process's cache, without a round trip;
        # a worker's answer says itself if it is degraded (and is then not kept).
        pipeline = self.pipeline
        answer = pipeline.cached(*args)
        if answer is None:
            answer = self._workers.ask(*args, fallback=lambda: self._answer(*args))
            pipeline.remember(*args, answer)
        return answer

    def _answer(self, question, history, doc_ids, mode) -> Answer:
        return self._flagged(self.pipeline.invoke(question, history, doc_ids, mode))

    def stream(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> Iterator[str | Answer]:
        args = self._prepare(question, history, doc_ids, mode)
        if self._workers is not None:
            yield from self._workers.stream(*args, fallback=lambda: list(self._stream(*args)))
            return
        yield from self._stream(*args)

    def _stream(self, question, history, doc_ids, mode) -> Iterator[str | Answer]:
        for item in self.pipeline.stream(question, history, doc_ids, mode):
            yield self._flagged(item) if isinstance(item, Answer) else item

    # ------------------------------------------------------------ worker processes

    def start_workers(self, processes: int) -> None:
        """Compose answers in `processes` worker processes from now on (`planqa serve`, see
        assistant.workers). Call it once the index is built: the workers only open it.

        Only the extractive backend uses them: an LLM backend waits on the model, not on the CPU,
        and streams its tokens from here."""
        if processes < 2 or self.settings.llm != "extractive" or self._workers is not None:
            return
        from assistant.workers import AnswerWorkers

        self._workers = AnswerWorkers(Runtime, self.settings, processes, usable_cpus())

    def close(self) -> None:
        """Stop the worker processes, if any."""
        workers, self._workers = self._workers, None
        if workers is not None:
            workers.close()

    def search(self, query: str, *, k: int = 5, doc_ids: Sequence[str] | None = None) -> list[SearchHit]:
        # a long query (a pasted paragraph) is searched by its opening: the embedding model reads
        # at most 512 tokens anyway; only absurd input (over MAX_QUERY_CHARS) is refused
        query = clean_question(query, MAX_QUERY_CHARS, what="查询")[: self.settings.max_question_chars]
        if not isinstance(k, int) or not 1 <= k <= 50:
            raise InvalidInput("k 必须是 1 到 50 之间的整数")
        doc_ids = validate_doc_ids(doc_ids, self.doc_ids)
        self.load()
        self._refresh()
        return self._hits(self.retriever, query, k, doc_ids)

    def documents(self) -> list[DocumentInfo]:
        counts: dict[str, int] = {}
        if self.catalog is not None:
            for c in self.catalog.chunks:
                counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        stats = self._doc_stats()
        return [
            DocumentInfo(
                doc_id=e.doc_id,
                title=e.title,
                level=e.level,
                region=e.region,
                kind=e.kind,
                issuer=e.issuer,
                doc_number=e.doc_number,
                published=e.published,
                period=e.period,
                chunks=counts.get(e.doc_id, 0),
                **stats.get(e.doc_id, {}),
            )
            for e in self.manifest
        ]

    def _doc_stats(self) -> dict[str, dict[str, int]]:
        if not hasattr(self, "_stats"):
            self._stats = {
                d.entry.doc_id: {
                    "sections": len(d.headings),
                    "columns": len(d.columns),
                    "tables": len(d.tables),
                }
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
            return Health(
                status="degraded",
                index_loaded=False,
                chunks=0,
                backend=self.settings.llm,
                embeddings=self.settings.embeddings,
                detail=str(exc),
            )
        self._refresh()
        if self.degraded is None:
            self._hits(self.retriever, PROBE_QUERY, 1, None, probe=True)  # probes Chroma: a failure degrades
        detail = None
        if self.degraded:
            detail = f"索引不可用（{self.degraded}），回答暂用关键词检索：请运行 planqa ingest --rebuild"
        elif self.load_error:
            detail = f"新索引无法打开，仍在使用 {self.retriever.build_id}：{self.load_error}"
        status = "degraded" if detail else "ok"
        return Health(
            status=status,
            index_loaded=True,
            chunks=len(self.catalog),
            backend=self.pipeline.backend.name,
            embeddings=self.settings.embeddings,
            detail=detail,
        )
