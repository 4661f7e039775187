"""The release gate: overall metrics against the thresholds kept as data in `evals/thresholds.yaml`.

`gate(metrics, thresholds)` returns the failures as readable lines; an empty list means the gate
passes. A metric that was not measured (None, or missing from the metrics) fails: a gate that passes
because nothing was checked would be worse than none.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from evals.dataset import DatasetError

THRESHOLDS_PATH = Path(__file__).resolve().parent / "thresholds.yaml"
# one file per suite: the own set's floors, and the independent set's (users.yaml)
SUITE_THRESHOLDS = {"own": THRESHOLDS_PATH, "users": THRESHOLDS_PATH.with_name("thresholds.users.yaml")}
_MISSING = object()


def load_thresholds(path: Path | str | None = None, suite: str = "own") -> dict[str, dict[str, float]]:
    """{metric path: {"min"|"max": value}} of a file, or of a suite's file; raise DatasetError on a
    malformed file."""
    path = Path(path) if path is not None else SUITE_THRESHOLDS[suite]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise DatasetError(f"{path.name}: expected a mapping of metric → {{min|max: value}}")
    for name, bound in data.items():
        if not (
            isinstance(bound, dict)
            and bound
            and set(bound) <= {"min", "max"}
            and all(isinstance(v, int | float) for v in bound.values())
        ):
            raise DatasetError(f"{path.name}: {name}: expected {{min: <number>}} or {{max: <number>}}")
    return data


def metric_at(metrics: dict, path: str):
    """The value at a dotted path ("retrieval.hybrid.hit@1"), or _MISSING."""
    value = metrics
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def gate(metrics: dict, thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Failures as lines such as "fact_recall 0.912 < 0.950 (min)"; [] when every threshold holds."""
    failures = []
    for name, bound in thresholds.items():
        value = metric_at(metrics, name)
        if value is _MISSING:
            failures.append(f"{name}: no such metric")
            continue
        if value is None:
            failures.append(f"{name}: not measured (no items to measure it on)")
            continue
        if "min" in bound and value < bound["min"]:
            failures.append(f"{name} {value:.3f} < {bound['min']:.3f} (min)")
        if "max" in bound and value > bound["max"]:
            failures.append(f"{name} {value:.3f} > {bound['max']:.3f} (max)")
    return failures


__all__ = ["THRESHOLDS_PATH", "gate", "load_thresholds", "metric_at"]
