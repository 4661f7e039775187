"""A real runtime (hash embeddings) over a one-plan corpus, served with admin keys: for the admin
API and browser tests."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.runtime import Runtime
from tests.api_fakes import serving_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LINJIANG = FIXTURES / "plans" / "linjiang-style-15fyp.txt"
ADMIN_KEY = "admin-test-key"


def small_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mini.txt").write_bytes((FIXTURES / "mini_plan.txt").read_bytes())
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
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


def admin_runtime(tmp: Path, **overrides) -> Runtime:
    settings = serving_settings(
        corpus_dir=small_corpus(tmp / "corpus"),
        index_dir=tmp / "index",
        embeddings="hash",
        workers=1,
        admin_keys=[ADMIN_KEY],
        answer_cache=0,
        **overrides,
    )
    runtime = Runtime(settings)
    runtime.ensure_index()
    return runtime.load()


def linjiang_pdf(target: Path) -> Path:
    from retrieval.models import ManifestEntry
    from retrieval.parse import parse_document
    from tests.doc_writers import write_pdf

    entry = ManifestEntry(doc_id="linjiang", file="x", title="临江市“十五五”科技创新发展规划")
    return write_pdf(parse_document(LINJIANG.read_text(encoding="utf-8"), entry), target)
