"""A hybrid search embeds the query only when BM25 is not confident (`dense_skip_lead`).

On the fixture plans: 种业创新工程 has one clear BM25 winner (lead at place 5 ≈ 0.99), 科技创新规划
matches every chunk about equally (lead ≈ 0.07), 紫琅实验室 matches only three chunks.
"""

import pytest

from retrieval.fusion import lead
from retrieval.hybrid import ALWAYS_DENSE
from retrieval.index import ingest, open_index
from tests.retrieval_fixtures import CountingEmbedder, make_chunks

CLEAR, FLAT, FEW = "种业创新工程", "科技创新规划", "紫琅实验室"


def test_lead_is_the_top_scores_margin_over_a_place():
    assert lead([10.0, 9.0, 8.0, 7.0, 4.0], 5) == pytest.approx(0.6)
    assert lead([5.0, 5.0, 5.0, 5.0, 5.0, 1.0], 5) == 0.0  # a five-way tie
    assert lead([10.0, 1.0], 2) == pytest.approx(0.9)


def test_lead_needs_the_place_and_a_positive_top():
    assert lead([10.0, 9.0, 8.0], 5) is None
    assert lead([0.0] * 6, 5) is None
    with pytest.raises(ValueError):
        lead([1.0], 1)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("skip") / "index"
    ingest(make_chunks(), index_dir, CountingEmbedder(), progress=False)
    return index_dir


@pytest.fixture
def embedder():
    return CountingEmbedder()


def retriever(index_dir, embedder, skip_lead):
    embedder.query_cache_size = 0  # every search that wants a vector embeds its query
    return open_index(index_dir, embedder, dense_skip_lead=skip_lead)


def test_a_confident_keyword_ranking_is_not_embedded(index_dir, embedder):
    confident = retriever(index_dir, embedder, 0.35)
    hits = confident.search(CLEAR, k=5)
    assert embedder.queries == []
    assert all(h.dense_rank is None for h in hits)
    keyword = confident.with_mode("keyword_only").search(CLEAR, k=5)
    assert [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in keyword]
    assert hits[0].chunk.column == "专栏3 科技支撑乡村振兴重大项目"


def test_an_unsure_or_short_keyword_ranking_gets_the_dense_ranking(index_dir, embedder):
    confident = retriever(index_dir, embedder, 0.35)
    for query in (FLAT, FEW):
        hits = confident.search(query, k=5)
        assert embedder.queries[-1] == query
        assert any(h.dense_rank is not None for h in hits)
    assert len(embedder.queries) == 2


def test_the_default_and_1_always_embed(index_dir, embedder):
    assert open_index(index_dir, embedder).dense_skip_lead == ALWAYS_DENSE
    always = retriever(index_dir, embedder, ALWAYS_DENSE)
    always.search(CLEAR, k=5)
    assert embedder.queries == [CLEAR]


def test_single_rankings_ignore_the_skip(index_dir, embedder):
    confident = retriever(index_dir, embedder, 0.0)
    dense = confident.with_mode("dense_only").search(CLEAR, k=3)
    assert embedder.queries == [CLEAR] and all(h.dense_rank for h in dense)
    keyword = confident.with_mode("keyword_only").search(FLAT, k=3)
    assert embedder.queries == [CLEAR] and all(h.keyword_rank for h in keyword)


def test_confidence_is_judged_after_the_filters(index_dir, embedder):
    confident = retriever(index_dir, embedder, 0.35)
    confident.search(CLEAR, k=5)
    assert embedder.queries == []
    # 南通's plan has only four chunks: too few places for BM25 to be confident among them.
    hits = confident.search(CLEAR, k=5, doc_ids=["nantong"])
    assert {h.chunk.doc_id for h in hits} == {"nantong"} and embedder.queries == [CLEAR]
