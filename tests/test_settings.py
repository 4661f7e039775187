"""Settings that refuse unsafe values at start-up, naming the variable, and defaults that fit the machine."""

from __future__ import annotations

import os

import pytest

import assistant.settings
from assistant.settings import load_settings
from assistant.workers import omp_threads
from retrieval.errors import ConfigError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in [n for n in os.environ if n.startswith("PLANQA_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize("value", ["-0.1", "1.5", "abc"])
def test_dense_skip_lead_is_a_share(monkeypatch, value):
    monkeypatch.setenv("PLANQA_DENSE_SKIP_LEAD", value)
    with pytest.raises(ConfigError, match="PLANQA_DENSE_SKIP_LEAD"):
        load_settings()


def test_dense_skip_lead_defaults_to_skipping_and_1_turns_it_off(monkeypatch):
    assert load_settings().dense_skip_lead == pytest.approx(0.35)
    monkeypatch.setenv("PLANQA_DENSE_SKIP_LEAD", "1")
    assert load_settings().dense_skip_lead == 1.0


@pytest.mark.parametrize(("cpus", "workers"), [(1, 1), (2, 2), (16, 2)])
def test_workers_default_to_one_per_core_at_most_two(monkeypatch, cpus, workers):
    monkeypatch.setattr(assistant.settings, "usable_cpus", lambda: cpus)
    settings = load_settings()
    assert settings.workers == 0 and settings.serve_workers == workers


def test_workers_set_by_the_variable_win(monkeypatch):
    monkeypatch.setattr(assistant.settings, "usable_cpus", lambda: 2)
    monkeypatch.setenv("PLANQA_WORKERS", "4")
    assert load_settings().serve_workers == 4
    monkeypatch.setenv("PLANQA_WORKERS", "-1")
    with pytest.raises(ConfigError, match="PLANQA_WORKERS"):
        load_settings()


@pytest.mark.parametrize(("workers", "cpus", "threads"), [(2, 2, 1), (2, 8, 4), (4, 2, 1), (1, 2, 2)])
def test_each_worker_gets_its_share_of_the_cores_for_embedding(workers, cpus, threads):
    assert omp_threads(workers, cpus) == threads
