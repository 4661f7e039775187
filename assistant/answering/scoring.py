"""How well passages and sentences of the plans match a question: the scores every handler uses.

`Scorer` holds what scoring needs (the catalog, the corpus's n-gram weights, the plan directory
and the thresholds) and is shared by all handlers of one answerer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering.matching import (
    SUPPORT_WORDS,
    TARGET_WORDS,
    has_unit,
    loosely_in,
    quotes_term,
    time_fit,
)
from assistant.answering.thresholds import AnswerThresholds, SentencePick
from assistant.intent import Intent
from assistant.plans import PlanDirectory, gazetteer
from assistant.question import JIANGSU_PLACES, Question
from assistant.table_handler import TableHandler
from assistant.text import GramWeights, grams, sentence_spans
from retrieval.catalog import Catalog
from retrieval.models import Chunk, SearchHit

Ranked = list[tuple[float, Chunk]]  # passages the question may be answered from, best first
# intents answered by measures: a plan that covers a place applies to it, a province's to all
_MEASURE_INTENTS = (Intent.ELIGIBILITY, Intent.LIST, Intent.GENERAL, Intent.DEFINITION)
_FIGURE_INTENTS = (Intent.NUMBER, Intent.COMPARE)


@dataclass
class Scored:
    """A sentence (chunk.text[start:end]) and how well it answers the question."""

    chunk: Chunk
    start: int
    end: int
    score: float


class Scorer:
    """Scores passages and sentences of `catalog` against a question; `weights` are n-gram IDFs
    over the corpus. `tables` answers questions that need a whole table as data."""

    def __init__(
        self,
        catalog: Catalog,
        weights: GramWeights,
        plans: PlanDirectory,
        thresholds: AnswerThresholds,
        tables: TableHandler | None = None,
    ):
        self.catalog = catalog
        self.weights = weights
        self.plans = plans
        self.thresholds = thresholds
        self.tables = tables or TableHandler(catalog)

    def eligible(self, q: Question, chunk: Chunk) -> bool:
        """A passage can support the answer only if it names what the question names. A figure
        must be the named place's own; a measure of a plan that covers the place applies to it
        ('无锡的企业能……' is answered by the 苏南 plan, whose region lists 无锡)."""
        measures = q.intent in _MEASURE_INTENTS
        region = chunk.region if measures else chunk.region.split("（")[0]
        haystack = f"{chunk.search_text} {region}"
        places = [m for m in q.must_have if not m.endswith("年")]
        if measures and chunk.level == "province" and all(p in JIANGSU_PLACES for p in places):
            places = []  # the province's measures apply in every city of the province
        if measures:  # a county's measures are its city's ('武进的企业' → 常州 in the 苏南 plan)
            places = [gazetteer().city_of(p) or p for p in places]
        years = [m for m in q.must_have if m.endswith("年")]
        return all(y in haystack for y in years) and (not places or any(p in haystack for p in places))

    @staticmethod
    def names_places(q: Question, chunk: Chunk, text: str) -> bool:
        """The places (and past years) a number question names must be named by the quote, its
        passage's address (section, table header) or the plan's region."""
        where = f"{text} {chunk.context} {chunk.region.split('（')[0]}"
        return all(p in where for p in q.must_have)

    def cover(self, q: Question, text: str) -> float:
        """Weighted share of the question's n-grams in the text, counting an alias as its name."""
        t = self.thresholds
        have = grams(text)
        for name, others in q.aliases.items():
            if any(loosely_in(o, text, t.loose_name_min_chars, t.loose_gap_chars) for o in others):
                have |= grams(name)
        return self.weights.coverage(q.terms, have)

    def own_words(self, q: Question, text: str) -> float:
        """What a follow-up's own words add: '那“第三条”呢？' is about the passage that has 第三条."""
        if not (q.followup and q.own_terms):
            return 0.0
        return q.own_weight * self.weights.coverage(q.own_terms, grams(text))

    def chunk_score(self, q: Question, chunk: Chunk) -> float:
        score = self.cover(q, chunk.search_text)
        if q.followup and q.own_terms:  # this turn's own words say which passage it is about
            score += self.own_words(q, chunk.search_text)
        if chunk.doc_id in q.doc_hints:
            score += self.thresholds.plan_hint_bonus
        return score

    def ranked(self, q: Question, hits: list[SearchHit]) -> Ranked:
        """The eligible hits, re-ranked by how much of the question each covers."""
        bonus = self.thresholds.retrieval_rank_bonus
        scored = []
        for rank, hit in enumerate(hits):
            if not self.eligible(q, hit.chunk):
                continue
            scored.append((self.chunk_score(q, hit.chunk) + bonus / (1 + rank), hit.chunk))
        return sorted(scored, key=lambda t: -t[0])

    def sentences(self, q: Question, chunk: Chunk, chunk_score: float) -> list[Scored]:
        """The chunk's sentences that may answer, scored; a figure question keeps only sentences
        with a figure in the asked unit, about what is asked, of the places it names."""
        t = self.thresholds
        out = []
        for s, e in sentence_spans(chunk.text):
            piece = chunk.text[s:e]
            # quotes around part of a term ('“小升高”计划') do not split it
            bare = piece.replace("“", "").replace("”", "")
            score = t.sentence_cover_weight * self.cover(q, bare) + t.sentence_passage_weight * chunk_score
            if q.followup and q.own_terms:  # '那“第三条”呢？': this turn's own words pick the sentence
                score += self.own_words(q, piece)
            if any(quotes_term(piece, quoted) for quoted in q.quoted):
                score += t.quoted_term_bonus  # the plan's own quoted term, quoted the same way
            if len(q.doc_hints) == 1 and chunk.doc_id == q.doc_hints[0]:
                score += t.named_plan_bonus  # the question names this plan
            if q.intent in _FIGURE_INTENTS:
                score += time_fit(q, chunk, piece, t)
                score += t.figure_digit_bonus if re.search(r"\d", piece) else -t.figure_no_digit_penalty
                score += t.target_word_bonus if TARGET_WORDS.search(piece) else 0
                if q.unit and not has_unit(q, piece):
                    continue
                if self.cover(q, f"{piece} {chunk.context}") < t.figure_topic_min:
                    continue  # a figure about something else
                if not self.names_places(q, chunk, piece):
                    continue
            if q.intent == Intent.ELIGIBILITY and SUPPORT_WORDS.search(piece):
                score += t.support_word_bonus
            out.append(Scored(chunk, s, e, score))
        return out

    def pick(self, q: Question, ranked: Ranked, pick: SentencePick) -> list[Scored]:
        """The best sentences of the best passages, as `pick` says how many and from where."""
        pool: list[Scored] = []
        for cscore, chunk in ranked[: pick.passages]:
            if chunk.kind == "table":
                continue
            pool.extend(self.sentences(q, chunk, cscore))
        pool.sort(key=lambda s: -s.score)
        picked: list[Scored] = []
        used: dict[str, int] = {}
        for cand in pool:
            if used.get(cand.chunk.chunk_id, 0) >= pick.per_passage:
                continue
            if picked and cand.score < picked[0].score * pick.keep:
                break
            picked.append(cand)
            used[cand.chunk.chunk_id] = used.get(cand.chunk.chunk_id, 0) + 1
            if len(picked) >= pick.limit:
                break
        return picked


__all__ = ["Ranked", "Scored", "Scorer"]
