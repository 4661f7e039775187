"""Readers: each format read into plan text, and every bad file refused with one line naming it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from retrieval.models import ManifestEntry
from retrieval.parse import parse_document
from retrieval.readers import (
    DocumentFormat,
    HeadingNumberer,
    UnreadableDocument,
    chinese_numeral,
    read_document,
    table_index,
)
from retrieval.readers.docx import merge_header_rows
from retrieval.readers.pdf import is_page_number
from retrieval.readers.text import markdown_to_plan_text

PLAN = (Path(__file__).parent / "fixtures" / "plans" / "linjiang-style-15fyp.txt").read_text(encoding="utf-8")
ENTRY = ManifestEntry(doc_id="linjiang", file="x", title="临江市“十五五”科技创新发展规划")


def refused(path: Path, **kw) -> str:
    with pytest.raises(UnreadableDocument) as info:
        read_document(path, **kw)
    message = str(info.value)
    assert "\n" not in message and path.name in message
    return message


# ---------------------------------------------------------------- pure helpers


def test_chinese_numerals_and_heading_numbers():
    assert [chinese_numeral(n) for n in (1, 9, 10, 12, 20, 23)] == [
        "一",
        "九",
        "十",
        "十二",
        "二十",
        "二十三",
    ]
    n = HeadingNumberer()
    assert n.heading(1, "发展基础", False) == "一、发展基础"
    assert n.heading(2, "主要成就", False) == "（一）主要成就"
    assert n.heading(2, "面临形势", False) == "（二）面临形势"
    assert n.heading(1, "二、总体要求", True) == "二、总体要求"  # numbered as written, counters follow
    assert n.heading(2, "目标", False) == "（一）目标"
    assert n.heading(3, "研发投入", False) == "1. 研发投入"


@pytest.mark.parametrize("line", ["— 3 —", "-3-", "- 12 -", "第3页", "第 3 页 共 20 页", "3/20", "12"])
def test_page_numbers(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["3.9%", "第三章 重点任务", "2030年", "一、总体要求"])
def test_not_page_numbers(line):
    assert not is_page_number(line)


def test_a_spanning_header_row_is_combined_with_the_row_under_it():
    rows = [["指标", "2025年", ""], ["", "目标", "实际"], ["研发投入强度（%）", "4.5", "4.6"]]
    assert merge_header_rows(rows, merged_first=True) == [
        ["指标", "2025年目标", "2025年实际"],
        ["研发投入强度（%）", "4.5", "4.6"],
    ]
    assert merge_header_rows(rows, merged_first=False) == rows


def test_markdown_headings_tables_and_boxes_become_plan_text():
    source = (
        "# 临江市科技创新规划\n\n## 发展基础\n\n### 主要成就\n\n研发经费投入强度达到**3.9%**。\n\n"
        "## 重点任务\n\n### 专栏1 湾区实验室\n\n- 智算实验室\n- 生物制造实验室\n\n"
        "| 指标 | 2025年 | 2030年 |\n|---|---:|---|\n| 研发投入强度（%） | 3.9 | 4.5 |\n"
    )
    result = markdown_to_plan_text(source)
    lines = [ln for ln in result.text.splitlines() if ln.strip()]
    assert lines[:4] == ["临江市科技创新规划", "一、发展基础", "（一）主要成就", "研发经费投入强度达到3.9%。"]
    assert "专栏1 湾区实验室" in lines and "智算实验室" in lines
    assert result.hints["title"] == "临江市科技创新规划"
    assert result.tables == [[["指标", "2025年", "2030年"], ["研发投入强度（%）", "3.9", "4.5"]]]
    assert table_index(lines[-1]) == 0
    doc = parse_document(
        result.text, ManifestEntry(doc_id="md", file="x", title="临江市科技创新规划"), result.tables
    )
    assert [h.text for h in doc.headings] == ["一、发展基础", "（一）主要成就", "二、重点任务"]
    assert [c.label for c in doc.columns] == ["专栏1 湾区实验室"]
    assert doc.tables[0].table.header == ["指标", "2025年", "2030年"]


# ---------------------------------------------------------------- formats


def test_text_and_markdown_files_are_read(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    assert read_document(tmp_path / "plan.txt").format is DocumentFormat.TEXT
    (tmp_path / "plan.md").write_text("# 规划\n\n## 总体要求\n\n正文。", encoding="utf-8")
    assert read_document(tmp_path / "plan.md").format is DocumentFormat.MARKDOWN
    (tmp_path / "plan-gbk.txt").write_bytes(PLAN.encode("gbk"))
    assert read_document(tmp_path / "plan-gbk.txt").text == PLAN


def _docx(path: Path, build) -> Path:
    import docx

    document = docx.Document()
    build(document)
    document.save(path)
    return path


def test_docx_heading_styles_tables_and_boxes(tmp_path):
    def build(d):
        d.add_paragraph("临江市“十五五”科技创新发展规划", style="Title")
        d.add_paragraph("发展基础", style="Heading 1")  # no number written: Word numbers it
        d.add_paragraph("“十四五”期间，全市研发经费投入强度达到3.9%。")
        d.add_paragraph("二、重点任务", style="Heading 1")
        d.add_paragraph("建设湾区实验室", style="Heading 2")
        box = d.add_table(rows=1, cols=1).cell(0, 0)
        box.paragraphs[0].text = "专栏 3-1 湾区实验室建设工程"
        box.add_paragraph("1. 智算实验室：建设公共智算平台。")
        inner = box.add_table(rows=2, cols=2)
        for (r, c), text in {(0, 0): "实验室", (0, 1): "方向", (1, 0): "智算", (1, 1): "算力"}.items():
            inner.cell(r, c).text = text
        table = d.add_table(rows=4, cols=3)
        table.cell(0, 1).merge(table.cell(0, 2))
        for (r, c), text in {
            (0, 0): "指标",
            (0, 1): "2030年",
            (1, 1): "目标",
            (1, 2): "底线",
            (2, 0): "研发投入强度（%）",
            (2, 1): "4.5",
            (2, 2): "4.0",
            (3, 0): "高企（万家）",
            (3, 1): "2.0",
            (3, 2): "1.6",
        }.items():
            table.cell(r, c).text = text

    result = read_document(_docx(tmp_path / "plan.docx", build))
    assert result.format is DocumentFormat.DOCX and result.hints["title"] == "临江市“十五五”科技创新发展规划"
    doc = parse_document(result.text, ENTRY, result.tables)
    assert [h.text for h in doc.headings] == ["一、发展基础", "二、重点任务", "（一）建设湾区实验室"]
    assert [c.label for c in doc.columns] == ["专栏3-1 湾区实验室建设工程"]
    assert doc.columns[0].tables == 1
    header_of = [t.table.header for t in doc.tables]
    assert header_of == [["实验室", "方向"], ["指标", "2030年目标", "2030年底线"]]
    assert doc.tables[1].table.rows[0] == ["研发投入强度（%）", "4.5", "4.0"]


# ---------------------------------------------------------------- bad input


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    assert "0 字节" in refused(tmp_path / "empty.pdf")


def test_unknown_type(tmp_path):
    (tmp_path / "sheet.xlsx").write_bytes(_zip({"xl/workbook.xml": b"<workbook/>"}))
    assert "不是 Word 文档" in refused(tmp_path / "sheet.xlsx")
    (tmp_path / "noise.bin").write_bytes(bytes(range(256)) * 8)
    assert "无法识别" in refused(tmp_path / "noise.bin")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert ".docx" in refused(tmp_path / "old.doc")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert "不支持的文件类型 .csv" in refused(tmp_path / "notes.csv")


def test_an_extension_that_lies_about_the_content(tmp_path):
    (tmp_path / "plan.pdf").write_text(PLAN, encoding="utf-8")
    assert "扩展名是 .pdf，内容却是 TEXT" in refused(tmp_path / "plan.pdf")
    (tmp_path / "plan.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n")
    assert "内容却是 PDF" in refused(tmp_path / "plan.txt")


def test_corrupt_pdf(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\ngarbage" * 3)
    assert "PDF" in refused(tmp_path / "broken.pdf")


def _text_pdf(tmp_path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "blank.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    return path


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(_text_pdf(tmp_path)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    with open(tmp_path / "locked.pdf", "wb") as f:
        writer.write(f)
    assert "加密" in refused(tmp_path / "locked.pdf")


def test_scanned_pdf_needs_ocr(tmp_path):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 120), fill="black")  # a page photographed, no text layer
    image.save(tmp_path / "scan.pdf")
    assert "OCR" in refused(tmp_path / "scan.pdf")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_docx_zip_bomb(tmp_path):
    (tmp_path / "bomb.docx").write_bytes(
        _zip({"word/document.xml": b"<w:document/>", "word/media/pad.bin": b"\0" * (40 << 20)})
    )
    assert "压缩炸弹" in refused(tmp_path / "bomb.docx")


def test_docx_without_text(tmp_path):
    assert "没有文字" in refused(_docx(tmp_path / "blank.docx", lambda d: d.add_paragraph("")))


def test_corrupt_docx(tmp_path):
    (tmp_path / "cut.docx").write_bytes(_zip({"word/document.xml": b"<w:document><w:body>"}))
    assert "损坏" in refused(tmp_path / "cut.docx")


def test_file_over_the_size_limit(tmp_path):
    (tmp_path / "big.txt").write_text(PLAN * 20, encoding="utf-8")
    assert "PLANQA_MAX_UPLOAD_MB" in refused(tmp_path / "big.txt", max_bytes=10_000)
