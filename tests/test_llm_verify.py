"""Verification of model answers (assistant.citations.check_model_answer) and the LLM backend's
behaviour when its endpoint is missing, unreachable or cut off: scripted models, no live call."""

from __future__ import annotations

import logging
import time

from assistant.citations import check_model_answer, complete_part, normalise_markers, support
from assistant.llm import excerpt
from assistant.schemas import Answer
from tests.answer_fakes import ScriptedChatModel, cite, corpus_parts, pipeline
from tests.api_fakes import free_port
from tests.test_subjects import ENTERPRISE, chunk

QUESTION = "到2025年江苏全社会研发投入占地区生产总值比重的目标是多少？"


def test_the_wrong_place_example_is_dropped_by_its_subject_not_its_bigrams():
    """The issue's example: Jiangsu's 规上工业企业 figure claimed for 上海, on the real passage."""
    passage = next(c for c in corpus_parts()[0] if "规模以上工业企业研发投入强度达2.3%左右" in c.text)
    assert check_model_answer("上海市研发投入强度目标是2.3%左右。[1]", [passage]).segments == []
    close = "上海市规模以上工业企业研发投入强度达2.3%左右。"
    assert support(close.rstrip("。"), passage)[0] >= 0.6, "bigrams and numbers alone would let it through"
    check = check_model_answer(close + "[1]", [passage])
    assert check.segments == [] and check.sentences == 1
    assert "上海" in check.dropped[0]
    kept = check_model_answer("江苏规模以上工业企业研发投入强度达2.3%左右[1]。", [passage])
    assert len(kept.segments) == 1 and "2.3%" in kept.segments[0].quote


def test_markers_as_small_models_write_them():
    assert normalise_markers("达3.2%【1】。见[段落2]。又[1, 3]。") == "达3.2%[1]。见[2]。又[1][3]。"


def test_a_sentence_without_a_marker_cites_the_passage_that_backs_it():
    other = chunk("坚持创新驱动发展，建设科技强省。", path=("一、总体要求",))
    check = check_model_answer("全省规模以上工业企业研发投入强度达2.3%左右。", [other, chunk(ENTERPRISE)])
    assert [s.chunk.text for s in check.segments] == [ENTERPRISE]


def test_repeated_and_invented_sentences_are_dropped_with_a_reason():
    text = "规模以上工业企业研发投入强度达2.3%左右[1]。规模以上工业企业研发投入强度达2.3%左右[1]。每家企业补贴500万元[7]。"
    check = check_model_answer(text, [chunk(ENTERPRISE)])
    assert len(check.segments) == 1 and check.sentences == 3 and len(check.dropped) == 2
    assert check_model_answer("依据不足", [chunk(ENTERPRISE)]).sentences == 0


def test_only_finished_sentences_are_checked_while_streaming():
    assert complete_part("研发投入强度达2.3%左右[1]。到2025") == "研发投入强度达2.3%左右[1]。"
    assert complete_part("研发投入强度达2.3%") == ""


def test_the_excerpt_keeps_the_sentences_nearest_the_question():
    text = (
        "坚持创新驱动。" * 30 + "到2025年，全社会研发投入占地区生产总值比重达3.2%。" + "建设科技强省。" * 30
    )
    cut = excerpt(text, QUESTION, max_chars=80)
    assert "3.2%" in cut and cut in text and len(cut) <= 80


def test_streamed_text_holds_only_verified_sentences():
    model = ScriptedChatModel().enqueue(
        cite(
            "3.2%",
            "南通的目标是4%[{n}]。全社会研发投入占地区生产总值比重达3.2%[{n}]。上海的目标也是3.2%[{n}]。",
        )
    )
    items = list(pipeline("openai:qwen2.5", chat_model=model).stream(QUESTION))
    streamed, final = "".join(items[:-1]), items[-1]
    assert isinstance(final, Answer) and "3.2%" in streamed and "[1]" in streamed
    assert "4%" not in streamed and "上海" not in streamed, (
        "a dropped sentence must never be shown, even in passing"
    )
    assert final.generation.prompt_version == "answer.v2"
    assert final.generation.sentences == 3 and final.generation.kept == 1


def test_each_answer_records_its_prompt_version_and_what_was_dropped():
    model = ScriptedChatModel().enqueue(
        cite("3.2%", "全社会研发投入占地区生产总值比重达3.2%[{n}]。南通的目标是4%[{n}]。")
    )
    answer = pipeline("openai:qwen2.5", chat_model=model).invoke(QUESTION)
    assert answer.generation.prompt_version == "answer.v2" and answer.generation.kept == 1
    assert len(answer.generation.dropped) == 1
    assert pipeline().invoke(QUESTION).generation is None, "extractive answers have no generation record"


def test_a_missing_base_url_answers_extractively_and_names_the_setting(caplog):
    from assistant.backends import make_backend
    from assistant.extractive import ExtractiveAnswerer

    _, catalog, weights, _, _ = corpus_parts()
    with caplog.at_level(logging.WARNING, logger="planqa.llm"):
        backend = make_backend("openai:qwen2.5", ExtractiveAnswerer(catalog, weights), base_url=None)
    assert backend.name.startswith("extractive (fallback: PLANQA_LLM_BASE_URL")
    assert "PLANQA_LLM_BASE_URL" in caplog.text
    bad = make_backend("openai:qwen2.5", ExtractiveAnswerer(catalog, weights), base_url="127.0.0.1:8001")
    assert "PLANQA_LLM_BASE_URL" in bad.name


def test_settings_accept_an_llm_without_base_url_so_the_service_can_start(monkeypatch):
    from assistant.settings import load_settings

    monkeypatch.setenv("PLANQA_LLM", "openai:qwen2.5")
    monkeypatch.delenv("PLANQA_LLM_BASE_URL", raising=False)
    assert load_settings().llm == "openai:qwen2.5"


def test_an_endpoint_that_does_not_answer_is_left_alone_for_a_while(caplog):
    from assistant.backends import make_backend
    from assistant.extractive import ExtractiveAnswerer

    _, catalog, weights, _, _ = corpus_parts()
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="planqa.llm"):
        backend = make_backend(
            "openai:qwen2.5", ExtractiveAnswerer(catalog, weights), base_url=url, timeout=2
        )
    assert "does not answer" in caplog.text and url in caplog.text
    from assistant.pipeline import AnswerPipeline
    from tests.answer_fakes import lexical_search

    pipe = AnswerPipeline(lexical_search, backend, weights, corpus_parts()[4])
    started = time.perf_counter()
    answer = pipe.invoke(QUESTION)
    assert answer.backend.startswith("extractive (fallback: openai:qwen2.5") and "3.2%" in answer.answer
    assert time.perf_counter() - started < 2, "no connection attempt while the endpoint rests"


def test_a_model_cut_off_mid_answer_streams_the_extractive_answer():
    class HalfModel(ScriptedChatModel):
        def _stream(self, messages, stop=None, run_manager=None, **kwargs):
            from langchain_core.messages import AIMessageChunk
            from langchain_core.outputs import ChatGenerationChunk

            yield ChatGenerationChunk(message=AIMessageChunk(content="全社会研发投入"))
            raise ConnectionResetError("server went away")

    items = list(pipeline("openai:qwen2.5", chat_model=HalfModel()).stream(QUESTION))
    final = items[-1]
    assert final.backend.startswith("extractive (fallback: openai:qwen2.5 ConnectionResetError")
    assert "3.2%" in final.answer and "3.2%" in "".join(items[:-1])
