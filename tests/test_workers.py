"""A runtime that answers in worker processes gives the same answers as one that answers itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.runtime import Runtime
from retrieval.errors import InvalidInput, UnknownDocument
from tests.fault_fakes import build_hash_index, fault_settings

pytestmark = pytest.mark.slow  # two worker processes over a hash index: ~15 s

QUESTION = "南通市高新技术企业数量目标是多少？"
FOLLOW_UP = (
    "那苏南自创区呢？",
    [{"role": "user", "content": "到2025年江苏全社会研发投入强度的目标是多少？"}],
)


@pytest.fixture(scope="module")
def runtimes(tmp_path_factory):
    index = build_hash_index(Path(tmp_path_factory.mktemp("workers")) / "index")
    alone = Runtime(fault_settings(index, answer_cache=0)).load()
    pooled = Runtime(fault_settings(index)).load()
    pooled.start_workers(2)
    yield alone, pooled
    pooled.close()


def same(a, b) -> bool:
    return a.model_copy(update={"latency_ms": 0.0}) == b.model_copy(update={"latency_ms": 0.0})


def test_workers_answer_as_the_runtime_itself(runtimes):
    alone, pooled = runtimes
    assert pooled._workers is not None and len(pooled._workers.pids) == 2
    assert same(pooled.ask(QUESTION), alone.ask(QUESTION))
    question, history = FOLLOW_UP
    assert same(pooled.ask(question, history=history), alone.ask(question, history=history))
    *lines, answer = pooled.stream(QUESTION, doc_ids=["nantong-sti-14fyp"])
    *expected_lines, expected = alone.stream(QUESTION, doc_ids=["nantong-sti-14fyp"])
    assert lines == expected_lines and same(answer, expected)


def test_a_repeated_question_is_answered_from_the_server_processs_cache(runtimes):
    _, pooled = runtimes
    first = pooled.ask("苏南自创区的卓越工程包括哪些内容")
    again = pooled.ask("苏南自创区的卓越工程包括哪些内容")
    assert again.latency_ms == 0.0 and same(again, first)


def test_input_errors_reach_the_caller(runtimes):
    _, pooled = runtimes
    with pytest.raises(UnknownDocument):
        pooled.ask(QUESTION, doc_ids=["no-such-plan"])
    with pytest.raises(InvalidInput):
        pooled.ask("   ")


def test_one_worker_or_an_llm_backend_answers_in_process(runtimes):
    alone, _ = runtimes
    alone.start_workers(1)
    assert alone._workers is None
    answer = alone.ask(QUESTION)
    assert not answer.refused and answer.citations
    assert {c.doc_id for c in answer.citations} == {"nantong-sti-14fyp"}
    # an LLM backend (its endpoint down here: it falls back to the extractive answer at once)
    llm = Runtime(
        fault_settings(
            alone.settings.index_dir, llm="openai:m", llm_base_url="http://127.0.0.1:9/v1", answer_cache=0
        )
    ).load()
    llm.start_workers(2)
    assert llm._workers is None
    fallback = llm.ask(QUESTION)
    assert fallback.citations and fallback.answer == answer.answer and fallback.backend != answer.backend
