"""The dense index on a real Chroma server (`chroma run`), started and stopped by the test."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from retrieval.builds import current_build_id
from retrieval.dense import chroma_client
from retrieval.embeddings import HashEmbedder
from retrieval.errors import IndexUnavailable
from retrieval.index import ingest, open_index
from tests.retrieval_fixtures import TEXTS, CountingEmbedder, make_chunks

pytestmark = pytest.mark.slow

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    binary = CHROMA if CHROMA.exists() else shutil.which("chroma")
    if not binary:
        pytest.skip("the `chroma` CLI is not installed next to this Python (pip install chromadb)")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "w")
    server = subprocess.Popen(
        [str(binary), "run", "--path", str(data / "db"), "--port", str(port), "--host", "127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start: {(data / 'server.log').read_text()[-2000:]}")
            time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_ingest_and_search_on_a_server(tmp_path, chroma_url):
    index_dir = tmp_path / "index"
    report = ingest(make_chunks(), index_dir, HashEmbedder(), progress=False, chroma_url=chroma_url)
    assert report.added == 12
    assert not (index_dir / "builds" / report.build / "chroma").exists()  # vectors live on the server
    retriever = open_index(index_dir, HashEmbedder(), chroma_url=chroma_url)
    assert retriever.search("揭榜挂帅", k=1)[0].chunk.chunk_id == "sheng:1"
    hits = retriever.with_mode("dense_only").search("紫琅", k=5, doc_ids=["nantong"], columns_only=True)
    assert hits and all(h.chunk.doc_id == "nantong" and h.chunk.column for h in hits)

    with pytest.raises(IndexUnavailable, match="--rebuild"):
        open_index(index_dir, HashEmbedder())  # built on the server, opened as local

    # incremental: one changed chunk is embedded; collections of older builds are dropped
    first = current_build_id(index_dir)
    for i in range(2):
        texts = {doc: list(items) for doc, items in TEXTS.items()}
        texts["sunan"][0] = ("一、总体要求", None, f"研发投入强度达到3.{5 + i}%。")
        embedder = CountingEmbedder()
        report = ingest(make_chunks(texts), index_dir, embedder, progress=False, chroma_url=chroma_url)
        assert embedder.embedded == 1 and report.unchanged == 11
    names = {c.name for c in chroma_client(url=chroma_url).list_collections()}
    assert f"planqa-{first}" not in names and f"planqa-{current_build_id(index_dir)}" in names
    assert len([n for n in names if n.startswith("planqa-")]) == 2
    retriever = open_index(index_dir, HashEmbedder(), chroma_url=chroma_url)
    assert "3.6%" in retriever.search("苏南研发投入强度", k=1, doc_ids=["sunan"])[0].chunk.text


def test_failed_ingest_drops_its_server_collection(tmp_path, chroma_url, monkeypatch):
    index_dir = tmp_path / "index"
    ingest(make_chunks(), index_dir, HashEmbedder(), progress=False, chroma_url=chroma_url)
    before = {c.name for c in chroma_client(url=chroma_url).list_collections()}

    def crash(*args, **kwargs):  # after the new collection was filled
        raise RuntimeError("disk full")

    monkeypatch.setattr("retrieval.index.KeywordIndex.build", crash)
    texts = {doc: [(s, c, t + "（修订）") for s, c, t in items] for doc, items in TEXTS.items()}
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(make_chunks(texts), index_dir, HashEmbedder(), progress=False, chroma_url=chroma_url)
    monkeypatch.undo()
    assert {c.name for c in chroma_client(url=chroma_url).list_collections()} == before
    assert open_index(index_dir, HashEmbedder(), chroma_url=chroma_url).search("小升高", k=1)


def test_unreachable_server_says_so(tmp_path):
    with pytest.raises(IndexUnavailable, match="Chroma"):
        ingest(
            make_chunks(),
            tmp_path / "index",
            HashEmbedder(),
            progress=False,
            chroma_url=f"http://127.0.0.1:{_free_port()}",
        )
