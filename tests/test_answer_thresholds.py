"""The answerer's design: thresholds as one documented config that reaches every stage, the
selector's choices between candidates, and numbered 专栏 matched by series (no index needed)."""

from __future__ import annotations

import inspect
import re
from dataclasses import FrozenInstanceError, fields
from types import SimpleNamespace

import pytest

from assistant.answering import thresholds as thresholds_module
from assistant.answering.candidates import Candidate, CandidatePool, Evidence, Handler
from assistant.answering.matching import numbered_column_label, numbered_column_named
from assistant.answering.selector import select
from assistant.answering.thresholds import DEFAULT_THRESHOLDS, AnswerThresholds
from assistant.draft import Draft
from assistant.question import analyse


def test_every_threshold_says_what_it_trades():
    lines = inspect.getsource(thresholds_module).splitlines()
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("class AnswerThresholds")) :]
    for f in fields(AnswerThresholds):
        at = next(i for i, line in enumerate(body) if re.match(rf"    {f.name}: ", line))
        commented = "#" in body[at] or body[at - 1].strip().startswith("#")
        assert commented, f"AnswerThresholds.{f.name} has no comment saying what it trades"


def test_thresholds_are_frozen():
    with pytest.raises(FrozenInstanceError):
        DEFAULT_THRESHOLDS.min_coverage = 0.5  # type: ignore[misc]


def _pool(question: str, candidates: dict[Handler, Candidate | None], t=DEFAULT_THRESHOLDS) -> CandidatePool:
    asked = []

    def handler(name):
        def run(scorer, evidence):
            asked.append(name)
            return candidates.get(name)

        return run

    evidence = Evidence(
        analyse(question), hits=[], ranked=[(1.0, SimpleNamespace(kind="text"))], retrieve=None
    )
    pool = CandidatePool(SimpleNamespace(thresholds=t), evidence, {h: handler(h) for h in Handler})
    pool.asked = asked
    return pool


def _candidate(handler: Handler, score: float) -> Candidate:
    return Candidate(handler, Draft(intent=str(handler)), score=score)


def test_a_figure_question_takes_a_table_row_within_the_margin():
    question = "高新技术企业数量的目标是多少？"
    row, figure = _candidate(Handler.TABLE_ROW, 0.70), _candidate(Handler.FIGURE, 0.74)
    found = {Handler.TABLE_ROW: row, Handler.FIGURE: figure}
    assert select(_pool(question, found)) is row.draft  # 0.74 - 0.70 < figure_table_margin (0.05)
    strict = AnswerThresholds(figure_table_margin=0.0)
    assert select(_pool(question, found, strict)) is figure.draft


def test_an_answer_decided_by_the_question_form_is_taken_first():
    pool = _pool("高新技术企业数量的目标是多少？", {Handler.TABLE_DATA: _candidate(Handler.TABLE_DATA, 1.0)})
    assert select(pool).intent == str(Handler.TABLE_DATA)
    assert pool.asked == [Handler.TABLE_DATA], "no other handler runs once the answer is decided"


def test_a_handler_runs_at_most_once_per_question():
    calls = []
    evidence = Evidence(analyse("……有哪些？"), hits=[], ranked=[], retrieve=None)

    def handler(scorer, ev):
        calls.append(1)

    pool = CandidatePool(
        SimpleNamespace(thresholds=DEFAULT_THRESHOLDS), evidence, {Handler.TABLE_ROW: handler}
    )
    pool.get(Handler.TABLE_ROW)
    pool.get(Handler.TABLE_ROW)
    assert calls == [1]


def test_numbered_boxes_are_matched_by_series():
    # a plan with two series of boxes: '专栏2' means the plain series, '重点工程专栏2' its own
    assert numbered_column_named("专栏2 重大项目", 2, "专栏2有哪些？")
    assert not numbered_column_named("重点工程专栏2：园区", 2, "专栏2有哪些？")
    assert numbered_column_named("重点工程专栏2：园区", 2, "重点工程专栏2有哪些？")
    assert not numbered_column_named("专栏12 示范区", 1, "专栏1有哪些？")
    assert numbered_column_label("重点工程专栏2：园区", 2) and not numbered_column_label("专栏：紫琅", 2)
