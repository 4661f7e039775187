"""The corpus on disk: manifest validation, decoding and bad input files."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import pytest

from retrieval.chunker import chunk_document
from retrieval.corpus import (
    CorpusError,
    find_entry,
    load_chunks,
    load_document,
    load_documents,
    load_manifest,
    read_text,
)
from retrieval.errors import UnknownDocument

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLAN_TEXT = (FIXTURES / "mini_plan.txt").read_text(encoding="utf-8")
PLAN_TITLE = "江苏省“十四五”测试创新规划"


def entry(doc_id: str, file: str, title: str = PLAN_TITLE, **extra) -> dict:
    return {"doc_id": doc_id, "file": file, "title": title, **extra}


def make_corpus(folder: Path, documents: list[dict], files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(
        json.dumps({"documents": documents}, ensure_ascii=False), encoding="utf-8"
    )
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def error_of(call, *args) -> str:
    with pytest.raises(CorpusError) as info:
        call(*args)
    message = str(info.value)
    assert "\n" not in message and message
    return message


# ---------------------------------------------------------------- manifest


def test_real_manifest_lists_the_five_documents():
    entries = load_manifest(CORPUS)
    assert [e.doc_id for e in entries] == [
        "jiangsu-sti-14fyp",
        "sunan-nidz-2021-2025",
        "wangqin-tech-self-reliance",
        "jiangsu-hitech-14fyp-outline",
        "nantong-sti-14fyp",
    ]
    assert {e.kind for e in entries} == {"plan", "article", "outline"}


def test_missing_manifest(tmp_path):
    assert "manifest.json" in error_of(load_manifest, tmp_path)


def test_manifest_entry_whose_file_is_missing(tmp_path):
    folder = make_corpus(tmp_path, [entry("ghost", "ghost.txt")], {})
    message = error_of(load_manifest, folder)
    assert "ghost" in message and "ghost.txt" in message and "not found" in message


def test_duplicate_doc_id(tmp_path):
    folder = make_corpus(
        tmp_path, [entry("plan", "a.txt"), entry("plan", "b.txt")], {"a.txt": b"x", "b.txt": b"y"}
    )
    message = error_of(load_manifest, folder)
    assert "plan" in message and "duplicate" in message


def test_malformed_json(tmp_path):
    (tmp_path / "manifest.json").write_text('{"documents": [{"doc_id": "plan",}]}', encoding="utf-8")
    message = error_of(load_manifest, tmp_path)
    assert "manifest.json" in message and "malformed JSON" in message


@pytest.mark.parametrize("missing", ["file", "title"])
def test_entry_missing_a_field(tmp_path, missing):
    document = entry("plan", "plan.txt")
    del document[missing]
    folder = make_corpus(tmp_path, [document], {"plan.txt": b"x"})
    message = error_of(load_manifest, folder)
    assert "entry plan" in message and missing in message


def test_entry_that_is_not_an_object_is_named_by_position(tmp_path):
    folder = make_corpus(tmp_path, [entry("plan", "plan.txt"), "second"], {"plan.txt": b"x"})
    assert "entry #1" in error_of(load_manifest, folder)


def test_manifest_without_documents_list(tmp_path):
    (tmp_path / "manifest.json").write_text('["plan.txt"]', encoding="utf-8")
    assert "'documents' list" in error_of(load_manifest, tmp_path)


def test_manifest_saved_with_a_bom_is_accepted(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    data = json.dumps({"documents": [entry("plan", "plan.txt")]}, ensure_ascii=False)
    (tmp_path / "manifest.json").write_bytes(data.encode("utf-8-sig"))
    assert [e.doc_id for e in load_manifest(tmp_path)] == ["plan"]


def test_unknown_doc_id_names_the_valid_ones():
    with pytest.raises(UnknownDocument) as info:
        find_entry(load_manifest(CORPUS), "suzhou-plan")
    assert "suzhou-plan" in str(info.value) and "nantong-sti-14fyp" in str(info.value)


# ---------------------------------------------------------------- decoding and bad files


def test_read_text_accepts_a_utf8_bom(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN_TEXT.encode("utf-8-sig"))
    assert read_text(path) == PLAN_TEXT


def test_gbk_file_is_decoded_with_a_warning(tmp_path, caplog):
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN_TEXT.encode("gbk"))
    with caplog.at_level(logging.WARNING, logger="planqa.corpus"):
        assert read_text(path) == PLAN_TEXT
    assert "GB18030" in caplog.text and "plan.txt" in caplog.text


def test_random_bytes_fail_with_a_message_naming_the_file(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(random.Random(7).randbytes(4096))
    message = error_of(read_text, path)
    assert "noise.txt" in message and "not UTF-8 or GBK" in message


@pytest.fixture
def bad_corpus(tmp_path) -> Path:
    """One corpus holding the fixture plan in several awkward forms."""
    files = {
        "plan.txt": PLAN_TEXT.encode("utf-8"),
        "plan-crlf.txt": PLAN_TEXT.replace("\n", "\r\n").encode("utf-8"),
        "plan-gbk.txt": PLAN_TEXT.encode("gbk"),
        "empty.txt": b"",
        "blank.txt": b"\n \n\t\n",
        "article.txt": (FIXTURES / "mini_article.txt").read_bytes(),
        "noise.txt": random.Random(7).randbytes(4096),
    }
    documents = [entry(name.removesuffix(".txt"), name) for name in files]
    return make_corpus(tmp_path / "corpus", documents, files)


def load(corpus_dir: Path, doc_id: str):
    return load_document(corpus_dir, find_entry(load_manifest(corpus_dir), doc_id))


@pytest.mark.parametrize("variant", ["plan-crlf", "plan-gbk"])
def test_windows_line_endings_and_gbk_parse_like_the_utf8_file(bad_corpus, variant):
    reference = load(bad_corpus, "plan")
    doc = load(bad_corpus, variant)
    assert doc.text == reference.text
    assert doc.metadata["doc_number"] == reference.metadata["doc_number"] == "苏政办发〔2021〕99号"
    assert [(b.kind, b.section_path, b.column) for b in doc.blocks] == [
        (b.kind, b.section_path, b.column) for b in reference.blocks
    ]
    assert "\r" not in doc.text


@pytest.mark.parametrize("doc_id", ["empty", "blank"])
def test_empty_file_parses_to_no_chunks_and_says_so(bad_corpus, doc_id):
    doc = load(bad_corpus, doc_id)
    assert doc.blocks == [] and doc.text == ""
    assert "no body text" in doc.warnings
    assert chunk_document(doc) == []


def test_file_without_headings_is_parsed_into_paragraphs(bad_corpus):
    doc = load(bad_corpus, "article")
    assert any("no numbered headings" in w for w in doc.warnings)
    chunks = chunk_document(doc)
    assert chunks and "".join(c.text for c in chunks).count("实现高水平科技自立自强") == 1


def test_random_bytes_file_fails_loading_with_one_line(bad_corpus):
    message = error_of(load, bad_corpus, "noise")
    assert "noise.txt" in message


def test_load_chunks_and_documents_over_a_small_corpus(tmp_path):
    files = {
        "plan.txt": PLAN_TEXT.encode("utf-8"),
        "article.txt": (FIXTURES / "mini_article.txt").read_bytes(),
    }
    folder = make_corpus(
        tmp_path,
        [
            entry("plan", "plan.txt"),
            entry("article", "article.txt", "科技自立自强的江苏实践", kind="article", author="张三"),
        ],
        files,
    )
    docs = load_documents(folder)
    assert [d.entry.doc_id for d in docs] == ["plan", "article"]
    chunks = load_chunks(folder, token_budget=200)
    assert {c.doc_id for c in chunks} == {"plan", "article"}
    assert all(c.text == docs[0 if c.doc_id == "plan" else 1].text[c.char_start : c.char_end] for c in chunks)
