"""The conversation log: answers, their feedback, and the report of what the plans could not answer.

    ConversationLog      what the surfaces call (record an answer, take feedback); never blocks
      └ BackgroundWriter a thread and a bounded queue between requests and the database
          └ LogStore     SQLAlchemy Core over SQLite (WAL) or PostgreSQL; versioned schema

Privacy: questions are masked (`mask_personal_data`) before they are queued, client addresses
are kept only as a salted hash, PLANQA_LOG_QUESTIONS=0 keeps no text at all.
"""

from assistant.logstore.privacy import hash_client, mask_personal_data
from assistant.logstore.recorder import (
    AskContext,
    ConversationLog,
    FeedbackOutcome,
    LogHealth,
    open_conversation_log,
)
from assistant.logstore.records import AnswerRecord, FeedbackRecord, Rating, Surface
from assistant.logstore.store import LogStore

__all__ = [
    "AnswerRecord",
    "AskContext",
    "ConversationLog",
    "FeedbackOutcome",
    "FeedbackRecord",
    "LogHealth",
    "LogStore",
    "Rating",
    "Surface",
    "hash_client",
    "mask_personal_data",
    "open_conversation_log",
]
