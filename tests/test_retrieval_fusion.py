import pytest

from retrieval.fusion import reciprocal_rank_fusion


def test_scores_are_weighted_reciprocal_ranks():
    fused = reciprocal_rank_fusion(
        {"dense": ["a", "b"], "keyword": ["b", "c"]}, {"dense": 1.0, "keyword": 2.0}, k=60
    )
    scores = {f.id: f.score for f in fused}
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["b"] == pytest.approx(1 / 62 + 2 / 61)
    assert scores["c"] == pytest.approx(2 / 62)
    assert [f.id for f in fused] == ["b", "c", "a"]
    assert fused[0].ranks == {"dense": 2, "keyword": 1}


def test_each_id_once_at_its_best_place():
    fused = reciprocal_rank_fusion({"dense": ["a", "a", "b"]}, k=0)
    assert [f.id for f in fused] == ["a", "b"]
    assert fused[0].ranks == {"dense": 1}
    assert fused[1].ranks == {"dense": 3}


def test_agreement_beats_a_single_first_place():
    fused = reciprocal_rank_fusion({"dense": ["x", "both"], "keyword": ["y", "both"]})
    assert fused[0].id == "both"


def test_ties_keep_first_appearance():
    fused = reciprocal_rank_fusion({"dense": ["a"], "keyword": ["b"]})
    assert [f.id for f in fused] == ["a", "b"]


def test_zero_weight_keeps_ranks_without_score():
    fused = reciprocal_rank_fusion({"dense": ["a"], "keyword": ["b"]}, {"keyword": 0.0})
    assert [f.id for f in fused] == ["a", "b"]
    assert fused[1].score == 0 and fused[1].ranks == {"keyword": 1}


def test_empty_rankings():
    assert reciprocal_rank_fusion({}) == []
    assert reciprocal_rank_fusion({"dense": [], "keyword": []}) == []
