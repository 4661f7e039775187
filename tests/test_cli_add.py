"""`planqa add/docs/remove` on a small corpus with hash embeddings: a plan written in another city's
style is added, parsed, answered and cited, then removed; every bad file leaves the manifest and the
live index as they were; a kill -9 during indexing keeps the old build serving and a rerun finishes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planqa.cli import main
from retrieval.builds import current_build, current_build_id

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LINJIANG = FIXTURES / "plans" / "linjiang-style-15fyp.txt"


@pytest.fixture
def library(tmp_path, monkeypatch, capsys):
    """A corpus of one small plan, indexed; `run(*args)` → (exit code, stdout, stderr)."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "mini.txt").write_bytes((FIXTURES / "mini_plan.txt").read_bytes())
    manifest = {
        "documents": [
            {
                "doc_id": "mini-plan",
                "file": "mini.txt",
                "title": "江苏省“十四五”测试创新规划",
                "region": "江苏省",
            }
        ]
    }
    (corpus / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    for name in [n for n in os.environ if n.startswith("PLANQA_")]:
        monkeypatch.delenv(name)
    env = {"PLANQA_CORPUS_DIR": str(corpus), "PLANQA_INDEX_DIR": str(index), "PLANQA_EMBEDDINGS": "hash"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def run(*args: str):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("ingest")[0] == 0
    run.corpus, run.index, run.env = corpus, index, env
    return run


def snapshot(lib) -> tuple[bytes, str | None, list[str]]:
    return (
        (lib.corpus / "manifest.json").read_bytes(),
        current_build_id(lib.index),
        sorted(p.name for p in lib.corpus.iterdir() if not p.name.startswith(".")),
    )


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("planqa: "), err
    return lines[0]


def ask(lib, question: str):
    from assistant.runtime import Runtime
    from assistant.settings import load_settings

    return Runtime(load_settings()).load().ask(question)


def test_a_plan_in_another_citys_style_is_added_answered_and_removed(library, tmp_path):
    source = tmp_path / "Linjiang STI Plan 2026.txt"
    source.write_bytes(LINJIANG.read_bytes())
    code, out, err = library("add", str(source))
    assert code == 0, err
    assert "已添加 linjiang-sti-plan-2026《临江市“十五五”科技创新发展规划》" in out
    assert "章节 15，专栏 2，表格 1" in out

    entry = json.loads((library.corpus / "manifest.json").read_text(encoding="utf-8"))["documents"][-1]
    assert {
        k: entry.get(k)
        for k in (
            "doc_id",
            "file",
            "title",
            "issuer",
            "doc_number",
            "published",
            "region",
            "level",
            "kind",
            "period",
        )
    } == {
        "doc_id": "linjiang-sti-plan-2026",
        "file": "linjiang-sti-plan-2026.txt",
        "title": "临江市“十五五”科技创新发展规划",
        "issuer": "临江市人民政府办公厅",
        "doc_number": "临政办发〔2026〕18号",
        "published": "2026-03-15",
        "region": "临江市",
        "level": "city",
        "kind": "plan",
        "period": "2026-2030",
    }
    assert "linjiang-sti-plan-2026" in current_build(library.index)[1].documents

    code, out, _ = library("sections", "linjiang-sti-plan-2026")
    assert (
        "第三章 重点任务" in out
        and "▣ 专栏3-1 湾区实验室建设工程" in out
        and "▣ 重点工程专栏2：科技企业梯队培育 [A/B/C]" in out
    )
    assert "▦ 表1 临江市“十五五”科技创新主要指标: 3 行 × 4 列" in out

    code, out, _ = library("docs", "--json")
    docs = {d["doc_id"]: d for d in json.loads(out)}
    assert (docs["linjiang-sti-plan-2026"]["columns"], docs["linjiang-sti-plan-2026"]["tables"]) == (2, 1)
    assert docs["linjiang-sti-plan-2026"]["indexed"] is True
    code, out, _ = library("docs")
    assert out.splitlines()[0].split()[:3] == ["doc_id", "标题", "地区"] and "linjiang-sti-plan-2026" in out

    answer = ask(library, "临江市设立的科创母基金规模是多少？")
    assert "100亿元" in answer.answer
    assert any(c.doc_id == "linjiang-sti-plan-2026" for c in answer.citations)
    # the plan's own period is covered: its 2030 targets are answered, not refused as after 2025
    answer = ask(library, "临江到2030年研发经费投入强度要达到多少？")
    assert not answer.refused and "4.5%" in answer.answer

    code, out, err = library("remove", "linjiang-sti-plan-2026")
    assert code == 0, err and "已删除 linjiang-sti-plan-2026" in out
    assert not (library.corpus / "linjiang-sti-plan-2026.txt").exists()
    assert current_build(library.index)[1].documents == ["mini-plan"]
    answer = ask(library, "临江市设立的科创母基金规模是多少？")
    assert (
        all(c.doc_id != "linjiang-sti-plan-2026" for c in answer.citations) and "100亿元" not in answer.answer
    )


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    bad = tmp_path / "bad"
    bad.mkdir()
    files = {
        "empty.txt": (b"", "0 字节"),
        "sheet.xlsx": (b"PK\x03\x04" + b"\0" * 100, "损坏"),
        "plan.pdf": (LINJIANG.read_bytes(), "内容却是 TEXT"),
        "broken.pdf": (b"%PDF-1.7\n1 0 obj\n<< /Pages 2 0 R\ngarbage" * 3, "PDF"),
        "picture.png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "无法识别"),
    }
    out = {}
    for name, (data, says) in files.items():
        (bad / name).write_bytes(data)
        out[name] = (bad / name, says)
    return out


def test_bad_files_leave_the_manifest_and_the_live_index_untouched(library, tmp_path):
    before = snapshot(library)
    for name, (path, says) in _bad_files(tmp_path).items():
        code, out, err = library("add", str(path))
        line = one_line(err)
        assert code == 2 and name in line and says in line, line
        assert snapshot(library) == before, name


def test_a_bad_file_among_good_ones_adds_none_of_them(library, tmp_path):
    before = snapshot(library)
    (tmp_path / "empty.md").write_bytes(b"")
    code, _, err = library("add", str(LINJIANG), str(tmp_path / "empty.md"))
    assert code == 2 and "empty.md" in one_line(err)
    assert snapshot(library) == before


def test_too_large_duplicate_and_invalid_options(library, tmp_path, monkeypatch):
    before = snapshot(library)
    big = tmp_path / "big.txt"
    big.write_bytes(LINJIANG.read_bytes() * 800)  # about 2 MB
    monkeypatch.setenv("PLANQA_MAX_UPLOAD_MB", "1")
    code, _, err = library("add", str(big))
    assert code == 2 and "big.txt" in one_line(err) and "PLANQA_MAX_UPLOAD_MB" in err
    monkeypatch.delenv("PLANQA_MAX_UPLOAD_MB")

    code, _, err = library("add", str(LINJIANG), "--doc-id", "mini-plan")
    assert code == 2 and "doc_id mini-plan 已存在" in one_line(err)
    code, _, err = library("add", str(FIXTURES / "mini_plan.txt"))
    assert code == 2 and "已在语料中（mini-plan）" in one_line(err)
    code, _, err = library("add", str(LINJIANG), "--published", "2026-13-40")
    assert code == 2 and "YYYY-MM-DD" in one_line(err)
    code, _, err = library("add", str(LINJIANG), "--doc-id", "临江")
    assert code == 2 and "--doc-id" in one_line(err)
    code, _, err = library("remove", "no-such-plan")
    assert code == 2 and "no-such-plan" in one_line(err)
    code, _, err = library("remove", "mini-plan")
    assert code == 2 and "唯一的文档" in one_line(err)
    assert snapshot(library) == before


KILLED_ADD = """
import os, signal, sys
import retrieval.index as index
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9 while the new build is being written
index._write_build = killed
from planqa.cli import main
sys.exit(main(["add", sys.argv[1]]))
"""


def test_a_kill_during_add_keeps_the_old_index_and_a_rerun_finishes(library):
    old_build = current_build_id(library.index)
    env = {**os.environ, **library.env}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_ADD, str(LINJIANG)], env=env, capture_output=True, timeout=300
    )
    assert killed.returncode == -9
    assert current_build_id(library.index) == old_build  # the old build keeps answering
    assert current_build(library.index)[1].documents == ["mini-plan"]
    assert "linjiang-style-15fyp" in (library.corpus / "manifest.json").read_text(encoding="utf-8")

    code, out, err = library("add", str(LINJIANG))
    assert code == 0, err
    assert "继续索引 linjiang-style-15fyp" in out
    assert current_build(library.index)[1].documents == ["mini-plan", "linjiang-style-15fyp"]
