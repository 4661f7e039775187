"""The HTTP part of `evals.bench`: `planqa serve` in a child process on a free loopback port, with
its shipped number of answer workers and with one, and an asyncio/httpx load generator with a
fixed number of clients and a time limit. CPU and memory are counted over the server's whole
process tree (the HTTP process and its answer workers)."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evals.bench_support import CpuMeter, distinct_requests, eval_items, summary

ROOT = Path(__file__).resolve().parent.parent
LOGS = Path(tempfile.gettempdir()) / "planqa-bench-logs"  # the benchmark servers' logs, kept for a look


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    index_dir: Path,
    embeddings: str,
    port: int,
    log_path: Path,
    omp_threads: int | None,
    workers: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """`planqa serve` in a child process, configured by PLANQA_* variables as in production;
    `workers` None leaves PLANQA_WORKERS to its default; `extra_env` adds variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANQA_")}
    env |= {
        "PLANQA_INDEX_DIR": str(index_dir),
        "PLANQA_EMBEDDINGS": embeddings,
        "PLANQA_PORT": str(port),
        "PLANQA_RATE_LIMIT_PER_MINUTE": "0",
    }
    if workers is not None:
        env["PLANQA_WORKERS"] = str(workers)
    if omp_threads:
        env["OMP_NUM_THREADS"] = str(omp_threads)
    env |= extra_env or {}
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - the child writes into it until stopped
    return subprocess.Popen(
        [sys.executable, "-m", "planqa.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 600) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the benchmark server exited; see its log")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the benchmark server did not become ready")


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (uvicorn's workers, their helpers), parents first."""
    tree, i = [pid], 0
    while i < len(tree):
        for task in Path(f"/proc/{tree[i]}/task").glob("*"):
            try:
                tree += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        i += 1
    return tree


def _peak_rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")), 0)


def stop_server(process: subprocess.Popen) -> dict:
    """Stop the server (SIGINT, as Ctrl+C); its peak RSS summed over its processes."""
    peak = sum(_peak_rss_kb(pid) for pid in process_tree(process.pid))
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return {"server_peak_rss_mb": round(peak / 1024, 1)}


async def load_test(
    urls: list[str], bodies: list[dict], clients: int, seconds: float, repeat: bool, workers: int = 1
) -> dict:
    """`clients` workers posting `bodies` to /api/ask, spread over `urls` in turn (as nginx's round
    robin would), for at most `seconds`: each body once, or round and round with `repeat`."""
    import httpx

    queue = itertools.cycle(bodies) if repeat else iter(bodies)
    targets = itertools.cycle(f"{u}/api/ask" for u in urls)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    refused = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + seconds
        finished = [started]

        async def worker() -> None:
            nonlocal refused
            while time.perf_counter() < deadline and (body := next(queue, None)) is not None:
                t0 = time.perf_counter()
                try:
                    r = await client.post(next(targets), json=body)
                    if r.status_code != 200:
                        errors[f"HTTP {r.status_code}"] = errors.get(f"HTTP {r.status_code}", 0) + 1
                        continue
                    refused += r.json()["refused"]
                except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                now = time.perf_counter()
                latencies.append((now - t0) * 1000)
                finished[0] = max(finished[0], now)

        await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = finished[0] - started
    return {
        "clients": clients,
        "servers": len(urls),
        "workers": workers,
        "questions": "repeated" if repeat else "distinct",
        "seconds": round(elapsed, 1),
        "answers": len(latencies),
        "answers_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "latency_ms": summary(latencies),
        "errors": errors,
        "refused_share": round(refused / max(len(latencies), 1), 3),
    }


def _warm_servers(urls: list[str]) -> None:
    import httpx

    for url in urls:  # load jieba and the code paths, with questions that are not measured
        for item in eval_items(3):
            httpx.post(f"{url}/api/ask", json={"question": f"预热：{item.question}"}, timeout=120)


def part_http(
    index_dir: Path,
    embeddings: str,
    clients: list[int],
    seconds: float,
    limit: int | None,
    omp_threads: int | None,
    default_workers: int,
) -> dict:
    """A fresh server for each run of distinct questions (the shipped number of workers, then one,
    each client count); then the first server again with the same questions repeated (its caches
    warm). `default_workers` is what PLANQA_WORKERS's default gives on this machine."""
    bodies = distinct_requests(limit)
    results = {
        "questions": len(bodies),
        "runs": [],
        "server_peak_rss_mb": 0.0,
        "omp_threads": omp_threads,
        "default_workers": default_workers,
    }
    LOGS.mkdir(exist_ok=True)
    plans = [(None, n, n == clients[0]) for n in clients]
    if default_workers != 1:
        plans += [(1, n, False) for n in clients]
    for workers, n, then_repeat in plans:
        servers, urls = [], []
        try:
            port = free_port()
            servers.append(
                start_server(index_dir, embeddings, port, LOGS / f"server-{port}.log", omp_threads, workers)
            )
            urls.append(f"http://127.0.0.1:{port}")
            for url, server in zip(urls, servers, strict=True):
                wait_ready(url, server)
            _warm_servers(urls)
            pids = [pid for s in servers for pid in process_tree(s.pid)]
            for repeat in (False, True) if then_repeat else (False,):
                with CpuMeter(pids) as cpu:
                    run = asyncio.run(load_test(urls, bodies, n, seconds, repeat, workers or default_workers))
                run["cpu"] = cpu.result
                server_cpu = cpu.result["cores_server"] * run["seconds"]
                run["server_cpu_ms_per_answer"] = round(server_cpu / max(run["answers"], 1) * 1000, 1)
                results["runs"].append(run)
                print(
                    f"bench: http {n} clients, {run['workers']} worker(s), {run['questions']} questions: "
                    f"{run['answers_per_s']}/s, p95 {run['latency_ms']['p95']:.0f} ms, "
                    f"errors {run['errors'] or 0}",
                    file=sys.stderr,
                )
        finally:
            for server in servers:
                peak = stop_server(server)["server_peak_rss_mb"]
                results["server_peak_rss_mb"] = max(results["server_peak_rss_mb"], peak)
    return results
