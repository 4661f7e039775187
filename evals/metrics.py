"""Pure metric functions: matching places and facts, and summarising per-item results.

Text is compared after NFKC and removing all white space on both sides, so "3.2 %" in a plan and
"3.2%" in a key fact match, and full-width digits equal half-width ones. Citation quotes are the
exception: they must be verbatim (no normalisation), because the UI shows them as exact quotes.

Every rate is a share in 0..1, or None when its denominator is empty (never a flattering 1.0).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from retrieval.models import Chunk

MODES: tuple[str, ...] = ("keyword_only", "dense_only", "hybrid")  # baselines first, the system last
MODE_LABELS = {"keyword_only": "BM25-only", "dense_only": "dense-only", "hybrid": "hybrid"}
RETRIEVAL_DEPTH = 10  # chunks retrieved per question; MRR is MRR@10

_SPACE = re.compile(r"\s+")
_MARKER = re.compile(r"\[\d+\]")


def normalise(text: str) -> str:
    """NFKC, then every white-space character removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def strip_markers(answer: str) -> str:
    """The answer without its [n] citation markers (so a fact "4" is not found in "[4]")."""
    return _MARKER.sub("", answer)


# ---------------------------------------------------------------- places


def location_text(chunk: Chunk) -> str:
    """Where a chunk sits: its section path, 专栏 label and table title, normalised ("|" between
    parts so a match cannot straddle two headings)."""
    parts = [*chunk.section_path, chunk.column or "", (chunk.table.title or "") if chunk.table else ""]
    return "|".join(normalise(p) for p in parts if p)


def at_place(chunk: Chunk, expected: Iterable) -> bool:
    """Whether the chunk lies in one of the expected places (objects with .doc_id and .section)."""
    where = None
    for place in expected:
        if chunk.doc_id != place.doc_id:
            continue
        wanted = normalise(place.section)
        if not wanted:
            return True
        where = location_text(chunk) if where is None else where
        if wanted in where:
            return True
    return False


def first_hit_rank(chunks: Sequence[Chunk], expected: Sequence) -> int | None:
    """1-based rank of the first chunk in an expected place, or None."""
    for rank, chunk in enumerate(chunks, 1):
        if at_place(chunk, expected):
            return rank
    return None


# ---------------------------------------------------------------- answers


def missing_facts(answer: str, facts: Sequence[str]) -> list[str]:
    """The key facts the answer does not contain (normalised comparison, markers ignored)."""
    body = normalise(strip_markers(answer))
    return [f for f in facts if normalise(f) not in body]


def quote_is_verbatim(quote: str, chunk_text: str) -> bool:
    """A citation is valid when its (non-empty) quote is an exact substring of the chunk's text."""
    return bool(quote) and quote in chunk_text


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100), linear between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


# ---------------------------------------------------------------- per item → summary


@dataclass
class ItemResult:
    """What happened to one question: retrieval ranks per mode and the full system's answer."""

    id: str
    kind: str
    answerable: bool
    doc_ids: tuple[str, ...] = ()
    ranks: dict[str, int | None] = field(default_factory=dict)  # mode → first hit rank (answerables)
    refused: bool = False
    refusal_reason: str | None = None
    n_facts: int = 0
    missing: tuple[str, ...] = ()
    citation_hit: bool | None = None  # None: unanswerable or refused
    citations: int = 0
    invalid_citations: tuple[int, ...] = ()  # citation numbers whose quote is not verbatim
    latency_ms: float = 0.0
    answer_chars: int = 0  # length of the answer text (citations and boilerplate included)

    @property
    def facts_complete(self) -> bool:
        return self.answerable and not self.refused and not self.missing

    @property
    def fact_share(self) -> float:
        if self.refused or not self.n_facts:
            return 0.0
        return (self.n_facts - len(self.missing)) / self.n_facts


def _share(flags: Iterable[bool]) -> float | None:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else None


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def retrieval_summary(ranks: Sequence[int | None]) -> dict[str, float | None]:
    return {
        "hit@1": _share(r == 1 for r in ranks),
        "hit@5": _share(r is not None and r <= 5 for r in ranks),
        "mrr": _mean(1 / r if r else 0.0 for r in ranks),
    }


def summarise(results: Sequence[ItemResult], modes: Sequence[str] = MODES) -> dict:
    """Every metric over a group of items (overall, one kind or one document)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    answered = [r for r in answerable if not r.refused]
    n_citations = sum(r.citations for r in results)
    latencies = [r.latency_ms for r in results]
    return {
        "n_questions": len(results),
        "n_answerable": len(answerable),
        "retrieval": {m: retrieval_summary([r.ranks.get(m) for r in answerable]) for m in modes},
        "fact_recall": _share(r.facts_complete for r in answerable),
        "fact_share": _mean(r.fact_share for r in answerable),
        "citation_hit": _share(bool(r.citation_hit) for r in answered),
        "citation_validity": (n_citations - sum(len(r.invalid_citations) for r in results)) / n_citations
        if n_citations
        else None,
        "refusal_recall": _share(r.refused for r in unanswerable),
        "false_refusal_rate": _share(r.refused for r in answerable),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        # how long answers are (answered questions only): the first line should answer, not a page
        "answer_chars_p50": percentile([r.answer_chars for r in answered], 50) if answered else None,
    }


def group(results: Sequence[ItemResult], key) -> dict[str, list[ItemResult]]:
    """Items by a key function returning one or more group names (an item may count for several)."""
    groups: dict[str, list[ItemResult]] = {}
    for r in results:
        names = key(r)
        for name in [names] if isinstance(names, str) else names:
            groups.setdefault(name, []).append(r)
    return groups


def failure_reasons(r: ItemResult, mode: str = "hybrid") -> list[str]:
    """Short, readable reasons an item falls short; empty when it passes every check."""
    reasons = []
    if r.answerable:
        rank = r.ranks.get(mode)
        if rank is None:
            reasons.append(f"retrieval: expected place not in top {RETRIEVAL_DEPTH}")
        elif rank > 1:
            reasons.append(f"retrieval: expected place at rank {rank}")
        if r.refused:
            reasons.append(f"refused: {r.refusal_reason or 'no reason given'}")
        else:
            if r.missing:
                reasons.append("missing fact " + ", ".join(r.missing))
            if not r.citation_hit:
                reasons.append("no citation in an expected place")
    elif not r.refused:
        reasons.append("answered an unanswerable question")
    if r.invalid_citations:
        reasons.append("quote not verbatim: " + ", ".join(f"[{n}]" for n in r.invalid_citations))
    return reasons


__all__ = [
    "MODES",
    "MODE_LABELS",
    "RETRIEVAL_DEPTH",
    "ItemResult",
    "at_place",
    "failure_reasons",
    "first_hit_rank",
    "group",
    "location_text",
    "missing_facts",
    "normalise",
    "percentile",
    "quote_is_verbatim",
    "retrieval_summary",
    "strip_markers",
    "summarise",
]
