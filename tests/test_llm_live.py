"""The LLM backend against a real model: `planqa llm-serve` (Qwen2.5-Coder-1.5B behind llama.cpp's
OpenAI-compatible server) and `planqa serve` with PLANQA_LLM=openai:…, both real processes on
loopback, over the session's e5 index.

Skipped, with one line saying what to run, where the model is not installed (`make llm-local`).
A handful of questions with short answers: on 2 cores each takes 10-20 s (more on a busy machine).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.citations import is_supported
from assistant.llm_local import MODEL_NAME, missing
from assistant.subjects import subject_mismatches
from tests.api_fakes import free_port

pytestmark = [pytest.mark.llm, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
FIGURE = "到2025年江苏全社会研发投入占地区生产总值比重的目标是多少？"
LIST = "南通有哪些科技金融信贷产品？"
UNANSWERABLE = "江苏对建设火星基地的企业补贴标准是多少？"
KILLED = "江苏到2025年科技进步贡献率要达到多少？"
MODEL_WAIT = 900.0  # seconds one answer may take on a machine shared with other work


def _cache() -> Path:
    from assistant.settings import Settings

    return Settings().llm_cache_dir


def _wait(url: str, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=30).status_code == 200:  # a busy machine answers slowly
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {seconds:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def model_server(tmp_path_factory):
    """`planqa llm-serve` on a free loopback port; yields (base_url, process)."""
    problem = missing(_cache())
    if problem:
        pytest.skip(f"llm: {problem}")
    port = free_port()
    log = (tmp_path_factory.mktemp("llm") / "llm-serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "planqa.cli", "llm-serve", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait(f"http://127.0.0.1:{port}/health", proc, 180)
        yield f"http://127.0.0.1:{port}/v1", proc
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def app_url(model_server, runtime, tmp_path_factory):
    """`planqa serve` answering through the model server; yields its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANQA_")}
    env |= {
        "PLANQA_INDEX_DIR": str(runtime.settings.index_dir),
        "PLANQA_PORT": str(port),
        "PLANQA_WORKERS": "1",
        "PLANQA_RATE_LIMIT_PER_MINUTE": "0",
        "PLANQA_LLM": f"openai:{MODEL_NAME}",
        "PLANQA_LLM_BASE_URL": model_server[0],
        "PLANQA_LLM_TIMEOUT": str(MODEL_WAIT),
        "PLANQA_LLM_MAX_TOKENS": "96",  # three short sentences
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "planqa.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/healthz", proc, 300)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)
        log.close()


def sse(response: httpx.Response) -> list:
    events = []
    for line in response.iter_lines():
        if line.startswith("data: "):
            data = line[len("data: ") :]
            events.append(data if data == "[DONE]" else json.loads(data))
    return events


def assert_backed(answer: dict, catalog) -> None:
    """Every line shown is supported by the passage its marker cites, numbers and subject included."""
    chunks = {c["n"]: catalog.get(c["chunk_id"]) for c in answer["citations"]}
    lines = [line for line in answer["answer"].splitlines() if line.strip()]
    assert lines and answer["citations"]
    for line in lines:
        markers = [int(n) for n in re.findall(r"\[(\d+)\]", line)]
        assert markers, f"a line without a citation: {line}"
        text = re.sub(r"\s*\[\d+\]", "", line).strip()
        chunk = chunks[markers[0]]
        assert chunk is not None and c_quote_in(chunk, answer, markers[0])
        assert is_supported(text, chunk), f"not supported by its passage: {line}"
        assert subject_mismatches(text, chunk) == [], f"wrong subject: {line}"


def c_quote_in(chunk, answer: dict, n: int) -> bool:
    return next(c["quote"] for c in answer["citations"] if c["n"] == n) in chunk.text


def test_ask_stream_arrives_in_deltas_and_every_sentence_is_backed(app_url, runtime):
    with httpx.stream(
        "POST", f"{app_url}/api/ask/stream", json={"question": FIGURE}, timeout=MODEL_WAIT
    ) as r:
        assert r.status_code == 200
        events = sse(r)
    deltas = [e["delta"] for e in events[:-1] if "delta" in e]
    final = events[-1]
    assert final.get("done"), events[-3:]
    answer = final["answer"]
    assert answer["backend"] == f"openai:{MODEL_NAME}", answer["backend"]
    assert not answer["refused"], answer
    assert len(deltas) >= 2, deltas
    assert "3.2%" in answer["answer"]
    assert answer["generation"]["prompt_version"] == "answer.v2"
    assert_backed(answer, runtime.catalog)


def test_openai_endpoint_streams_chunks_then_citations(app_url, runtime):
    body = {"model": "planqa", "stream": True, "messages": [{"role": "user", "content": LIST}]}
    with httpx.stream("POST", f"{app_url}/v1/chat/completions", json=body, timeout=MODEL_WAIT) as r:
        assert r.status_code == 200
        events = sse(r)
    assert events[-1] == "[DONE]"
    chunks = [e for e in events[:-1] if isinstance(e, dict)]
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    pieces = [p for p in pieces if p]
    finish = next(c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"] == "stop")
    assert len(pieces) >= 2, pieces
    if finish["refused"]:  # the model found nothing it could back: a refusal, said in full
        assert "无法回答" in "".join(pieces)
    else:
        assert finish["citations"]
        assert_backed({"answer": "".join(pieces), "citations": finish["citations"]}, runtime.catalog)


def test_a_question_the_plans_cannot_answer_is_refused(app_url):
    answer = httpx.post(f"{app_url}/api/ask", json={"question": UNANSWERABLE}, timeout=MODEL_WAIT).json()
    assert answer["refused"] and answer["citations"] == [], answer


def test_model_server_killed_mid_answer_falls_back_without_a_5xx(app_url, model_server):
    """Last in the module: it kills the model server while it reads the prompt of a new question
    (the response starts only with the first verified sentence, so the kill comes from here)."""
    _, proc = model_server
    got: dict = {}

    def ask() -> None:
        body = {"question": KILLED}
        with httpx.stream("POST", f"{app_url}/api/ask/stream", json=body, timeout=MODEL_WAIT) as r:
            got["status"], got["events"] = r.status_code, sse(r)

    asking = threading.Thread(target=ask)
    asking.start()
    time.sleep(2.0)  # a new prompt takes the model several seconds to read on 2 cores
    proc.kill()
    asking.join(MODEL_WAIT)
    assert got["status"] == 200
    final = got["events"][-1]
    assert final.get("done"), got["events"][-3:]
    assert final["answer"]["backend"].startswith(f"extractive (fallback: openai:{MODEL_NAME}"), final[
        "answer"
    ]
    assert final["answer"]["answer"].strip()
    again = httpx.post(f"{app_url}/api/ask", json={"question": LIST}, timeout=60)
    assert again.status_code == 200 and again.json()["backend"].startswith("extractive (fallback")
