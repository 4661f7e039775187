import json

import pytest
from langchain_core.documents import Document

from retrieval.builds import builds_dir, current_build_id
from retrieval.embeddings import HashEmbedder
from retrieval.errors import IndexUnavailable, InvalidInput, PlanqaError, UnknownDocument
from retrieval.index import chunk_tokens, ingest, open_index
from retrieval.models import Chunk
from tests.retrieval_fixtures import TEXTS, CountingEmbedder, make_chunks


@pytest.fixture
def index_dir(tmp_path):
    ingest(make_chunks(), tmp_path / "index", HashEmbedder(), progress=False)
    return tmp_path / "index"


@pytest.fixture
def retriever(index_dir):
    return open_index(index_dir, HashEmbedder())


def test_search_finds_the_passage_that_names_the_term(retriever):
    hits = retriever.search("请问揭榜挂帅是什么？", k=3)
    assert hits[0].chunk.chunk_id == "sheng:1"
    assert hits[0].keyword_rank == 1 and hits[0].dense_rank is not None
    assert hits[0].score > hits[-1].score


def test_alias_reaches_the_plans_wording(retriever):
    hit = retriever.search("SUPER工程", k=1)[0]
    assert hit.chunk.chunk_id == "sheng:2"
    hits = retriever.search("研发投入强度", k=4)
    assert "nantong:3" in [h.chunk.chunk_id for h in hits]  # says 研发投入占GDP比重


def test_doc_filter_applies_to_both_searches(retriever):
    for mode in ("hybrid", "dense_only", "keyword_only"):
        hits = retriever.with_mode(mode).search("高新技术企业", k=10, doc_ids=["nantong"])
        assert hits and {h.chunk.doc_id for h in hits} == {"nantong"}


def test_other_filters(retriever):
    assert {h.chunk.level for h in retriever.search("创新", k=10, level="zone")} == {"zone"}
    assert {h.chunk.region for h in retriever.search("创新", k=10, region="南通市")} == {"南通市"}
    assert {h.chunk.kind for h in retriever.search("指标", k=10, kinds=["table"])} == {"table"}
    columns = retriever.search("紫琅", k=10, columns_only=True)
    assert columns and all(h.chunk.column for h in columns)
    combined = retriever.search("创新", k=10, doc_ids=["sheng"], columns_only=True)
    assert {h.chunk.chunk_id for h in combined} <= {"sheng:2", "sheng:3"}


def test_modes_give_single_rankings(retriever):
    dense = retriever.with_mode("dense_only").search("紫琅实验室", k=3)
    assert all(h.keyword_rank is None and h.dense_rank for h in dense)
    keyword = retriever.with_mode("keyword_only").search("紫琅实验室", k=3)
    assert all(h.dense_rank is None and h.keyword_rank for h in keyword)
    assert keyword[0].chunk.chunk_id == "nantong:2"
    assert retriever.mode == "hybrid"  # with_mode returns a copy
    with pytest.raises(InvalidInput):
        retriever.with_mode("sparse")


def test_bad_input_is_refused_with_a_message(retriever):
    with pytest.raises(InvalidInput, match="请输入问题"):
        retriever.search("  ")
    with pytest.raises(UnknownDocument) as info:
        retriever.search("创新", doc_ids=["nantong", "suzhou"])
    assert info.value.unknown == ["suzhou"]
    assert set(info.value.valid) == {"sheng", "sunan", "nantong"}
    with pytest.raises(InvalidInput, match="table"):
        retriever.search("创新", kinds=["figure"])
    with pytest.raises(InvalidInput, match="province"):
        retriever.search("创新", level="county")
    with pytest.raises(InvalidInput):
        retriever.search("创新", k=0)


def test_langchain_documents_carry_every_chunk_field(retriever):
    retriever.search_kwargs = {"k": 2}
    docs = retriever.invoke("紫琅专项")
    assert len(docs) == 2 and isinstance(docs[0], Document)
    meta = docs[0].metadata
    assert set(meta) >= set(Chunk.model_fields) - {"text"} | {"score", "dense_rank", "keyword_rank"}
    assert docs[0].page_content == retriever.chunk(meta["chunk_id"]).text


def test_long_query_works(retriever):
    assert retriever.search("研发投入" * 2_500, k=2)


def test_chunk_fields_survive_the_round_trip(retriever):
    original = {c.chunk_id: c for c in make_chunks()}
    for hit in retriever.search("指标 紫琅", k=20):
        assert hit.chunk == original[hit.chunk.chunk_id]
    table_chunk = retriever.chunk("nantong:3")
    assert table_chunk.table.header == ["指标", "目标"]


def test_missing_index(tmp_path):
    with pytest.raises(IndexUnavailable, match="请先运行 planqa ingest"):
        open_index(tmp_path / "nothing", HashEmbedder())


def test_other_embedder_is_refused(index_dir):
    with pytest.raises(IndexUnavailable, match="planqa ingest --rebuild") as info:
        open_index(index_dir, HashEmbedder(64))
    assert "hash:64" in str(info.value) and "256" in str(info.value)


def test_local_index_opened_for_a_server_is_refused(index_dir):
    with pytest.raises(IndexUnavailable, match="planqa ingest --rebuild"):
        open_index(index_dir, HashEmbedder(), chroma_url="http://127.0.0.1:9")


def test_reingest_without_change_does_nothing(index_dir):
    embedder = CountingEmbedder()
    build = current_build_id(index_dir)
    report = ingest(make_chunks(), index_dir, embedder, progress=False)
    assert (report.added, report.removed, report.unchanged) == (0, 0, 12)
    assert embedder.embedded == 0 and current_build_id(index_dir) == build


def test_changed_document_reembeds_only_changed_chunks(index_dir):
    texts = {doc: list(items) for doc, items in TEXTS.items()}
    section, column, _ = texts["nantong"][0]
    texts["nantong"][0] = (section, column, "高新技术企业数量达到3500家。")
    del texts["sunan"]  # a removed document
    embedder = CountingEmbedder()
    report = ingest(make_chunks(texts), index_dir, embedder, progress=False)
    assert embedder.embedded == 1
    counts = report.model_dump(include={"documents", "chunks", "added", "removed", "unchanged"})
    assert counts == {"documents": 2, "chunks": 9, "added": 1, "removed": 3, "unchanged": 8}
    retriever = open_index(index_dir, HashEmbedder())
    assert retriever.doc_ids == ["sheng", "nantong"]
    assert "3500" in retriever.search("高新技术企业数量", k=1, doc_ids=["nantong"])[0].chunk.text


def test_rebuild_embeds_everything(index_dir):
    embedder = CountingEmbedder()
    report = ingest(make_chunks(), index_dir, embedder, rebuild=True, progress=False)
    assert report.added == 12 and embedder.embedded == 12


def test_crash_midway_leaves_the_previous_index_answering(index_dir):
    before = current_build_id(index_dir)
    texts = {doc: [(s, c, t + "（修订）") for s, c, t in items] for doc, items in TEXTS.items()}
    failing = CountingEmbedder(fail_after=5)
    failing.batch_size = 4  # the first batch goes through, the second fails
    with pytest.raises(RuntimeError, match="died"):
        ingest(make_chunks(texts), index_dir, failing, progress=False)
    assert failing.embedded == 4
    assert current_build_id(index_dir) == before
    assert [p.name for p in builds_dir(index_dir).iterdir()] == [before]  # the half build is gone
    retriever = open_index(index_dir, HashEmbedder())
    assert retriever.search("揭榜挂帅", k=1)[0].chunk.text.endswith("技术。")


def test_half_written_build_is_ignored_and_cleaned(index_dir):
    before = current_build_id(index_dir)
    (builds_dir(index_dir) / "20000101T000000-dead00").mkdir()  # a crash that killed the process
    assert open_index(index_dir, HashEmbedder()).build_id == before
    texts = {doc: list(items) for doc, items in TEXTS.items() if doc != "sunan"}
    ingest(make_chunks(texts), index_dir, HashEmbedder(), progress=False)
    names = {p.name for p in builds_dir(index_dir).iterdir()}
    assert names == {before, current_build_id(index_dir)}


def test_only_the_previous_build_is_kept(index_dir):
    first = current_build_id(index_dir)
    for i in range(3):
        texts = {doc: list(items) for doc, items in TEXTS.items()}
        texts["sheng"][0] = ("一、发展基础", None, f"第{i}版。")
        ingest(make_chunks(texts), index_dir, HashEmbedder(), progress=False)
    builds = {p.name for p in builds_dir(index_dir).iterdir()}
    assert len(builds) == 2 and first not in builds and current_build_id(index_dir) in builds


def test_broken_pointer_says_rebuild(index_dir):
    (index_dir / "current.json").write_text(json.dumps({"build": "gone"}), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="--rebuild"):
        open_index(index_dir, HashEmbedder())


def test_empty_and_duplicate_chunks_are_refused(tmp_path):
    with pytest.raises(PlanqaError, match="没有可索引的文本"):
        ingest([], tmp_path, HashEmbedder(), progress=False)
    chunk = make_chunks()[0]
    with pytest.raises(PlanqaError, match="重复"):
        ingest([chunk, chunk], tmp_path, HashEmbedder(), progress=False)


def test_context_tokens_count_twice():
    chunk = make_chunks()[2]  # 专栏7 苏南自创区“卓越工程”（SUPER工程）
    tokens = chunk_tokens(chunk)
    assert tokens.count("super工程") == 2  # once, in the 专栏 title
    assert tokens.count("施卓") == 1  # once, in the text (实施卓越工程)
