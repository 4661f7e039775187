"""The corpus plans as PDF (headless Chromium's print-to-PDF of an HTML rendering, with running
headers, page-number footers, 专栏 boxes and ruled tables) and DOCX (python-docx: heading styles,
Word tables, 专栏 as one-cell frames) read back as well as the text: the same headings, 专栏 and
tables per document, and the evaluation on a corpus built from them within 0.03 of the text corpus.

The evaluation corpus mixes the formats (three plans as PDF, two as DOCX) so one index build and
one evaluation run cover both readers; its index starts from a copy of the session's e5 index, so
only chunks whose text differs are embedded again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrieval.corpus import load_document, load_manifest, read_plan_file
from retrieval.parse import parse_document
from tests.doc_writers import CHROMIUM, write_docx, write_pdf

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ENTRIES = load_manifest(CORPUS)
AS_PDF = {"jiangsu-sti-14fyp", "nantong-sti-14fyp", "jiangsu-hitech-14fyp-outline"}
TOLERANCE = 0.03

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make browser-deps)"
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """doc_id → {"pdf": path, "docx": path}, written from the parsed text plans."""
    folder = tmp_path_factory.mktemp("rendered")
    out = {}
    for entry in ENTRIES:
        doc = load_document(CORPUS, entry)
        out[entry.doc_id] = {
            "pdf": write_pdf(doc, folder / f"{entry.doc_id}.pdf"),
            "docx": write_docx(doc, folder / f"{entry.doc_id}.docx"),
        }
    return out


def structure(doc) -> dict:
    return {
        "headings": [h.text for h in doc.headings],
        "columns": [(c.label, c.section_path, c.tables) for c in doc.columns],
        "tables": [(t.table.title, len(t.table.header), len(t.table.rows), t.column) for t in doc.tables],
    }


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.doc_id)
def test_the_same_headings_columns_and_tables_as_the_text(rendered, entry, fmt):
    reference = load_document(CORPUS, entry)
    result = read_plan_file(rendered[entry.doc_id][fmt])
    doc = parse_document(result.text, entry, result.tables)
    assert structure(doc) == structure(reference)
    assert result.warnings == []
    # the running header (the plan's title) and the page numbers ('— 3 —') are gone from the body
    assert "—" not in "".join(line for line in doc.text.splitlines() if line.strip().strip("— ").isdigit())


@needs_chromium
@pytest.mark.slow
def test_the_evaluation_on_a_pdf_and_docx_corpus_matches_the_text_corpus(runtime, rendered, tmp_path):
    from assistant.runtime import Runtime
    from evals.dataset import load_dataset
    from evals.runner import run_eval
    from retrieval.library import add_documents, prepare_document

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.json").write_text('{"documents": []}', encoding="utf-8")
    for entry in ENTRIES:
        source = rendered[entry.doc_id]["pdf" if entry.doc_id in AS_PDF else "docx"]
        given = entry.model_dump(exclude={"file", "source", "sha1"}, exclude_none=True)
        add_documents(corpus, [prepare_document(source, corpus, given, max_bytes=50 << 20)])
    assert sorted(
        p.suffix for p in corpus.iterdir() if p.suffix != ".json" and not p.name.startswith(".")
    ) == [".docx", ".docx", ".pdf", ".pdf", ".pdf"]

    index = tmp_path / "index"
    shutil.copytree(runtime.settings.index_dir, index, ignore=shutil.ignore_patterns("ingest.lock"))
    formats = Runtime(runtime.settings.model_copy(update={"corpus_dir": corpus, "index_dir": index}))
    report = formats.ingest()
    assert (
        report.documents == 5 and report.unchanged > 0.9 * report.chunks
    )  # only changed text is embedded again

    items = load_dataset()
    text_run = run_eval(runtime, items, modes=("hybrid",))
    formats_run = run_eval(formats.load(), items, modes=("hybrid",))
    for metric in ("fact_recall", "citation_hit"):
        assert abs(formats_run.overall[metric] - text_run.overall[metric]) <= TOLERANCE, (
            metric,
            formats_run.overall[metric],
            text_run.overall[metric],
        )
    assert formats_run.overall["citation_validity"] == 1.0
