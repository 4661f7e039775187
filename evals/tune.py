"""`python -m evals.tune [--quick] [--max-evals N] [--index-dir DIR]`: fit a few answer thresholds.

A coordinate search over the most influential fields of `AnswerThresholds` (KNOBS): starting
from the shipped values, each knob in turn is set to each of its candidate values with the others
held, and the best value is kept before the next knob; passes repeat until one changes nothing or
the budget of evaluations is spent. Every evaluation is the full own set (evals/dataset.yaml)
through the real pipeline, on one runtime (index, models and catalog loaded once; only the
thresholds change, `Runtime.use_thresholds`). The objective is own-set fact recall + refusal recall
− false-refusal rate: a withheld answer costs its facts and the user's trust, so a false refusal
counts twice. Ties keep the current value, so the defaults move only for a real gain.

The independent suite (evals/users.yaml) is never used to choose: it is evaluated once, for the
chosen values (and the defaults, when they differ), and printed as a report. The command changes
no file; to adopt values, edit their defaults in assistant/answering/thresholds.py.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.answering.thresholds import DEFAULT_THRESHOLDS, AnswerThresholds
from retrieval.errors import PlanqaError

MAX_EVALS = 25  # own-set evaluations per search (~25 s each on 2 cores)


@dataclass(frozen=True)
class Knob:
    name: str  # a field of AnswerThresholds
    values: tuple[float, ...]  # the candidates tried (the default among them)


# what most often decides between an answer, another answer and a refusal
KNOBS = (
    Knob("min_coverage", (0.2, 0.25, 0.3, 0.35, 0.4)),  # refuse when the cited passages cover less
    Knob("figure_focus_min", (0.2, 0.25, 0.3, 0.35, 0.4)),  # refuse a figure about something else
    Knob("detail_focus_min", (0.25, 0.3, 0.35, 0.4, 0.45)),  # refuse a detail about something else
    Knob("table_clear_win", (0.75, 0.8, 0.85, 0.9)),  # a table row over every sentence
    Knob("figure_topic_min", (0.35, 0.4, 0.45, 0.5)),  # a figure's sentence must be on topic
)
QUICK_KNOBS = (
    Knob("min_coverage", (0.25, 0.3, 0.35)),
    Knob("figure_focus_min", (0.25, 0.3, 0.35)),
    Knob("table_clear_win", (0.8, 0.85, 0.9)),
)


@dataclass(frozen=True)
class Scores:
    """The own-set figures a trial is judged by (shares in 0..1)."""

    fact_recall: float
    refusal_recall: float
    false_refusal_rate: float

    @property
    def objective(self) -> float:
        return self.fact_recall + self.refusal_recall - self.false_refusal_rate

    def line(self) -> str:
        return (
            f"fact recall {self.fact_recall:.3f}  refusal recall {self.refusal_recall:.3f}  "
            f"false refusals {self.false_refusal_rate:.3f}  objective {self.objective:.3f}"
        )


Values = dict[str, float]


@dataclass(frozen=True)
class Trial:
    values: Values
    scores: Scores


def coordinate_search(
    knobs: Sequence[Knob],
    start: Values,
    evaluate: Callable[[Values], Scores],
    max_evals: int = MAX_EVALS,
    on_trial: Callable[[Trial], None] | None = None,
) -> tuple[Values, list[Trial]]:
    """The best values found and every trial, in order. `evaluate` is called at most `max_evals`
    times and never twice for the same values; `start` is evaluated first."""
    trials: list[Trial] = []
    seen: dict[tuple, Scores] = {}

    def score(values: Values) -> Scores | None:
        key = tuple(sorted(values.items()))
        if key not in seen:
            if len(seen) >= max_evals:
                return None
            seen[key] = evaluate(values)
            trials.append(Trial(dict(values), seen[key]))
            if on_trial is not None:
                on_trial(trials[-1])
        return seen[key]

    current = dict(start)
    best = score(current)
    if best is None:
        return current, trials
    changed = True
    while changed:
        changed = False
        for knob in knobs:
            for value in knob.values:
                if value == current[knob.name]:
                    continue
                candidate = {**current, knob.name: value}
                found = score(candidate)
                if found is None:
                    return current, trials
                if found.objective > best.objective:
                    current, best, changed = candidate, found, True
    return current, trials


def with_values(base: AnswerThresholds, values: Values) -> AnswerThresholds:
    return replace(base, **values)


def _shares(overall: dict) -> Scores:
    return Scores(
        fact_recall=overall["fact_recall"] or 0.0,
        refusal_recall=overall["refusal_recall"] or 0.0,
        false_refusal_rate=overall["false_refusal_rate"] or 0.0,
    )


def _label(values: Values, start: Values) -> str:
    moved = [f"{k}={v:g}" for k, v in values.items() if v != start[k]]
    return ", ".join(moved) or "defaults"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.tune",
        description="Fit a few answer thresholds on evals/dataset.yaml; report them on evals/users.yaml.",
    )
    parser.add_argument("--quick", action="store_true", help=f"{len(QUICK_KNOBS)} knobs, 3 values each")
    parser.add_argument("--max-evals", type=_positive, default=MAX_EVALS, help="own-set evaluations at most")
    parser.add_argument("--index-dir", help="the index to answer from (default: PLANQA_INDEX_DIR)")
    args = parser.parse_args(argv)
    try:
        return tune(QUICK_KNOBS if args.quick else KNOBS, args.max_evals, args.index_dir)
    except PlanqaError as exc:
        print(f"evals.tune: {exc}", file=sys.stderr)
        return 2


def tune(knobs: Sequence[Knob], max_evals: int, index_dir: str | None) -> int:
    from assistant.runtime import Runtime
    from assistant.settings import load_settings
    from evals.dataset import SUITES, load_dataset
    from evals.runner import run_eval

    settings = load_settings(**({"index_dir": index_dir} if index_dir else {}))
    runtime = Runtime(settings)
    if runtime.ensure_index() is not None:
        print(f"evals.tune: built the index in {settings.index_dir}", file=sys.stderr)
    runtime.load()
    own, users = load_dataset(), load_dataset(SUITES["users"])

    def run(items, values: Values) -> dict:
        runtime.use_thresholds(with_values(DEFAULT_THRESHOLDS, values))
        return run_eval(runtime, items, modes=()).overall  # answers only: retrieval is not tuned here

    start = {k.name: getattr(DEFAULT_THRESHOLDS, k.name) for k in knobs}
    print(
        f"fitting {', '.join(k.name for k in knobs)} on the own set ({len(own)} questions), "
        f"at most {max_evals} evaluations"
    )
    began, number = time.perf_counter(), itertools.count(1)

    def show(trial: Trial) -> None:
        print(f"  {next(number):>2}. {_label(trial.values, start):<40} {trial.scores.line()}", flush=True)

    chosen, trials = coordinate_search(
        knobs, start, lambda v: _shares(run(own, v)), max_evals=max_evals, on_trial=show
    )
    print(f"{len(trials)} evaluations in {time.perf_counter() - began:.0f} s")
    print(f"chosen: {_label(chosen, start)}  ({', '.join(f'{k}={v:g}' for k, v in chosen.items())})")
    print(f"report on the independent suite ({len(users)} questions, not fitted):")
    for name, values in (("chosen", chosen), ("defaults", start))[: 1 if chosen == start else 2]:
        print(f"  users, {name:<8} {_shares(run(users, values)).line()}")
    runtime.use_thresholds(DEFAULT_THRESHOLDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
