"""The one place that reads the environment (`PLANQA_*` variables).

Everything else receives these values as plain arguments. Unsafe or incomplete settings fail at
start-up with a message naming the variable to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    # corpus and index
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder with manifest.json and the plan texts.")
    index_dir: Path = Field(PROJECT_ROOT / ".index", description="Where the Chroma and BM25 indexes live.")
    chunk_tokens: int = Field(350, description="Token budget of a chunk (tiktoken cl100k_base).")

    # retrieval
    embeddings: str = Field("e5-small", description="Embedding spec: e5-small | openai:<model> | hash.")
    embeddings_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible /v1/embeddings server.")
    embeddings_api_key: str | None = Field(None, description="API key for the embeddings server.")
    chroma_url: str | None = Field(None, description="Use a Chroma server (http://host:port) instead of the local index.")
    # measured on the evaluation set: the 4-bit e5-small ranking is much weaker than BM25 here
    # (hit@1 0.62 vs 0.93), so it breaks ties rather than competing as an equal
    dense_weight: float = Field(0.15, description="Weight of the dense ranking in reciprocal rank fusion.")
    keyword_weight: float = Field(1.0, description="Weight of the BM25 ranking in reciprocal rank fusion.")
    top_k: int = Field(6, description="Passages retrieved for an answer.")

    # answering
    llm: str = Field("extractive", description="Answer backend: extractive | openai:<model>.")
    llm_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible chat endpoint.")
    llm_api_key: str | None = Field(None, description="API key for the chat endpoint.")
    llm_timeout: float = Field(20.0, description="Seconds before the LLM call gives up and the extractive answer is used.")
    max_question_chars: int = Field(2000, description="Longest question accepted.")
    answer_cache: int = Field(2048, description="Answers kept per index build for repeated questions; 0 turns the cache off.")

    # serving
    host: str = Field("127.0.0.1", description="Address `planqa serve` binds to.")
    port: int = Field(8000, description="Port `planqa serve` listens on.")
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Comma-separated bearer keys; when set /api and /v1 require one.")
    widget_keys: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Comma-separated keys the portal widget may use (only from allowed origins).")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Comma-separated origins allowed by CORS.")
    rate_limit_per_minute: int = Field(120, description="Requests a minute per key and per IP; 0 turns the limit off.")
    max_body_bytes: int = Field(64_000, description="Largest request body accepted.")
    body_timeout: float = Field(15.0, description="Seconds a client may take to send a request body; slower ones get 408.")
    log_questions: bool = Field(False, description="Write question text into the access log.")

    @field_validator("api_keys", "widget_keys", "cors_origins", mode="before")
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

    @model_validator(mode="after")
    def _complete(self) -> Settings:
        if self.llm.startswith("openai:") and not self.llm_base_url:
            raise ValueError(f"PLANQA_LLM={self.llm} needs PLANQA_LLM_BASE_URL (an OpenAI-compatible endpoint, e.g. http://localhost:8001/v1)")
        if self.embeddings.startswith("openai:") and not self.embeddings_base_url:
            raise ValueError(f"PLANQA_EMBEDDINGS={self.embeddings} needs PLANQA_EMBEDDINGS_BASE_URL")
        if self.widget_keys and not self.cors_origins:
            raise ValueError("PLANQA_WIDGET_KEYS needs PLANQA_CORS_ORIGINS: a widget key works only from allowed origins")
        if self.host not in ("127.0.0.1", "localhost", "::1") and not self.api_keys:
            raise ValueError(f"PLANQA_HOST={self.host} exposes the API beyond this machine: set PLANQA_API_KEYS")
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
