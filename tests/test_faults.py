"""Faults a deployment meets, provoked for real, and what a user sees.

* The LLM endpoint is down, slow or talks nonsense: the real langchain-openai client against a
  loopback stub; the answer falls back to the extractive one within PLANQA_LLM_TIMEOUT and
  `backend` says so.
* The index folder is deleted or corrupted while serving: /healthz says `degraded` (200, not 500),
  answers come from keyword search over the chunks in memory with `backend` ending in
  "(keyword-only: …)", and `planqa ingest --rebuild` brings hybrid answers back without a restart.
* The disk fills during an ingest: the ingest fails, the previous build stays current and answers.
* An ingest runs while questions are answered: no errors, and every answer cites one build only.

Indexes use the `hash` embedder (no model); each test works on its own copy.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import retrieval.index
from assistant.backends import make_backend
from assistant.citations import citations_are_verbatim
from assistant.extractive import ExtractiveAnswerer
from assistant.pipeline import AnswerPipeline
from assistant.runtime import Runtime
from retrieval.builds import builds_dir, current_build_id
from retrieval.embeddings import HashEmbedder
from tests.answer_fakes import corpus_parts, lexical_search
from tests.api_fakes import free_port, live_server
from tests.fault_fakes import (
    CORPUS,
    GARBAGE,
    DiskFullEmbedder,
    build_hash_index,
    copy_corpus,
    copy_index,
    corrupt_files,
    fault_settings,
    stub_llm,
    wait_for,
)
from ui.app import create_app

pytestmark = pytest.mark.slow  # loopback servers, indexes, timeouts: about 90 s in all

QUESTION = "到2025年江苏全社会研发投入占地区生产总值比重的目标是多少？"
QUESTIONS = [
    QUESTION,
    "南通市高新技术企业数量目标是多少？",
    "苏南自创区的卓越工程包括哪些内容",
    "什么是揭榜挂帅",
    "江苏省实验室建设",
    "科技金融 苏科贷",
]
LLM_TIMEOUT = 1.0
SLACK = 3.0  # seconds allowed beyond the LLM timeout for the extractive fallback on a busy machine


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # A proxy variable in the shell would route the loopback calls elsewhere.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


# -- the LLM endpoint --------------------------------------------------------------------------------


def llm_pipeline(base_url: str) -> AnswerPipeline:
    """The answer chain with the real OpenAI-compatible client, over the corpus (lexical search)."""
    _, catalog, weights, _, titles = corpus_parts()
    backend = make_backend(
        "openai:stub-model", ExtractiveAnswerer(catalog, weights), base_url=base_url, timeout=LLM_TIMEOUT
    )
    return AnswerPipeline(lexical_search, backend, weights, titles)


def assert_fallback(base_url: str, *, stream: bool) -> float:
    """Ask once; the answer must be the extractive one, flagged, with verbatim citations. Returns seconds."""
    pipe = llm_pipeline(base_url)
    started = time.perf_counter()
    answer = list(pipe.stream(QUESTION))[-1] if stream else pipe.invoke(QUESTION)
    elapsed = time.perf_counter() - started
    assert answer.backend.startswith("extractive (fallback: openai:stub-model"), answer.backend
    assert not answer.refused and "3.2%" in answer.answer
    assert citations_are_verbatim(answer, corpus_parts()[1])
    return elapsed


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_llm_endpoint_down_falls_back_at_once(stream):
    closed = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens: connection refused
    assert assert_fallback(closed, stream=stream) < SLACK


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_slow_llm_endpoint_falls_back_within_the_timeout(stream):
    with stub_llm(sleep=LLM_TIMEOUT + 5) as url:
        elapsed = assert_fallback(url, stream=stream)
    assert LLM_TIMEOUT * 0.9 <= elapsed < LLM_TIMEOUT + SLACK


@pytest.mark.parametrize("kind", list(GARBAGE))
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_garbage_from_the_llm_endpoint_falls_back(kind, stream):
    with stub_llm(reply=GARBAGE[kind]) as url:
        assert assert_fallback(url, stream=stream) < SLACK


# -- the index folder -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hash_index(tmp_path_factory) -> Path:
    return build_hash_index(tmp_path_factory.mktemp("hash-index") / "index")


@pytest.fixture
def served(tmp_path, hash_index) -> Runtime:
    """A loaded runtime over a private copy of the index."""
    return Runtime(fault_settings(copy_index(hash_index, tmp_path / "index"))).load()


def ask(client: httpx.Client, question: str = QUESTION) -> dict:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200, r.text
    return r.json()


def cited_chunks_exist(answer: dict, runtime: Runtime) -> bool:
    return all(
        (chunk := runtime.catalog.get(c["chunk_id"])) is not None and c["quote"] in chunk.text
        for c in answer["citations"]
    )


def planqa_cli(*args: str, settings) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANQA_")}
    env |= {"PLANQA_INDEX_DIR": str(settings.index_dir), "PLANQA_EMBEDDINGS": "hash"}
    return subprocess.run(
        [sys.executable, "-m", "planqa.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_index_deleted_while_serving_degrades_and_ingest_rebuild_recovers(served):
    settings = served.settings
    with live_server(create_app(settings, served)) as url, httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        assert ask(client)["backend"] == "extractive"

        shutil.rmtree(settings.index_dir)

        health = client.get("/healthz")
        assert health.status_code == 200, "the service still answers, so it stays in rotation"
        assert health.json()["status"] == "degraded" and "planqa ingest --rebuild" in health.json()["detail"]
        for question in QUESTIONS[:3]:
            answer = ask(client, question)
            assert answer["backend"] == "extractive (keyword-only: index files missing)"
            assert cited_chunks_exist(answer, served)
        assert "3.2%" in ask(client)["answer"], "keyword search alone still finds the target"
        cited = ask(client)["citations"][0]["chunk_id"]
        assert client.get(f"/api/chunks/{cited}").status_code == 200, "citations still open"

        done = planqa_cli("ingest", "--rebuild", settings=settings)
        assert done.returncode == 0, done.stderr

        assert ask(client)["backend"] == "extractive"
        assert client.get("/healthz").json() | {"chunks": 0} == {
            "status": "ok",
            "index_loaded": True,
            "chunks": 0,
            "backend": "extractive",
            "embeddings": "hash",
            "detail": None,
            "log_store": "ok",
            "log_store_detail": None,
        }
    assert served.retriever.build_id == current_build_id(settings.index_dir)


def test_index_corrupted_while_serving_degrades_and_rebuild_recovers(served):
    settings = served.settings
    with live_server(create_app(settings, served)) as url, httpx.Client(base_url=url, timeout=30) as client:
        assert ask(client)["backend"] == "extractive"
        assert corrupt_files(builds_dir(settings.index_dir) / served.retriever.build_id / "chroma") > 0

        health = client.get("/healthz")  # the health check probes the vector index itself
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert "dense search failed" in health.json()["detail"]
        answer = ask(client)
        assert answer["backend"].startswith("extractive (keyword-only: dense search failed:")
        assert "3.2%" in answer["answer"] and cited_chunks_exist(answer, served)
        search = client.post("/api/search", json={"query": "揭榜挂帅", "k": 3})
        assert search.status_code == 200 and len(search.json()["results"]) == 3

        served.ingest(rebuild=True)  # what `planqa ingest --rebuild` does, here in the server's process

        assert ask(client)["backend"] == "extractive"
        assert client.get("/healthz").json()["status"] == "ok"


def test_a_build_that_cannot_be_opened_keeps_the_old_one_answering(served, tmp_path):
    """A newer build made with another embedder (a config mistake) is not swapped in."""
    settings = served.settings
    old = served.retriever.build_id
    other = Runtime(fault_settings(settings.index_dir, embeddings="hash:64"))
    other.ingest()
    answer = served.ask(QUESTION)
    assert answer.backend == "extractive" and served.retriever.build_id == old
    health = served.health()
    assert health.status == "degraded" and "新索引无法打开" in health.detail and old in health.detail


# -- the disk fills during an ingest -----------------------------------------------------------------


def _fail_writing_chunks(real_write_json):
    """`write_json` that fills the disk while writing chunks.json (after Chroma took the vectors)."""

    def write_json(path, data):
        if Path(path).name == "chunks.json":
            tmp = Path(path).with_name(Path(path).name + ".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False)[:1000], encoding="utf-8")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
        return real_write_json(path, data)

    return write_json


@pytest.mark.parametrize("where", ["embedding", "writing"])
def test_disk_full_during_ingest_keeps_the_old_index(tmp_path, hash_index, monkeypatch, where):
    embedder = DiskFullEmbedder()
    settings = fault_settings(copy_index(hash_index, tmp_path / "index"))
    runtime = Runtime(settings, embedder=embedder).load()
    old = runtime.retriever.build_id
    before = runtime.ask(QUESTION)

    if where == "embedding":
        embedder.armed = True
    else:
        monkeypatch.setattr(retrieval.index, "write_json", _fail_writing_chunks(retrieval.index.write_json))
    with pytest.raises(OSError) as failure:
        runtime.ingest(rebuild=True)
    assert failure.value.errno == errno.ENOSPC

    assert current_build_id(settings.index_dir) == old
    assert sorted(p.name for p in builds_dir(settings.index_dir).iterdir()) == [old], "the half build is gone"
    after = runtime.ask(QUESTION)
    assert after == before.model_copy(update={"latency_ms": after.latency_ms})
    assert runtime.health().status == "ok"
    fresh = Runtime(settings).load()  # a restart finds the old build intact
    assert fresh.retriever.build_id == old and fresh.ask(QUESTION).answer == before.answer

    embedder.armed = False  # space freed: the same ingest now succeeds
    monkeypatch.undo()
    report = runtime.ingest(rebuild=True)
    assert report.build != old and runtime.retriever.build_id == report.build


def test_planqa_ingest_on_a_full_disk_says_so_in_one_line(tmp_path, hash_index, monkeypatch, capsys):
    from planqa import cli

    index_dir = copy_index(hash_index, tmp_path / "index")
    old = current_build_id(index_dir)
    for name in [n for n in os.environ if n.startswith("PLANQA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PLANQA_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("PLANQA_EMBEDDINGS", "hash")
    monkeypatch.setattr(retrieval.index, "write_json", _fail_writing_chunks(retrieval.index.write_json))
    assert cli.main(["ingest", "--rebuild"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "Traceback" not in err
    assert current_build_id(index_dir) == old


# -- ingest while answering ----------------------------------------------------------------------------


def _build_chunks(index_dir: Path, build_id: str) -> dict[str, str]:
    data = json.loads((builds_dir(index_dir) / build_id / "chunks.json").read_text(encoding="utf-8"))
    return {c["chunk_id"]: c["text"] for c in data}


def _write_version(corpus: Path, version: str) -> None:
    """Version B changes nearly every chunk (full-width commas → ASCII), so mixed builds show."""
    for path in corpus.glob("*.txt"):
        original = (CORPUS / path.name).read_text(encoding="utf-8")
        path.write_text(original if version == "A" else original.replace("，", ","), encoding="utf-8")


def test_ingest_while_answering_never_mixes_builds(tmp_path, hash_index):
    corpus = copy_corpus(tmp_path / "corpus")
    settings = fault_settings(copy_index(hash_index, tmp_path / "index"), corpus_dir=corpus)
    runtime = Runtime(settings).load()
    builds = {runtime.retriever.build_id: _build_chunks(settings.index_dir, runtime.retriever.build_id)}
    answers, errors, stop = [], [], threading.Event()

    def keep_asking():
        i = 0
        while not stop.is_set():
            question = QUESTIONS[i % len(QUESTIONS)]
            try:
                if i % 3 == 2:
                    answers.append(list(runtime.stream(question))[-1])
                else:
                    answers.append(runtime.ask(question))
            except Exception as exc:  # noqa: BLE001 - every error is a failure of the test
                errors.append(repr(exc))
            i += 1

    askers = [threading.Thread(target=keep_asking) for _ in range(2)]
    for thread in askers:
        thread.start()
    try:
        # Alternate between an ingest in this process and one from another instance (as the CLI would).
        for version, ingester in (("B", runtime), ("A", Runtime(settings)), ("B", runtime), ("A", None)):
            _write_version(corpus, version)
            report = (ingester or Runtime(settings)).ingest()
            builds[report.build] = _build_chunks(settings.index_dir, report.build)
            seen = len(answers)
            assert wait_for(lambda seen=seen: len(answers) > seen + 3), "answers stopped coming"
    finally:
        stop.set()
        for thread in askers:
            thread.join(timeout=60)

    assert not errors, errors[:3]
    assert len(builds) == 5 and len(answers) > 20
    assert wait_for(lambda: runtime.ask(QUESTION) and runtime.retriever.build_id == report.build, timeout=5)
    torn = [
        a
        for a in answers
        if not a.refused
        and not any(
            all(c.chunk_id in chunks and c.quote in chunks[c.chunk_id] for c in a.citations)
            for chunks in builds.values()
        )
    ]
    assert not torn, f"{len(torn)} answers cite chunks of more than one build: {torn[0].citations}"
    assert sum(not a.refused for a in answers) > len(answers) // 2


class PickyEmbedder(HashEmbedder):
    """Fails on one query's content, as the e5 tokenizer did on a lone surrogate (issue 12)."""

    def _embed(self, texts, *, query):
        if query and any("爆" in t for t in texts):
            raise UnicodeEncodeError("utf-8", "爆", 0, 1, "surrogates not allowed")
        return super()._embed(texts, query=query)


def test_a_query_that_fails_alone_fails_alone(tmp_path, hash_index):
    from retrieval.hybrid import ALWAYS_DENSE

    runtime = Runtime(
        fault_settings(copy_index(hash_index, tmp_path / "index")), embedder=PickyEmbedder()
    ).load()
    runtime.retriever = runtime.retriever.with_options(dense_skip_lead=ALWAYS_DENSE)  # every search embeds
    for i in range(5):
        assert runtime.search(f"爆 研发投入 {i}", k=3)  # answered by keyword search
    assert runtime.degraded is None and runtime.health().status == "ok"
    answer = runtime.ask("到2025年江苏全社会研发投入占地区生产总值比重的目标是多少？")
    assert "keyword-only" not in answer.backend and "3.2%" in answer.answer
