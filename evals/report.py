"""Tables of an evaluation run, for the console and for `evals/reports/latest.md`."""

from __future__ import annotations

from pathlib import Path

from evals.metrics import MODE_LABELS
from evals.runner import EvalRun

REPORTS_DIR = Path(__file__).resolve().parent / "reports"

# (metric path, label) of the overall table, in reading order
OVERALL_ROWS = [
    ("retrieval.hybrid.hit@1", "retrieval hit@1 (hybrid)"),
    ("retrieval.hybrid.hit@5", "retrieval hit@5 (hybrid)"),
    ("retrieval.hybrid.mrr", "retrieval MRR@10 (hybrid)"),
    ("fact_recall", "fact recall (all key facts)"),
    ("fact_share", "mean share of key facts found"),
    ("citation_hit", "citation hit"),
    ("citation_validity", "citation validity"),
    ("refusal_recall", "refusal recall"),
    ("false_refusal_rate", "false-refusal rate"),
    ("latency_p50_ms", "latency p50 (ms)"),
    ("latency_p95_ms", "latency p95 (ms)"),
]


def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and value > 1.0:  # latencies
        return f"{value:.0f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown_table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _get(metrics: dict, path: str):
    for part in path.split("."):
        metrics = metrics.get(part) if isinstance(metrics, dict) else None
    return metrics


def overall_table(run: EvalRun, thresholds: dict) -> str:
    rows = []
    for path, label in OVERALL_ROWS:
        bound = thresholds.get(path, {})
        limit = (
            f"≥ {bound['min']:.2f}" if "min" in bound else f"≤ {bound['max']:.2f}" if "max" in bound else ""
        )
        rows.append([label, _get(run.overall, path), limit])
    return markdown_table(["metric", "value", "threshold"], rows)


def _group_rows(groups: dict[str, dict]) -> list[list]:
    return [
        [
            name,
            m["n_questions"],
            m["retrieval"]["hybrid"]["hit@1"],
            m["retrieval"]["hybrid"]["hit@5"],
            m["retrieval"]["hybrid"]["mrr"],
            m["fact_recall"],
            m["fact_share"],
            m["citation_hit"],
            m["refusal_recall"],
            m["false_refusal_rate"],
            m["latency_p50_ms"],
        ]
        for name, m in groups.items()
    ]


GROUP_HEADERS = [
    "",
    "n",
    "hit@1",
    "hit@5",
    "MRR",
    "fact recall",
    "fact share",
    "citation hit",
    "refusal recall",
    "false refusal",
    "p50 ms",
]


def kind_table(run: EvalRun) -> str:
    return markdown_table(["kind", *GROUP_HEADERS[1:]], _group_rows(run.kinds_in_order()))


def doc_table(run: EvalRun) -> str:
    return markdown_table(["document", *GROUP_HEADERS[1:]], _group_rows(run.per_doc))


def baseline_table(run: EvalRun) -> str:
    """Retrieval of the three modes, overall and per kind (answerable items)."""
    headers = ["", *[f"{MODE_LABELS[m]} {k}" for m in run.modes for k in ("hit@1", "hit@5", "MRR")]]
    groups = {"overall": run.overall, **run.kinds_in_order()}
    rows = [
        [name, *[g["retrieval"][m][k] for m in run.modes for k in ("hit@1", "hit@5", "mrr")]]
        for name, g in groups.items()
        if g["n_answerable"]
    ]
    return markdown_table(headers, rows)


def failing_list(run: EvalRun) -> str:
    failing = run.failing
    if not failing:
        return "None."
    return "\n".join(f"- `{item_id}`: " + "; ".join(reasons) for item_id, reasons in failing.items())


def console_summary(run: EvalRun, thresholds: dict, gate_failures: list[str] | None) -> str:
    parts = [
        f"{len(run.results)} questions in {run.elapsed_s:.0f} s",
        overall_table(run, thresholds),
        "Per kind (hybrid retrieval, full system answers):",
        kind_table(run),
        "Retrieval baselines:",
        baseline_table(run),
    ]
    if gate_failures is None:
        parts.append("gate: not applied to a subset (run without --limit/--kind)")
    else:
        parts.append(
            "gate: passed"
            if not gate_failures
            else "gate FAILED:\n" + "\n".join(f"  {f}" for f in gate_failures)
        )
    return "\n\n".join(parts)


def markdown_report(
    run: EvalRun, thresholds: dict, gate_failures: list[str] | None, chart: str | None
) -> str:
    gate_line = (
        "not applied (subset run)"
        if gate_failures is None
        else "**passed**"
        if not gate_failures
        else "**failed**: " + "; ".join(gate_failures)
    )
    sections = [
        "# planqa evaluation report",
        f"{len(run.results)} questions ({run.overall['n_answerable']} answerable), "
        f"run in {run.elapsed_s:.0f} s. Gate: {gate_line}.",
        "Retrieval is scored on answerable items at section level (the expected section, 专栏 or table "
        "within the retrieved chunks); answers come from the full system (`Runtime.ask`).",
        "## Overall",
        overall_table(run, thresholds),
        "## Per kind",
        kind_table(run),
        "## Per document",
        "An item counts for each document in its `expected` places.",
        doc_table(run),
        "## Retrieval baselines",
        "Same questions, same index: BM25 only, dense only and the hybrid (RRF) ranking.",
        baseline_table(run),
    ]
    if chart:
        sections.append(f"![BM25-only, dense-only and hybrid retrieval, and fact recall per kind]({chart})")
    sections += ["## Failing items", failing_list(run)]
    return "\n\n".join(sections) + "\n"


def write_report(
    run: EvalRun, thresholds: dict, gate_failures: list[str] | None, out_dir: Path = REPORTS_DIR
) -> list[Path]:
    """Write latest.md and latest.png; return their paths."""
    from evals.chart import draw_chart

    out_dir.mkdir(parents=True, exist_ok=True)
    png = draw_chart(run, out_dir / "latest.png")
    md = out_dir / "latest.md"
    md.write_text(markdown_report(run, thresholds, gate_failures, png.name), encoding="utf-8")
    return [md, png]


def suites_report(runs: dict, chart: str | None) -> str:
    """Both suites side by side: the own set (fitted on) and the independent one (reported on)."""
    names = list(runs)
    gates = []
    for name, (run, _, failures) in runs.items():
        state = (
            "not applied"
            if failures is None
            else "passed"
            if not failures
            else "failed: " + "; ".join(failures)
        )
        gates.append(
            f"- **{name}** ({len(run.results)} questions, {run.overall['n_answerable']} answerable): gate {state}"
        )
    rows = []
    for path, label in OVERALL_ROWS:
        row = [label]
        for name in names:
            run, thresholds, _ = runs[name]
            bound = thresholds.get(path, {})
            limit = (
                f" (≥ {bound['min']:.2f})"
                if "min" in bound
                else f" (≤ {bound['max']:.2f})"
                if "max" in bound
                else ""
            )
            row.append(f"{fmt(_get(run.overall, path))}{limit}")
        rows.append(row)
    sections = [
        "# planqa evaluation report",
        "Two suites: `own` is evals/dataset.yaml, the project's own questions (thresholds are fitted "
        "on it); `users` is evals/users.yaml, written independently from the plan texts alone (scored, "
        "never fitted on). A gain on one with a loss on the other is a rule fitted to questions.",
        "\n".join(gates),
        "## Overall",
        markdown_table(["metric", *names], rows),
    ]
    for name in names:
        run = runs[name][0]
        sections += [f"## Per kind: {name}", kind_table(run), f"## Per document: {name}", doc_table(run)]
    own = runs[names[0]][0]
    sections += ["## Retrieval baselines (own)", baseline_table(own)]
    if chart:
        sections.append(
            f"![BM25-only, dense-only and hybrid retrieval, and fact recall per kind (own)]({chart})"
        )
    for name in names:
        sections += [f"## Failing items: {name}", failing_list(runs[name][0])]
    return "\n\n".join(sections) + "\n"


def write_suites_report(runs: dict, out_dir: Path = REPORTS_DIR) -> list[Path]:
    """Write latest.md (every suite side by side) and latest.png (the first suite's chart)."""
    from evals.chart import draw_chart

    out_dir.mkdir(parents=True, exist_ok=True)
    png = draw_chart(next(iter(runs.values()))[0], out_dir / "latest.png")
    md = out_dir / "latest.md"
    md.write_text(suites_report(runs, png.name), encoding="utf-8")
    return [md, png]


__all__ = [
    "REPORTS_DIR",
    "console_summary",
    "markdown_report",
    "markdown_table",
    "suites_report",
    "write_report",
    "write_suites_report",
]
