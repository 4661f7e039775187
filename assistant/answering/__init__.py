"""The offline answerer, one module per kind of answer:

answerer     ExtractiveAnswerer: evidence → candidates → `selector.select` → Draft
selector     the one place that chooses among candidates (precedence and margins)
candidates   Handler, Candidate, Evidence, CandidatePool
thresholds   AnswerThresholds: every threshold, margin, bonus and limit, with what it trades
scoring      Scorer: passage and sentence scores;  quotes: how much of a passage is quoted
matching     pure text tests (names, units, headings, time, numbered 专栏, enumerations)
handlers     figures, table_rows, lists, containers, nth_item, compare, eligibility,
             definition, passages
"""

from assistant.answering.answerer import ExtractiveAnswerer
from assistant.answering.candidates import Candidate, Handler
from assistant.answering.matching import container_score, enumerated, item_named, loosely_in, scope_free
from assistant.answering.scoring import Scored
from assistant.answering.thresholds import DEFAULT_THRESHOLDS, AnswerThresholds, SentencePick

__all__ = [
    "DEFAULT_THRESHOLDS",
    "AnswerThresholds",
    "Candidate",
    "ExtractiveAnswerer",
    "Handler",
    "Scored",
    "SentencePick",
    "container_score",
    "enumerated",
    "item_named",
    "loosely_in",
    "scope_free",
]
