"""Real `planqa serve` processes for the security suite, over the session's e5 index (see
tests/conftest.py `runtime`; PLANQA_TEST_INDEX_DIR reuses one).

* `open_server`: no keys, no rate limit, the answer cache off: what the fuzzers and the
  thousand-request runs need (nothing refuses them for being many);
* `guarded_server`: keys, a widget key for one origin, 30 requests a minute: the limits.

Every client of the guarded server comes from its own loopback address (`client(server)`:
127.0.1.2, 127.0.1.3, …), so one test's requests never spend another's rate limit: the limits count per IP.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api_fakes import free_port

ROOT = Path(__file__).resolve().parents[2]
API_KEYS = [f"sec-api-key-{i:03d}" for i in range(250)]  # one per client: keys have buckets too
WIDGET_KEY = "sec-widget-key-0123456789"
ORIGIN = "http://portal.example"
RATE_LIMIT = 30
LOGIN_FAILURES = 5
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0


@dataclass
class Served:
    url: str
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serve(index_dir: Path, folder: Path, **env: str) -> Iterator[Served]:
    """`planqa serve` over `index_dir` with PLANQA_* `env`, until it says ok on /healthz."""
    port = free_port()
    variables = {k: v for k, v in os.environ.items() if not k.startswith("PLANQA_")}
    variables |= {"PLANQA_INDEX_DIR": str(index_dir), "PLANQA_PORT": str(port), "PLANQA_WORKERS": "2"}
    variables |= {f"PLANQA_{k.upper()}": v for k, v in env.items()}
    log = folder / "serve.log"
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "planqa.cli", "serve"],
            cwd=ROOT,
            env=variables,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", log, process)
    try:
        deadline = time.monotonic() + 240
        while not _ready(served.url):
            assert process.poll() is None, served.log_text()
            assert time.monotonic() < deadline, served.log_text()
            time.sleep(0.5)
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _ready(url: str) -> bool:
    try:
        r = httpx.get(f"{url}/healthz", timeout=2)
    except httpx.HTTPError:
        return False
    return r.status_code == 200 and r.json()["status"] == "ok"


@pytest.fixture(scope="session")
def index_dir(runtime) -> Path:
    return Path(runtime.settings.index_dir)


@pytest.fixture(scope="session")
def open_server(index_dir, tmp_path_factory) -> Iterator[Served]:
    with serve(
        index_dir, tmp_path_factory.mktemp("open"), rate_limit_per_minute="0", answer_cache="0"
    ) as served:
        yield served


@pytest.fixture(scope="session")
def guarded_server(index_dir, tmp_path_factory) -> Iterator[Served]:
    with serve(
        index_dir,
        tmp_path_factory.mktemp("guarded"),
        api_keys=",".join(API_KEYS),
        widget_keys=WIDGET_KEY,
        cors_origins=ORIGIN,
        rate_limit_per_minute=str(RATE_LIMIT),
        login_failures_per_minute=str(LOGIN_FAILURES),
        header_timeout=str(HEADER_TIMEOUT),
        body_timeout=str(BODY_TIMEOUT),
        answer_cache="0",
    ) as served:
        yield served


_addresses = itertools.count(0)


def client(server: Served, *, key: str | None = "", timeout: float = 60, **headers: str) -> httpx.Client:
    """A client from a loopback address of its own (127.0.1.2, .3, …) with an API key of its own
    (`key=""`; None sends none, or pass one): fresh rate-limit buckets."""
    n = next(_addresses)
    transport = httpx.HTTPTransport(local_address=f"127.0.{1 + n // 250}.{2 + n % 250}")
    key = API_KEYS[n % len(API_KEYS)] if key == "" else key
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return httpx.Client(base_url=server.url, transport=transport, timeout=timeout, headers=headers)


def post_json(http: httpx.Client, path: str, body: object) -> httpx.Response:
    """POST `body` as ASCII JSON: `\\ud800` escapes reach the server as a lone surrogate would."""
    return http.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
