"""Shared fixtures. `runtime` is the real system with the offline defaults (e5-small embeddings,
extractive answers) over the real corpus, its index built once per test session in a temp folder."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def runtime(tmp_path_factory):
    """A loaded `Runtime` over a fresh e5 index (the cold build takes minutes: use it from slow tests)."""
    from assistant.runtime import Runtime
    from assistant.settings import load_settings

    # The defaults, not the shell's PLANQA_* variables, decide what the tests measure.
    # PLANQA_TEST_INDEX_DIR reuses an index built earlier (a developer's shortcut; CI builds afresh)
    index_dir = os.environ.get("PLANQA_TEST_INDEX_DIR") or tmp_path_factory.mktemp("index")
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("PLANQA_")]:
            mp.delenv(name)
        settings = load_settings(index_dir=index_dir)
    rt = Runtime(settings)
    rt.ensure_index()
    return rt.load()
