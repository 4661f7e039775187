"""Measuring helpers for `evals.bench`: percentiles, the machine, CPU use during a part, the
quiet-machine wait, and the question sets (every measured question different)."""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def summary(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 1),
        "p95": round(percentile(ms, 95), 1),
        "p99": round(percentile(ms, 99), 1),
        "mean": round(float(np.mean(ms)), 1) if ms else None,
        "max": round(max(ms), 1) if ms else None,
    }


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    mem_kb = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "omp_wait_policy": os.environ.get(
            "OMP_WAIT_POLICY", "(default: PASSIVE, set by retrieval.embeddings)"
        ),
    }


def _busy_jiffies() -> int:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # all but idle and iowait


def _process_jiffies(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except OSError:
        return 0


class CpuMeter:
    """CPU used, in cores, by this process, by a server child and by everything else, over a part."""

    def __init__(self, server_pids: list[int] = ()):
        self.server_pids = list(server_pids)
        self.tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> CpuMeter:
        self.wall = time.monotonic()
        self.busy = _busy_jiffies()
        self.own = _process_jiffies(os.getpid())
        self.server = sum(_process_jiffies(pid) for pid in self.server_pids)
        self.load_before = os.getloadavg()[0]
        return self

    def __exit__(self, *exc) -> None:
        wall = (time.monotonic() - self.wall) * self.tick
        busy = (_busy_jiffies() - self.busy) / wall
        own = (_process_jiffies(os.getpid()) - self.own) / wall
        server = (sum(_process_jiffies(pid) for pid in self.server_pids) - self.server) / wall
        self.result = {
            "load_avg_before": round(self.load_before, 2),
            "load_avg_after": round(os.getloadavg()[0], 2),
            "cores_this_process": round(own, 2),
            "cores_server": round(server, 2),
            "cores_other_processes": round(max(busy - own - server, 0.0), 2),
        }


def wait_until_quiet(max_load: float, max_wait: float) -> float:
    """Wait (up to max_wait seconds) for the 1-minute load average to drop below max_load."""
    waited = 0.0
    while (load := os.getloadavg()[0]) >= max_load and waited < max_wait:
        print(f"bench: load average {load:.2f} ≥ {max_load}; waiting…", file=sys.stderr)
        time.sleep(15)
        waited += 15
    return load


def eval_items(limit: int | None):
    from evals.dataset import load_dataset

    return load_dataset()[:limit]


def distinct_requests(limit: int | None) -> list[dict]:
    """Request bodies, all different: the evaluation items (follow-ups with their history), then
    the retrieval benchmark's questions (tests/bench_retrieval.py)."""
    bodies = [
        {"question": i.question, "history": [t.model_dump() for t in i.history]} for i in eval_items(limit)
    ]
    if limit is None:
        try:
            from tests.bench_retrieval import QUESTIONS
        except ImportError:  # run from outside the repository
            QUESTIONS = []
        seen = {b["question"] for b in bodies}
        bodies += [{"question": q, "history": []} for q in QUESTIONS if q not in seen]
    return bodies


def warm_up(runtime, n: int = 3) -> None:
    """Load jieba, Chroma's segment and the code paths with questions that are not measured."""
    for item in eval_items(n):
        runtime.ask(f"预热：{item.question}")
