"""The release gate: its logic, proof that it catches a broken system, and the gate itself on the
real corpus with the offline defaults (slow: builds the e5 index once per session)."""

from __future__ import annotations

import json
import random

import pytest

import retrieval.index
from assistant.runtime import Runtime
from assistant.settings import PROJECT_ROOT, load_settings
from evals.dataset import KINDS, load_dataset
from evals.gate import gate, load_thresholds
from evals.report import console_summary, failing_list
from evals.runner import run_eval
from retrieval.corpus import load_chunks
from retrieval.embeddings import HashEmbedder
from retrieval.models import SearchHit

METRICS_JSON = PROJECT_ROOT / "test-output" / "eval-metrics.json"

# -- gate() -----------------------------------------------------------------------------------------

PASSING = {
    "fact_recall": 0.97,
    "citation_hit": 0.99,
    "citation_validity": 1.0,
    "refusal_recall": 0.93,
    "false_refusal_rate": 0.01,
    "retrieval": {"hybrid": {"hit@1": 0.92, "hit@5": 0.99, "mrr": 0.95}},
}


def test_the_agreed_thresholds_are_in_force():
    """A threshold may be raised, never lowered: these are the agreed floors and ceilings."""
    t = load_thresholds()
    floors = {
        "fact_recall": 0.95,
        "citation_hit": 0.95,
        "refusal_recall": 0.90,
        "citation_validity": 1.0,
        "retrieval.hybrid.hit@1": 0.90,
        "retrieval.hybrid.hit@5": 0.98,
    }
    for name, floor in floors.items():
        assert t[name]["min"] >= floor, name
    assert t["false_refusal_rate"]["max"] <= 0.03


def test_gate_passes_good_metrics():
    assert gate(PASSING, load_thresholds()) == []


def test_gate_names_every_failure():
    metrics = {
        **PASSING,
        "fact_recall": 0.912,
        "false_refusal_rate": 0.05,
        "retrieval": {"hybrid": {"hit@1": 0.8, "hit@5": 0.99}},
    }
    assert gate(metrics, load_thresholds()) == [
        "fact_recall 0.912 < 0.950 (min)",
        "false_refusal_rate 0.050 > 0.030 (max)",
        "retrieval.hybrid.hit@1 0.800 < 0.900 (min)",
    ]


def test_gate_fails_what_was_not_measured():
    metrics = {k: v for k, v in PASSING.items() if k != "citation_hit"} | {"refusal_recall": None}
    failures = gate(metrics, load_thresholds())
    assert "citation_hit: no such metric" in failures
    assert "refusal_recall: not measured (no items to measure it on)" in failures


# -- a broken retriever makes the gate fail ------------------------------------------------------------


class RandomRetriever:
    """Implements the retriever surface the runtime and the evaluation use, but ranks at random."""

    build_id = "random"

    def __init__(self, chunks, seed: int = 7):
        self.chunks = chunks
        self.rng = random.Random(seed)

    @property
    def doc_ids(self):
        return list(dict.fromkeys(c.doc_id for c in self.chunks))

    def with_mode(self, mode):
        return self

    def search(self, query, k=None, doc_ids=None, **filters):
        pool = [c for c in self.chunks if not doc_ids or c.doc_id in doc_ids]
        return [SearchHit(chunk=c, score=1.0) for c in self.rng.sample(pool, min(k or 6, len(pool)))]


@pytest.fixture(scope="module")
def broken_runtime(tmp_path_factory):
    chunks = load_chunks(PROJECT_ROOT / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(retrieval.index, "open_index", lambda *a, **kw: RandomRetriever(chunks))
        rt = Runtime(
            load_settings(index_dir=tmp_path_factory.mktemp("none"), embeddings="hash", llm="extractive"),
            embedder=HashEmbedder(),
        )
        yield rt.load()


def sample(per_kind: int = 4):
    items = load_dataset()
    return [i for k in KINDS for i in [i for i in items if i.kind == k][:per_kind]]


def test_a_random_retriever_fails_the_gate(broken_runtime):
    run = run_eval(broken_runtime, sample())
    failures = gate(run.overall, load_thresholds())
    failed = {f.split()[0] for f in failures}
    assert {"retrieval.hybrid.hit@1", "retrieval.hybrid.hit@5", "fact_recall"} <= failed, failures
    assert run.overall["retrieval"]["hybrid"]["hit@1"] < 0.5
    assert run.overall["citation_validity"] == 1.0  # quotes stay verbatim even from the wrong chunks


def test_the_eval_command_reports_a_failing_gate(broken_runtime, monkeypatch, capsys):
    """`planqa eval --json` prints n_questions and the metrics, and exits 1 when the gate fails."""
    from planqa.cli import main

    items = sample(per_kind=2)
    monkeypatch.setattr("assistant.runtime.Runtime", lambda settings: broken_runtime)
    monkeypatch.setattr("evals.dataset.load_dataset", lambda: items)  # a short "full" set
    assert main(["eval", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["n_questions"] == len(items)
    assert data["gate"]["passed"] is False and data["gate"]["failures"]
    assert {"fact_recall", "citation_hit", "refusal_recall", "per_kind", "per_doc", "failing"} <= set(data)
    assert set(data["retrieval"]) == {"keyword_only", "dense_only", "hybrid"}

    assert main(["eval", "--kind", "refuse", "--limit", "3"]) == 0  # a subset is measured, not gated
    assert "gate: not applied to a subset" in capsys.readouterr().out


# -- THE GATE -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gate_run(runtime):
    run = run_eval(runtime, load_dataset())
    thresholds = load_thresholds()
    failures = gate(run.overall, thresholds)
    METRICS_JSON.parent.mkdir(parents=True, exist_ok=True)
    METRICS_JSON.write_text(json.dumps(run.to_json(failures), ensure_ascii=False, indent=2), encoding="utf-8")
    print(console_summary(run, thresholds, failures))
    return run, thresholds, failures


def _explain(run, thresholds, failures) -> str:
    return f"{console_summary(run, thresholds, failures)}\n\nFailing items:\n{failing_list(run)}"


@pytest.mark.slow
def test_the_users_suite(runtime):
    """The independent suite (evals/users.yaml, written from the plan texts alone) against its own
    thresholds (evals/thresholds.users.yaml), which it must meet like the project's own set."""
    from evals.dataset import SUITES

    run = run_eval(runtime, load_dataset(SUITES["users"]))
    thresholds = load_thresholds(suite="users")
    failures = gate(run.overall, thresholds)
    METRICS_JSON.parent.mkdir(parents=True, exist_ok=True)
    METRICS_JSON.with_name("eval-metrics-users.json").write_text(
        json.dumps(run.to_json(failures), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print(console_summary(run, thresholds, failures))
    assert run.overall["citation_validity"] == 1.0
    assert failures == [], _explain(run, thresholds, failures)


@pytest.mark.slow
def test_the_gate(gate_run):
    """Retrieval, fact recall, citations and refusals meet every threshold in evals/thresholds.yaml."""
    run, thresholds, failures = gate_run
    assert failures == [], _explain(run, thresholds, failures)
