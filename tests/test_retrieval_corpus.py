"""The real corpus, indexed with the `hash` embedder (no model): keyword search and incremental ingest."""

import shutil
import time
from pathlib import Path

import pytest

from retrieval.corpus import load_chunks
from retrieval.embeddings import HashEmbedder
from retrieval.index import content_hash, ingest, open_index
from tests.retrieval_fixtures import CountingEmbedder

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def corpus_chunks():
    return load_chunks(CORPUS)


@pytest.fixture(scope="module")
def built(corpus_chunks, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("corpus-index")
    ingest(corpus_chunks, index_dir, HashEmbedder(), progress=False)
    return index_dir


@pytest.fixture(scope="module")
def keyword(built):
    return open_index(built, HashEmbedder()).with_mode("keyword_only")


@pytest.mark.parametrize(
    "question, doc_id, needle",
    [
        ("紫琅专项是什么？", "nantong-sti-14fyp", "紫琅专项"),
        ("SUPER工程有哪些内容", "jiangsu-sti-14fyp", "卓越工程"),  # alias: the plan writes 卓越工程
        ("请问什么是揭榜挂帅？", None, "揭榜挂帅"),
        ("“1+3+10+N”平台体系", "jiangsu-sti-14fyp", "1+3+10+N"),
        ("小升高计划", None, "小升高"),
    ],
)
def test_keyword_search_finds_policy_terms(keyword, question, doc_id, needle):
    hits = keyword.search(question, k=3)
    top = hits[0].chunk
    assert needle in top.search_text
    if doc_id:
        assert doc_id in {h.chunk.doc_id for h in hits}


def test_column_filter_on_the_corpus(keyword):
    hits = keyword.search("紫琅", k=5, doc_ids=["nantong-sti-14fyp"], columns_only=True)
    assert hits and all(h.chunk.column and "紫琅" in h.chunk.column for h in hits[:2])


def test_reingest_without_change_is_fast(corpus_chunks, built):
    embedder = CountingEmbedder()
    started = time.perf_counter()
    report = ingest(corpus_chunks, built, embedder, progress=False)
    assert embedder.embedded == 0 and report.added == 0 and report.unchanged == len(corpus_chunks)
    assert time.perf_counter() - started < 5


def test_editing_one_document_reembeds_only_its_changed_chunks(corpus_chunks, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index_dir = tmp_path / "index"
    ingest(corpus_chunks, index_dir, HashEmbedder(), progress=False)

    plan = corpus / "nantong-sti-14fyp.txt"
    text = plan.read_text(encoding="utf-8")
    assert "开发1000个创新产品" in text
    plan.write_text(text.replace("开发1000个创新产品", "开发1200个创新产品"), encoding="utf-8")
    edited = load_chunks(corpus)

    old_hashes = {content_hash(c) for c in corpus_chunks}
    changed = [c for c in edited if content_hash(c) not in old_hashes]
    assert 1 <= len(changed) <= 2 and {c.doc_id for c in changed} == {"nantong-sti-14fyp"}

    embedder = CountingEmbedder()
    report = ingest(edited, index_dir, embedder, progress=False)
    assert embedder.embedded == report.added == len(changed)
    assert report.unchanged == len(edited) - len(changed)
    hit = open_index(index_dir, HashEmbedder()).with_mode("keyword_only").search("开发1200个创新产品", k=1)[0]
    assert "1200个创新产品" in hit.chunk.text
