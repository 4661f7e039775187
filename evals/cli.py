"""`planqa eval [--json] [--report] [--limit N] [--kind K]`: run the evaluation set and the gate.

Exit status: 0 when the gate passes (or on a subset run, where it is not applied), 1 when it fails.
"""

from __future__ import annotations

import argparse
import json
import sys

from evals.dataset import KINDS, SUITES


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive number of questions")
    return value


def add_eval_parser(subparsers) -> None:
    p = subparsers.add_parser("eval", help="run the evaluation set (evals/dataset.yaml) and check the gate")
    p.add_argument(
        "--json", action="store_true", help="print one JSON object with n_questions and the metrics"
    )
    p.add_argument("--report", action="store_true", help="write evals/reports/latest.md and latest.png")
    p.add_argument(
        "--limit", type=_positive, metavar="N", help="only the first N questions (gate not applied)"
    )
    p.add_argument("--kind", choices=KINDS, help="only questions of this kind (gate not applied)")
    p.add_argument(
        "--suite",
        choices=("own", "users", "all"),
        default="own",
        help="own: evals/dataset.yaml; users: evals/users.yaml (written independently); all: both",
    )
    p.set_defaults(func=cmd_eval)


def _progress(total: int):
    if not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=total, desc="eval", unit="q", file=sys.stderr, leave=False)
    return (lambda _item: bar.update()), bar


def cmd_eval(args, settings) -> int:
    from assistant.runtime import Runtime
    from evals.dataset import DatasetError, load_dataset
    from evals.gate import gate, load_thresholds
    from evals.report import console_summary, write_report, write_suites_report
    from evals.runner import run_eval

    suites = ["own", "users"] if args.suite == "all" else [args.suite]
    selected = {}
    for suite in suites:
        items = load_dataset() if suite == "own" else load_dataset(SUITES[suite])
        if args.kind:
            items = [i for i in items if i.kind == args.kind]
        if args.limit:
            items = items[: args.limit]
        if items:
            selected[suite] = items
    if not selected:
        raise DatasetError("no questions selected")
    subset = bool(args.kind or args.limit)

    runtime = Runtime(settings)
    if runtime.ensure_index(progress=sys.stderr.isatty()) is not None:
        print(f"planqa eval: built the index in {settings.index_dir}", file=sys.stderr)
    runs, all_failures, out = {}, [], {}
    for suite, items in selected.items():
        thresholds = load_thresholds(suite=suite)
        progress, bar = _progress(len(items))
        try:
            run = run_eval(runtime, items, progress=progress)
        finally:
            if bar is not None:
                bar.close()
        failures = None if subset else gate(run.overall, thresholds)
        all_failures += [f"{suite}: {f}" for f in failures or []]
        runs[suite] = (run, thresholds, failures)
        out[suite] = run.to_json(failures)
        if not args.json:
            print(f"== suite {suite} ({SUITES[suite].name})")
            print(console_summary(run, thresholds, failures))
    if args.json:
        data = out[suites[0]] if len(out) == 1 else {"suites": out}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    if args.report:
        if len(runs) == 1:
            paths = write_report(*runs[suites[0]])
        else:
            paths = write_suites_report(runs)
        print("planqa eval: wrote " + ", ".join(str(p) for p in paths), file=sys.stderr)
    return 1 if all_failures else 0


__all__ = ["add_eval_parser", "cmd_eval"]
