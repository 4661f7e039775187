"""Hybrid search: dense (Chroma) and keyword (BM25) rankings fused by weighted RRF.

    question ─prepare_query─▶ core text + thesaurus ─┬─ embed ─▶ Chroma (where filter) ─┐
                                                     └─ tokenize ─▶ BM25 (mask filter) ─┴─ RRF ─▶ hits

`HybridRetriever.search` is what the app calls; it is also a LangChain `BaseRetriever` whose
Documents carry every chunk field plus the score. `mode` switches to a single ranking
(`dense_only`, `keyword_only`) for evaluation baselines.

With `dense_skip_lead` below 1, a hybrid search ranks by BM25 first and embeds the query only when
BM25 is not confident: when its best score leads the score at place CONFIDENT_PLACE by less than
`dense_skip_lead` of itself (`fusion.lead`). The query embedding is most of a search's cost, and
at weight 0.15 against 1.0 the dense ranking can only swap near places of the BM25 ranking.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from retrieval import segment
from retrieval.dense import REBUILD_HINT, DenseIndex, where_filter
from retrieval.embeddings import Embedder
from retrieval.errors import IndexUnavailable, InvalidInput, UnknownDocument
from retrieval.fusion import lead, reciprocal_rank_fusion
from retrieval.keyword import KeywordIndex
from retrieval.models import KINDS, Chunk, SearchHit
from retrieval.query import PreparedQuery, prepare_query, weighted_tokens
from retrieval.thesaurus import Thesaurus, default_thesaurus

Mode = Literal["hybrid", "dense_only", "keyword_only"]
MODES: tuple[str, ...] = ("hybrid", "dense_only", "keyword_only")

# Fusion defaults from the evaluation set (evals/dataset.yaml, 150 answerable questions, e5-small):
# BM25 alone ranks the expected section first for 92% of questions, the dense ranking for 60%;
# equal weights with k=60 gave 79%, BM25 first with the dense ranking as a light second opinion
# (weight 0.15, k=5) gave 92% first and 99% within five. Re-measure before changing them.
DENSE_WEIGHT = 0.15
KEYWORD_WEIGHT = 1.0
RRF_K = 5
# Where BM25's confidence is judged: its first page (what hit@5 scores, what an answer reads first).
CONFIDENT_PLACE = 5
# Never skip the dense ranking: the default of a retriever; the app's is Settings.dense_skip_lead.
ALWAYS_DENSE = 1.0
QUERY_CACHE_SIZE = 256  # prepared queries and their BM25 tokens, by query text


def hit_to_document(hit: SearchHit) -> Document:
    """A LangChain Document: the chunk text, with every chunk field, the score and ranks as metadata."""
    metadata = hit.chunk.model_dump()
    metadata.pop("text")
    metadata.update(score=hit.score, dense_rank=hit.dense_rank, keyword_rank=hit.keyword_rank)
    return Document(page_content=hit.chunk.text, metadata=metadata, id=hit.chunk.chunk_id)


class HybridRetriever(BaseRetriever):
    """Ranked chunks for a question. Build it once with `retrieval.index.open_index` and share it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    embedder: Embedder
    dense: DenseIndex
    keyword: KeywordIndex
    chunks: list[Chunk]  # in keyword-index order
    # alias groups beyond the thesaurus (the thesaurus's own groups are searched through it)
    aliases: list[tuple[str, ...]] = Field(default_factory=list)
    # None: the shipped thesaurus, with these chunks' text for its typo check
    thesaurus: Thesaurus | None = None
    k: int = 6
    dense_weight: float = DENSE_WEIGHT
    keyword_weight: float = KEYWORD_WEIGHT
    rrf_k: int = RRF_K
    mode: Mode = "hybrid"
    # hybrid only: rank by BM25 alone when its lead at CONFIDENT_PLACE is at least this (1: never)
    dense_skip_lead: float = ALWAYS_DENSE
    depth: int = 40  # candidates taken from each ranking before fusion
    search_kwargs: dict[str, Any] = Field(default_factory=dict)  # filters for the LangChain path
    build_id: str = ""
    # the build's vectors in chunk order (memory-mapped `vectors.npy`): a search within a filter
    # (one plan, a region's plans) ranks the filtered chunks exactly with them, where Chroma's
    # filtered query took 50–250 ms at 500 plans; None: Chroma's filtered query
    vectors: Any = None

    _by_id: dict[str, Chunk] = PrivateAttr()
    _doc_code: dict[str, int] = PrivateAttr()
    _fields: dict[str, np.ndarray] = PrivateAttr()
    _values: dict[str, list[str]] = PrivateAttr()  # the valid value of each filter
    _queries: Callable[[str], tuple[PreparedQuery, dict[str, float]]] = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        if [c.chunk_id for c in self.chunks] != self.keyword.ids:
            raise IndexUnavailable(f"关键词索引与文本块不一致：{REBUILD_HINT}")
        self._by_id = {c.chunk_id: c for c in self.chunks}
        self._doc_code = {d: i for i, d in enumerate(dict.fromkeys(c.doc_id for c in self.chunks))}
        self._fields = {
            # documents and kinds as integer codes: np.isin over strings took 100 ms at 50,000 chunks
            "doc_id": np.array([self._doc_code[c.doc_id] for c in self.chunks], dtype=np.int32),
            "level": np.array([c.level for c in self.chunks], dtype=object),
            "region": np.array([c.region for c in self.chunks], dtype=object),
            "kind": np.array([c.kind for c in self.chunks], dtype=object),  # compared by value, few
            "has_column": np.array([c.column is not None for c in self.chunks], dtype=bool),
        }
        self._values = {
            "doc_id": list(dict.fromkeys(c.doc_id for c in self.chunks)),
            "level": sorted({c.level for c in self.chunks}),
            "region": sorted({c.region for c in self.chunks}),
        }
        if self.thesaurus is None:
            self.thesaurus = default_thesaurus().with_corpus(c.text for c in self.chunks)
        # An answer searches the same question several times (with and without a plan filter).
        self._queries = functools.lru_cache(maxsize=QUERY_CACHE_SIZE)(self._prepare_tokens)

    # -- what the app uses ------------------------------------------------------------------
    @property
    def doc_ids(self) -> list[str]:
        return list(self._values["doc_id"])

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self._by_id.get(chunk_id)

    def with_mode(self, mode: Mode) -> HybridRetriever:
        """The same indexes searched another way (shares every heavy object)."""
        if mode not in MODES:
            raise InvalidInput(f"未知的检索模式 {mode}；可用：{', '.join(MODES)}")
        return self.with_options(mode=mode)

    def with_options(self, **fields: Any) -> HybridRetriever:
        """The same indexes with other field values (`mode`, `k`, `dense_skip_lead`…), sharing
        every heavy object."""
        clone = self.model_copy(update=fields)
        clone._by_id, clone._fields, clone._values = self._by_id, self._fields, self._values
        if "aliases" not in fields and "thesaurus" not in fields:
            clone._queries = self._queries
        else:
            clone._queries = functools.lru_cache(maxsize=QUERY_CACHE_SIZE)(clone._prepare_tokens)
        return clone

    def prepare(self, query: str) -> PreparedQuery:
        return prepare_query(query, self.aliases, segment.words, self.thesaurus)

    def _prepare_tokens(self, query: str) -> tuple[PreparedQuery, dict[str, float]]:
        prepared = self.prepare(query)
        return prepared, weighted_tokens(prepared, segment.tokenize)

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        level: str | None = None,
        region: str | None = None,
        kinds: Sequence[str] | None = None,
        columns_only: bool = False,
    ) -> list[SearchHit]:
        """The k best chunks for `query` among those passing every filter, best first.

        Raises InvalidInput (empty query, bad k or filter value) or UnknownDocument.
        """
        k = self.k if k is None else k
        if not isinstance(k, int) or k < 1:
            raise InvalidInput("k 必须是正整数")
        filters = self._validated_filters(doc_ids, level, region, kinds, columns_only)
        if not isinstance(query, str) or not query.strip():
            self.prepare(query)  # raises InvalidInput with the message users see
        prepared, tokens = self._queries(query)
        depth = max(self.depth, 2 * k)
        keyword: list[tuple[str, float]] = []
        mask = self._mask(**filters)
        if self.mode != "dense_only":
            keyword = self.keyword.search(tokens, depth, mask)
        rankings: dict[str, list[str]] = {}  # dense first: RRF breaks ties by ranking order
        if self.mode == "dense_only" or (self.mode == "hybrid" and not self.keyword_confident(keyword)):
            rankings["dense"] = self._dense_ranking(prepared, depth, filters, mask)
        if self.mode != "dense_only":
            rankings["keyword"] = [chunk_id for chunk_id, _ in keyword]
        weights = {"dense": self.dense_weight, "keyword": self.keyword_weight}
        fused = reciprocal_rank_fusion(rankings, weights, k=self.rrf_k)
        return [
            SearchHit.model_construct(  # the values are already of the field types
                chunk=self._by_id[f.id],
                score=f.score,
                dense_rank=f.ranks.get("dense"),
                keyword_rank=f.ranks.get("keyword"),
            )
            for f in fused[:k]
        ]

    # -- LangChain ------------------------------------------------------------------------------
    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [hit_to_document(hit) for hit in self.search(query, **self.search_kwargs)]

    # -- the two rankings -----------------------------------------------------------------
    def keyword_confident(self, keyword: Sequence[tuple[str, float]]) -> bool:
        """Whether the BM25 ranking (id, score pairs, best first) is left alone: its best score
        leads the one at CONFIDENT_PLACE by at least `dense_skip_lead` of itself.

        A ranking with fewer places is never confident (the dense ranking fills its pool).
        """
        if self.dense_skip_lead >= ALWAYS_DENSE:
            return False
        margin = lead([score for _, score in keyword[:CONFIDENT_PLACE]], CONFIDENT_PLACE)
        return margin is not None and margin >= self.dense_skip_lead

    def _dense_ranking(
        self, prepared: PreparedQuery, depth: int, filters: dict, mask: np.ndarray | None = None
    ) -> list[str]:
        vector = self.embedder.query_vector(prepared.dense_text)
        if len(vector) != self.dense.dim:
            self.dense.check(self.embedder.spec, len(vector))
        if mask is not None and self.vectors is not None:
            return self._exact_ranking(np.asarray(vector, dtype=np.float32), depth, mask)
        hits = self.dense.search(vector, min(depth, len(self.chunks)), where_filter(**filters))
        return [chunk_id for chunk_id, _ in hits if chunk_id in self._by_id]

    def _exact_ranking(self, vector: np.ndarray, depth: int, mask: np.ndarray) -> list[str]:
        """The `depth` chunks within the mask nearest the vector by cosine, best first (ties by
        chunk order)."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        block = np.asarray(self.vectors[rows], dtype=np.float32)
        norms = np.linalg.norm(block, axis=1) * (float(np.linalg.norm(vector)) or 1.0)
        sims = (block @ vector) / np.where(norms > 0, norms, 1.0)
        order = np.lexsort((rows, -sims))[:depth]
        return [self.chunks[rows[i]].chunk_id for i in order]

    def _mask(
        self, doc_ids=None, level=None, region=None, kinds=None, columns_only=False
    ) -> np.ndarray | None:
        mask = np.ones(len(self.chunks), dtype=bool)
        if doc_ids:
            mask &= np.isin(
                self._fields["doc_id"], [self._doc_code[d] for d in doc_ids if d in self._doc_code]
            )
        if level:
            mask &= self._fields["level"] == level
        if region:
            mask &= self._fields["region"] == region
        if kinds:
            mask &= np.isin(self._fields["kind"], list(kinds))
        if columns_only:
            mask &= self._fields["has_column"]
        return None if mask.all() else mask

    def _validated_filters(self, doc_ids, level, region, kinds, columns_only) -> dict:
        if isinstance(doc_ids, str):
            doc_ids = [doc_ids]
        if doc_ids:
            valid = self._values["doc_id"]
            unknown = [d for d in doc_ids if d not in valid]
            if unknown:
                raise UnknownDocument(unknown, valid)
        for name, value in (("level", level), ("region", region)):
            values = self._values[name]
            if value and value not in values:
                raise InvalidInput(f"未知的 {name} {value}；可用：{', '.join(values)}")
        if isinstance(kinds, str):
            kinds = [kinds]
        if kinds:
            bad = [x for x in kinds if x not in KINDS]
            if bad:
                raise InvalidInput(f"未知的 kind {', '.join(bad)}；可用：{', '.join(KINDS)}")
        return {
            "doc_ids": list(doc_ids) if doc_ids else None,
            "level": level or None,
            "region": region or None,
            "kinds": list(kinds) if kinds else None,
            "columns_only": bool(columns_only),
        }


__all__ = [
    "HybridRetriever",
    "hit_to_document",
    "Mode",
    "MODES",
    "DENSE_WEIGHT",
    "KEYWORD_WEIGHT",
    "RRF_K",
    "CONFIDENT_PLACE",
    "ALWAYS_DENSE",
]
