"""The structures that keep 500 plans fast give the same answers as the plain scans they replace:
catalog lookups by dictionary, BM25 postings in flat arrays, n-gram counts stored by ingest."""

from __future__ import annotations

import json
import math

import numpy as np

from assistant.text import GramWeights
from retrieval import grams
from retrieval.catalog import Catalog
from retrieval.keyword import KeywordIndex
from retrieval.models import Chunk
from retrieval.segment import tokenize
from tests.retrieval_fixtures import make_chunks

CHUNKS = make_chunks()


def test_catalog_lookups_match_a_scan_of_the_chunks():
    catalog = Catalog(reversed(CHUNKS))  # any order in, document order out
    for doc, chunks in catalog.by_doc.items():
        labels = list(dict.fromkeys(c.column for c in chunks if c.column))
        assert catalog.columns(doc) == [(doc, label) for label in labels]
        for label in labels:
            assert catalog.column(doc, label) == [c for c in chunks if c.column == label]
        for path in catalog.paths(doc):
            inside = [c for c in chunks if tuple(c.section_path[: len(path)]) == path]
            assert catalog.section(doc, list(path), include_columns=True) == inside
            assert catalog.section(doc, list(path)) == [c for c in inside if not c.column]
        for chunk in chunks:
            same = [c for c in chunks if c.section == chunk.section and c.column == chunk.column]
            assert catalog.neighbours(chunk) == same
    assert catalog.columns() == [pair for doc in catalog.by_doc for pair in catalog.columns(doc)]
    assert ("sheng", "专栏3 科技支撑乡村振兴重大项目") in catalog.columns()
    assert catalog.section("nantong", []) == [c for c in catalog.by_doc["nantong"] if not c.column]


def _bm25(tokens: list[list[str]], query: list[str], k1: float, b: float) -> np.ndarray:
    n, avgdl = len(tokens), sum(map(len, tokens)) / len(tokens)
    out = np.zeros(n)
    for term in set(query):
        df = sum(term in t for t in tokens)
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, t in enumerate(tokens):
            tf = t.count(term)
            out[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(t) / avgdl)) if tf else 0.0
    return out


def test_keyword_postings_in_flat_arrays_score_as_bm25_and_round_trip(tmp_path):
    tokens = [tokenize(c.search_text) for c in CHUNKS]
    index = KeywordIndex.build([c.chunk_id for c in CHUNKS], tokens, signature="t")
    query = tokenize("苏南研发投入强度")
    assert np.allclose(index.scores(query), _bm25(tokens, query, index.k1, index.b), rtol=1e-5)
    assert index.search(query, 1)[0][0].startswith("sunan")
    index.save(tmp_path / "keyword.json")
    again = KeywordIndex.load(tmp_path / "keyword.json")
    assert again.to_json() == index.to_json()
    assert np.array_equal(again.scores(query), index.scores(query))
    assert KeywordIndex.build([], [], signature="t").search(query, 3) == []


def test_stored_gram_counts_weigh_as_counting_at_open(tmp_path):
    passages = [c.search_text for c in CHUNKS]
    n, df = grams.count_passages(passages)
    grams.save_counts(tmp_path, n, df)
    stored = GramWeights.from_counts(*grams.load_counts(tmp_path))
    counted = GramWeights(passages)
    assert stored.n == counted.n == len(CHUNKS)
    query = grams.grams("南通高新技术企业数量")
    for g in query | {"未见"}:
        assert stored.idf(g) == counted.idf(g)
    assert stored.coverage(query, grams.grams(CHUNKS[-1].text)) == counted.coverage(
        query, grams.grams(CHUNKS[-1].text)
    )


def test_gram_counts_under_other_rules_or_unreadable_are_not_used(tmp_path):
    assert grams.load_counts(tmp_path) is None
    (tmp_path / grams.GRAMS_FILE).write_text('{"rules": -1, "passages": 1, "df": {}}', encoding="utf-8")
    assert grams.load_counts(tmp_path) is None
    (tmp_path / grams.GRAMS_FILE).write_text("{not json", encoding="utf-8")
    assert grams.load_counts(tmp_path) is None


def test_ingest_stores_the_counts_and_the_runtime_weighs_with_them(tmp_path):
    from assistant.runtime import Runtime
    from retrieval.builds import current_build
    from tests.fault_fakes import build_hash_index, fault_settings

    index_dir = build_hash_index(tmp_path / "index")
    build_dir, _ = current_build(index_dir)
    assert (build_dir / grams.GRAMS_FILE).is_file()
    runtime = Runtime(fault_settings(index_dir)).load()
    counted = GramWeights(c.search_text for c in runtime.catalog.chunks)
    weights = runtime.pipeline.weights
    assert weights.n == counted.n and weights.df == counted.df


def _table(doc_id: str, i: int, title: str, rows: list[list[str]]) -> Chunk:
    from retrieval.models import Table

    text = "\n".join(" ".join(r) for r in rows)
    return Chunk(
        chunk_id=f"{doc_id}:t{i}",
        doc_id=doc_id,
        doc_title=f"{doc_id}规划",
        section_path=["指标"],
        section="指标",
        kind="table",
        text=text,
        char_start=i * 100,
        char_end=i * 100 + len(text),
        table=Table(title=title, header=["指标", "目标"], rows=rows),
    )


def test_the_tables_scored_are_all_of_them_when_few_else_those_sharing_most_words():
    tables = [
        _table("a", 0, "人才指标", [["两院院士", "10名"]]),
        _table("a", 1, "创新指标", [["研发投入强度", "3.2%"]]),
        _table("b", 2, "产业指标", [["高新技术产业产值占比", "50%"]]),
        _table("b", 3, "平台指标", [["研发机构", "100家"], ["研发投入", "500亿元"]]),
    ]
    catalog = Catalog([*CHUNKS, *tables])
    words = grams.grams("研发投入强度目标")
    assert catalog.tables_of(None, words, limit=10)[:4] == tables
    assert catalog.tables_of(["b"], words, limit=10) == tables[2:]
    # more tables than the limit: those sharing most of the question's n-grams, in document order
    assert catalog.tables_of(None, words, limit=2) == [tables[1], tables[3]]
    assert catalog.tables_of(["a", "b"], grams.grams("两院院士"), limit=1) == [tables[0]]


def test_a_search_within_plans_ranks_as_chromas_filtered_query(tmp_path):
    """The exact ranking over the build's stored vectors within a filter is Chroma's ranking."""
    from retrieval.dense import where_filter
    from retrieval.embeddings import HashEmbedder
    from retrieval.index import open_index
    from tests.fault_fakes import build_hash_index

    index_dir = build_hash_index(tmp_path / "index")
    retriever = open_index(index_dir, HashEmbedder())
    assert retriever.vectors is not None and retriever.vectors.shape == (
        len(retriever.chunks),
        retriever.dense.dim,
    )
    docs = retriever.doc_ids
    for query, scope in (("研发投入强度目标", docs[:1]), ("紫琅实验室", docs[-1:]), ("人才引进", docs[:2])):
        vector = np.asarray(retriever.embedder.query_vector(query), dtype=np.float32)
        exact = retriever._exact_ranking(vector, 10, retriever._mask(doc_ids=scope))
        chroma = [i for i, _ in retriever.dense.search(vector, 10, where_filter(doc_ids=scope))]
        assert exact[:5] == chroma[:5]
        assert all(retriever.chunk(i).doc_id in scope for i in exact)


def test_ingest_stores_what_opening_would_otherwise_compute(tmp_path):
    """The folded corpus text and the table-only row names are stored by ingest; a build without
    them (made before they were stored) opens and answers the same."""
    from assistant.runtime import Runtime
    from assistant.table_handler import ROW_NAMES_FILE, TableHandler
    from retrieval.builds import current_build
    from retrieval.thesaurus import CORPUS_NAMES_FILE, CORPUS_TEXT_FILE, corpus_text
    from tests.fault_fakes import build_hash_index, fault_settings

    index_dir = build_hash_index(tmp_path / "index")
    build_dir, _ = current_build(index_dir)
    runtime = Runtime(fault_settings(index_dir)).load()
    chunks = runtime.catalog.chunks
    assert (build_dir / CORPUS_TEXT_FILE).read_text(encoding="utf-8") == corpus_text(
        c.text for c in runtime.retriever.chunks
    )
    from retrieval.thesaurus import default_thesaurus

    folded = (build_dir / CORPUS_TEXT_FILE).read_text(encoding="utf-8")
    stored_names = json.loads((build_dir / CORPUS_NAMES_FILE).read_text(encoding="utf-8"))
    assert stored_names == default_thesaurus().with_folded_corpus(folded).names_in_corpus()
    assert any(stored_names.values()) and not all(stored_names.values())
    assert runtime.answerer.scorer.tables._row_names == TableHandler(runtime.catalog)._row_names
    question = "林洋能源对应的是什么项目？"  # a name only a table holds
    stored = runtime.ask(question)
    for name in (CORPUS_TEXT_FILE, CORPUS_NAMES_FILE, ROW_NAMES_FILE, "vectors.npy"):
        (build_dir / name).unlink()
    again = Runtime(fault_settings(index_dir)).load()
    assert again.retriever.vectors is None and len(again.catalog.chunks) == len(chunks)
    assert again.ask(question).answer == stored.answer and "林洋" in stored.answer
