import numpy as np
import pytest

from retrieval import segment
from retrieval.keyword import KeywordIndex

DOCS = {
    "a": "实施“揭榜挂帅”制度，攻克关键核心技术。",
    "b": "建设光电科学紫琅实验室，开展前沿研究。",
    "c": "推进关键核心技术攻关，强化企业创新主体地位。",
    "d": "实施高新技术企业培育“小升高”计划。",
}


@pytest.fixture(scope="module")
def index():
    return KeywordIndex.build(list(DOCS), [segment.tokenize(t) for t in DOCS.values()], signature="x")


def test_bm25_ranks_the_document_with_the_term_first(index):
    assert index.search(segment.tokenize("揭榜挂帅"), 3)[0][0] == "a"
    assert index.search(segment.tokenize("紫琅实验室"), 3)[0][0] == "b"


def test_rare_terms_weigh_more_than_common_ones(index):
    # 关键核心技术 is in a and c; 揭榜挂帅 only in a: a must win for a query naming both
    hits = index.search(segment.tokenize("揭榜挂帅 关键核心技术"), 4)
    assert [h[0] for h in hits[:2]] == ["a", "c"]


def test_no_match_gives_nothing(index):
    assert index.search(segment.tokenize("量子计算"), 5) == []
    assert index.search([], 5) == []


def test_mask_filters_documents(index):
    mask = np.array([False, True, True, True])
    hits = [h[0] for h in index.search(segment.tokenize("关键核心技术"), 5, mask)]
    assert hits[0] == "c" and "a" not in hits


def test_bm25_formula_on_a_tiny_corpus():
    index = KeywordIndex.build(["x", "y"], [["a", "a", "b"], ["b"]], k1=1.5, b=0.75)
    idf_a = np.log(1 + (2 - 1 + 0.5) / (1 + 0.5))
    avgdl = 2.0
    expected = idf_a * 2 * 2.5 / (2 + 1.5 * (1 - 0.75 + 0.75 * 3 / avgdl))
    assert index.scores(["a"])[0] == pytest.approx(expected, rel=1e-5)
    assert index.scores(["a", "a"])[0] == pytest.approx(expected, rel=1e-5)  # query tokens count once


def test_save_and_load_round_trip(tmp_path, index):
    path = tmp_path / "keyword.json"
    index.save(path)
    loaded = KeywordIndex.load(path)
    query = segment.tokenize("关键核心技术 小升高")
    assert loaded.search(query, 4) == index.search(query, 4)
    assert loaded.signature == "x"
