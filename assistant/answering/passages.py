"""Sentence handlers: the best passages' best sentences, for a question no other handler answers,
for a list question without a list, and as the rival a table row or a 专栏 must beat."""

from __future__ import annotations

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.quotes import to_segments
from assistant.answering.scoring import Scorer
from assistant.draft import Draft, Segment
from assistant.intent import Intent


def best_sentence_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    picked = scorer.pick(ev.question, ev.ranked, scorer.thresholds.best_sentence)
    if not picked:
        return None
    best = picked[0]
    draft = Draft(segments=[Segment(best.chunk, best.start, best.end)], intent=ev.question.intent)
    return Candidate(Handler.BEST_SENTENCE, draft, score=best.score)


def list_sentences_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    """'……有哪些？' answered by sentences: the best passages' most relevant ones, widened."""
    q, pick = ev.question, scorer.thresholds.list_sentences
    picked = scorer.pick(q, ev.ranked, pick)
    if not picked:
        return None
    coverage = max(scorer.cover(q, s.chunk.text[s.start : s.end]) for s in picked)
    draft = Draft(segments=to_segments(scorer, q, picked, widen_to=pick.widen), intent=Intent.LIST)
    return Candidate(Handler.LIST_SENTENCES, draft, score=picked[0].score, coverage=coverage)


def passage_candidate(scorer: Scorer, ev: Evidence) -> Candidate:
    """Any other question: the best sentences of the best passages, with some context."""
    q, pick = ev.question, scorer.thresholds.passage
    picked = scorer.pick(q, ev.ranked, pick)
    draft = Draft(segments=to_segments(scorer, q, picked, widen_to=pick.widen), intent=q.intent)
    return Candidate(Handler.PASSAGE, draft, score=picked[0].score if picked else 0.0)


__all__ = ["best_sentence_candidate", "list_sentences_candidate", "passage_candidate"]
