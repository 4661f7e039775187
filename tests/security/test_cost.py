"""Item 3 of issue 12: a request's cost is bounded, and a client sending long questions does not
slow down everyone else (a real `planqa serve` with two answer workers, the answer cache off).

Figures are printed (`pytest -s`); they vary with the machine's load, so the bounds are generous.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.security.conftest import client

pytestmark = pytest.mark.slow

NORMAL = [
    "到2025年江苏全社会研发投入占地区生产总值比重的目标是多少？",
    "南通市高新技术企业数量目标是多少？",
    "什么是揭榜挂帅",
    "苏南自创区的卓越工程包括哪些内容",
    "苏州万人高价值发明专利拥有量目标是多少？",
    "专栏2列了哪些项目？",
]
# Plan terms, so that every part of a long question matches passages (the costly case).
TERMS = [
    "南通",
    "专栏",
    "研发",
    "创新平台",
    "高新技术企业",
    "科技金融",
    "人才",
    "成果转化",
    "产业集群",
    "实验室",
    "苏州",
    "无锡",
]


def adversarial(rng: random.Random, chars: int = 2000) -> str:
    text = ""
    while len(text) < chars:
        text += rng.choice(TERMS)
    return text[:chars]


def cpu_seconds(runtime, question: str) -> float:
    started = time.process_time()
    runtime.ask(question)
    return time.process_time() - started


def test_a_long_adversarial_question_costs_no_more_than_a_few_normal_ones(runtime):
    uncached = runtime.pipeline.cache_ok
    runtime.pipeline.cache_ok = lambda: False  # every answer computed
    try:
        runtime.ask(NORMAL[0])  # warm
        normal = [cpu_seconds(runtime, q) for q in NORMAL]
        rng = random.Random(3)
        long = [cpu_seconds(runtime, adversarial(rng)) for _ in range(3)]
    finally:
        runtime.pipeline.cache_ok = uncached
    mean = statistics.mean(normal)
    print(
        f"\nCPU per answer (busy machine): normal mean {mean * 1000:.0f} ms, 2,000-character adversarial {[round(x * 1000) for x in long]} ms"
    )
    assert max(long) <= 8 * mean, (long, normal)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _normal_latencies(server, rounds: int) -> list[float]:
    seconds = []
    with client(server) as http:
        for i in range(rounds):
            started = time.perf_counter()
            r = http.post("/api/ask", json={"question": NORMAL[i % len(NORMAL)]})
            seconds.append(time.perf_counter() - started)
            assert r.status_code == 200, r.text
            time.sleep(0.2)
    return seconds


def test_long_questions_from_one_client_leave_others_p95_within_twice_its_quiet_value(guarded_server):
    rounds = 18
    quiet = _normal_latencies(guarded_server, rounds)
    stop, codes = threading.Event(), []

    def attack() -> None:  # 2 requests a second, whether or not the earlier ones were answered
        rng = random.Random(4)
        with client(guarded_server) as http, ThreadPoolExecutor(8) as pool:
            while not stop.is_set():
                question = adversarial(rng)
                pool.submit(
                    lambda q=question: codes.append(http.post("/api/ask", json={"question": q}).status_code)
                )
                stop.wait(0.5)

    attacker = threading.Thread(target=attack)
    attacker.start()
    try:
        time.sleep(1.0)
        loaded = _normal_latencies(guarded_server, rounds)
    finally:
        stop.set()
        attacker.join()
    q50, q95, l50, l95 = _p(quiet, 0.5), _p(quiet, 0.95), _p(loaded, 0.5), _p(loaded, 0.95)
    print(
        f"\nnormal client, quiet: p50 {q50 * 1000:.0f} ms p95 {q95 * 1000:.0f} ms; under attack: p50 {l50 * 1000:.0f} ms"
        f" p95 {l95 * 1000:.0f} ms; attacker: {codes.count(200)} answered, {codes.count(429)} limited (busy machine)"
    )
    assert codes.count(429) > 0, "the attacker's long questions were not weighed"
    assert l95 <= 2 * q95 + 0.2, (quiet, loaded)
