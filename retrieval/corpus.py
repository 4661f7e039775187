"""The corpus on disk: a manifest of documents and their plan texts.

`load_manifest` validates entries; `read_text` decodes a text file (UTF-8, or GB18030 with a
warning); `read_plan_file` reads any supported file (PDF, DOCX, Markdown, text: see
`retrieval.readers`), keeping what a PDF or DOCX reader found in `<corpus>/.extracted/` by the
file's content hash so a corpus of PDFs is read once; `load_documents`/`load_chunks` parse and
chunk the whole corpus.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from pathlib import Path

from pydantic import ValidationError

from retrieval.chunker import DEFAULT_TOKENS, chunk_document
from retrieval.errors import InvalidInput, PlanqaError, UnknownDocument
from retrieval.models import Chunk, ManifestEntry
from retrieval.parse import ParsedDocument, parse_document
from retrieval.readers import DocumentFormat, ReadResult, UnreadableDocument, read_document

log = logging.getLogger("planqa.corpus")


class CorpusError(PlanqaError):
    """A manifest or plan file that cannot be used; the message names the file or entry."""


def load_manifest(corpus_dir: Path | str) -> list[ManifestEntry]:
    corpus_dir = Path(corpus_dir)
    path = corpus_dir / "manifest.json"
    if not path.is_file():
        raise CorpusError(f"{path}: manifest not found (a corpus folder needs manifest.json)")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM from a Windows editor is fine
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: malformed JSON ({exc})") from None
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        raise CorpusError(f"{path}: expected an object with a 'documents' list")
    entries, seen = [], set()
    for i, raw in enumerate(documents):
        name = raw.get("doc_id", f"#{i}") if isinstance(raw, dict) else f"#{i}"
        try:
            entry = ManifestEntry.model_validate(raw)
        except ValidationError as exc:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
            raise CorpusError(f"{path}: entry {name}: missing or invalid {fields}") from None
        if entry.doc_id in seen:
            raise CorpusError(f"{path}: entry {entry.doc_id}: duplicate doc_id")
        if not (corpus_dir / entry.file).is_file():
            raise CorpusError(f"{path}: entry {entry.doc_id}: file {entry.file} not found in {corpus_dir}")
        seen.add(entry.doc_id)
        entries.append(entry)
    return entries


def read_text(path: Path) -> str:
    """Decode a plan file: UTF-8 (BOM allowed); GB18030/GBK is accepted with a warning."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8 or GBK text; convert it with `iconv -t UTF-8`") from None
    log.warning("%s: decoded as GB18030; consider converting it to UTF-8", path)
    return text


EXTRACTED_DIR = ".extracted"
READER_VERSION = 1  # bump when a reader's output changes, so cached extractions are redone


def read_plan_file(path: Path, cache_dir: Path | None = None) -> ReadResult:
    """Read a corpus file with the reader its content needs. PDF and DOCX results are cached in
    `cache_dir` under the file's content hash (extraction takes seconds a document)."""
    path = Path(path)
    if path.suffix.lower() in ("", ".txt", ".text"):
        with open(path, "rb") as handle:
            if not handle.read(5).startswith(b"%PDF-"):
                return ReadResult(read_text(path))
    cached = None
    if cache_dir is not None:
        digest = hashlib.sha1(path.read_bytes()).hexdigest()
        cached = cache_dir / f"{digest}-v{READER_VERSION}.json"
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            return ReadResult(
                data["text"], data["tables"], data["hints"], data["warnings"], DocumentFormat(data["format"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            pass
    try:
        result = read_document(path, max_bytes=1 << 40, require_text=False)
    except UnreadableDocument as exc:
        raise CorpusError(str(exc)) from None
    if cached is not None and result.format in (DocumentFormat.PDF, DocumentFormat.DOCX):
        from retrieval.builds import write_json

        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            write_json(cached, {**asdict(result), "format": result.format.value})
        except OSError as exc:  # a read-only corpus folder: read again next time
            log.info("cannot cache the extraction of %s: %s", path.name, exc)
    return result


def load_document(corpus_dir: Path | str, entry: ManifestEntry) -> ParsedDocument:
    corpus_dir = Path(corpus_dir)
    result = read_plan_file(corpus_dir / entry.file, corpus_dir / EXTRACTED_DIR)
    doc = parse_document(result.text, entry, result.tables)
    doc.warnings[:0] = result.warnings
    return doc


def load_documents(corpus_dir: Path | str) -> list[ParsedDocument]:
    return [load_document(corpus_dir, entry) for entry in load_manifest(corpus_dir)]


def load_chunks(corpus_dir: Path | str, token_budget: int = DEFAULT_TOKENS) -> list[Chunk]:
    """All chunks of all documents of the corpus, in document order."""
    return [c for doc in load_documents(corpus_dir) for c in chunk_document(doc, token_budget)]


def find_entry(entries: list[ManifestEntry], doc_id: str) -> ManifestEntry:
    for entry in entries:
        if entry.doc_id == doc_id:
            return entry
    raise UnknownDocument(doc_id, [e.doc_id for e in entries])


__all__ = [
    "CorpusError",
    "InvalidInput",
    "load_manifest",
    "read_text",
    "read_plan_file",
    "load_document",
    "load_documents",
    "load_chunks",
    "find_entry",
]
