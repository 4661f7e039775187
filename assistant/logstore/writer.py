"""`BackgroundWriter`: the conversation log written off the request path.

Requests only `submit` a record to a bounded queue and go on. One thread takes what is queued,
writes it in one transaction, and owns every failure: while the database is down or slow it keeps
the batch, warns once, reports itself degraded and retries with a growing pause; meanwhile new
records fill the queue and, once it is full, are dropped and counted. When the database answers
again the kept batch and the queue are written and the state is "ok" again. It also purges rows
older than the retention period, at start and every PURGE_EVERY_S.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DataError, IntegrityError

from assistant.logstore.records import AnswerRecord, FeedbackRecord
from assistant.logstore.store import LogStore

log = logging.getLogger("planqa.logstore")

BATCH = 500  # rows per transaction: enough for a burst, small enough to keep a transaction short
RETRY_FIRST_S, RETRY_MAX_S = 0.2, 5.0
PURGE_EVERY_S = 6 * 3600


@dataclass(frozen=True)
class WriterHealth:
    ok: bool
    detail: str | None
    queued: int
    dropped: int
    written: int


class BackgroundWriter:
    def __init__(self, store: LogStore, *, queue_size: int, retention_days: int):
        self.store = store
        self.retention = timedelta(days=retention_days)
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._pending = 0  # submitted and not yet written (queued or in the batch being written)
        self._error: str | None = None
        self.dropped = 0
        self.written = 0
        self._next_purge = 0.0
        self._thread = threading.Thread(target=self._run, name="planqa-logstore", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ request side

    def submit(self, record: AnswerRecord | FeedbackRecord) -> bool:
        """Queue a record; False (and a warning) when the queue is full. Never blocks."""
        with self._idle:
            self._pending += 1
        try:
            self._queue.put_nowait(record)
            return True
        except queue.Full:
            with self._idle:
                self._pending -= 1
                self.dropped += 1
                dropped = self.dropped
            if dropped == 1 or dropped % 1000 == 0:
                log.warning(
                    "conversation log queue full: %d rows dropped so far (%s)",
                    dropped,
                    self._error or "database slow",
                )
            return False

    def health(self) -> WriterHealth:
        return WriterHealth(self._error is None, self._error, self._queue.qsize(), self.dropped, self.written)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is written; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (for at most `timeout`), then stop."""
        self.flush(timeout)
        self._stop.set()
        self._thread.join(timeout=timeout)
        self.store.close()

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        batch: list = []
        pause = RETRY_FIRST_S
        while not self._stop.is_set():
            if not batch:
                batch = self._take()
                if not batch:
                    try:
                        if not self.store.ready:
                            self.store.migrate()
                            self._recovered()
                        self._maybe_purge()
                    except Exception as exc:  # noqa: BLE001 - tried again after the next write
                        self._failed(exc)
                        self._stop.wait(pause)
                        pause = min(pause * 2, RETRY_MAX_S)
                    continue
            try:
                if not self.store.ready:
                    self.store.migrate()
                self._maybe_purge()
                self.store.write(
                    [r for r in batch if isinstance(r, AnswerRecord)],
                    [r for r in batch if isinstance(r, FeedbackRecord)],
                )
            except (IntegrityError, DataError) as exc:  # these rows can never be written: drop them
                log.error(
                    "conversation log: %d rows refused by the database and dropped: %s", len(batch), exc
                )
                with self._idle:
                    self.dropped += len(batch)
                self._done(len(batch), written=False)
                batch = []
                continue
            except Exception as exc:  # noqa: BLE001 - any other database failure: keep the rows, retry
                self._failed(exc)
                self._stop.wait(pause)
                pause = min(pause * 2, RETRY_MAX_S)
                continue
            self._done(len(batch))
            batch, pause = [], RETRY_FIRST_S

    def _take(self) -> list:
        try:
            first = self._queue.get(timeout=0.5)
        except queue.Empty:
            return []
        batch = [first]
        while len(batch) < BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _maybe_purge(self) -> None:
        if not self.store.ready or time.monotonic() < self._next_purge:
            return
        before = datetime.now(UTC).replace(tzinfo=None) - self.retention
        purged = self.store.purge(before)
        self._next_purge = time.monotonic() + PURGE_EVERY_S
        if purged:
            log.info("conversation log: purged %d answers older than %s", purged, before.date())

    def _failed(self, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        self.store.ready = False  # migrate again before the next write: the database may be a new one
        if self._error is None:
            log.warning("conversation log unavailable, answers go on and rows wait in memory: %s", reason)
        self._error = reason

    def _recovered(self) -> None:
        if self._error is not None:
            log.warning("conversation log available again")
        self._error = None

    def _done(self, n: int, *, written: bool = True) -> None:
        self._recovered()
        with self._idle:
            self._pending -= n
            self.written += n if written else 0
            self._idle.notify_all()
