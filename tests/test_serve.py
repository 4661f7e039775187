"""`planqa serve` with two answer workers, as a real process tree (hash embeddings, a fresh index).

The HTTP process builds the missing index once, then starts two worker processes that answer;
the chat page keeps working (its Gradio sessions live in the one HTTP process); a worker that dies
is replaced while the question is still answered; Ctrl+C (SIGINT) stops everything.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from retrieval.builds import builds_dir
from tests.api_fakes import free_port

pytestmark = pytest.mark.slow  # a hash index built from the corpus, three processes: ~40 s

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "到2025年江苏全社会研发投入占地区生产总值比重的目标是多少？",
    "南通市高新技术企业数量目标是多少？",
    "苏南自创区的卓越工程包括哪些内容",
    "什么是揭榜挂帅",
]


def workers_of(pid: int) -> list[int]:
    """The answer workers: children started by multiprocessing's spawn (not its resource tracker)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return [c for c in children if b"spawn_main" in _cmdline(c)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.fixture
def server(tmp_path):
    """`planqa serve` over an empty index folder with PLANQA_WORKERS=2; yields (url, process)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANQA_")}
    env |= {
        "PLANQA_INDEX_DIR": str(tmp_path / "index"),
        "PLANQA_DATA_DIR": str(tmp_path / "data"),  # the conversation log (SQLite) of this server
        "PLANQA_EMBEDDINGS": "hash",
        "PLANQA_PORT": str(port),
        "PLANQA_WORKERS": "2",
        "PLANQA_RATE_LIMIT_PER_MINUTE": "0",
    }
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "planqa.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not _ready(url):
            assert process.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.5)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def ask(url: str, question: str) -> dict:
    with httpx.Client(timeout=60) as client:
        response = client.post(f"{url}/api/ask", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def chat(url: str, question: str) -> dict:
    """One chat turn as the browser sends it: join the queue on one connection, read the event
    stream on another (a browser may use either of its connections)."""
    base = f"{url}/ui/gradio_api"
    config = httpx.get(f"{url}/ui/config", timeout=10).json()
    send = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "planqa-send")
    fn_index = next(
        i
        for i, d in enumerate(config["dependencies"])
        if [send, "click"] in d["targets"] and d.get("queue") is not False
    )
    session = f"test{time.monotonic_ns()}"
    body = {
        "data": [question, [], False, []],
        "fn_index": fn_index,
        "session_hash": session,
        "event_data": None,
        "trigger_id": send,
    }
    with httpx.Client(timeout=60) as join, httpx.Client(timeout=60) as listen:
        assert join.post(f"{base}/queue/join", json=body).status_code == 200
        with listen.stream("GET", f"{base}/queue/data", params={"session_hash": session}) as events:
            for line in events.iter_lines():
                if (
                    line.startswith("data:")
                    and (message := json.loads(line[5:]))["msg"] == "process_completed"
                ):
                    return message
    raise AssertionError("the chat turn never completed")


def test_two_workers_answer_from_one_index_built_once(server, tmp_path):
    url, process = server
    workers = workers_of(process.pid)
    assert len(workers) == 2
    # The HTTP process built the missing index before starting the workers: one build, not one each.
    assert len(list(builds_dir(tmp_path / "index").iterdir())) == 1

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda q: ask(url, q), QUESTIONS * 4))
    assert "3.2%" in answers[0]["answer"] and answers[0]["citations"]
    assert all(a["backend"] == "extractive" for a in answers)

    with ThreadPoolExecutor(4) as pool:
        turns = list(pool.map(lambda q: chat(url, q), QUESTIONS))
    assert all(t["success"] for t in turns), turns

    os.kill(workers[0], signal.SIGKILL)  # out of memory, or an operator's mistake
    answer = ask(url, QUESTIONS[1] + "（再问一次）")
    assert not answer["refused"] and answer["citations"]
    deadline = time.monotonic() + 60
    while len(set(workers_of(process.pid)) - {workers[0]}) < 2:
        assert time.monotonic() < deadline, "no new workers were started"
        time.sleep(0.5)
    assert ask(url, QUESTIONS[2])["citations"]
    assert "an answer worker process died" in (tmp_path / "serve.log").read_text(encoding="utf-8")

    workers = workers_of(process.pid)
    process.send_signal(signal.SIGINT)  # what Ctrl+C sends
    assert process.wait(timeout=30) == 0
    deadline = time.monotonic() + 10
    while any(b"spawn_main" in _cmdline(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the server"
        time.sleep(0.2)
