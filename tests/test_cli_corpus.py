"""`planqa sections` and `planqa chunks`: output a user reads, and one-line errors on bad input."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planqa.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID_IDS = [
    "jiangsu-sti-14fyp",
    "sunan-nidz-2021-2025",
    "wangqin-tech-self-reliance",
    "jiangsu-hitech-14fyp-outline",
    "nantong-sti-14fyp",
]


@pytest.fixture
def run(monkeypatch, capsys):
    """Run `planqa ARGS` in-process against a corpus folder; return (exit code, stdout, stderr)."""

    def _run(*args: str, corpus: Path = CORPUS):
        monkeypatch.setenv("PLANQA_CORPUS_DIR", str(corpus))
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def planqa_command() -> list[str]:
    script = shutil.which("planqa", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "planqa.cli"]


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("planqa: ")
    return lines[0]


# ---------------------------------------------------------------- the real corpus


def test_sections_prints_the_tree_with_columns_and_tables(run):
    code, out, _ = run("sections", "jiangsu-sti-14fyp")
    assert code == 0
    assert out.startswith("江苏省“十四五”科技创新规划 (jiangsu-sti-14fyp)")
    assert (
        "  三、实施科技创新重点行动\n    （一）实施战略科技力量培育行动\n      ▣ 专栏5 “1+3+10+N”重大科技创新平台体系"
        in out
    )
    assert "▦ 表1 江苏省“十三五”科技创新主要指标完成情况: 8 行 × 3 列" in out
    assert "▦ 战略性前瞻性重大科学问题: 14 行 × 1 列" in out


def test_sections_marks_the_parts_of_layout_columns(run):
    code, out, _ = run("sections", "nantong-sti-14fyp")
    assert code == 0
    assert "▣ 创新布局专栏6：新一代信息技术 [A/B/C/D/E]" in out
    assert "▦ “十四五”省级以上高新区发展目标及定位: 4 行 × 3 列" in out


def test_sections_json(run):
    code, out, _ = run("sections", "sunan-nidz-2021-2025", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["doc_id"] == "sunan-nidz-2021-2025"
    assert data["metadata"]["doc_number"] == "苏科发〔2021〕290号"
    assert data["metadata"]["cc"] == "苏南各设区市人民政府"
    annex = next(s for s in data["sections"] if s["heading"].startswith("附件1"))
    assert annex["depth"] == 1
    assert annex["tables"][0]["header"][1:] == ["苏南地区", "南京", "无锡", "常州", "苏州", "镇江"]
    assert annex["tables"][0]["rows"] == 5
    columns = [c["label"] for s in data["sections"] for c in s["columns"]]
    assert "专栏7 重要改革试验或示范区" in columns and len(columns) == 8


def test_chunks_json_round_trips_every_field(run):
    code, out, _ = run("chunks", "jiangsu-sti-14fyp", "--json")
    assert code == 0
    chunks = json.loads(out)
    assert len(chunks) > 50
    table = next(c for c in chunks if c["table"] and c["table"]["title"].startswith("表1"))
    assert table["kind"] == "table" and table["table"]["header"] == ["主要指标", "规划目标", "2020年"]
    column = next(c for c in chunks if c["column"] == "专栏7 苏南自创区“卓越工程”（SUPER工程）")
    assert column["section_path"] == [
        "四、打造区域创新发展增长极",
        "（一）提升苏南国家自主创新示范区创新引领能力",
    ]
    assert {"chunk_id", "char_start", "char_end", "ordinal", "level", "region", "truncated"} <= set(column)


def test_chunks_text_lists_id_kind_offsets_and_place(run):
    code, out, _ = run("chunks", "wangqin-tech-self-reliance")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("[wangqin-tech-self-reliance:") and "] text 0-" in first


def test_unknown_doc_id_lists_the_valid_ids(run):
    code, out, err = run("sections", "suzhou-plan")
    assert code != 0 and out == ""
    line = one_line_error(err)
    assert "suzhou-plan" in line and all(doc_id in line for doc_id in VALID_IDS)


def test_unknown_doc_id_in_a_real_process_shows_no_traceback():
    result = subprocess.run(
        [*planqa_command(), "chunks", "suzhou-plan"],
        capture_output=True,
        text=True,
        env={**os.environ, "PLANQA_CORPUS_DIR": str(CORPUS)},
        timeout=60,
    )
    assert result.returncode != 0
    assert "nantong-sti-14fyp" in one_line_error(result.stderr)


# ---------------------------------------------------------------- bad corpora


def write_corpus(folder: Path, files: dict[str, bytes], manifest: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    documents = [
        {"doc_id": name.removesuffix(".txt"), "file": name, "title": "江苏省“十四五”测试创新规划"}
        for name in files
    ]
    (folder / "manifest.json").write_text(
        manifest or json.dumps({"documents": documents}, ensure_ascii=False), encoding="utf-8"
    )
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def bad_corpus(tmp_path) -> Path:
    plan = (FIXTURES / "mini_plan.txt").read_text(encoding="utf-8")
    return write_corpus(
        tmp_path / "corpus",
        {
            "crlf.txt": plan.replace("\n", "\r\n").encode("utf-8"),
            "gbk.txt": plan.encode("gbk"),
            "empty.txt": b"",
            "flat.txt": (FIXTURES / "mini_article.txt").read_bytes(),
            "noise.txt": random.Random(7).randbytes(4096),
        },
    )


@pytest.mark.parametrize("doc_id", ["crlf", "gbk"])
@pytest.mark.parametrize("command", ["sections", "chunks"])
def test_crlf_and_gbk_files_work(run, bad_corpus, doc_id, command):
    code, out, err = run(command, doc_id, "--json", corpus=bad_corpus)
    assert code == 0 and "Traceback" not in err
    data = json.loads(out)
    if command == "sections":
        assert data["metadata"]["doc_number"] == "苏政办发〔2021〕99号"
        assert any(c["label"] == "创新布局专栏1：海工船舶" for s in data["sections"] for c in s["columns"])
    else:
        assert all("\r" not in c["text"] for c in data) and len(data) > 5


@pytest.mark.parametrize("command", ["sections", "chunks"])
def test_empty_and_headingless_files_do_not_crash(run, bad_corpus, command):
    for doc_id in ("empty", "flat"):
        code, _, err = run(command, doc_id, corpus=bad_corpus)
        assert code == 0 and "Traceback" not in err


def test_random_bytes_file_is_one_line_naming_the_file(run, bad_corpus):
    code, out, err = run("chunks", "noise", corpus=bad_corpus)
    assert code != 0 and out == ""
    line = one_line_error(err)
    assert "noise.txt" in line and "not UTF-8 or GBK" in line


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ('{"documents": [', "malformed JSON"),
        ('{"documents": [{"doc_id": "plan", "file": "plan.txt"}]}', "entry plan: missing or invalid title"),
        (
            '{"documents": [{"doc_id": "ghost", "file": "ghost.txt", "title": "无"}]}',
            "entry ghost: file ghost.txt not found",
        ),
        (
            '{"documents": [{"doc_id": "plan", "file": "plan.txt", "title": "甲"}, {"doc_id": "plan", "file": "plan.txt", "title": "乙"}]}',
            "entry plan: duplicate doc_id",
        ),
    ],
)
def test_bad_manifest_is_one_line(run, tmp_path, manifest, expected):
    folder = write_corpus(tmp_path, {"plan.txt": "一、总则\n".encode()}, manifest)
    code, out, err = run("sections", "plan", corpus=folder)
    assert code != 0 and out == ""
    assert expected in one_line_error(err)


def test_missing_corpus_folder_is_one_line(run, tmp_path):
    code, _, err = run("sections", "plan", corpus=tmp_path / "nowhere")
    assert code != 0
    assert "manifest" in one_line_error(err)
