"""The eligibility handler: '我们是……的小微企业，能享受什么支持？' is answered with the support
measures of the best passages and the rest of their section. Where the asker is (a city, a
county) picks the plans that apply (Scorer.eligible), not the sentences."""

from __future__ import annotations

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.matching import SUPPORT_WORDS, scope_free
from assistant.answering.quotes import to_segments
from assistant.answering.scoring import Scored, Scorer
from assistant.draft import Draft
from assistant.intent import Intent
from assistant.question import Question
from assistant.text import sentence_spans

PREFACE = "规划中与此相关的支持举措有："


def rest_of_section(scorer: Scorer, q: Question, picked: list[Scored]) -> list[Scored]:
    """Support measures in the other chunks of the best section: a long section is split into
    chunks, and a user asking what support there is wants the section's measures, not half."""
    t = scorer.thresholds
    if not picked:
        return []
    best = picked[0].chunk
    used = {p.chunk.chunk_id for p in picked}
    out = []
    for chunk in scorer.catalog.neighbours(best):
        if chunk.chunk_id in used or chunk.kind == "table":
            continue
        found = [
            Scored(chunk, s, e, 0.0)
            for s, e in sentence_spans(chunk.text)
            if SUPPORT_WORDS.search(chunk.text[s:e])
            and scorer.cover(q, chunk.text[s:e]) >= t.section_measure_min
        ]
        out += found[: t.section_measures_per_passage]
    return out


def eligibility_candidate(scorer: Scorer, ev: Evidence) -> Candidate:
    pick = scorer.thresholds.eligibility
    topic = Question(**{**ev.question.__dict__, "terms": scope_free(ev.question.terms, scorer.plans)})
    picked = scorer.pick(topic, scorer.ranked(topic, ev.hits), pick)
    score = picked[0].score if picked else 0.0
    picked += rest_of_section(scorer, topic, picked)
    segments = to_segments(scorer, topic, picked, widen_to=pick.widen)
    return Candidate(
        Handler.ELIGIBILITY, Draft(segments=segments, intent=Intent.ELIGIBILITY, preface=PREFACE), score
    )


__all__ = ["eligibility_candidate", "rest_of_section"]
