"""The one place that chooses an answer among the handlers' candidates.

Read top to bottom, it is the order of precedence:

1. answers the question's form decides: a whole-table operation, the n-th item of a numbered
   专栏, an acronym spelled out, a comparison across named plans, a numbered 专栏's items;
   then (given passages) the n-th item of a named list;
2. by intent: a list question's heading list, table row, titled container, the best passage's
   list or sentences; a figure question's figure sentences or table row; any other question's
   table row, 专栏 of that name, or the sentences of its handler (eligibility, definition, passage).

A handler decides whether it has an answer at all (its own thresholds); the selector decides
between answers, with the margins of `AnswerThresholds` named where they are used.
"""

from __future__ import annotations

from assistant.answering.candidates import Candidate, CandidatePool, Handler
from assistant.answering.table_rows import asks_for_table, names_a_column
from assistant.answering.thresholds import AnswerThresholds
from assistant.draft import Draft
from assistant.intent import Intent
from assistant.items import list_items

# handlers whose answer, when they have one, is the answer (in this order)
DECIDED_BY_FORM = (
    Handler.TABLE_DATA,
    Handler.NTH_IN_COLUMN,
    Handler.ACRONYM,
    Handler.COMPARE_PLANS,
    Handler.NUMBERED_COLUMN,
)
_SENTENCE_HANDLERS = {Intent.ELIGIBILITY: Handler.ELIGIBILITY, Intent.DEFINITION: Handler.DEFINITION}


def table_wins(table: float | None, rival: float | None, margin: float) -> bool:
    """A table row (its score) is the answer unless the rival's score beats it by more than `margin`."""
    return table is not None and (rival is None or table >= rival - margin)


def _score(candidate: Candidate | None) -> float | None:
    return None if candidate is None else candidate.score


def clear_table_win(table: Candidate | None, best_sentence: Candidate | None, t: AnswerThresholds) -> bool:
    """A row scoring `table_clear_win` that no sentence beats answers without a named column."""
    if table is None:
        return False
    return table.score >= t.table_clear_win and table.score >= (_score(best_sentence) or 0.0)


def select(pool: CandidatePool) -> Draft:
    """The answer to the pool's question: the first that applies in the order of the module doc."""
    q, t = pool.evidence.question, pool.scorer.thresholds
    for handler in DECIDED_BY_FORM:
        if (found := pool.get(handler)) is not None:
            return found.draft
    if not pool.evidence.ranked:
        return Draft(intent=q.intent)
    if (found := pool.get(Handler.NTH_ITEM)) is not None:
        return found.draft
    if q.intent == Intent.LIST:
        return _select_list(pool, t)
    table = pool.get(Handler.TABLE_ROW)
    if q.intent in (Intent.NUMBER, Intent.COMPARE):
        figure = pool.get(Handler.FIGURE)
        if table_wins(_score(table), _score(figure), t.figure_table_margin):
            return table.draft
        return figure.draft if figure is not None else Draft(intent=q.intent)
    if table is not None:
        best = pool.get(Handler.BEST_SENTENCE)
        # a row answers a 'what/who' question that names the table or one of its columns
        # ('主导产业', '责任单位'); otherwise only when it clearly beats every sentence
        near = table_wins(table.score, _score(best) or 0.0, t.column_table_margin)
        if asks_for_table(q) or (names_a_column(q, table) and near) or clear_table_win(table, best, t):
            return table.draft
    if (found := pool.get(Handler.NAMED_COLUMN)) is not None:
        return found.draft
    return pool.get(_SENTENCE_HANDLERS.get(q.intent, Handler.PASSAGE)).draft


def _select_list(pool: CandidatePool, t: AnswerThresholds) -> Draft:
    """'……有哪些？': the headings of a kind, a row that names what is asked, the items of the
    titled container, the best passage's list, or else the most relevant sentences."""
    if (found := pool.get(Handler.HEADING_LIST)) is not None:
        return found.draft
    table = pool.get(Handler.TABLE_ROW)
    if clear_table_win(table, pool.get(Handler.BEST_SENTENCE), t):  # a row that names what is asked
        return table.draft
    if (found := pool.get(Handler.CONTAINER)) is not None:
        return found.draft
    sentences = pool.get(Handler.LIST_SENTENCES)
    if _best_passage_is_the_list(pool, sentences, t) and (found := pool.get(Handler.LIST_ITEMS)) is not None:
        return found.draft
    if table_wins(_score(table), _score(sentences), t.list_table_margin):
        return table.draft
    return sentences.draft if sentences is not None else Draft(intent=Intent.LIST)


def _best_passage_is_the_list(pool: CandidatePool, sentences: Candidate | None, t: AnswerThresholds) -> bool:
    """The best passage is a table, or a list of at least `list_min_items` items that covers the
    question about as well as the best sentences do (within `list_item_margin`)."""
    q, top = pool.evidence.question, pool.evidence.ranked[0][1]
    if top.kind == "table":
        return True
    items = list_items(top.text)[1]
    if not items or len(items) < t.list_min_items:
        return False
    item_cover = pool.scorer.cover(q, " ".join(top.text[i.start : i.end] for i in items))
    sentence_cover = sentences.coverage if sentences is not None else 0
    return item_cover >= sentence_cover - t.list_item_margin


__all__ = ["DECIDED_BY_FORM", "clear_table_win", "select", "table_wins"]
