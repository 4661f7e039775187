"""The structures that keep 500 plans fast give the same answers as the plain scans they replace:
catalog lookups by dictionary, BM25 postings in flat arrays, n-gram counts stored by ingest."""

from __future__ import annotations

import math

import numpy as np

from assistant.text import GramWeights
from retrieval import grams
from retrieval.catalog import Catalog
from retrieval.keyword import KeywordIndex
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
