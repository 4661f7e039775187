"""Weighted reciprocal rank fusion: combine rankings by position, not by incomparable scores.

    score(id) = Σ_i  weight_i / (k + rank_i(id))        rank_i starts at 1

A BM25 score and a cosine similarity live on different scales; ranks do not. `k` (60, as in
Cormack et al. 2009) damps the lead of the very first places.

`lead` says how clearly a scored ranking's first place stands out: a caller can leave out a
second ranking that would only break near-ties (see `retrieval.hybrid`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

RRF_K = 60


@dataclass(frozen=True)
class Fused:
    """One fused result: its id, fused score and its 1-based rank in each input ranking."""

    id: str
    score: float
    ranks: dict[str, int] = field(default_factory=dict)


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    weights: Mapping[str, float] | None = None,
    k: int = RRF_K,
) -> list[Fused]:
    """Fuse named rankings (best first) into one list, best first, each id once.

    An id repeated within one ranking counts at its best place. Ties keep the order of first
    appearance (ranking order, then position), so the result is deterministic. A ranking with
    weight 0 contributes ranks but no score.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    weights = weights or {}
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        for position, item in enumerate(ranking, start=1):
            seen = ranks.setdefault(item, {})
            if name in seen:
                continue
            seen[name] = position
            scores[item] = scores.get(item, 0.0) + weight / (k + position)
    order = {item: i for i, item in enumerate(ranks)}
    fused = sorted(ranks, key=lambda item: (-scores[item], order[item]))
    return [Fused(id=item, score=scores[item], ranks=ranks[item]) for item in fused]


def lead(scores: Sequence[float], place: int) -> float | None:
    """How far the best score is ahead of the one at `place` (1-based), as a share of the best.

        lead = (s_1 − s_place) / s_1        0: a tie up to `place`; near 1: one clear winner

    `scores` are best first. None when there are fewer than `place` scores or the best is not
    positive: a ranking that short has no first page to judge.
    """
    if place < 2:
        raise ValueError("place must be >= 2")
    if len(scores) < place or scores[0] <= 0:
        return None
    return (scores[0] - scores[place - 1]) / scores[0]


__all__ = ["reciprocal_rank_fusion", "lead", "Fused", "RRF_K"]
