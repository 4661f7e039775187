"""The corpus documents as the operator manages them, shared by `planqa add/docs/remove` and the
admin page (assistant.admin): which documents the live build holds, their parse summaries, and
reading and checking files before anything is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.settings import Settings
from retrieval.errors import PlanqaError


def indexed_documents(settings: Settings) -> set[str]:
    """The doc_ids the live build holds (empty when there is none yet)."""
    from retrieval.builds import current_build

    found = current_build(settings.index_dir)
    return set(found[1].documents) if found else set()


def _progress(items, label: str):
    if len(items) < 2 or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="份", file=sys.stderr, leave=False)


def prepare_all(settings: Settings, paths: list[str], overrides: dict) -> list:
    """Every file read, checked and parsed; raises on the first bad one, before anything is written."""
    from retrieval.library import prepare_document

    if len(paths) > 1 and overrides.get("doc_id"):
        raise PlanqaError("--doc-id 只能用于单个文件")
    live = indexed_documents(settings)
    candidates, taken = [], set()
    for path in _progress(paths, "读取"):
        c = prepare_document(
            path,
            settings.corpus_dir,
            overrides,
            max_bytes=settings.max_upload_mb * 1024 * 1024,
            taken=taken,
            token_budget=settings.chunk_tokens,
        )
        if c.already_added and c.entry.doc_id in live:
            raise PlanqaError(f"{Path(path).name}: 已在语料中（{c.entry.doc_id}），无需重复添加")
        if any(o.sha1 == c.sha1 for o in candidates):
            raise PlanqaError(f"{Path(path).name}: 与本次添加的另一个文件内容相同")
        taken.add(c.entry.doc_id)
        candidates.append(c)
    return candidates


def document_summaries(settings: Settings) -> list:
    """Each corpus document's parse summary (sections, 专栏, tables, chunks, warnings)."""
    from retrieval.corpus import load_documents
    from retrieval.library import summarize

    return [summarize(doc, token_budget=settings.chunk_tokens) for doc in load_documents(settings.corpus_dir)]
