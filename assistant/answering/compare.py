"""The comparison handler: '……和……相比' across the plans a question names, one line per plan,
each answered from that plan alone (an item it lists, a table row, or a sentence)."""

from __future__ import annotations

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.matching import scope_free
from assistant.answering.nth_item import nth_item
from assistant.answering.quotes import to_segments
from assistant.answering.scoring import Scorer
from assistant.answering.selector import table_wins
from assistant.answering.table_rows import table_answer
from assistant.draft import Draft, Segment
from assistant.intent import Intent
from assistant.plans import gazetteer
from assistant.question import INTENT_PATTERNS, Question, content_grams, without_plan_names
from assistant.text import grams


def _plan_line(scorer: Scorer, sub: Question, hits) -> list[Segment]:
    """One plan's line: the item at the asked position, else its best row or sentence."""
    t = scorer.thresholds
    ranked = scorer.ranked(sub, hits)
    if not ranked:
        return []
    nth, _ = nth_item(scorer, sub, ranked, sub.doc_hints[0])
    if nth:
        return nth
    table = table_answer(scorer, sub, ranked)
    sentences = scorer.pick(sub, ranked, t.compare_line)
    topic = [p for p in sub.must_have if not p.endswith("年")]
    if topic:  # the line must be about the place compared, in the sentence or its heading
        sentences = [
            c
            for c in scorer.pick(sub, ranked, t.compare_place_line)
            if all(p in f"{c.chunk.text[c.start : c.end]} {c.chunk.context}" for p in topic)
        ][:1]
    best = sentences[0].score if sentences else None
    if table_wins(table[0] if table else None, best, t.figure_table_margin):
        return table[1]
    if sentences:  # a figure stands alone; words need the sentence after them
        widen = 0 if sub.intent == Intent.NUMBER else t.compare_line.widen
        return to_segments(scorer, sub, sentences, widen_to=widen)
    return []


def compare_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    q = ev.question
    if not (q.intent == Intent.COMPARE and len(q.doc_hints) >= 2):
        return None
    segments = []
    # the regions of the plans compared: naming them names the plans ('苏南规划'), not a topic
    regions = {p.region_name for p in scorer.plans.plans if p.doc_id in q.doc_hints} | set(gazetteer().province)
    # a place the plans are compared about ('省规划和苏南规划对南京的定位') is what each plan's
    # line must be about
    topic = [p for p in q.must_have if not p.endswith("年") and p not in regions]
    for doc in q.doc_hints:
        hits = ev.retrieve(q.standalone, [doc])
        terms = scope_free(content_grams(without_plan_names(q.standalone, scorer.plans))) or scope_free(
            q.terms, scorer.plans
        )
        # each plan's line answers what is compared: a figure, or else the plan's own words
        intent = Intent.NUMBER if INTENT_PATTERNS["number"].search(q.text) or q.unit else Intent.GENERAL
        terms |= {g for p in topic for g in grams(p)}
        sub = Question(
            **{**q.__dict__, "intent": intent, "doc_hints": [doc], "must_have": topic, "terms": terms}
        )
        segments.extend(_plan_line(scorer, sub, hits))
    return Candidate(Handler.COMPARE_PLANS, Draft(segments=segments, intent=Intent.COMPARE))


__all__ = ["compare_candidate"]
