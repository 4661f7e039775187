"""Adding plans to a corpus folder and removing them: what `planqa add/remove` and the admin page do.

    prepare_document(path, …) -> Candidate      read, infer metadata, parse, summarise; writes nothing
    add_documents(corpus_dir, candidates)        copy the files in, then rewrite manifest.json once
    remove_document(corpus_dir, doc_id)          rewrite manifest.json, then delete the file

Every check runs before anything is written, so a bad file leaves the corpus as it was. The
manifest is replaced atomically (a temporary file and os.replace), under a lock so two operators
adding at once do not lose each other's entries. Re-adding the same content under the same doc_id
is not an error: it finishes an `add` whose indexing was interrupted.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.chunker import DEFAULT_TOKENS, chunk_document
from retrieval.corpus import EXTRACTED_DIR, CorpusError, load_manifest, read_plan_file
from retrieval.metadata import derive_doc_id, infer_metadata
from retrieval.models import LEVELS, PLAN_KINDS, ManifestEntry
from retrieval.parse import ParsedDocument, parse_document
from retrieval.readers import DocumentFormat, ReadResult, read_document

SUFFIX = {
    DocumentFormat.PDF: ".pdf",
    DocumentFormat.DOCX: ".docx",
    DocumentFormat.MARKDOWN: ".md",
    DocumentFormat.TEXT: ".txt",
}
FIELDS = ("doc_id", "title", "issuer", "doc_number", "published", "region", "level", "kind", "period")


@dataclass
class DocumentSummary:
    """What an operator checks before a document goes live."""

    doc_id: str
    title: str
    region: str
    level: str
    kind: str
    period: str | None
    sections: int
    columns: int
    tables: int
    chunks: int
    warnings: list[str] = field(default_factory=list)
    format: str = "text"


@dataclass
class Candidate:
    source: Path
    entry: ManifestEntry
    read: ReadResult
    doc: ParsedDocument
    summary: DocumentSummary
    sha1: str
    already_added: bool = False  # same doc_id and content: an interrupted add being finished


def summarize(doc: ParsedDocument, fmt: str = "text", token_budget: int = DEFAULT_TOKENS) -> DocumentSummary:
    e = doc.entry
    warnings = list(doc.warnings)
    if not doc.headings:
        warnings.append("no headings found: sections follow paragraphs")
    return DocumentSummary(
        e.doc_id,
        e.title,
        e.region,
        e.level,
        e.kind,
        e.period,
        sections=len(doc.headings),
        columns=len(doc.columns),
        tables=len(doc.tables),
        chunks=len(chunk_document(doc, token_budget)),
        warnings=warnings,
        format=fmt,
    )


def file_sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_choice(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise CorpusError(f"--{name} {value}: 可选 {'|'.join(allowed)}")


def prepare_document(
    path: Path | str,
    corpus_dir: Path | str,
    overrides: dict | None = None,
    *,
    max_bytes: int,
    taken: set[str] | None = None,
    token_budget: int = DEFAULT_TOKENS,
) -> Candidate:
    """Read and parse one file, inferring what `overrides` does not give; raise with a one-line
    message naming the file for anything that would make it a bad corpus member."""
    path, corpus_dir = Path(path), Path(corpus_dir)
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    _check_choice("level", overrides.get("level"), LEVELS)
    _check_choice("kind", overrides.get("kind"), PLAN_KINDS)
    if (published := overrides.get("published")) and not _date_ok(published):
        raise CorpusError(f"--published {published}: 日期格式应为 YYYY-MM-DD")
    if (period := overrides.get("period")) and not re.fullmatch(r"(19|20)\d\d-(19|20)\d\d", period):
        raise CorpusError(f"--period {period}: 格式应为 2026-2030")
    entries = load_manifest(corpus_dir)
    taken = {e.doc_id for e in entries} | (taken or set())
    result = read_document(path, max_bytes=max_bytes)
    sha1 = file_sha1(path)
    same = _same_content(corpus_dir, entries, sha1, result.text)
    meta = infer_metadata(result.text, result.hints, path.name) | overrides
    doc_id = overrides.get("doc_id")
    already = False
    if doc_id is not None:
        if not _valid_id(doc_id):
            raise CorpusError(f"--doc-id {doc_id}: 只能用小写字母、数字和连字符（如 suzhou-sti-15fyp）")
        if doc_id in taken:
            if same is None or same.doc_id != doc_id:
                raise CorpusError(
                    f"{path.name}: doc_id {doc_id} 已存在；请换一个 --doc-id，或先运行 planqa remove {doc_id}"
                )
            already = True
    elif same is not None:
        doc_id, already = same.doc_id, True
    else:
        doc_id = derive_doc_id(path.name, meta["title"], taken)
    if same is not None and same.doc_id != doc_id:
        raise CorpusError(
            f"{path.name}: 内容与已有文档 {same.doc_id} 相同；无需重复添加（删除请用 planqa remove {same.doc_id}）"
        )
    fields = {k: meta.get(k) for k in FIELDS if k != "doc_id"}
    fields["region"] = fields["region"] or ""
    entry = ManifestEntry(
        doc_id=doc_id, file=f"{doc_id}{SUFFIX[result.format]}", **fields, source=path.name, sha1=sha1
    )
    if already:
        entry = next(e for e in entries if e.doc_id == doc_id)
    doc = parse_document(result.text, entry, result.tables)
    doc.warnings[:0] = result.warnings
    return Candidate(
        path, entry, result, doc, summarize(doc, result.format.value, token_budget), sha1, already
    )


def _date_ok(text: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) and bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _valid_id(doc_id: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9-]{1,79}", doc_id))


def _same_content(
    corpus_dir: Path, entries: list[ManifestEntry], sha1: str, text: str
) -> ManifestEntry | None:
    """The entry whose file has these bytes, or (for text) this text, if any."""
    text_key = _text_key(text)
    for entry in entries:
        if getattr(entry, "sha1", None) == sha1:
            return entry
        path = corpus_dir / entry.file
        try:
            if file_sha1(path) == sha1:
                return entry
            if _text_key(read_plan_file(path, corpus_dir / EXTRACTED_DIR).text) == text_key:
                return entry
        except (OSError, CorpusError):
            continue
    return None


def _text_key(text: str) -> str:
    """Equal for the same text however it is spaced or wrapped."""
    return hashlib.sha1(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).encode("utf-8")).hexdigest()


@contextlib.contextmanager
def manifest_lock(corpus_dir: Path) -> Iterator[None]:
    """One writer of manifest.json at a time (released if the process dies)."""
    with open(Path(corpus_dir) / ".manifest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_manifest(corpus_dir: Path, entries: list[ManifestEntry]) -> None:
    """Replace manifest.json in one rename; readers see the old or the new list, never half."""
    path = Path(corpus_dir) / "manifest.json"
    data = {"documents": [e.model_dump(exclude_none=True) for e in entries]}
    tmp = path.with_name(f".manifest.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _copy_in(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def add_documents(corpus_dir: Path | str, candidates: list[Candidate]) -> list[ManifestEntry]:
    """Copy each new file into the corpus folder, then add all entries to the manifest at once."""
    corpus_dir = Path(corpus_dir)
    with manifest_lock(corpus_dir):
        entries = load_manifest(corpus_dir)
        ids = {e.doc_id for e in entries}
        new = [c for c in candidates if not c.already_added]
        for c in new:
            if c.entry.doc_id in ids:
                raise CorpusError(
                    f"{c.source.name}: doc_id {c.entry.doc_id} 已存在（刚被另一次添加占用）；请重试"
                )
        for c in new:
            _copy_in(c.source, corpus_dir / c.entry.file)
        if new:
            write_manifest(corpus_dir, entries + [c.entry for c in new])
    return [c.entry for c in candidates]


def remove_document(corpus_dir: Path | str, doc_id: str) -> ManifestEntry:
    corpus_dir = Path(corpus_dir)
    with manifest_lock(corpus_dir):
        entries = load_manifest(corpus_dir)
        from retrieval.corpus import find_entry

        entry = find_entry(entries, doc_id)
        if len(entries) == 1:
            raise CorpusError(f"{doc_id} 是语料中唯一的文档，不能删除；请先添加其他文档")
        write_manifest(corpus_dir, [e for e in entries if e.doc_id != doc_id])
        if not any(e.file == entry.file for e in entries if e.doc_id != doc_id):
            with contextlib.suppress(OSError):
                (corpus_dir / entry.file).unlink()
    return entry


__all__ = [
    "Candidate",
    "DocumentSummary",
    "add_documents",
    "file_sha1",
    "manifest_lock",
    "prepare_document",
    "remove_document",
    "summarize",
    "write_manifest",
]
