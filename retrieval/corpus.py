"""The corpus on disk: a manifest of documents and their plan texts.

`load_manifest` validates entries; `read_text` decodes a file (UTF-8, or GB18030 with a warning);
`load_documents`/`load_chunks` parse and chunk the whole corpus.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import ValidationError

from retrieval.chunker import DEFAULT_TOKENS, chunk_document
from retrieval.errors import InvalidInput, PlanqaError, UnknownDocument
from retrieval.models import Chunk, ManifestEntry
from retrieval.parse import ParsedDocument, parse_document

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


def load_document(corpus_dir: Path | str, entry: ManifestEntry) -> ParsedDocument:
    return parse_document(read_text(Path(corpus_dir) / entry.file), entry)


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


__all__ = ["CorpusError", "InvalidInput", "load_manifest", "read_text", "load_document", "load_documents", "load_chunks", "find_entry"]
