"""The comparison handler: '……和……相比' across the plans a question names, one line per plan,
each answered from that plan alone (an item it lists, a table row, or a sentence)."""

from __future__ import annotations

import re

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.matching import scope_free, time_fit
from assistant.answering.nth_item import nth_item
from assistant.answering.quotes import to_segments
from assistant.answering.scoring import Scorer
from assistant.answering.selector import table_wins
from assistant.answering.table_rows import table_answer
from assistant.draft import Draft, Segment
from assistant.intent import Intent
from assistant.plans import gazetteer
from assistant.question import INTENT_PATTERNS, Question, content, content_grams, without_plan_names
from assistant.table_match import row_scores
from assistant.tables import TableQuestion
from assistant.text import grams
from retrieval.thesaurus import synonyms


def _plan_line(scorer: Scorer, sub: Question, hits) -> list[Segment]:
    """One scope's line: the item at the asked position, else its best row or sentence, from the
    plan of the scope that ranks first (a scope is one plan, or the plans of one region)."""
    t = scorer.thresholds
    ranked = scorer.ranked(sub, hits)
    if not ranked:
        return []
    if len(sub.doc_hints) > 1:
        doc = ranked[0][1].doc_id
        ranked = [(s, c) for s, c in ranked if c.doc_id == doc]
        sub = Question(**{**sub.__dict__, "doc_hints": [doc], "plan_scopes": [(doc,)]})
    nth, _ = nth_item(scorer, sub, ranked, sub.doc_hints[0])
    if nth:
        return nth
    table = table_answer(scorer, sub, ranked)
    sentences = scorer.pick(sub, ranked, t.compare_line)
    topic = [p for p in sub.must_have if not p.endswith("年")]
    if (
        topic and sub.intent != Intent.NUMBER
    ):  # the line must be about the place compared, in the sentence or its heading
        sentences = [
            c
            for c in scorer.pick(sub, ranked, t.compare_place_line)
            if all(p in f"{c.chunk.text[c.start : c.end]} {c.chunk.context}" for p in topic)
        ][:1]
    best = sentences[0].score if sentences else None
    if table_wins(table[0] if table else None, best, t.figure_table_margin):
        return table[1]
    # a target asked, and the plan's best sentence reports a past figure (or there is none): the
    # target may be a cell of the plan's indicator table ('南通……的“十四五”目标')
    past = (
        sentences
        and time_fit(sub, sentences[0].chunk, sentences[0].chunk.text[sentences[0].start : sentences[0].end])
        < 0
    )
    if sub.intent == Intent.NUMBER and sub.time == "future" and (past or not sentences):
        found = _table_lookup(scorer, sub)
        if found:
            return found
    if sentences:  # a figure stands alone; words need the sentence after them
        widen = 0 if sub.intent == Intent.NUMBER else t.compare_line.widen
        return to_segments(scorer, sub, sentences, widen_to=widen)
    return []


def _table_lookup(scorer: Scorer, sub: Question) -> list[Segment]:
    """The plan's table row and column the comparison names ('南通研发投入强度的十四五目标'),
    read as data with the thesaurus; nothing when no row of its tables is named."""
    from retrieval import segment

    t = scorer.thresholds
    tables = scorer.catalog.tables_of(sub.doc_hints[:1], sub.terms, t.table_scan_limit, scorer.weights.idf)
    if not tables:
        return []
    words = [w for w in segment.words(content(sub.text).replace(" ", "")) if len(w) >= 2]
    found = scorer.tables.answer(sub.text, words, tables)
    if not found or not found.segments:
        return []
    # the row must be named, not merely share a word with the question ('高新技术企业' is no
    # '高新技术产业产值' row)
    named = row_scores(found.table.table, TableQuestion.parse(sub.text, tuple(words)), synonyms)
    strong = scorer.thresholds.compare_row_min
    return found.segments if all(named.get(i, 0.0) >= strong for i in found.answer.rows) else []


def compare_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    q = ev.question
    scopes = q.plan_scopes or [(d,) for d in q.doc_hints]
    if not (q.intent == Intent.COMPARE and len(scopes) >= 2):
        return None
    segments = []
    hinted = set(q.doc_hints)
    # the regions of the plans compared: naming them names the plans ('苏南规划'), not a topic
    regions = {p.region_name for p in scorer.plans.plans if p.doc_id in hinted} | set(gazetteer().province)
    # a place the plans are compared about ('两个规划对镇江分别怎么安排') is what each plan's
    # line must be about
    places = [p for p in q.must_have if not p.endswith("年") and p not in regions]
    # ... unless it is written as one plan's own ('和苏南的无锡相比'): then only that plan's line
    own = {
        plan.doc_id: [p for p in places if re.search(f"{plan.region_name}(?:的|地区的?|那边的?)?{p}", q.text)]
        for plan in scorer.plans.plans
        if plan.doc_id in hinted and plan.region_name
    }
    owned = {p for ps in own.values() for p in ps}
    topic = [p for p in places if p not in owned]
    compared = scope_free(content_grams(without_plan_names(q.standalone, scorer.plans))) or scope_free(
        q.terms, scorer.plans
    )
    # each plan's line answers what is compared: a figure, or else the plan's own words
    intent = Intent.NUMBER if INTENT_PATTERNS["number"].search(q.text) or q.unit else Intent.GENERAL
    for scope in scopes:
        hits = ev.retrieve(q.standalone, list(scope))
        must = topic + list(dict.fromkeys(p for doc in scope for p in own.get(doc, [])))
        terms = (compared - {g for p in owned for g in grams(p)}) | {g for p in must for g in grams(p)}
        sub = Question(
            **{
                **q.__dict__,
                "intent": intent,
                "doc_hints": list(scope),
                "plan_scopes": [scope],
                "must_have": must,
                "terms": terms,
            }
        )
        segments.extend(_plan_line(scorer, sub, hits))
    return Candidate(Handler.COMPARE_PLANS, Draft(segments=segments, intent=Intent.COMPARE))


__all__ = ["compare_candidate"]
