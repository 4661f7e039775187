"""The index folder: immutable builds and an atomically replaced pointer to the current one.

    index_dir/
      current.json            {"build": "<id>"}, replaced with os.replace: readers see old or new
      builds/<id>/
        chroma/               the Chroma folder (local mode; on a server: collection planqa-<id>)
        keyword.json          BM25 postings
        chunks.json           the chunks, in keyword-index order
        grams.json            passages per character n-gram (retrieval.grams; optional)
        vectors.npy           the vectors in chunk order, for exact search in a filter (optional)
        corpus.folded-1.txt   the chunks' text folded, for the typo check (retrieval.thesaurus; optional)
        corpus.names-1.json   which thesaurus names that text holds (optional)
        table-names-4.json    table rows' names no running text holds (assistant.table_handler; optional)
        build.json            written last: the ready marker (spec, dimension, hashes, ...)
      ingest.lock             one ingest at a time (flock, released if the process dies)

A build is never changed after `build.json` is written; a failed ingest leaves a folder without
one, which the next successful ingest deletes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from retrieval.errors import IndexUnavailable, PlanqaError

BUILD_FORMAT = 1
MISSING_MESSAGE = "索引不存在：请先运行 planqa ingest"


@dataclass
class BuildInfo:
    """What `build.json` records about one build."""

    build: str
    embedding_spec: str
    embedding_dim: int
    collection: str
    chroma_url: str | None
    tokenizer: str
    digest: str  # of everything the build was made from; equal digests mean nothing changed
    hashes: dict[str, str] = field(default_factory=dict)  # chunk_id -> content hash of search_text
    documents: list[str] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    format: int = BUILD_FORMAT


def builds_dir(index_dir: Path) -> Path:
    return Path(index_dir) / "builds"


def new_build_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def write_json(path: Path, data) -> None:
    """Write JSON through a temporary file and os.replace, so readers never see half a file."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_build_info(build_dir: Path, info: BuildInfo) -> None:
    write_json(build_dir / "build.json", asdict(info))


def read_build_info(build_dir: Path) -> BuildInfo | None:
    try:
        data = json.loads((build_dir / "build.json").read_text(encoding="utf-8"))
        if data.get("format") != BUILD_FORMAT:
            return None
        return BuildInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def current_build_id(index_dir: Path) -> str | None:
    try:
        return json.loads((Path(index_dir) / "current.json").read_text(encoding="utf-8"))["build"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def current_build(index_dir: Path) -> tuple[Path, BuildInfo] | None:
    """The build `current.json` points to, if it exists and is complete."""
    build_id = current_build_id(index_dir)
    if build_id is None:
        return None
    build_dir = builds_dir(index_dir) / build_id
    info = read_build_info(build_dir)
    return (build_dir, info) if info is not None else None


def require_current_build(index_dir: Path) -> tuple[Path, BuildInfo]:
    found = current_build(index_dir)
    if found is None:
        if current_build_id(index_dir) is not None:
            raise IndexUnavailable("索引不完整或已损坏：请运行 planqa ingest --rebuild")
        raise IndexUnavailable(MISSING_MESSAGE)
    return found


def switch_current(index_dir: Path, build_id: str) -> None:
    """Point readers at another build: one atomic rename."""
    write_json(Path(index_dir) / "current.json", {"build": build_id})


def stale_builds(index_dir: Path, keep: set[str]) -> list[Path]:
    """Build folders other than those to keep (failed builds included)."""
    root = builds_dir(index_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name not in keep)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's ingest lock; a second ingest fails at once with a clear message."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(index_dir) / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PlanqaError(f"另一个 planqa ingest 正在写入 {index_dir}：请等它结束后再运行") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = [
    "BuildInfo",
    "builds_dir",
    "new_build_id",
    "write_json",
    "write_build_info",
    "read_build_info",
    "current_build_id",
    "current_build",
    "require_current_build",
    "switch_current",
    "stale_builds",
    "remove_tree",
    "ingest_lock",
    "MISSING_MESSAGE",
]
