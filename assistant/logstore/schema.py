"""The conversation log's tables and their ordered migrations.

The version lives in `planqa_schema` (one row). On start `migrate(engine)` applies, each in its
own transaction, every migration after the stored version; a database written by a newer planqa
is refused rather than guessed at. Add a migration by appending a function to MIGRATIONS, never
by editing one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)

metadata = MetaData()

schema_version = Table("planqa_schema", metadata, Column("version", Integer, nullable=False))

answers = Table(
    "answers",
    metadata,
    Column("answer_id", String(32), primary_key=True),
    Column("created_at", DateTime, nullable=False),  # UTC, naive: the same on SQLite and PostgreSQL
    Column("surface", String(16), nullable=False),
    Column("session_id", String(64)),
    Column("question", Text),  # masked; NULL when PLANQA_LOG_QUESTIONS=0
    # a follow-up as the standalone question it was read as ('那苏州呢？' with its history), masked;
    # NULL for a question that stood alone, and with the question
    Column("condensed_question", Text),
    Column("question_chars", Integer, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("answer", Text),  # masked like the question (a draft reply quotes it); NULL with it
    Column("refused", Boolean, nullable=False),
    Column("refusal_reason", Text),
    Column("citations", JSON, nullable=False),  # [{n, chunk_id, doc_id, doc_title, section, column}]
    Column("backend", String(120), nullable=False),
    Column("latency_ms", Float, nullable=False),
    Column("client_hash", String(32)),
    Index("ix_answers_created_at", "created_at"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("answer_id", String(32), ForeignKey("answers.answer_id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("rating", String(4), nullable=False),  # "up" | "down"
    Column("comment", Text),
    Index("ix_feedback_rating", "rating"),
)


def _v1_answers_and_feedback(conn: Connection) -> None:
    answers.create(conn)
    feedback.create(conn)


MIGRATIONS: list[Callable[[Connection], None]] = [_v1_answers_and_feedback]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    pass


def stored_version(conn: Connection) -> int:
    schema_version.create(conn, checkfirst=True)
    return conn.execute(select(schema_version.c.version)).scalar() or 0


def migrate(engine: Engine) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version it was at."""
    with engine.begin() as conn:
        before = stored_version(conn)
    if before > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the conversation log is at schema {before}; this planqa knows {SCHEMA_VERSION}: upgrade planqa"
        )
    for version in range(before + 1, SCHEMA_VERSION + 1):
        with engine.begin() as conn:
            MIGRATIONS[version - 1](conn)
            conn.execute(schema_version.delete())
            conn.execute(schema_version.insert().values(version=version))
    return before
