"""Definition handlers: '……是什么？' is answered by the 专栏 of that name, led by the sentence that
defines the quoted term in the running text, or else by the sentences that speak of it."""

from __future__ import annotations

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.containers import best_container, container_answer
from assistant.answering.matching import quotes_term
from assistant.answering.quotes import narrow, to_segments
from assistant.answering.scoring import Ranked, Scorer
from assistant.draft import Draft, Segment, source_label
from assistant.intent import Intent
from assistant.question import Question
from assistant.text import sentence_spans


def defining_sentence(scorer: Scorer, q: Question, ranked: Ranked, shown: list[Segment]) -> list[Segment]:
    """The sentence that uses the quoted term in the running text ('以……为引领、以……为基础的
    “1+3+10+N”科技创新平台体系'): it says in one line what a 专栏 then spells out."""
    t = scorer.thresholds
    if not q.quoted:
        return []
    inside = {s.chunk.chunk_id for s in shown}
    best = None
    for _, chunk in ranked[: t.defining_passages]:
        if chunk.chunk_id in inside or chunk.kind == "table":
            continue
        for s, e in sentence_spans(chunk.text):
            piece = chunk.text[s:e]
            if any(quotes_term(piece, term) for term in q.quoted):
                same_plan = shown and chunk.doc_id == shown[0].chunk.doc_id
                score = scorer.cover(q, piece) + (t.defining_same_plan_bonus if same_plan else 0.0)
                if best is None or score > best[0]:
                    best = (score, chunk, s, e)
    if best is None:
        return []
    _, chunk, s, e = best
    s, e = narrow(scorer, q, chunk, s, e)
    return [Segment(chunk, s, e, lead=f"{source_label(chunk)}：")]


def named_column_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    """'……示范工程是什么？': the 专栏 of that name (a definition first, when the plan gives one)."""
    q, t = ev.question, scorer.thresholds
    found = best_container(scorer, q, ev.ranked)
    minimum = t.definition_column_min if q.intent == Intent.DEFINITION else t.named_column_min
    if found is None or found.kind != "column" or found.score < minimum:
        return None
    draft = container_answer(scorer, q, found)
    if draft is None or not draft.segments:
        return None
    defining = (
        defining_sentence(scorer, q, ev.ranked, draft.segments) if q.intent == Intent.DEFINITION else []
    )
    if defining:  # the one-line definition first, then the 专栏 that spells it out
        first = draft.segments[0]
        first.lead = f"{draft.preface}\n{first.lead}" if draft.preface else first.lead
        draft.preface, draft.segments = "", defining + draft.segments
    return Candidate(Handler.NAMED_COLUMN, draft, score=found.score)


def definition_candidate(scorer: Scorer, ev: Evidence) -> Candidate:
    q, pick = ev.question, scorer.thresholds.definition
    picked = scorer.pick(q, ev.ranked, pick)
    draft = Draft(segments=to_segments(scorer, q, picked, widen_to=pick.widen), intent=Intent.DEFINITION)
    return Candidate(Handler.DEFINITION, draft, score=picked[0].score if picked else 0.0)


__all__ = ["defining_sentence", "definition_candidate", "named_column_candidate"]
