"""`python -m evals.bench --parts llm`: the LLM backend beside the extractive one, in one run.

A fixed sample of the evaluation set (LLM_SAMPLE questions drawn with a fixed seed from
evals/dataset.yaml, sorted by id) is answered by both backends over the same index: the extractive
one in process, the LLM one through `planqa llm-serve` (the local model, started here on a free
127.0.0.1 port). For each: fact recall, citation hit, refusal recall, verbatim citations and
latency; for the model also the share of its sentences verification dropped, its output tokens/s
and how often it fell back to the extractive answer.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from evals.bench_support import summary

ROOT = Path(__file__).resolve().parent.parent
LLM_SAMPLE = 40
SEED = 15  # the sample is fixed: the same 40 questions every run
MAX_TOKENS = 128


def sample_items(n: int = LLM_SAMPLE):
    from evals.dataset import load_dataset

    items = sorted(load_dataset(), key=lambda i: i.id)
    return sorted(random.Random(SEED).sample(items, min(n, len(items))), key=lambda i: i.id)


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def backend_figures(results, answers) -> dict:
    answerable = [r for r in results if r.answerable]
    answered = [r for r in answerable if not r.refused]
    return {
        "questions": len(results),
        "fact_recall": round(sum(r.fact_share for r in answerable) / len(answerable), 3)
        if answerable
        else None,
        "citation_hit": _share([bool(r.citation_hit) for r in answered]),
        "answered": _share([not r.refused for r in answerable]),
        "refusal_recall": _share([r.refused for r in results if not r.answerable]),
        "citations_verbatim": _share([not r.invalid_citations for r in results if r.citations]),
        "latency_ms": summary([r.latency_ms for r in results]),
        "fallbacks": sum(1 for a in answers if a.backend.startswith("extractive (fallback")),
    }


def generation_figures(answers) -> dict:
    gens = [a.generation for a in answers if a.generation is not None]
    sentences = sum(g.sentences for g in gens)
    dropped = sum(g.sentences - g.kept for g in gens)
    tokens = sum(g.output_tokens or 0 for g in gens)
    model_s = sum((g.model_ms or 0) for g in gens) / 1000
    reasons: dict[str, int] = {}
    for g in gens:
        for why in g.dropped:
            kind = why.split("：", 1)[0].split("（", 1)[0]
            reasons[kind] = reasons.get(kind, 0) + 1
    return {
        "generated": len(gens),
        "prompt_version": gens[0].prompt_version if gens else None,
        "sentences": sentences,
        "dropped_share": round(dropped / sentences, 3) if sentences else None,
        "dropped_by_reason": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        "output_tokens": tokens,
        # model time includes reading the prompt: tokens/s of the whole call, not of decoding alone
        "output_tokens_per_s": round(tokens / model_s, 2) if model_s else None,
        "model_ms": summary([g.model_ms for g in gens if g.model_ms is not None]),
    }


def start_model_server(port: int, log_path: Path, threads: int = 2) -> subprocess.Popen:
    log = log_path.open("w")
    command = [
        sys.executable,
        "-m",
        "planqa.cli",
        "llm-serve",
        "--port",
        str(port),
        "--threads",
        str(threads),
    ]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"planqa llm-serve exited with {proc.returncode}; see {log_path}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise TimeoutError("planqa llm-serve did not start in 300 s")


def part_llm(index_dir: Path, embeddings: str, limit: int | None, bench_settings, threads: int = 2) -> dict:
    from assistant.llm_local import MODEL_NAME, missing
    from assistant.runtime import Runtime
    from evals.bench_http import free_port

    items = sample_items(limit or LLM_SAMPLE)
    extractive = Runtime(bench_settings(index_dir, embeddings, answer_cache=0)).load()
    problem = missing(extractive.settings.llm_cache_dir)
    if problem:
        raise SystemExit(f"bench llm: {problem}")
    port = free_port()
    server = start_model_server(port, Path(tempfile.gettempdir()) / "planqa-bench-llm-serve.log", threads)
    try:
        llm = Runtime(
            bench_settings(
                index_dir, embeddings, llm=f"openai:{MODEL_NAME}", llm_base_url=f"http://127.0.0.1:{port}/v1",
                llm_timeout=900, llm_max_tokens=MAX_TOKENS,
            )
        ).load()  # fmt: skip
        figures = {}
        per_item = []
        for name, runtime in (("extractive", extractive), ("llm", llm)):
            results, answers = [], []
            for item in items:
                result, answer = grade(runtime, item)
                results.append(result)
                answers.append(answer)
                print(
                    f"bench llm: {name} {item.id} {results[-1].latency_ms / 1000:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
            figures[name] = backend_figures(results, answers)
            if name == "llm":
                figures["generation"] = generation_figures(answers)
                per_item = [
                    {"id": r.id, "refused": r.refused, "missing": list(r.missing), "backend": a.backend,
                     "kept": a.generation.kept if a.generation else None,
                     "sentences": a.generation.sentences if a.generation else None}
                    for r, a in zip(results, answers, strict=True)
                ]  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "sample": len(items),
        "seed": SEED,
        "max_tokens": MAX_TOKENS,
        "threads": threads,
        **figures,
        "items": per_item,
    }


def grade(runtime, item):
    """(ItemResult, Answer) for one question, graded as `planqa eval` grades answers."""
    from evals.metrics import ItemResult, at_place, missing_facts, quote_is_verbatim

    started = time.perf_counter()
    answer = runtime.ask(item.question, history=item.history)
    latency_ms = (time.perf_counter() - started) * 1000
    cited = [(c, runtime.catalog.get(c.chunk_id)) for c in answer.citations]
    graded = item.answerable and not answer.refused
    result = ItemResult(
        id=item.id, kind=item.kind, answerable=item.answerable, doc_ids=tuple(item.doc_ids),
        refused=answer.refused, refusal_reason=answer.refusal_reason, n_facts=len(item.key_facts),
        missing=tuple(missing_facts(answer.answer, item.key_facts) if graded else item.key_facts),
        citation_hit=any(ch is not None and at_place(ch, item.expected) for _, ch in cited) if graded else None,
        citations=len(cited),
        invalid_citations=tuple(c.n for c, ch in cited if ch is None or not quote_is_verbatim(c.quote, ch.text)),
        latency_ms=latency_ms,
    )  # fmt: skip
    return result, answer


def report_lines(r: dict, conditions: str) -> list[str]:
    """The BENCHMARKS.md section for the llm part."""

    def cell(value) -> str:
        return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    def sec(s: dict, q: str) -> str:  # an extractive answer takes milliseconds: keep them visible
        return (f"{s[q] / 1000:.1f}" if s[q] >= 10_000 else f"{s[q] / 1000:.3f}") if s.get("n") else "–"

    def ms(s: dict) -> str:
        return f"{s['p50'] / 1000:.1f} | {s['p95'] / 1000:.1f}" if s.get("n") else "– | –"

    g = r["generation"]
    rows = [
        ("fact recall (answerable)", "fact_recall"),
        ("answered (answerable, not refused)", "answered"),
        ("citation hit (answered)", "citation_hit"),
        ("refusal recall (unanswerable)", "refusal_recall"),
        ("citations verbatim", "citations_verbatim"),
        ("fell back to extractive", "fallbacks"),
    ]
    reasons = ", ".join(f"{k} {v}" for k, v in g["dropped_by_reason"].items()) or "none"
    return [
        "## LLM backend beside the extractive one",
        "",
        f"A fixed sample of {r['sample']} evaluation questions (seed {r['seed']}, evals/bench_llm.py), each answered "
        f"by both backends over the same index; the LLM one is the local model (`make llm-local`, "
        f"`planqa llm-serve`, {r.get('threads', 2)} thread(s)) with prompt `{g['prompt_version']}` and at most {r['max_tokens']} "
        f"output tokens. {conditions}.",
        "",
        "| | extractive | LLM |",
        "|---|---|---|",
        *[f"| {label} | {cell(r['extractive'][key])} | {cell(r['llm'][key])} |" for label, key in rows],
        f"| latency p50 (s) | {sec(r['extractive']['latency_ms'], 'p50')} | {sec(r['llm']['latency_ms'], 'p50')} |",
        f"| latency p95 (s) | {sec(r['extractive']['latency_ms'], 'p95')} | {sec(r['llm']['latency_ms'], 'p95')} |",
        "",
        f"The model wrote {g['sentences']} sentences in {g['generated']} answers; verification dropped "
        f"{cell(g['dropped_share'])} of them ({reasons}). Output: {g['output_tokens']} tokens at "
        f"{cell(g['output_tokens_per_s'])} tokens/s of model time (prompt reading included); model time "
        f"per answer p50 \\| p95: {ms(g['model_ms'])} s.",
        "",
    ]
