"""`LogStore`: the conversation log in SQLite (WAL) or PostgreSQL, through SQLAlchemy Core.

Every method opens and closes its own transaction and raises SQLAlchemy's errors as they come:
the background writer (assistant.logstore.writer) decides what a failure means for a request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, create_engine, delete, event, func, insert, select, text
from sqlalchemy.engine import Engine, make_url

from assistant.logstore.records import AnswerRecord, FeedbackRecord
from assistant.logstore.schema import answers, feedback, migrate

CONNECT_TIMEOUT_S = 3  # a database that does not answer within this is "down", not "slow"
SQLITE_BUSY_MS = 5000


def make_engine(url: str, *, busy_ms: int = SQLITE_BUSY_MS) -> Engine:
    """An engine for `url` (postgresql:// goes through psycopg 3); a SQLite file's folder is
    created and the file runs in WAL mode."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_ms / 1000, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers (the report) never block the writer
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=2,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )


class LogStore:
    def __init__(self, url: str, *, busy_ms: int = SQLITE_BUSY_MS):
        self.url = url
        self.engine = make_engine(url, busy_ms=busy_ms)
        self.ready = False
        self._migrate_lock = threading.Lock()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Create or upgrade the schema (idempotent; the writer thread and a request may both ask)."""
        with self._migrate_lock:
            if not self.ready:
                migrate(self.engine)
                self.ready = True

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # ------------------------------------------------------------ writing

    def write(self, answer_rows: Iterable[AnswerRecord], feedback_rows: Iterable[FeedbackRecord]) -> None:
        """Insert answers, then replace each answer's feedback (one rating per answer: the last
        click counts), in one transaction. Feedback for an answer not stored is skipped."""
        rows = [_answer_row(r) for r in answer_rows]
        latest: dict[str, FeedbackRecord] = {f.answer_id: f for f in feedback_rows}
        with self.engine.begin() as conn:
            if rows:
                conn.execute(insert(answers), rows)
            if latest:
                known = set(
                    conn.execute(
                        select(answers.c.answer_id).where(answers.c.answer_id.in_(list(latest)))
                    ).scalars()
                )
                kept = [f for f in latest.values() if f.answer_id in known]
                if kept:
                    conn.execute(
                        delete(feedback).where(feedback.c.answer_id.in_([f.answer_id for f in kept]))
                    )
                    conn.execute(insert(feedback), [_feedback_row(f) for f in kept])

    def has_answer(self, answer_id: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(select(answers.c.answer_id).where(answers.c.answer_id == answer_id)).first()
        return found is not None

    def purge(self, before: datetime) -> int:
        """Delete answers (and their feedback) created before `before`; returns how many answers."""
        old = select(answers.c.answer_id).where(answers.c.created_at < before)
        with self.engine.begin() as conn:
            conn.execute(delete(feedback).where(feedback.c.answer_id.in_(old)))
            return conn.execute(delete(answers).where(answers.c.created_at < before)).rowcount or 0

    # ------------------------------------------------------------ reading (the report)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(answers)).scalar_one()

    def answer(self, answer_id: str) -> dict | None:
        query = (
            select(answers, feedback.c.rating, feedback.c.comment)
            .select_from(answers.outerjoin(feedback))
            .where(answers.c.answer_id == answer_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def daily(self, since: datetime) -> list[dict]:
        """Per day and surface: answers and refusals."""
        day = func.date(answers.c.created_at)
        query = (
            select(
                day.label("day"),
                answers.c.surface,
                func.count().label("answers"),
                func.sum(case((answers.c.refused, 1), else_=0)).label("refused"),
            )
            .where(answers.c.created_at >= since)
            .group_by(day, answers.c.surface)
            .order_by(day, answers.c.surface)
        )
        with self.engine.connect() as conn:
            return [{**row, "day": str(row["day"])} for row in conn.execute(query).mappings()]

    def frequent_questions(self, since: datetime, limit: int) -> list[dict]:
        """The most asked (masked) questions, with how often each was refused."""
        query = (
            select(
                answers.c.question,
                func.count().label("times"),
                func.sum(case((answers.c.refused, 1), else_=0)).label("refused"),
                func.max(answers.c.answer_id).label("answer_id"),
            )
            .where(answers.c.created_at >= since, answers.c.question.is_not(None))
            .group_by(answers.c.question)
            .order_by(func.count().desc(), answers.c.question)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def refused_questions(self, since: datetime, limit: int) -> list[dict]:
        """The latest refused questions (text stored), newest first, with the standalone question
        a follow-up was read as."""
        query = (
            select(
                answers.c.answer_id,
                answers.c.question,
                answers.c.condensed_question,
                answers.c.refusal_reason,
                answers.c.created_at,
            )
            .where(answers.c.created_at >= since, answers.c.refused, answers.c.question.is_not(None))
            .order_by(answers.c.created_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def rated(self, since: datetime, rating: str, limit: int) -> list[dict]:
        """Answers rated `rating`, newest feedback first, with the answer's question and citations."""
        query = (
            select(
                answers.c.answer_id,
                answers.c.question,
                answers.c.condensed_question,
                answers.c.refused,
                answers.c.citations,
                answers.c.surface,
                feedback.c.rating,
                feedback.c.comment,
                feedback.c.created_at,
            )
            .select_from(feedback.join(answers))
            .where(feedback.c.created_at >= since, feedback.c.rating == rating)
            .order_by(feedback.c.created_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def ratings(self, since: datetime) -> dict[str, int]:
        query = (
            select(feedback.c.rating, func.count())
            .where(feedback.c.created_at >= since)
            .group_by(feedback.c.rating)
        )
        with self.engine.connect() as conn:
            return {rating: n for rating, n in conn.execute(query)}

    def close(self) -> None:
        self.engine.dispose()


def _answer_row(record: AnswerRecord) -> dict:
    row = asdict(record)
    row["surface"] = record.surface.value
    return row


def _feedback_row(record: FeedbackRecord) -> dict:
    row = asdict(record)
    row["rating"] = record.rating.value
    return row
