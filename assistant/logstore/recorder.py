"""`ConversationLog`: what the surfaces call when they hand out an answer or receive feedback.

`record` gives the answer its `answer_id` and queues a privacy-safe copy for the background
writer; it never raises for a logging problem and never waits on the database. `feedback` checks
that the answer exists (recently handed out, else in the database) and queues the rating.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from assistant.logstore.privacy import hash_client, load_salt, mask_personal_data
from assistant.logstore.records import AnswerRecord, FeedbackRecord, Rating, Surface
from assistant.logstore.store import LogStore
from assistant.logstore.writer import BackgroundWriter
from assistant.schemas import Answer

log = logging.getLogger("planqa.logstore")

RECENT_IDS = 100_000  # answers handed out lately, so feedback on them needs no database read


@dataclass(frozen=True)
class AskContext:
    """Who asked what, where: everything the log needs besides the answer."""

    surface: Surface
    question: str
    mode: str = "answer"
    session_id: str | None = None
    client: str | None = None  # the client's IP address; stored only as a salted hash


class FeedbackOutcome(Enum):
    SAVED = "saved"
    UNKNOWN_ANSWER = "unknown_answer"
    UNAVAILABLE = "unavailable"  # the database cannot say whether the answer exists


@dataclass(frozen=True)
class LogHealth:
    status: str  # "ok" | "degraded"
    detail: str | None
    queued: int
    dropped: int


def new_answer_id() -> str:
    return uuid.uuid4().hex


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ConversationLog:
    def __init__(
        self,
        store: LogStore,
        *,
        keep_questions: bool,
        salt: bytes,
        queue_size: int,
        retention_days: int,
        comment_chars: int = 1000,
    ):
        self.store = store
        self.comment_chars = comment_chars
        self.keep_questions = keep_questions
        self._salt = salt
        self.writer = BackgroundWriter(store, queue_size=queue_size, retention_days=retention_days)
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, answer: Answer, ctx: AskContext, *, answer_id: str | None = None) -> Answer:
        """`answer` with its `answer_id` (new, or one handed out before the answer was ready: an
        OpenAI stream names its id first); a masked copy is queued for the database."""
        answer_id = answer_id or new_answer_id()
        try:
            record = AnswerRecord(
                answer_id=answer_id,
                created_at=now_utc(),
                surface=ctx.surface,
                question=mask_personal_data(ctx.question) if self.keep_questions else None,
                question_chars=len(ctx.question),
                condensed_question=mask_personal_data(answer.condensed_question)
                if self.keep_questions and answer.condensed_question
                else None,
                answer=mask_personal_data(answer.answer) if self.keep_questions else None,
                mode=ctx.mode,
                refused=answer.refused,
                refusal_reason=answer.refusal_reason,
                citations=[
                    c.model_dump(include={"n", "chunk_id", "doc_id", "doc_title", "section", "column"})
                    for c in answer.citations
                ],
                backend=answer.backend[:120],
                latency_ms=round(answer.latency_ms, 1),
                session_id=(ctx.session_id or None) and ctx.session_id[:64],
                client_hash=hash_client(ctx.client, self._salt),
            )
            if self.writer.submit(record):
                with self._lock:
                    self._recent[answer_id] = None
                    if len(self._recent) > RECENT_IDS:
                        self._recent.popitem(last=False)
        except Exception:  # noqa: BLE001 - logging must never cost the user the answer
            log.exception("could not queue an answer for the conversation log")
        return answer.model_copy(update={"answer_id": answer_id})

    def feedback(self, answer_id: str, rating: Rating, comment: str | None) -> FeedbackOutcome:
        with self._lock:
            known = answer_id in self._recent
        if not known:
            try:
                self.store.migrate()  # a no-op once the writer has done it
                known = self.store.has_answer(answer_id)
            except Exception as exc:  # noqa: BLE001 - the database is down: say so, do not guess
                log.warning("feedback: cannot look up answer %s: %s", answer_id, type(exc).__name__)
                return FeedbackOutcome.UNAVAILABLE
        if not known:
            return FeedbackOutcome.UNKNOWN_ANSWER
        # PLANQA_LOG_QUESTIONS=0 keeps only counts: the rating, not what the person wrote
        keep = self.keep_questions and comment and comment.strip()
        comment = mask_personal_data(comment.strip()) if keep else None
        record = FeedbackRecord(answer_id=answer_id, created_at=now_utc(), rating=rating, comment=comment)
        return FeedbackOutcome.SAVED if self.writer.submit(record) else FeedbackOutcome.UNAVAILABLE

    def health(self) -> LogHealth:
        h = self.writer.health()
        return LogHealth("ok" if h.ok else "degraded", h.detail, h.queued, h.dropped)

    def flush(self, timeout: float = 10.0) -> bool:
        return self.writer.flush(timeout)

    def close(self) -> None:
        self.writer.close()


def open_conversation_log(settings) -> ConversationLog | None:
    """The log PLANQA_CONVERSATION_LOG asks for, or None. The database is opened (and migrated)
    by the writer thread, so a database that is down at start delays rows, not the server."""
    if not settings.conversation_log:
        return None
    store = LogStore(settings.log_db_url)
    return ConversationLog(
        store,
        keep_questions=settings.log_questions,
        salt=load_salt(settings.log_ip_salt, settings.data_dir / "ip-salt"),
        queue_size=settings.log_queue_size,
        retention_days=settings.log_retention_days,
        comment_chars=settings.feedback_comment_chars,
    )
