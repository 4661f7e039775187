"""How much of a passage an answer quotes: a long sentence cut to its matching clauses, a short
one widened by its neighbours, picked sentences joined into one segment per passage."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answering.matching import ITEM_START
from assistant.answering.scoring import Scored, Scorer
from assistant.draft import Segment, source_label
from assistant.intent import Intent
from assistant.question import Question
from assistant.text import clause_spans, sentence_spans
from retrieval.models import Chunk


def narrow(scorer: Scorer, q: Question, chunk: Chunk, start: int, end: int) -> tuple[int, int]:
    """Cut a long sentence down to the run of clauses that carries the matched terms."""
    t = scorer.thresholds
    text = chunk.text
    if end - start <= t.max_quote_chars:
        return start, end
    clauses = clause_spans(text, start, end)
    if not clauses:
        return start, end
    scores = [
        scorer.cover(q, text[s:e])
        + (t.narrow_digit_bonus if q.intent == Intent.NUMBER and re.search(r"\d", text[s:e]) else 0)
        for s, e in clauses
    ]
    best = max(range(len(clauses)), key=lambda i: scores[i])
    lo = hi = best
    while True:  # grow towards neighbours that also carry terms, within the length budget
        grew = False
        for j in (lo - 1, hi + 1):
            if (
                0 <= j < len(clauses)
                and scores[j] > t.narrow_clause_min
                and clauses[max(hi, j)][1] - clauses[min(lo, j)][0] <= t.max_quote_chars
            ):
                lo, hi = min(lo, j), max(hi, j)
                grew = True
        if not grew:
            break
    s, e = clauses[lo][0], clauses[hi][1]
    return s, e if text[e - 1] not in "，,；;：:" else e - 1


def widen(chunk: Chunk, start: int, end: int, limit: int) -> tuple[int, int]:
    """Grow a span by whole neighbouring sentences up to `limit` characters; a span inside a list
    item ('3. 企业创新跨越工程……') does not grow back into the items before it."""
    text = chunk.text
    spans = sentence_spans(text)
    before = [sp for sp in spans if sp[1] <= start]
    after = [sp for sp in spans if sp[0] >= end]
    line_start = text.rfind("\n", 0, start) + 1
    if ITEM_START.match(text, line_start):
        before = [sp for sp in before if sp[0] >= line_start]
    while before or after:
        grew = False
        if after and after[0][1] - start <= limit:
            end = after.pop(0)[1]
            grew = True
        if before and end - before[-1][0] <= limit:
            start = before.pop()[0]
            grew = True
        if not grew:
            break
    return start, end


def to_segments(scorer: Scorer, q: Question, picked: list[Scored], widen_to: int = 0) -> list[Segment]:
    """One segment per chunk: the picked sentences joined into one span (plan order), widened by
    neighbouring sentences up to `widen_to` characters so the context around a fact comes along
    (0: each sentence on its own, narrowed to its matching clauses)."""
    by_chunk: dict[str, list[Scored]] = {}
    for p in picked:
        by_chunk.setdefault(p.chunk.chunk_id, []).append(p)
    segments = []
    for group in by_chunk.values():
        chunk = group[0].chunk
        if widen_to:
            start, end = min(p.start for p in group), max(p.end for p in group)
            start, end = widen(chunk, start, end, widen_to)
            segments.append(Segment(chunk, start, end, lead=f"{source_label(chunk)}："))
            continue
        for i, p in enumerate(sorted(group, key=lambda p: p.start)):
            s, e = narrow(scorer, q, chunk, p.start, p.end)
            segments.append(Segment(chunk, s, e, lead=f"{source_label(chunk)}：" if i == 0 else ""))
    return segments


_ORDINAL_POINTS = "一二三四五六七八九十"
_POINT = [re.compile(rf"(?:^|(?<=[。；;\n]))\s*({c}是[^。；;\n]*[。；;]?)") for c in _ORDINAL_POINTS]


def enumeration_rest(segments: list[Segment], following: Callable[[Chunk], list[Chunk]]) -> list[Segment]:
    """A list answer whose quote opens an enumeration ('……面临“两大任务”。一是……') goes on with
    the enumeration's later points ('二是……', '三是……'), in its passage or the section's next
    passages (`following(chunk)`), each point its own quote: the points are what is asked for."""
    out: list[Segment] = []
    for seg in segments:
        out.append(seg)
        quoted = seg.chunk.text[seg.start : seg.end]
        opened = [k for k, c in enumerate(_ORDINAL_POINTS) if f"{c}是" in quoted]
        if not opened or opened[0] != 0:
            continue
        n = max(opened) + 1
        for chunk, pos in [(seg.chunk, seg.end), *((c, 0) for c in following(seg.chunk))]:
            while n < len(_ORDINAL_POINTS):
                m = _POINT[n].search(chunk.text, pos)
                if m is None:
                    break
                out.append(Segment(chunk, m.start(1), m.end()))
                n, pos = n + 1, m.end()
    return out


__all__ = ["enumeration_rest", "narrow", "to_segments", "widen"]
