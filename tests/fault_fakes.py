"""Helpers for the fault tests: a misbehaving OpenAI-compatible endpoint on loopback, an embedder that
runs out of disk, and a served runtime over a private copy of a hash-embedded index.

Everything is local: the stub endpoint is `http.server` in a thread on 127.0.0.1, and the indexes
use the `hash` embedder, so no model is loaded and nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from assistant.runtime import Runtime
from assistant.settings import Settings, load_settings
from retrieval.embeddings import HashEmbedder

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# What a broken endpoint may answer: (HTTP status, content type, body).
GARBAGE = {
    "not json": (200, "application/json", b"this is not json"),
    "html error page": (200, "text/html", b"<html><body>502 Bad Gateway</body></html>"),
    "json, not openai": (200, "application/json", json.dumps({"hello": "world"}).encode()),
    "no choices": (
        200,
        "application/json",
        json.dumps(
            {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}
        ).encode(),
    ),
    "http 500": (500, "application/json", json.dumps({"error": {"message": "overloaded"}}).encode()),
}


@contextlib.contextmanager
def stub_llm(*, sleep: float = 0.0, reply: tuple[int, str, bytes] | None = None) -> Iterator[str]:
    """An OpenAI-compatible endpoint that sleeps `sleep` seconds, then sends `reply`; yields its /v1 URL."""
    status, content_type, body = reply or GARBAGE["not json"]
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            self.rfile.read(int(self.headers.get("content-length") or 0))
            if sleep and stop.wait(sleep):  # the test is over: drop the connection
                return
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


class DiskFullEmbedder(HashEmbedder):
    """The `hash` embedder; once `armed`, the batch after `fail_after` batches raises ENOSPC."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.fail_after = 3
        self.batches = 0

    def _embed(self, texts, *, query):
        if self.armed and not query:
            self.batches += 1
            if self.batches > self.fail_after:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super()._embed(texts, query=query)


def fault_settings(index_dir: Path, corpus_dir: Path = CORPUS, **overrides) -> Settings:
    """Offline settings pinned for the tests (the shell's PLANQA_* variables must not leak in)."""
    values = dict(
        corpus_dir=corpus_dir,
        index_dir=index_dir,
        embeddings="hash",
        llm="extractive",
        chroma_url=None,
        host="127.0.0.1",
        api_keys=[],
        widget_keys=[],
        cors_origins=[],
        rate_limit_per_minute=0,
        data_dir=index_dir.parent / "data",  # the conversation log, on as shipped, in the test's folder
    )
    return load_settings(**(values | overrides))


def build_hash_index(index_dir: Path, corpus_dir: Path = CORPUS) -> Path:
    Runtime(fault_settings(index_dir, corpus_dir)).ingest()
    return index_dir


def copy_index(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def copy_corpus(target: Path) -> Path:
    """A writable copy of the corpus (the originals are read-only)."""
    target.mkdir(parents=True)
    for path in CORPUS.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def corrupt_files(folder: Path) -> int:
    """Overwrite the start of every file under `folder` with junk, as a bad disk or a stray `dd` would."""
    count = 0
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "r+b") as handle:
                handle.write(os.urandom(min(path.stat().st_size, 4096)))
            count += 1
    return count


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
