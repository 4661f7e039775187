"""Item 8 of issue 12: a client that sends its headers slowly is cut off after
PLANQA_HEADER_TIMEOUT with 408 and does not hold the connection (a real `planqa serve`)."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.security.conftest import HEADER_TIMEOUT

pytestmark = pytest.mark.slow


def _trickle(url: str, head: bytes, every: float, limit: float) -> tuple[bytes, float]:
    """Send `head` a byte every `every` seconds; (what the server sent, seconds until it closed)."""
    parsed = httpx.URL(url)
    started, received = time.monotonic(), b""
    with socket.create_connection((parsed.host, parsed.port), timeout=limit) as sock:
        sock.settimeout(every)
        for byte in head:
            try:
                sock.send(bytes([byte]))
            except OSError:
                break
            try:
                data = sock.recv(4096)
            except TimeoutError:
                if time.monotonic() - started > limit:
                    break
                continue
            received += data
            if not data:
                break
            sock.settimeout(limit)
            while data := sock.recv(4096):
                received += data
            break
    return received, time.monotonic() - started


def test_slow_headers_are_cut_off_with_408(guarded_server):
    head = b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + b"".join(
        b"X-Slow-%d: %d\r\n" % (i, i) for i in range(200)
    )
    received, seconds = _trickle(guarded_server.url, head, 0.2, 30)
    assert received.startswith(b"HTTP/1.1 408"), received[:200]
    assert "请求头发送超时".encode() in received
    assert HEADER_TIMEOUT * 0.9 <= seconds < HEADER_TIMEOUT + 3, seconds


def test_a_silent_connection_is_closed(guarded_server):
    parsed = httpx.URL(guarded_server.url)
    started = time.monotonic()
    with socket.create_connection((parsed.host, parsed.port), timeout=30) as sock:
        data = sock.recv(4096)  # nothing sent: the server closes the connection
    assert data == b"" and time.monotonic() - started < HEADER_TIMEOUT + 3


def test_a_normal_keep_alive_client_is_not_cut(guarded_server):
    with httpx.Client(base_url=guarded_server.url, timeout=10) as http:
        for _ in range(3):
            assert http.get("/healthz").status_code == 200
            time.sleep(HEADER_TIMEOUT * 0.6)  # idle between requests, under the deadline each time
