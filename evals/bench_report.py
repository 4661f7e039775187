"""docs/BENCHMARKS.md from the figures `evals.bench` keeps in docs/benchmarks.json.

The document is generated; only the block between ANALYSIS markers is written by hand (what the
figures mean, what to do about them) and is carried over from the previous file.
"""

from __future__ import annotations

import json
from pathlib import Path

from evals.bench_logging import render_logging

ANALYSIS_BEGIN = "<!-- analysis: written by hand, kept when the figures are regenerated -->"
ANALYSIS_END = "<!-- /analysis -->"
TARGET_PER_S = 40  # answers a second with 16 clients on 2 cores (the HTTP issue)


def load_results(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _analysis(previous: Path) -> str:
    try:
        text = previous.read_text(encoding="utf-8")
    except OSError:
        return "_(no analysis yet)_"
    start, end = text.find(ANALYSIS_BEGIN), text.find(ANALYSIS_END)
    return text[start + len(ANALYSIS_BEGIN) : end].strip() if 0 <= start < end else "_(no analysis yet)_"


def _ms(s: dict) -> str:
    return f"{s['p50']:.0f} | {s['p95']:.0f} | {s['p99']:.0f} | {s['mean']:.0f} | {s['max']:.0f}"


def _conditions(part: dict) -> str:
    run, cpu = part.get("_run", {}), part.get("cpu") or part.get("cpu_cold") or {}
    bits = [
        f"Run {run.get('started', '?')} by `{run.get('command', '?').strip()}`, {run.get('minutes', '?')} min"
    ]
    if "load_avg_at_start" in run:
        bits.append(
            f"load average at start {run['load_avg_at_start']}" + ("" if run.get("quiet") else " (**busy**)")
        )
    if cpu:
        bits.append(f"other processes used {cpu['cores_other_processes']} cores on average")
    return "; ".join(bits)


def _machine(m: dict) -> list[str]:
    return [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPUs (`nproc`) | {m['cpus']} |",
        f"| CPU model | {m['cpu_model']} |",
        f"| Memory | {m['memory_gb']} GB |",
        f"| Python | {m['python']} |",
        f"| Platform | {m['platform']} |",
        f"| OMP_WAIT_POLICY | {m['omp_wait_policy']} |",
        "",
    ]


def _ingest(r: dict) -> list[str]:
    index_s = lambda key: f"{r[key]:.2f}" if key in r else "–"  # noqa: E731 (older figures lack it)
    return [
        "## Ingest",
        "",
        f"{r['documents']} documents, {r['chunks']} chunks, embeddings `{r.get('embeddings', '?')}`: "
        f"`Runtime.ingest`, what `planqa ingest` runs, parsing and chunking included; the index stage "
        f"alone in the last column. {_conditions(r)}.",
        "",
        "| | seconds | chunks/s | index stage (s) |",
        "|---|---|---|---|",
        f"| cold (fresh index folder) | {r['cold_s']:.1f} | {r['cold_chunks_per_s']:.1f} | {index_s('cold_index_s')} |",
        f"| warm (re-ingest, nothing changed; {r['warm_added']} embedded) | {r['warm_s']:.2f} | – "
        f"| {index_s('warm_index_s')} |",
        "",
        f"Peak RSS of the process after ingest: {r['peak_rss_mb']:.0f} MB.",
        "",
    ]


def _latency(r: dict) -> list[str]:
    return [
        "## Search and answer latency (one at a time, in process)",
        "",
        f"{r['questions']} different questions (evals/dataset.yaml with its follow-ups, and "
        f"tests/bench_retrieval.py's), each asked once after opening the index ({r['open_s']:.1f} s): "
        f"`search` with the query-embedding cache off, `ask` with it as shipped (an answer's second "
        f"search reuses the embedding of its first). {_conditions(r)}.",
        "",
        "| ms | p50 | p95 | p99 | mean | max |",
        "|---|---|---|---|---|---|",
        f"| `Runtime.search` (k=5) | {_ms(r['search_ms'])} |",
        f"| `Runtime.ask` (full answer) | {_ms(r['ask_ms'])} |",
        "",
        f"Peak RSS: {r['peak_rss_mb']:.0f} MB.",
        "",
    ]


def _processes(run: dict) -> int:
    """Processes answering in a run: uvicorn workers (figures before PLANQA_WORKERS: servers)."""
    return run.get("workers", run.get("processes", 1))


def _http(r: dict) -> list[str]:
    if r.get("omp_threads"):
        omp = f"OMP_NUM_THREADS={r['omp_threads']}"
    elif "default_workers" in r:
        omp = "OMP_NUM_THREADS unset (an answer worker sets it to its share of the cores)"
    else:
        omp = "OMP_NUM_THREADS unset"
    if "default_workers" in r:
        who = (
            f"`planqa serve` (one uvicorn process that hands each answer to one of PLANQA_WORKERS "
            f"answer worker processes: the default, {r['default_workers']} on this machine, and 1, "
            f"which answers in the uvicorn process; the real runtime and settings as shipped, "
            f"extractive backend, access log on, {omp}) in a child process on a free 127.0.0.1 port"
        )
        spread = "The server process keeps the answer cache: repeated questions do not reach the workers."
        peak = "Peak RSS of a server, all its processes together,"
    else:
        who = (
            f"`planqa serve` (uvicorn, one worker, the real runtime, extractive backend, access log on, "
            f"{omp}) in child processes on free 127.0.0.1 ports"
        )
        spread = "With two processes the clients alternate between them, as nginx's round robin would."
        peak = "Peak RSS of one server"
    lines = [
        "## HTTP: `/api/ask` under concurrent clients",
        "",
        f"{who}, driven by asyncio/httpx clients in the "
        f"benchmark process, which shares the same cores. **Distinct**: each of {r['questions']} different "
        f"questions (the evaluation set with its follow-ups and histories, and tests/bench_retrieval.py's) "
        f"is asked once, of fresh servers, so no cache answers; a run ends when they are all answered or "
        f"after the time limit. **Repeated**: the same questions round and round for the whole time, "
        f"as a portal's frequent questions are: the answer cache serves them. {spread} "
        f"Server CPU counts every process of the server. {_conditions(r)}. "
        f"{peak} {r.get('server_peak_rss_mb', 0):.0f} MB.",
        "",
        "| clients | server processes | questions | seconds | answers | answers/s | p50 ms | p95 ms | p99 ms "
        "| errors | refused | server CPU ms/answer | cores: server / load generator / others |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in r["runs"]:
        lat, cpu = run["latency_ms"], run["cpu"]
        errors = ", ".join(f"{k}: {v}" for k, v in run["errors"].items()) or "0"
        lines.append(
            f"| {run['clients']} | {_processes(run)} | {run['questions']} | {run['seconds']} | {run['answers']} "
            f"| **{run['answers_per_s']}** | {lat['p50']:.0f} | {lat['p95']:.0f} | {lat['p99']:.0f} | {errors} "
            f"| {run['refused_share'] * 100:.0f}% | {run['server_cpu_ms_per_answer']} "
            f"| {cpu['cores_server']} / {cpu['cores_this_process']} / {cpu['cores_other_processes']} |"
        )
    shipped = r.get("default_workers", 1)  # one `planqa serve` as shipped
    headline = next(
        (
            x
            for x in r["runs"]
            if x["clients"] == 16 and x["questions"] == "distinct" and _processes(x) == shipped
        ),
        None,
    )
    if headline and r.get("embeddings", "e5-small") == "e5-small":
        verdict = (
            "meets"
            if headline["answers_per_s"] >= TARGET_PER_S and not headline["errors"]
            else "is **below**"
        )
        what = (
            f"one `planqa serve` as shipped ({shipped} workers)"
            if "default_workers" in r
            else "one server process"
        )
        lines += [
            "",
            f"Target: ≥ {TARGET_PER_S} answers/s with 16 clients on 2 cores, no errors. Measured "
            f"{headline['answers_per_s']}/s from {what} on distinct questions: {verdict} the target.",
        ]
    return lines + [""]


def _profile(r: dict) -> list[str]:
    rows = [f"| {area} | {share * 100:.0f}% |" for area, share in r["share_by_area"].items() if share >= 0.01]
    return [
        "## Where an answer's time goes",
        "",
        f"cProfile over {r['questions']} sequential `Runtime.ask` calls, each a different question: "
        f"{r['ms_per_answer']} ms per answer under the profiler. Own time by area (a built-in "
        "function's time is charged to the code that called it):",
        "",
        "| area | share |",
        "|---|---|",
        *rows,
        "",
        "<details><summary>Top functions by cumulative time</summary>",
        "",
        "```",
        r["top_cumulative"],
        "```",
        "",
        "</details>",
        "",
        "<details><summary>Top functions by own time</summary>",
        "",
        "```",
        r.get("top_own", ""),
        "```",
        "",
        "</details>",
        "",
    ]


def _growth(r: dict) -> list[str]:
    from evals.growth import GrowthPoint, growth_table

    points = [GrowthPoint(**p) for p in r["points"]]
    return [
        "## Growth: 1×, 10×, 100× the corpus",
        "",
        "Synthetic corpora: the real plans plus N−1 copies of their top-level sections recombined "
        "under new doc_ids (evals/growth.py), so questions that name a plan still find it. Each size runs "
        "in its own process: cold ingest into a fresh index, then search (k=5) and full answers over "
        "distinct evaluation questions (search with the query cache off). e5-small where the time "
        f"allows, `hash` (no model: everything but the embedding) at every size. {_conditions(r)}.",
        "",
        growth_table(points),
        "",
        "![growth](growth.png)",
        "",
    ]


COMMANDS = """## Commands

```sh
make bench                                            # = .venv/bin/python -m evals.bench (every part)
.venv/bin/python -m evals.bench --parts http,profile  # some parts; the others keep their figures
.venv/bin/python -m evals.bench --quick               # smoke run → test-output/bench/
.venv/bin/python -m evals.bench --parts http --embeddings hash   # the same without the embedding model
.venv/bin/python -m evals.bench --parts ""            # only re-render this file from benchmarks.json
.venv/bin/python -m evals.bench --parts logging --index-dir .index --logging-rounds 4   # log off/on, 16 clients
.venv/bin/python -m evals.bench --parts llm --index-dir .index   # LLM beside extractive (make llm-local first)
.venv/bin/python -m evals.growth --multiples 1,10     # the growth table alone, printed
.venv/bin/python -m tests.bench_retrieval             # retrieval only: query embedding vs. search
```

Figures are in `docs/benchmarks.json`; this file is regenerated from them.
"""


def _llm(r: dict) -> list[str]:
    from evals.bench_llm import report_lines

    return report_lines(r, _conditions(r))


def write_report(results: dict, out: Path) -> list[Path]:
    data_path, doc_path = out / "benchmarks.json", out / "BENCHMARKS.md"
    data_path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (evals/bench.py) from docs/benchmarks.json; edit only the analysis.",
        "",
        "## What the figures say",
        "",
        ANALYSIS_BEGIN,
        _analysis(doc_path),
        ANALYSIS_END,
        "",
    ]
    lines += _machine(results["machine"])
    for base, render in (
        ("ingest", _ingest),
        ("latency", _latency),
        ("http", _http),
        ("logging", lambda r: render_logging(r, _conditions(r))),
        ("profile", _profile),
        ("growth", _growth),
        ("llm", _llm),
    ):
        for key in sorted(k for k in results if k == base or k.startswith(base + "-")):
            part = render(results[key])
            if key != base:  # the same part measured with another embedder
                part[0] += f" — with `{results[key].get('embeddings', key.split('-', 1)[1])}` embeddings"
            lines += part
    lines.append(COMMANDS)
    doc_path.write_text("\n".join(lines), encoding="utf-8")
    return [doc_path, data_path]
