"""Chunking: exact, complete and stable coverage of each document, within the token budget."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.chunker import DEFAULT_TOKENS, chunk_document
from retrieval.corpus import load_document, load_manifest, read_text
from retrieval.models import Chunk
from retrieval.parse import ParsedDocument, parse_document
from retrieval.tokens import count_tokens

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ENTRIES = {entry.doc_id: entry for entry in load_manifest(CORPUS)}
DOC_IDS = list(ENTRIES)
_SENTENCES = re.compile(r"(?<=[。！？；!?;])")


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedDocument]:
    return {doc_id: load_document(CORPUS, entry) for doc_id, entry in ENTRIES.items()}


@pytest.fixture(scope="module")
def chunked(parsed) -> dict[str, list[Chunk]]:
    return {doc_id: chunk_document(doc) for doc_id, doc in parsed.items()}


def gaps(doc: ParsedDocument, chunks: list[Chunk]) -> list[str]:
    """The text between consecutive chunks (and before the first, after the last)."""
    ends = [0, *[c.char_end for c in chunks]]
    starts = [*[c.char_start for c in chunks], len(doc.text)]
    return [doc.text[end:start] for end, start in zip(ends, starts, strict=True)]


# ---------------------------------------------------------------- coverage


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks_are_exact_slices_in_order_without_overlap(parsed, chunked, doc_id):
    doc, chunks = parsed[doc_id], chunked[doc_id]
    assert chunks
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.char_start : chunk.char_end]
        assert chunk.text.strip() == chunk.text and chunk.text
    for left, right in zip(chunks, chunks[1:], strict=False):
        assert left.char_end <= right.char_start  # pieces of one paragraph abut


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_only_headings_and_column_titles_lie_between_chunks(parsed, chunked, doc_id):
    doc = parsed[doc_id]
    titles = {b.text for b in doc.blocks if b.kind in ("heading", "column")}
    for gap in gaps(doc, chunked[doc_id]):
        assert {line for line in gap.split("\n") if line} <= titles, gap[:80]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_body_block_is_in_exactly_one_chunk(parsed, chunked, doc_id):
    chunks = chunked[doc_id]
    for block in (b for b in parsed[doc_id].blocks if b.is_body):
        holders = [c for c in chunks if c.char_start < block.end and block.start < c.char_end]
        assert holders, block.text[:60]
        assert holders[0].char_start <= block.start and holders[-1].char_end >= block.end
        assert all(c.section_path == list(block.section_path) and c.column == block.column for c in holders)


# ---------------------------------------------------------------- budget and tables


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks_respect_the_budget_unless_one_sentence_or_row(chunked, doc_id):
    for chunk in chunked[doc_id]:
        if count_tokens(chunk.text) <= DEFAULT_TOKENS:
            continue
        if chunk.kind == "table":
            assert len(chunk.table.rows) == 1, chunk.text[:60]
        else:
            assert len([s for s in _SENTENCES.split(chunk.text) if s]) == 1, chunk.text[:60]


@pytest.mark.parametrize("budget", [DEFAULT_TOKENS, 80])
def test_table_chunks_carry_title_and_header_and_whole_rows(parsed, budget):
    for doc in parsed.values():
        chunks = chunk_document(doc, budget)
        for block in doc.tables:
            pieces = [c for c in chunks if block.start <= c.char_start < block.end]
            assert pieces and all(c.kind == "table" for c in pieces)
            block_lines = block.text.split("\n")
            rows_seen = []
            for piece in pieces:
                assert piece.table.title == block.table.title and piece.table.header == block.table.header
                assert set(piece.text.split("\n")) <= set(block_lines)  # never cut inside a row
                rows_seen += piece.table.rows
            assert rows_seen == block.table.rows


def test_small_budget_splits_the_task_list_into_many_titled_pieces(parsed):
    chunks = [
        c
        for c in chunk_document(parsed["sunan-nidz-2021-2025"], 120)
        if c.table and "附件2" in (c.table.title or "")
    ]
    assert len(chunks) > 10
    assert all(c.table.header == ["序号", "重点任务", "具体内容", "责任单位"] for c in chunks)
    assert chunks[0].text.startswith("序号\t重点任务\t具体内容\t责任单位\n1\t")


def test_chunk_kinds_and_addresses(chunked):
    chunks = chunked["nantong-sti-14fyp"]
    layout = [c for c in chunks if c.column == "创新布局专栏6：新一代信息技术"]
    assert layout and all(c.kind == "column" for c in layout)
    assert layout[0].section == "三、产业创新布局 > （二）支持方向 > 6. 新一代信息技术"
    annex = [c for c in chunked["sunan-nidz-2021-2025"] if c.section.startswith("附件")]
    assert len(annex) > 2 and all(c.kind == "table" for c in annex)
    assert all(c.section == " > ".join(c.section_path) for cs in chunked.values() for c in cs)
    assert all(
        c.truncated
        for c in chunked["jiangsu-hitech-14fyp-outline"]
        if c.kind == "text" and c.section_path[-1][0].isdigit()
    )


# ---------------------------------------------------------------- repairs a reader would notice


def test_page_break_word_is_whole_in_a_chunk(chunked):
    assert any("重点培育30家左右具有国际影响力的企业研发机构" in c.text for c in chunked["jiangsu-sti-14fyp"])


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_no_stray_and_between_chinese(chunked, doc_id):
    assert not [
        c.chunk_id for c in chunked[doc_id] if re.search(r"[\u4e00-\u9fff]\s+and\s+[\u4e00-\u9fff]", c.text)
    ]


# ---------------------------------------------------------------- stable ids


def test_chunk_ids_are_unique_and_identical_across_runs(chunked):
    for doc_id, entry in ENTRIES.items():
        again = chunk_document(load_document(CORPUS, entry))
        assert [c.chunk_id for c in again] == [c.chunk_id for c in chunked[doc_id]]
        assert len({c.chunk_id for c in again}) == len(again)
        assert all(c.chunk_id.startswith(f"{doc_id}:") for c in again)


@pytest.mark.parametrize(
    ("old", "new", "section"),
    [
        (
            "制定实施推进创新联合体建设的政策措施",
            "制定实施推进创新联合体建设的若干政策措施",
            "三、实施科技创新重点行动 > （四）实施企业技术创新工程深化行动 > 3. 推动大中小企业融通创新",
        ),
        (  # a longer section of several chunks: the edit adds a sentence
            "高端软件。",
            "高端软件。" + "坚持自主可控，加快构建安全可靠的软件产业生态。" * 8,
            "二、打好关键核心技术攻坚战 > （二）加快突破产业关键核心技术 > 1. 新一代信息技术产业",
        ),
    ],
)
def test_editing_a_paragraph_changes_only_its_sections_ids(chunked, old, new, section):
    entry = ENTRIES["jiangsu-sti-14fyp"]
    text = read_text(CORPUS / entry.file)
    assert text.count(old) == 1
    edited = chunk_document(parse_document(text.replace(old, new), entry))
    before = {c.chunk_id: c.section for c in chunked["jiangsu-sti-14fyp"]}
    after = {c.chunk_id: c.section for c in edited}
    changed = set(before) ^ set(after)
    assert changed
    assert {before.get(i) or after.get(i) for i in changed} == {section}
