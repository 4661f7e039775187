"""What handlers produce and the selector chooses from.

A handler is a function `(scorer, evidence) -> Candidate | None`: None when it has no answer to
the question (it does not apply, or found nothing good enough). A `CandidatePool` runs each
handler the selector asks for once, on first request, so only the handlers a question reaches cost
anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from assistant.answering.scoring import Ranked, Scorer
from assistant.draft import Draft
from assistant.question import Question
from retrieval.models import SearchHit

Retrieve = Callable[[str, Sequence[str] | None], list[SearchHit]]


class Handler(StrEnum):
    """Which handler made a candidate (modules of assistant.answering in brackets)."""

    TABLE_DATA = "table data"  # a ranking, filter or position over a whole table [table_rows]
    NTH_IN_COLUMN = "nth item of a numbered 专栏"  # '专栏6的第二项' [nth_item]
    ACRONYM = "acronym spelled out"  # '其中的E指什么' asked again in full [answerer]
    COMPARE_PLANS = "one line per plan"  # a comparison across the plans it names [compare]
    NUMBERED_COLUMN = "items of a numbered 专栏"  # '专栏2列了哪些项目' [containers]
    NTH_ITEM = "nth item of a list"  # '……的第十个' [nth_item]
    HEADING_LIST = "headings of a kind"  # '……有哪几项工程' [lists]
    TABLE_ROW = "table rows"  # the rows that name what is asked [table_rows]
    BEST_SENTENCE = "best sentence"  # the rival a row or a 专栏 must beat [passages]
    CONTAINER = "items of a titled 专栏 or section"  # [containers]
    LIST_SENTENCES = "sentences of a list answer"  # [passages]
    LIST_ITEMS = "items of the best passage's 专栏"  # [containers]
    FIGURE = "figure sentences"  # [figures]
    NAMED_COLUMN = "a 专栏 of the asked name"  # '……工程是什么' [definition]
    ELIGIBILITY = "support measures"  # [eligibility]
    DEFINITION = "defining sentences"  # [definition]
    PASSAGE = "best passages"  # any other question [passages]


@dataclass(frozen=True)
class Candidate:
    """One handler's answer: the draft, how well it scored and which handler made it.

    `score` is on the scale of sentence and row scores (question coverage plus bonuses); a handler
    whose answer the question's form decides ('专栏6的第二项') scores how well the list it found
    matched, or 1.0. `coverage` is the share of the question the candidate's own text covers,
    for choices that compare coverage rather than score."""

    handler: Handler
    draft: Draft
    score: float = 1.0
    coverage: float = 0.0


@dataclass
class Evidence:
    """One question and what retrieval found for it: what every handler reads."""

    question: Question
    hits: list[SearchHit]
    ranked: Ranked  # the eligible hits, re-ranked (Scorer.ranked)
    retrieve: Retrieve  # search again: another plan, a sub-question


HandlerFn = Callable[[Scorer, Evidence], "Candidate | None"]


class CandidatePool:
    """The candidates of one question, each handler run at most once, when first asked for."""

    def __init__(self, scorer: Scorer, evidence: Evidence, handlers: dict[Handler, HandlerFn]):
        self.scorer = scorer
        self.evidence = evidence
        self._handlers = handlers
        self._found: dict[Handler, Candidate | None] = {}

    def get(self, handler: Handler) -> Candidate | None:
        if handler not in self._found:
            self._found[handler] = self._handlers[handler](self.scorer, self.evidence)
        return self._found[handler]


__all__ = ["Candidate", "CandidatePool", "Evidence", "Handler", "HandlerFn", "Retrieve"]
