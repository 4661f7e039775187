"""`planqa serve` with PLANQA_LLM=openai:… whose model server is down or misconfigured, as a real
process: it starts, one line of its output names the PLANQA_ setting to fix, and the extractive
backend answers (no 5xx). Needs no model: nothing listens where the settings point.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api_fakes import free_port
from tests.fault_fakes import build_hash_index

pytestmark = pytest.mark.slow  # a hash index and a real server process per case: ~15 s each

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "江苏到2025年全社会研发投入强度的目标定了多少？"


@pytest.fixture(scope="module")
def hash_index(tmp_path_factory) -> Path:
    return build_hash_index(tmp_path_factory.mktemp("llm-fallback") / "index")


def _serve(index_dir: Path, folder: Path, llm_env: dict[str, str]):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANQA_")}
    env |= {
        "PLANQA_INDEX_DIR": str(index_dir),
        "PLANQA_DATA_DIR": str(folder / "data"),
        "PLANQA_EMBEDDINGS": "hash",
        "PLANQA_PORT": str(port),
        "PLANQA_WORKERS": "1",
        "PLANQA_RATE_LIMIT_PER_MINUTE": "0",
        "GRADIO_ANALYTICS_ENABLED": "False",
        **llm_env,
    }
    log = folder / "serve.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "planqa.cli", "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )  # fmt: skip
    return f"http://127.0.0.1:{port}", proc, log


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"planqa serve exited:\n{log.read_text(encoding='utf-8')}"
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"planqa serve did not come up:\n{log.read_text(encoding='utf-8')}")


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("down", "does not answer"),  # the model server is not running
        ("no scheme", "is not an http(s) URL"),  # a URL without http://
    ],  # PLANQA_LLM_BASE_URL unset: tests/test_llm_verify.py (the same path as "no scheme")
)
def test_serve_starts_names_the_setting_and_answers_extractively(hash_index, tmp_path, case, says):
    base_url = {"down": f"http://127.0.0.1:{free_port()}/v1", "no scheme": "127.0.0.1:8001/v1"}[case]
    llm_env = {
        "PLANQA_LLM": "openai:qwen2.5-coder-1.5b",
        "PLANQA_LLM_BASE_URL": base_url,
        "PLANQA_LLM_TIMEOUT": "5",
    }
    url, proc, log = _serve(hash_index, tmp_path, llm_env)
    try:
        _wait_ready(url, proc, log)
        # a server that is down is tried again later; a malformed URL never can be
        backend = httpx.get(f"{url}/healthz", timeout=10).json()["backend"]
        assert (
            backend == "openai:qwen2.5-coder-1.5b"
            if case == "down"
            else backend.startswith("extractive (fallback")
        )
        with httpx.Client(base_url=url, timeout=60) as client:
            answer = client.post("/api/ask", json={"question": QUESTION})
            completion = client.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}
            )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["backend"].startswith("extractive (fallback") and "PLANQA_LLM" not in body["answer"]
        assert not body["refused"] and body["citations"], body
        assert completion.status_code == 200 and completion.json()["choices"][0]["message"]["content"]
        output = log.read_text(encoding="utf-8")
        # one line, at start-up, naming the setting to fix and saying who answers meanwhile
        named = [line for line in output.splitlines() if "PLANQA_LLM_BASE_URL" in line]
        assert len(named) == 1 and says in named[0] and "extractive" in named[0], output
        assert output.index(named[0]) < output.index("Application startup complete"), output
        assert "Traceback" not in output, output
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
