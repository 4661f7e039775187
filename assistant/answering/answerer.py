"""The offline answerer: no model, answers composed from the plans' own words.

Each handler (one module each) looks at the question and what retrieval found and offers a
scored candidate: a figure, the items of a 专栏 or section, a table row, a comparison across
plans, support measures, a definition, or the best passages. `selector.select` chooses one, in
one place. The answerer adds what spans several answers: an acronym spelled out and asked again,
and a question about several places answered place by place. It never writes a fact of its
own: every segment shows text taken from its chunk.
"""

from __future__ import annotations

import re

from assistant.answering.candidates import Candidate, CandidatePool, Evidence, Handler, HandlerFn, Retrieve
from assistant.answering.compare import compare_candidate
from assistant.answering.containers import (
    container_candidate,
    list_items_candidate,
    numbered_column_candidate,
)
from assistant.answering.definition import definition_candidate, named_column_candidate
from assistant.answering.eligibility import eligibility_candidate
from assistant.answering.figures import figure_candidate
from assistant.answering.lists import heading_list_candidate
from assistant.answering.matching import LETTER_IN, scope_free
from assistant.answering.nth_item import nth_in_column_candidate, nth_item_candidate
from assistant.answering.passages import best_sentence_candidate, list_sentences_candidate, passage_candidate
from assistant.answering.quotes import enumeration_rest
from assistant.answering.scoring import Ranked, Scorer
from assistant.answering.selector import select
from assistant.answering.table_rows import table_data_candidate, table_row_candidate
from assistant.answering.thresholds import DEFAULT_THRESHOLDS, AnswerThresholds
from assistant.draft import Draft, Segment
from assistant.intent import Intent
from assistant.plans import PlanDirectory, shipped_directory
from assistant.question import Question, analyse
from assistant.table_handler import TableHandler
from assistant.text import GramWeights, grams
from retrieval.catalog import Catalog
from retrieval.models import Chunk, SearchHit

# who an asker says they are: the kinds of applicant the plans' measures name
ASKER_KIND_GRAMS = frozenset(
    grams("企业 中小企业 小微企业 科技型 高新技术企业 高校 科研院所 人才 青年 团队 创业 机构 新型研发机构")
)

# the handlers that do not need the answerer itself, by the name the selector asks for
HANDLERS: dict[Handler, HandlerFn] = {
    Handler.TABLE_DATA: table_data_candidate,
    Handler.NTH_IN_COLUMN: nth_in_column_candidate,
    Handler.COMPARE_PLANS: compare_candidate,
    Handler.NUMBERED_COLUMN: numbered_column_candidate,
    Handler.NTH_ITEM: nth_item_candidate,
    Handler.HEADING_LIST: heading_list_candidate,
    Handler.TABLE_ROW: table_row_candidate,
    Handler.BEST_SENTENCE: best_sentence_candidate,
    Handler.CONTAINER: container_candidate,
    Handler.LIST_SENTENCES: list_sentences_candidate,
    Handler.LIST_ITEMS: list_items_candidate,
    Handler.FIGURE: figure_candidate,
    Handler.NAMED_COLUMN: named_column_candidate,
    Handler.ELIGIBILITY: eligibility_candidate,
    Handler.DEFINITION: definition_candidate,
    Handler.PASSAGE: passage_candidate,
}


class ExtractiveAnswerer:
    """Composes answers from retrieved chunks; `weights` are n-gram IDFs over the corpus and
    `thresholds` every score threshold, margin and limit the handlers and the selector use."""

    name = "extractive"

    def __init__(
        self,
        catalog: Catalog,
        weights: GramWeights,
        plans: PlanDirectory | None = None,
        thresholds: AnswerThresholds = DEFAULT_THRESHOLDS,
        tables: TableHandler | None = None,
    ):
        self.catalog = catalog
        self.weights = weights
        self.plans = plans or shipped_directory()
        self.scorer = Scorer(catalog, weights, self.plans, thresholds, tables)
        self.handlers = {**HANDLERS, Handler.ACRONYM: self._acronym_candidate}

    @property
    def thresholds(self) -> AnswerThresholds:
        return self.scorer.thresholds

    @thresholds.setter
    def thresholds(self, value: AnswerThresholds) -> None:
        self.scorer.thresholds = value

    def answer(self, q: Question, hits: list[SearchHit], retrieve: Retrieve) -> Draft:
        draft = self._answer(q, hits, retrieve)
        if q.intent == Intent.LIST and draft.segments:
            draft.segments = enumeration_rest(draft.segments, self.next_in_section)
        places = [p for p in q.must_have if not p.endswith("年")]
        if draft.segments or len(places) < 2:
            return draft
        return self.per_place(q, places, retrieve)

    def next_in_section(self, chunk: Chunk, limit: int = 2) -> list[Chunk]:
        """The passages after this one in its section, in plan order."""
        chunks = self.catalog.by_doc.get(chunk.doc_id, [])
        at = next((i for i, c in enumerate(chunks) if c.chunk_id == chunk.chunk_id), None)
        if at is None:
            return []
        return [c for c in chunks[at + 1 : at + 1 + limit] if c.section == chunk.section]

    def _answer(self, q: Question, hits: list[SearchHit], retrieve: Retrieve) -> Draft:
        if q.intent == Intent.ELIGIBILITY and q.asked_terms and q.asked_terms != q.terms:
            # '我们是常州的软件企业，人手不够，省规划有哪些税收优惠？': the asking clause says what
            # the measures are for; the description before it says who asks
            q = Question(**{**q.__dict__, "terms": q.asked_terms | (q.terms & ASKER_KIND_GRAMS)})
        evidence = Evidence(q, hits, self.scorer.ranked(q, hits), retrieve)
        return select(CandidatePool(self.scorer, evidence, self.handlers))

    def per_place(self, q: Question, places: list[str], retrieve: Retrieve) -> Draft:
        """'苏州和宿迁的……分别是多少？' when no passage names them all: each place on its own, and
        a note for a place the plans say nothing about (rather than no answer at all)."""
        segments: list[Segment] = []
        missing = []
        for place in places:
            text = q.text
            for other in (p for p in places if p != place):
                text = text.replace(other, "")
            sub = analyse(re.sub(r"^[和与及、，,]+|[和与及、]+(?=[的分各])", "", text), plans=self.plans)
            if sub.out_of_scope or place not in sub.must_have:
                missing.append(place)
                continue
            found = self._answer(sub, retrieve(sub.standalone, sub.doc_hints[:1] or None), retrieve)
            seen = {(s.chunk.chunk_id, s.start) for s in segments}
            topic = Question(**{**sub.__dict__, "terms": scope_free(sub.terms, self.plans)})
            new = [  # about what is asked, not just the place
                s
                for s in found.segments
                if (s.chunk.chunk_id, s.start) not in seen
                and self.scorer.cover(topic, f"{s.quote} {s.chunk.context}")
                >= self.thresholds.per_place_topic_min
            ]
            if new:
                segments += new
            else:
                missing.append(place)
        notes = [f"规划中没有找到{'、'.join(missing)}的相关内容。"] if segments and missing else []
        return Draft(segments=segments, intent=q.intent, notes=notes)

    def spelled_out(self, q: Question, ranked: Ranked) -> str | None:
        """The question with its acronym letter replaced by what the plans spell it out as:
        '其中的E指什么' → '其中的科技园区赋能工程（Enhance）指什么'."""
        pattern = re.compile(rf"([\u4e00-\u9fff]{{2,16}})[（(]({q.letter}[a-z]{{2,}})[)）]")
        for _, chunk in ranked[: self.thresholds.acronym_passages]:
            m = pattern.search(chunk.text)
            if m:  # what comes before the letter ('SUPER工程里的', '其中的') only pointed at it
                letter_at = LETTER_IN.search(q.text)
                return f"{m.group(1)}（{m.group(2)}）{q.text[letter_at.end() :]}"
        return None

    def _acronym_candidate(self, scorer: Scorer, ev: Evidence) -> Candidate | None:
        """'其中的E指什么': the question asked again with the letter spelled out."""
        q = ev.question
        spelled = self.spelled_out(q, ev.ranked) if q.letter else None
        if not spelled:
            return None
        again = analyse(spelled, plans=self.plans)
        if not again.doc_hints:
            again.doc_hints, again.plan_scopes = q.doc_hints, q.plan_scopes
        return Candidate(
            Handler.ACRONYM, self.answer(again, ev.retrieve(again.standalone, None), ev.retrieve)
        )


__all__ = ["HANDLERS", "ExtractiveAnswerer"]
