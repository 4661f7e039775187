"""The figure handler: '……达到多少？' is answered by the sentences that state a figure in the
asked unit, about what is asked, of the places and time it names (Scorer.sentences keeps only
those), each cut to the clauses that carry the figure."""

from __future__ import annotations

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.quotes import to_segments
from assistant.answering.scoring import Scorer
from assistant.draft import Draft


def figure_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    q = ev.question
    picked = scorer.pick(q, ev.ranked, scorer.thresholds.figure)
    if not picked:
        return None
    draft = Draft(
        segments=to_segments(scorer, q, picked, widen_to=scorer.thresholds.figure.widen), intent=q.intent
    )
    return Candidate(Handler.FIGURE, draft, score=picked[0].score)


__all__ = ["figure_candidate"]
