"""evals.tune's coordinate search, with a fake scoring function (no index, no answers)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from assistant.answering.thresholds import DEFAULT_THRESHOLDS, AnswerThresholds
from evals.tune import KNOBS, QUICK_KNOBS, Knob, Scores, coordinate_search, main, with_values

KNOB_A = Knob("a", (0.1, 0.2, 0.3))
KNOB_B = Knob("b", (1.0, 2.0, 3.0))


def fake(best_a: float, best_b: float, calls: list):
    """A separable bowl: fact recall is highest at (best_a, best_b)."""

    def evaluate(values):
        calls.append(dict(values))
        recall = 1.0 - abs(values["a"] - best_a) - 0.1 * abs(values["b"] - best_b)
        return Scores(fact_recall=recall, refusal_recall=1.0, false_refusal_rate=0.0)

    return evaluate


def test_finds_the_best_value_of_each_knob():
    calls = []
    chosen, trials = coordinate_search([KNOB_A, KNOB_B], {"a": 0.2, "b": 2.0}, fake(0.3, 1.0, calls))
    assert chosen == {"a": 0.3, "b": 1.0}
    assert trials[0].values == {"a": 0.2, "b": 2.0}, "the start is evaluated first"
    assert len(calls) == len({tuple(sorted(c.items())) for c in calls}), "no values evaluated twice"


def test_keeps_the_start_on_a_tie():
    flat = lambda values: Scores(0.9, 1.0, 0.0)  # noqa: E731
    chosen, trials = coordinate_search([KNOB_A, KNOB_B], {"a": 0.2, "b": 2.0}, flat)
    assert chosen == {"a": 0.2, "b": 2.0}
    assert len(trials) == 1 + 2 + 2  # one pass: nothing changed, so no second one


def test_stops_at_the_budget():
    calls = []
    chosen, trials = coordinate_search(
        [KNOB_A, KNOB_B], {"a": 0.2, "b": 2.0}, fake(0.3, 1.0, calls), max_evals=3
    )
    assert len(calls) == len(trials) == 3
    assert chosen == {"a": 0.3, "b": 2.0}  # the best seen within the budget


def test_false_refusals_count_against_a_trial():
    answers_more = Scores(fact_recall=0.90, refusal_recall=0.95, false_refusal_rate=0.00)
    refuses_more = Scores(fact_recall=0.90, refusal_recall=1.00, false_refusal_rate=0.06)
    assert answers_more.objective > refuses_more.objective


def test_knobs_are_fields_of_the_thresholds_and_try_their_defaults():
    names = {f.name for f in fields(AnswerThresholds)}
    for knob in (*KNOBS, *QUICK_KNOBS):
        assert knob.name in names
        assert getattr(DEFAULT_THRESHOLDS, knob.name) in knob.values
    assert 3 <= len(KNOBS) <= 6 and len(QUICK_KNOBS) <= len(KNOBS)
    assert 1 + sum(len(k.values) - 1 for k in QUICK_KNOBS) <= 10, "--quick stays quick"


def test_with_values_changes_only_the_named_fields():
    tuned = with_values(DEFAULT_THRESHOLDS, {"min_coverage": 0.4})
    assert tuned.min_coverage == 0.4 and tuned.table_clear_win == DEFAULT_THRESHOLDS.table_clear_win
    assert DEFAULT_THRESHOLDS.min_coverage == 0.3, "the defaults are frozen"


def test_a_budget_below_one_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["--max-evals", "0"])
    assert "must be at least 1" in capsys.readouterr().err
