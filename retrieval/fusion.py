"""Weighted reciprocal rank fusion: combine rankings by position, not by incomparable scores.

    score(id) = Σ_i  weight_i / (k + rank_i(id))        rank_i starts at 1

A BM25 score and a cosine similarity live on different scales; ranks do not. `k` (60, as in
Cormack et al. 2009) damps the lead of the very first places.
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


__all__ = ["reciprocal_rank_fusion", "Fused", "RRF_K"]
