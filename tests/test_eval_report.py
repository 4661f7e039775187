"""The report: markdown tables and the chart, from a small hand-made run (no index needed)."""

from __future__ import annotations

import json

import pytest

from evals.dataset import load_dataset
from evals.gate import load_thresholds
from evals.metrics import ItemResult
from evals.report import console_summary, write_report
from evals.runner import summarise_run

MODES = ("keyword_only", "dense_only", "hybrid")


@pytest.fixture
def run():
    items = load_dataset()[:2]
    results = [
        ItemResult(
            id="number-001",
            kind="number",
            answerable=True,
            doc_ids=("jiangsu-sti-14fyp",),
            ranks={"keyword_only": 1, "dense_only": 3, "hybrid": 1},
            n_facts=1,
            citation_hit=True,
            citations=1,
            latency_ms=12.0,
        ),
        ItemResult(
            id="refuse-001",
            kind="refuse",
            answerable=False,
            ranks={},
            refused=False,
            citations=1,
            latency_ms=30.0,
        ),
        ItemResult(
            id="table-001",
            kind="table",
            answerable=True,
            doc_ids=("jiangsu-sti-14fyp",),
            ranks={"keyword_only": 1, "dense_only": None, "hybrid": 7},
            n_facts=2,
            missing=("36.1",),
            citation_hit=False,
            citations=1,
            latency_ms=20.0,
        ),
    ]
    return summarise_run(items, results, MODES, elapsed_s=1.5)


def test_markdown_report_and_chart(run, tmp_path):
    md, png = write_report(run, load_thresholds(), ["fact_recall 0.500 < 0.950 (min)"], tmp_path)
    text = md.read_text(encoding="utf-8")
    for heading in (
        "## Overall",
        "## Per kind",
        "## Per document",
        "## Retrieval baselines",
        "## Failing items",
    ):
        assert heading in text
    assert "| jiangsu-sti-14fyp | 2 |" in text
    assert "BM25-only hit@1" in text and "dense-only hit@5" in text
    assert (
        "- `table-001`: retrieval: expected place at rank 7; missing fact 36.1; no citation in an expected place"
        in text
    )
    assert "- `refuse-001`: answered an unanswerable question" in text
    assert "number-001" not in text.split("## Failing items")[1]
    assert "**failed**: fact_recall 0.500 < 0.950 (min)" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_without_a_cjk_font_uses_ascii_labels(run, tmp_path, monkeypatch, recwarn):
    monkeypatch.setattr("evals.chart.cjk_font", lambda: None)
    from evals.chart import draw_chart

    assert draw_chart(run, tmp_path / "ascii.png").stat().st_size > 10_000
    assert not [w for w in recwarn if "missing from" in str(w.message)]  # no glyph drawn as a box


def test_console_summary_and_json(run):
    text = console_summary(run, load_thresholds(), None)
    assert "gate: not applied to a subset" in text
    assert "| table | 1 | 0.000 | 0.000 | 0.143 |" in text
    data = json.loads(json.dumps(run.to_json(["x"])))
    assert data["n_questions"] == 3 and data["gate"] == {"passed": False, "failures": ["x"]}
    assert data["per_kind"]["refuse"]["refusal_recall"] == 0.0
