"""The logging part of `evals.bench`: `/api/ask` throughput of `planqa serve` with the conversation
log off and on (SQLite in a fresh data folder, the default), the same distinct questions and
clients, alternating off/on for a few rounds so that a busy machine's drift falls on both.

Target (issue 14): with logging on, answers/s stay within 10% of logging off at 16 clients.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
from pathlib import Path

from evals.bench_http import LOGS, _warm_servers, free_port, load_test, start_server, stop_server, wait_ready
from evals.bench_support import CpuMeter, distinct_requests

TARGET_SHARE = 0.10  # logging may cost at most this share of logging-off throughput


def _logged_rows(data_dir: Path) -> int:
    try:
        with sqlite3.connect(data_dir / "planqa.sqlite3") as conn:
            return conn.execute("SELECT count(*) FROM answers").fetchone()[0]
    except sqlite3.Error:
        return 0


def part_logging(
    index_dir: Path,
    embeddings: str,
    clients: int,
    seconds: float,
    limit: int | None,
    omp_threads: int | None,
    rounds: int = 2,
) -> dict:
    bodies = distinct_requests(limit)
    LOGS.mkdir(exist_ok=True)
    runs = []
    for round_no in range(rounds):
        for logging_on in (False, True):
            with tempfile.TemporaryDirectory(prefix="planqa-bench-log-") as data:
                env = {"PLANQA_CONVERSATION_LOG": "1" if logging_on else "0", "PLANQA_DATA_DIR": data}
                port = free_port()
                server = start_server(
                    index_dir, embeddings, port, LOGS / f"server-{port}.log", omp_threads, extra_env=env
                )
                url = f"http://127.0.0.1:{port}"
                try:
                    wait_ready(url, server)
                    _warm_servers([url])
                    with CpuMeter([server.pid]) as cpu:
                        run = asyncio.run(load_test([url], bodies, clients, seconds, repeat=False))
                finally:
                    stop_server(server)  # SIGINT: the lifespan writes what the log still queues
                run |= {"logging": logging_on, "round": round_no + 1, "cpu": cpu.result}
                run["rows_logged"] = _logged_rows(Path(data)) if logging_on else None
                runs.append(run)
                print(
                    f"bench: logging {'on ' if logging_on else 'off'} round {round_no + 1}: "
                    f"{run['answers_per_s']}/s, p95 {run['latency_ms']['p95']:.0f} ms, errors {run['errors'] or 0}"
                    + (f", {run['rows_logged']} rows logged" if logging_on else ""),
                    file=sys.stderr,
                )
    off = [r["answers_per_s"] for r in runs if not r["logging"]]
    on = [r["answers_per_s"] for r in runs if r["logging"]]
    mean_off, mean_on = sum(off) / len(off), sum(on) / len(on)
    result = {
        "clients": clients,
        "questions": len(bodies),
        "runs": runs,
        "answers_per_s_off": round(mean_off, 1),
        "answers_per_s_on": round(mean_on, 1),
        "cost_share": round(1 - mean_on / mean_off, 3) if mean_off else None,
    }
    print(
        f"bench: logging off {result['answers_per_s_off']}/s, on {result['answers_per_s_on']}/s "
        f"({clients} clients): cost {100 * (result['cost_share'] or 0):.1f}% (target ≤ {100 * TARGET_SHARE:.0f}%)",
        file=sys.stderr,
    )
    return result


def render_logging(r: dict, conditions: str = "") -> list[str]:
    loads = [
        run["cpu"][k] for run in r["runs"] for k in ("load_avg_before", "load_avg_after") if run.get("cpu")
    ]
    if conditions:
        conditions = f" {conditions}" + (
            f"; load average {min(loads)}–{max(loads)} during the runs." if loads else "."
        )
    lines = [
        "## Conversation log: `/api/ask` with logging off and on",
        "",
        f"One `planqa serve` as shipped, fresh for each run, {r['clients']} clients, the same {r['questions']} "
        "distinct questions; logging off (PLANQA_CONVERSATION_LOG=0) and on (SQLite in a fresh data "
        "folder, the default: each answer queued for the background writer, masked, written in "
        "batches), alternating. Rows logged counts the answers in the database after the server "
        "stopped (three warm-up questions included)." + conditions,
        "",
        "| round | logging | answers | answers/s | p50 ms | p95 ms | errors | rows logged |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in r["runs"]:
        lat = run["latency_ms"]
        errors = ", ".join(f"{k}: {v}" for k, v in run["errors"].items()) or "0"
        rows = "-" if run["rows_logged"] is None else run["rows_logged"]
        lines.append(
            f"| {run['round']} | {'on' if run['logging'] else 'off'} | {run['answers']} | **{run['answers_per_s']}** "
            f"| {lat['p50']:.0f} | {lat['p95']:.0f} | {errors} | {rows} |"
        )
    cost = r.get("cost_share")
    if cost is not None:
        verdict = "within" if cost <= TARGET_SHARE else "**outside**"
        lines += [
            "",
            f"Mean: off {r['answers_per_s_off']}/s, on {r['answers_per_s_on']}/s: logging costs {100 * cost:.1f}% "
            f"of the throughput, {verdict} the {100 * TARGET_SHARE:.0f}% target.",
        ]
    return lines + [""]
