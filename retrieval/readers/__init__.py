"""Readers: a plan file (PDF, DOCX, Markdown, text) → plan text + tables + metadata hints.

    read_document(path, max_bytes) -> ReadResult      one entry point, chosen by the first bytes

Each format has one function `read_<format>_file(path) -> ReadResult` (see `READERS`). Every
problem is an `UnreadableDocument` whose message names the file and says what to do: empty,
too large, unknown or mislabelled type, encrypted, corrupt, scanned (no text layer), a DOCX
that unpacks to far more than it weighs (a zip bomb), or no text at all.
"""

from __future__ import annotations

from pathlib import Path

from retrieval.readers.base import (
    COLUMN_END,
    TABLE_MARK,
    DocumentFormat,
    HeadingNumberer,
    ReadResult,
    UnreadableDocument,
    chinese_numeral,
    table_index,
    table_marker,
)
from retrieval.readers.detect import SUPPORTED, detect_format

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def _reader(fmt: DocumentFormat):
    if fmt is DocumentFormat.PDF:
        from retrieval.readers.pdf import read_pdf_file

        return read_pdf_file
    if fmt is DocumentFormat.DOCX:
        from retrieval.readers.docx import read_docx_file

        return read_docx_file
    from retrieval.readers import text

    return text.read_markdown_file if fmt is DocumentFormat.MARKDOWN else text.read_text_file


def read_document(
    path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES, *, require_text: bool = True
) -> ReadResult:
    """Read one plan file; raise UnreadableDocument with a one-line message when it cannot be used.

    `require_text=False` lets an empty text file through (a corpus file already in the manifest
    parses to no chunks, with a warning); files being added always need text."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableDocument(f"{path}: 文件不存在") from None
    if not path.is_file():
        raise UnreadableDocument(f"{path}: 不是文件")
    if size == 0 and require_text:
        raise UnreadableDocument(f"{path.name}: 文件是空的（0 字节）；请选择正确的文件")
    if size > max_bytes:
        raise UnreadableDocument(
            f"{path.name}: 文件 {size / 1048576:.1f} MB，超过上限 {max_bytes / 1048576:.0f} MB（PLANQA_MAX_UPLOAD_MB）；请拆分或压缩后再添加"
        )
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return ReadResult("")
    fmt = detect_format(path, head)
    result = _reader(fmt)(path)
    result.format = fmt
    if (
        require_text
        and not any(line.strip() and table_index(line) is None for line in result.text.splitlines())
        and not result.tables
    ):
        raise UnreadableDocument(f"{path.name}: 文件里没有文字；请检查是否选错了文件")
    return result


__all__ = [
    "COLUMN_END",
    "DEFAULT_MAX_BYTES",
    "SUPPORTED",
    "TABLE_MARK",
    "DocumentFormat",
    "HeadingNumberer",
    "ReadResult",
    "UnreadableDocument",
    "chinese_numeral",
    "detect_format",
    "read_document",
    "table_index",
    "table_marker",
]
