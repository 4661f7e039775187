"""The dense index: a Chroma collection of chunk vectors, local (a folder) or on a Chroma server.

Vectors are always computed by our own `Embedder` and passed explicitly: collections are created
and opened with `embedding_function=None`, so Chroma never loads (or downloads) its default model.
The collection's metadata records the embedding spec and dimension; opening it with another
embedder raises IndexUnavailable telling the user to rebuild. Chunk fields are stored as metadata
(scalars; lists and tables as JSON) so the collection is usable on its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import chromadb
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.config import Settings

from retrieval.errors import ConfigError, IndexUnavailable
from retrieval.models import Chunk, Table

REBUILD_HINT = "请运行 planqa ingest --rebuild 重建索引"
_ADD_BATCH = 256


def chroma_client(path: Path | str | None = None, url: str | None = None) -> ClientAPI:
    """A persistent local client at `path`, or an HTTP client for a Chroma server at `url`."""
    settings = Settings(anonymized_telemetry=False)
    if url:
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ConfigError(f"PLANQA_CHROMA_URL={url} is not an http(s)://host:port URL")
        port = parsed.port or (443 if parsed.scheme == "https" else 8000)
        try:
            return chromadb.HttpClient(
                host=parsed.host, port=port, ssl=parsed.scheme == "https", settings=settings
            )
        except Exception as exc:  # chromadb raises plain ValueError/ConnectError variants
            raise IndexUnavailable(
                f"无法连接 Chroma 服务 {url}：{exc}；请检查 PLANQA_CHROMA_URL 或启动服务"
            ) from None
    if path is None:
        raise ValueError("a path or a url is needed")
    return chromadb.PersistentClient(path=str(path), settings=settings)


def chunk_metadata(chunk: Chunk, content_hash: str = "") -> dict:
    """Chunk fields as Chroma metadata: scalars only, lists and the table JSON-encoded."""
    return {
        "doc_id": chunk.doc_id,
        "doc_title": chunk.doc_title,
        "section_path": json.dumps(chunk.section_path, ensure_ascii=False),
        "section": chunk.section,
        "column": chunk.column or "",
        "has_column": chunk.column is not None,
        "kind": chunk.kind,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "ordinal": chunk.ordinal,
        "level": chunk.level,
        "region": chunk.region,
        "table": chunk.table.model_dump_json() if chunk.table is not None else "",
        "truncated": chunk.truncated,
        "content_hash": content_hash,
    }


def chunk_from_metadata(chunk_id: str, metadata: dict, text: str) -> Chunk:
    """The inverse of `chunk_metadata` (with the stored document text)."""
    return Chunk(
        chunk_id=chunk_id,
        doc_id=metadata["doc_id"],
        doc_title=metadata["doc_title"],
        section_path=json.loads(metadata["section_path"]),
        section=metadata["section"],
        column=metadata["column"] or None,
        kind=metadata["kind"],
        text=text,
        char_start=metadata["char_start"],
        char_end=metadata["char_end"],
        ordinal=metadata["ordinal"],
        level=metadata["level"],
        region=metadata["region"],
        table=Table.model_validate_json(metadata["table"]) if metadata["table"] else None,
        truncated=metadata["truncated"],
    )


def where_filter(
    doc_ids: Sequence[str] | None = None,
    level: str | None = None,
    region: str | None = None,
    kinds: Sequence[str] | None = None,
    columns_only: bool = False,
) -> dict | None:
    """A Chroma `where` clause for the search filters (None when there is nothing to filter)."""
    clauses: list[dict] = []
    if doc_ids:
        clauses.append({"doc_id": {"$in": list(doc_ids)}})
    if level:
        clauses.append({"level": level})
    if region:
        clauses.append({"region": region})
    if kinds:
        clauses.append({"kind": {"$in": list(kinds)}})
    if columns_only:
        clauses.append({"has_column": True})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def check_embedder(built_spec: str, built_dim: int, spec: str, dim: int | None) -> None:
    """Raise IndexUnavailable (run ingest --rebuild) unless spec and dimension match the build's."""
    if built_spec != spec or (dim is not None and built_dim != dim):
        raise IndexUnavailable(
            f"索引由嵌入模型 {built_spec or '?'}（{built_dim} 维）构建，当前为 {spec}"
            f"（{dim if dim is not None else '?'} 维）：{REBUILD_HINT}"
        )


class DenseIndex:
    """A Chroma collection with cosine distance whose metadata names the embedder that filled it."""

    def __init__(self, collection) -> None:
        self.collection = collection
        metadata = collection.metadata or {}
        self.spec: str = metadata.get("embedding_spec", "")
        self.dim: int = int(metadata.get("embedding_dim", 0))

    @classmethod
    def create(cls, client: ClientAPI, name: str, spec: str, dim: int) -> DenseIndex:
        collection = client.create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_spec": spec, "embedding_dim": dim},
            embedding_function=None,
        )
        return cls(collection)

    @classmethod
    def open(cls, client: ClientAPI, name: str) -> DenseIndex:
        try:
            collection = client.get_collection(name, embedding_function=None)
        except Exception:  # NotFoundError / ValueError depending on client kind
            raise IndexUnavailable(f"向量索引 {name} 不存在：{REBUILD_HINT}") from None
        return cls(collection)

    def check(self, spec: str, dim: int | None) -> None:
        """Refuse an embedder other than the one the index was built with."""
        check_embedder(self.spec, self.dim, spec, dim)

    def count(self) -> int:
        return self.collection.count()

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, hashes: Sequence[str]) -> None:
        for start in range(0, len(chunks), _ADD_BATCH):
            part = chunks[start : start + _ADD_BATCH]
            self.collection.add(
                ids=[c.chunk_id for c in part],
                embeddings=np.asarray(vectors[start : start + _ADD_BATCH], dtype=np.float32),
                metadatas=[
                    chunk_metadata(c, h)
                    for c, h in zip(part, hashes[start : start + _ADD_BATCH], strict=True)
                ],
                documents=[c.text for c in part],
            )

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (ids that are missing are left out)."""
        if not ids:
            return {}
        found = self.collection.get(ids=list(ids), include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32) for i, v in zip(found["ids"], found["embeddings"], strict=True)
        }

    def search(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """The k nearest (id, cosine similarity) pairs, best first."""
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where,
            include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]


__all__ = [
    "DenseIndex",
    "check_embedder",
    "chroma_client",
    "chunk_metadata",
    "chunk_from_metadata",
    "where_filter",
    "REBUILD_HINT",
]
