import json

import httpx
import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from retrieval.embeddings import HashEmbedder, OpenAIEmbedder, load_embedder
from retrieval.errors import ConfigError, IndexUnavailable


def test_hash_embedder_is_deterministic_and_normalised():
    a, b = HashEmbedder(), HashEmbedder()
    v = a.query_vector("苏南国家自主创新示范区")
    assert v.dtype == np.float32 and v.shape == (256,)
    assert np.allclose(v, b.query_vector("苏南国家自主创新示范区"))
    assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5)


def test_hash_embedder_puts_similar_texts_closer():
    e = HashEmbedder()
    q = e.query_vector("紫琅实验室")
    near, far = e.document_vectors(["建设光电科学紫琅实验室", "推进乡村振兴种业创新"])
    assert q @ near > q @ far


def test_hash_embedder_handles_empty_text():
    assert np.linalg.norm(HashEmbedder().query_vector(" ")) == pytest.approx(1.0)


def test_langchain_interface():
    e = load_embedder("hash:32")
    assert isinstance(e, Embeddings)
    assert e.spec == "hash:32" and e.dim == 32
    assert len(e.embed_query("双碳")) == 32
    assert np.array(e.embed_documents(["双碳", "高企"])).shape == (2, 32)


def test_long_query_is_truncated():
    e = HashEmbedder()
    assert len(e.truncate_query("研" * 10_000)) == e.max_query_chars
    assert e.query_vector("研发" * 5_000).shape == (256,)


def test_unknown_spec_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="e5-small.*openai:<model>.*hash"):
        load_embedder("bge-m3")


def test_openai_spec_needs_a_base_url():
    with pytest.raises(ConfigError, match="PLANQA_EMBEDDINGS_BASE_URL"):
        load_embedder("openai:text-embedding-3-small")


def _fake_server(requests):
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        requests.append((request, body))
        # answer out of order, as the API allows: the client must sort by index
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
            for i, t in enumerate(body["input"])
        ]
        return httpx.Response(200, json={"object": "list", "data": data[::-1], "model": body["model"]})

    return httpx.MockTransport(handler)


def test_openai_embedder_posts_batches_and_sorts_by_index():
    requests = []
    e = load_embedder(
        "openai:bge-m3", base_url="http://emb.test/v1/", api_key="sk-x", transport=_fake_server(requests)
    )
    assert isinstance(e, OpenAIEmbedder) and e.spec == "openai:bge-m3"
    texts = ["甲" * n for n in range(1, 71)]
    vectors = e.document_vectors(texts)
    assert vectors.shape == (70, 3) and e.dim == 3
    assert len(requests) == 2  # batches of 64
    request, body = requests[0]
    assert request.url == "http://emb.test/v1/embeddings"
    assert request.headers["authorization"] == "Bearer sk-x"
    assert body["model"] == "bge-m3" and body["input"] == texts[:64]
    expected = np.array([len(t) for t in texts[:3]], dtype=np.float32)
    expected = expected / np.sqrt(expected**2 + 1)
    assert np.allclose(vectors[:3, 0], expected, atol=1e-6)  # normalised, in input order


def test_openai_embedder_query():
    requests = []
    e = OpenAIEmbedder("m", "http://emb.test/v1", transport=_fake_server(requests))
    vector = e.query_vector("研" * 10_000)
    assert vector.shape == (3,)
    assert len(requests[0][1]["input"][0]) == e.max_query_chars
    e.query_vector("研" * 10_000)
    assert len(requests) == 1  # the repeated query came from the cache
    assert "authorization" not in requests[0][0].headers


@pytest.mark.parametrize(
    "status, error, match",
    [
        (401, ConfigError, "PLANQA_EMBEDDINGS_API_KEY"),
        (404, ConfigError, "PLANQA_EMBEDDINGS_BASE_URL"),
        (500, IndexUnavailable, "HTTP 500"),
    ],
)
def test_openai_errors_say_what_to_fix(status, error, match):
    transport = httpx.MockTransport(lambda request: httpx.Response(status, text="nope"))
    e = OpenAIEmbedder("m", "http://emb.test/v1", transport=transport)
    with pytest.raises(error, match=match):
        e.query_vector("双碳")


def test_openai_unreachable_server():
    def refuse(request):
        raise httpx.ConnectError("connection refused")

    e = OpenAIEmbedder("m", "http://emb.test/v1", transport=httpx.MockTransport(refuse))
    with pytest.raises(IndexUnavailable, match="无法连接嵌入服务"):
        e.query_vector("双碳")


def test_openai_wrong_dimension_later_is_refused():
    def handler(request):
        n = len(json.loads(request.content)["input"][0])
        return httpx.Response(200, json={"data": [{"index": 0, "embedding": [1.0] * (3 if n < 3 else 4)}]})

    e = OpenAIEmbedder("m", "http://emb.test/v1", transport=httpx.MockTransport(handler))
    e.query_vector("ab")
    with pytest.raises(IndexUnavailable, match="4 维"):
        e.query_vector("abcd")


@pytest.mark.slow
def test_e5_small():
    e = load_embedder("e5-small")
    assert e.dim == 384 and e.spec == "e5-small"
    q = e.query_vector("种业创新")
    near, far = e.document_vectors(["选育突破性农作物新品种，加强生物育种技术", "建设集成电路产业创新集群"])
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-4)
    assert q @ near > q @ far
    long = "研发投入" * 2_500  # 10,000 characters: cut to the model's 512 tokens, not 20 windows
    assert e._model.token_count(e.truncate_query(long), True) <= 512
    assert e.query_vector(long).shape == (384,)
