"""The synthetic corpora of the growth benchmark: the requested multiple, unique ids, parseable."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.growth import CORPUS, chinese_numeral, split_sections, synthetic_corpus
from retrieval.corpus import load_chunks, load_manifest, read_text
from retrieval.embeddings import HashEmbedder
from retrieval.index import ingest, open_index

SMALL = ("wangqin-tech-self-reliance", "jiangsu-hitech-14fyp-outline")  # about 16 kB of the corpus


@pytest.fixture(scope="module")
def small_source(tmp_path_factory) -> Path:
    """Two of the real documents as a corpus of their own, so the tests stay fast."""
    source = tmp_path_factory.mktemp("small-corpus")
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    kept = [d for d in manifest["documents"] if d["doc_id"] in SMALL]
    for entry in kept:
        (source / entry["file"]).write_bytes((CORPUS / entry["file"]).read_bytes())
    (source / "manifest.json").write_text(
        json.dumps({"documents": kept}, ensure_ascii=False), encoding="utf-8"
    )
    return source


def sections_of(corpus: Path) -> Counter:
    """Every (heading, body) of a corpus, counted."""
    return Counter(
        section
        for e in load_manifest(corpus)
        for section in split_sections(read_text(corpus / e.file), e.title)
    )


def test_chinese_numerals():
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 35, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "三十五",
        "九十九",
    ]
    with pytest.raises(ValueError):
        chinese_numeral(100)


def test_sections_split_at_top_level_headings():
    text = "标题\n\n前言不计。\n一、总体要求\n（一）目标\n到2025年。\n\t二、重点任务\n专栏1 项目\n"
    assert split_sections(text, "标题") == [
        ("总体要求", "（一）目标\n到2025年。"),
        ("重点任务", "专栏1 项目"),
    ]
    assert split_sections("没有编号的文章。\n第二段。", "文章") == [("文章", "没有编号的文章。\n第二段。")]


@pytest.mark.parametrize("multiple", [1, 3])
def test_each_real_section_is_used_exactly_multiple_times(tmp_path, small_source, multiple):
    manifest = synthetic_corpus(tmp_path / "synthetic", multiple, seed=1, source=small_source)
    assert len(manifest) == len(SMALL) * multiple
    ids = [e["doc_id"] for e in manifest]
    assert len(set(ids)) == len(ids) and not set(ids) & set(SMALL), "new, unique doc_ids"
    real = sections_of(small_source)
    # Each synthetic section is a real one, renumbered; headings of documents without numbered
    # sections become the plan title, so compare bodies.
    bodies = Counter(body for (_, body), n in real.items() for _ in range(n))
    generated = Counter(
        body for (_, body), n in sections_of(tmp_path / "synthetic").items() for _ in range(n)
    )
    assert generated == Counter({body: n * multiple for body, n in bodies.items()})


def test_keep_real_copies_the_plans_and_recombines_the_rest(tmp_path, small_source):
    manifest = synthetic_corpus(tmp_path / "synthetic", 3, seed=1, source=small_source, keep_real=True)
    ids = [e["doc_id"] for e in manifest]
    assert ids[:2] == list(SMALL) and len(ids) == len(set(ids)) == 2 * 3
    for doc_id in SMALL:
        assert (tmp_path / "synthetic" / f"{doc_id}.txt").read_bytes() == (
            small_source / f"{doc_id}.txt"
        ).read_bytes()
    real = sum(len(body) for (_, body), n in sections_of(small_source).items() for _ in range(n))
    assert (
        sum(len(b) for (_, b), n in sections_of(tmp_path / "synthetic").items() for _ in range(n)) == 3 * real
    )


def test_same_seed_same_corpus_other_seed_other_order(tmp_path, small_source):
    a = synthetic_corpus(tmp_path / "a", 3, seed=5, source=small_source)
    b = synthetic_corpus(tmp_path / "b", 3, seed=5, source=small_source)
    c = synthetic_corpus(tmp_path / "c", 3, seed=6, source=small_source)
    text = lambda d, e: (d / e["file"]).read_text(encoding="utf-8")  # noqa: E731
    assert [text(tmp_path / "a", e) for e in a] == [text(tmp_path / "b", e) for e in b]
    assert [text(tmp_path / "a", e) for e in a] != [text(tmp_path / "c", e) for e in c]


def test_synthetic_corpus_parses_chunks_and_indexes(tmp_path, small_source):
    real_chunks = load_chunks(small_source)
    synthetic = tmp_path / "synthetic"
    synthetic_corpus(synthetic, 3, seed=2, source=small_source)
    chunks = load_chunks(synthetic)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert 0.85 * 3 * len(real_chunks) <= len(chunks) <= 1.15 * 3 * len(real_chunks)
    assert all(c.doc_id.startswith("synthetic-3x-") for c in chunks)
    assert {len(c.section_path) > 0 for c in chunks} == {True}, "every chunk sits under a heading"

    report = ingest(chunks, tmp_path / "index", HashEmbedder(), progress=False)
    assert report.chunks == len(chunks) and report.documents == 2 * 3
    hits = open_index(tmp_path / "index", HashEmbedder()).search("人工智能产业", k=3)
    assert hits and all("人工智能" in h.chunk.text or "人工智能" in h.chunk.context for h in hits[:1])
