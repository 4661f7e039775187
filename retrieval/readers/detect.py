"""Which reader a file needs, from its first bytes (the extension is only checked against them)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from retrieval.readers.base import DocumentFormat, UnreadableDocument

EXTENSIONS = {
    ".pdf": DocumentFormat.PDF,
    ".docx": DocumentFormat.DOCX,
    ".md": DocumentFormat.MARKDOWN,
    ".markdown": DocumentFormat.MARKDOWN,
    ".txt": DocumentFormat.TEXT,
    ".text": DocumentFormat.TEXT,
}
SUPPORTED = "PDF、DOCX、Markdown（.md）或文本（.txt）"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .xls / .wps of old Office versions


def sniff(head: bytes, path: Path) -> DocumentFormat:
    """The format the content has, from the first bytes (4 KiB is plenty)."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return DocumentFormat.PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            raise UnreadableDocument(
                f"{path.name}: 文件已损坏（无法作为 ZIP/DOCX 打开）；请重新导出后再添加"
            ) from None
        if "word/document.xml" in names:
            return DocumentFormat.DOCX
        raise UnreadableDocument(f"{path.name}: 是压缩包或其他 Office 文件，不是 Word 文档；支持 {SUPPORTED}")
    if head.startswith(_OLE2):
        raise UnreadableDocument(f"{path.name}: 旧版 Word（.doc）或 WPS 格式；请另存为 .docx 后再添加")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableDocument(f"{path.name}: 无法识别的二进制文件；支持 {SUPPORTED}")
    if path.suffix.lower() in (".md", ".markdown"):
        return DocumentFormat.MARKDOWN
    return DocumentFormat.TEXT


def detect_format(path: Path, head: bytes) -> DocumentFormat:
    """The content's format; an extension that names another format is refused (a renamed file
    is usually the wrong file), an unknown extension is fine when the content is readable."""
    found = sniff(head, path)
    claimed = EXTENSIONS.get(path.suffix.lower())
    text_like = {DocumentFormat.TEXT, DocumentFormat.MARKDOWN}
    if claimed is not None and claimed != found and not (claimed in text_like and found in text_like):
        raise UnreadableDocument(
            f"{path.name}: 扩展名是 {path.suffix}，内容却是 {found.value.upper()}；请改正扩展名或换成正确的文件"
        )
    if claimed is None and path.suffix and found in text_like:
        raise UnreadableDocument(f"{path.name}: 不支持的文件类型 {path.suffix}；支持 {SUPPORTED}")
    return found
