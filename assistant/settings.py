"""The one place that reads the environment (`PLANQA_*` variables).

Everything else receives these values as plain arguments. Unsafe or incomplete settings fail at
start-up with a message naming the variable to fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAX_AUTO_WORKERS = 2  # each worker holds its own model and index: more is a deliberate choice


def usable_cpus() -> int:
    """The CPU cores this process may run on (its affinity mask, as `nproc` counts them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    # corpus and index
    corpus_dir: Path = Field(
        PROJECT_ROOT / "corpus", description="Folder with manifest.json and the plan texts."
    )
    index_dir: Path = Field(PROJECT_ROOT / ".index", description="Where the Chroma and BM25 indexes live.")
    chunk_tokens: int = Field(350, description="Token budget of a chunk (tiktoken cl100k_base).")
    max_upload_mb: int = Field(
        50, description="Largest plan file `planqa add` and the admin page accept, in MB."
    )

    # retrieval
    embeddings: str = Field("e5-small", description="Embedding spec: e5-small | openai:<model> | hash.")
    embeddings_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible /v1/embeddings server."
    )
    embeddings_api_key: str | None = Field(None, description="API key for the embeddings server.")
    chroma_url: str | None = Field(
        None, description="Use a Chroma server (http://host:port) instead of the local index."
    )
    # measured on the evaluation set: the 4-bit e5-small ranking is much weaker than BM25 here
    # (hit@1 0.62 vs 0.93), so it breaks ties rather than competing as an equal
    dense_weight: float = Field(0.15, description="Weight of the dense ranking in reciprocal rank fusion.")
    keyword_weight: float = Field(1.0, description="Weight of the BM25 ranking in reciprocal rank fusion.")
    top_k: int = Field(6, description="Passages retrieved for an answer.")
    # The query embedding was most of an answer's CPU, and the dense ranking only swaps near BM25
    # places. On the evaluation set (204 answerable questions) it moved the expected section for 5;
    # the 4 it helped had a lead of 0.17-0.31, the one it hurt 0.66. At 0.35 retrieval scores as
    # well as with both rankings always, and an answer embeds 0.3 queries instead of 1.1.
    dense_skip_lead: float = Field(
        0.35,
        description="Rank by BM25 alone, without embedding the query, when its best score leads its 5th-best by at least this share of itself; 1 always runs both rankings.",
    )

    # answering
    llm: str = Field("extractive", description="Answer backend: extractive | openai:<model>.")
    llm_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible chat endpoint.")
    llm_api_key: str | None = Field(None, description="API key for the chat endpoint.")
    llm_timeout: float = Field(
        20.0, description="Seconds before the LLM call gives up and the extractive answer is used."
    )
    # a small model reads ~58 tokens/s on 2 cores: three excerpts and the rules (~600 tokens) take 10 s
    llm_passages: int = Field(3, description="Passages (the best-ranked, numbered) the model is shown.")
    llm_max_tokens: int = Field(256, description="Most tokens the model may write for one answer.")
    llm_prompt: str = Field(
        "answer.v2",
        description="Prompt template in prompts/ for answers (recorded in each answer as prompt_version).",
    )
    llm_cache: Path | None = Field(
        None,
        description="Where `make llm-local` keeps the local model, outside the repository (unset: $XDG_CACHE_HOME/planqa/llm or ~/.cache/planqa/llm).",
    )
    max_question_chars: int = Field(2000, description="Longest question accepted.")
    answer_cache: int = Field(
        2048, description="Answers kept per index build for repeated questions; 0 turns the cache off."
    )

    # serving
    host: str = Field("127.0.0.1", description="Address `planqa serve` binds to.")
    port: int = Field(8000, description="Port `planqa serve` listens on.")
    workers: int = Field(
        0,
        description="Processes in which `planqa serve` composes extractive answers, each with its own model and index (about 250 MB); 0: one per CPU core, at most 2; 1: answer in the server process.",
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated bearer keys; when set /api and /v1 require one."
    )
    admin_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated keys for the document admin page and /api/admin (add, delete, rebuild); unset: administration is off.",
    )
    widget_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated keys the portal widget may use (only from allowed origins).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins allowed by CORS."
    )
    rate_limit_per_minute: int = Field(
        120, description="Requests a minute per key and per IP; 0 turns the limit off."
    )
    max_body_bytes: int = Field(64_000, description="Largest request body accepted.")
    body_timeout: float = Field(
        15.0, description="Seconds a client may take to send a request body; slower ones get 408."
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        le=120,
        description="Seconds a client may take to send a request's line and headers (from connecting, or from the previous response); slower ones get 408 and are disconnected.",
    )
    login_failures_per_minute: int = Field(
        5, ge=1, description="Failed chat-page logins a minute per IP before further attempts get 429."
    )
    ui_events_per_minute: int = Field(
        240,
        ge=0,
        description="Chat-page events a minute per IP and per browser session that are not answers (page load, opening a passage, clearing); answers count against PLANQA_RATE_LIMIT_PER_MINUTE like API requests; 0 turns the limit off.",
    )
    long_question_chars: int = Field(
        250,
        ge=50,
        description="A question or search counts once against the rate limit per this many characters it has (history included): a long question costs more to answer.",
    )

    access_log_questions: bool = Field(
        False,
        description="Write question text (unmasked) into the access log (the conversation log's text is PLANQA_LOG_QUESTIONS).",
    )

    # conversation log (assistant.logstore)
    conversation_log: bool = Field(
        True,
        description="Keep a log of answers and their feedback in PLANQA_DB_URL; false: no log, no feedback buttons.",
    )
    db_url: str | None = Field(
        None,
        description="Database of the conversation log: sqlite:///path or postgresql://user:pass@host/db; unset: SQLite in PLANQA_DATA_DIR.",
    )
    data_dir: Path = Field(
        PROJECT_ROOT / ".data",
        description="Folder of the default SQLite conversation log and the salt of client-IP hashes.",
    )
    log_questions: bool = Field(
        True,
        description="Store the text of questions (also a follow-up's standalone form), answers and feedback comments in the conversation log, masked (phone, ID-card, e-mail); false keeps only counts.",
    )
    log_retention_days: int = Field(
        180,
        description="Answers and feedback older than this many days are purged from the conversation log.",
    )
    log_ip_salt: str | None = Field(
        None,
        description="Salt of the client-IP hashes in the conversation log; unset: a random salt kept in PLANQA_DATA_DIR/ip-salt.",
    )
    # a minute of answers at the measured peak (~45/s) with room to spare; beyond it rows are dropped
    log_queue_size: int = Field(
        5000,
        description="Log rows waiting for the database; when it is slow or down and the queue is full, new rows are dropped (with a warning).",
    )
    feedback_comment_chars: int = Field(1000, description="Longest feedback comment accepted.")

    @field_validator("api_keys", "admin_keys", "widget_keys", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value):
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("chunk_tokens")
    @classmethod
    def _sane_budget(cls, value: int) -> int:
        if not 50 <= value <= 2000:
            raise ValueError("PLANQA_CHUNK_TOKENS must be between 50 and 2000")
        return value

    @field_validator("max_upload_mb")
    @classmethod
    def _sane_upload(cls, value: int) -> int:
        if not 1 <= value <= 1024:
            raise ValueError("must be between 1 and 1024 (MB)")
        return value

    @field_validator("dense_skip_lead")
    @classmethod
    def _a_share(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError("must be a share between 0 and 1 (1 always embeds the query)")
        return value

    @field_validator("log_retention_days", "log_queue_size", "feedback_comment_chars")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @field_validator("db_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(
                "must start with sqlite:/// or postgresql:// (e.g. postgresql://planqa:secret@127.0.0.1/planqa)"
            )
        return value

    @property
    def log_db_url(self) -> str:
        """PLANQA_DB_URL, or SQLite in PLANQA_DATA_DIR."""
        return self.db_url or f"sqlite:///{self.data_dir / 'planqa.sqlite3'}"

    @field_validator("llm_passages")
    @classmethod
    def _sane_passages(cls, value: int) -> int:
        if not 1 <= value <= 10:
            raise ValueError("must be between 1 and 10 (each passage is a few hundred tokens of prompt)")
        return value

    @field_validator("llm_max_tokens")
    @classmethod
    def _sane_max_tokens(cls, value: int) -> int:
        if not 16 <= value <= 4096:
            raise ValueError("must be between 16 and 4096")
        return value

    @field_validator("workers")
    @classmethod
    def _sane_workers(cls, value: int) -> int:
        if not 0 <= value <= 64:
            raise ValueError("must be between 0 (one per CPU core, at most 2) and 64")
        return value

    @property
    def llm_cache_dir(self) -> Path:
        """PLANQA_LLM_CACHE, or the user's cache folder."""
        return self.llm_cache or _user_cache() / "planqa" / "llm"

    @property
    def serve_workers(self) -> int:
        """The answer worker processes `planqa serve` starts (assistant.workers): PLANQA_WORKERS,
        or for 0 one per core up to MAX_AUTO_WORKERS (an answer's Python work holds one core: the GIL)."""
        return self.workers or max(1, min(MAX_AUTO_WORKERS, usable_cpus()))

    @model_validator(mode="after")
    def _complete(self) -> Settings:
        # PLANQA_LLM=openai:… without a usable PLANQA_LLM_BASE_URL is not refused here: the service
        # starts, says what to set and answers extractively (assistant.backends.make_backend)
        if self.embeddings.startswith("openai:") and not self.embeddings_base_url:
            raise ValueError(f"PLANQA_EMBEDDINGS={self.embeddings} needs PLANQA_EMBEDDINGS_BASE_URL")
        if self.widget_keys and not self.cors_origins:
            raise ValueError(
                "PLANQA_WIDGET_KEYS needs PLANQA_CORS_ORIGINS: a widget key works only from allowed origins"
            )
        if self.host not in ("127.0.0.1", "localhost", "::1") and not self.api_keys:
            raise ValueError(
                f"PLANQA_HOST={self.host} exposes the API beyond this machine: set PLANQA_API_KEYS"
            )
        return self


def load_settings(**overrides) -> Settings:
    """Read the environment; raise ConfigError with a one-line message naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            name = f"PLANQA_{loc.upper()}: " if loc else ""
            problems.append(f"{name}{err['msg'].removeprefix('Value error, ')}")
        raise ConfigError("; ".join(problems)) from None
