"""The official `openai` SDK against `/v1`, as Open WebUI or Dify would use it."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.api_fakes import FakeService, live_server, serving_settings
from ui.app import create_app

pytestmark = pytest.mark.slow

KEY = "ak-openai-test"
QUESTION = "到2025年江苏全社会研发投入占地区生产总值比重的目标？"


@pytest.fixture(scope="module")
def service() -> FakeService:
    return FakeService()


@pytest.fixture(scope="module")
def base_url(service):
    with live_server(create_app(serving_settings(api_keys=[KEY]), service)) as url:
        yield url


@pytest.fixture
def client(base_url) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key=KEY, max_retries=0, timeout=10)


def test_models_lists_planqa(client):
    assert [m.id for m in client.models.list()] == ["planqa"]


def test_completion_with_history_and_citations(client, service):
    response = client.chat.completions.create(
        model="planqa",
        messages=[
            {"role": "system", "content": "你是一个助手"},
            {"role": "user", "content": "你好"},
            {"role": "assistant", "content": "您好，请问有什么可以帮您？"},
            {"role": "user", "content": QUESTION},
        ],
    )
    message = response.choices[0].message
    assert message.role == "assistant" and "3.2%" in message.content and "[1]" in message.content
    assert response.choices[0].finish_reason == "stop"
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens > 0
    citations = response.model_extra["citations"]
    assert citations[0]["chunk_id"] == "jiangsu-sti-14fyp:3fa2c1d9e0b1"
    assert response.model_extra["refused"] is False
    call = service.calls[-1]
    assert call["question"] == QUESTION
    assert [(t.role, t.content) for t in call["history"]] == [
        ("user", "你好"),
        ("assistant", "您好，请问有什么可以帮您？"),
    ]


def test_streamed_completion_ends_with_citations(client):
    stream = client.chat.completions.create(
        model="planqa",
        messages=[{"role": "user", "content": [{"type": "text", "text": "专栏2列了哪些项目？"}]}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "专栏2 重大科技基础设施建设[1]" in text
    final = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop")
    assert final.model_extra["citations"][0]["column"] == "专栏2 重大科技基础设施建设"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_extra_body_filters_documents_and_drafts_replies(client, service):
    response = client.chat.completions.create(
        model="planqa",
        messages=[{"role": "user", "content": "我们是南通的小微企业，能用哪些政策工具？"}],
        extra_body={"doc_ids": ["nantong-sti-14fyp"], "mode": "reply"},
    )
    assert response.choices[0].message.content.startswith("您好！")
    assert service.calls[-1]["doc_ids"] == ["nantong-sti-14fyp"] and service.calls[-1]["mode"] == "reply"


def test_refusal_is_flagged(client):
    response = client.chat.completions.create(
        model="planqa", messages=[{"role": "user", "content": "今天股票涨了吗？"}]
    )
    assert response.model_extra["refused"] is True and response.model_extra["citations"] == []


def test_errors_map_to_sdk_exceptions(client, base_url):
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(
            model="planqa", messages=[{"role": "assistant", "content": "只有助手"}]
        )
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(
            model="planqa", messages=[{"role": "user", "content": QUESTION}], extra_body={"doc_ids": ["x"]}
        )
    with pytest.raises(openai.UnprocessableEntityError):  # input errors come before the stream starts
        client.chat.completions.create(
            model="planqa", messages=[{"role": "user", "content": " "}], stream=True
        )
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{base_url}/v1", api_key="wrong", max_retries=0).models.list()


def test_raw_stream_ends_with_done(base_url):
    body = {"model": "planqa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream(
        "POST", f"{base_url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"}
    ) as r:
        lines = [line for line in r.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
