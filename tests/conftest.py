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


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of its own for the session (see tests/pg_server.py)."""
    from tests.pg_server import PostgresServer, pg_bindir

    bindir = pg_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql (make pg-deps)"
        )
    server = PostgresServer(bindir)
    server.start()
    yield server
    server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The same conversation-log tests against SQLite and against a real PostgreSQL server; each
    PostgreSQL test gets a database of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'log.sqlite3'}"
    server = request.getfixturevalue("postgres")
    name = f"t_{request.node.name.split('[')[0][-40:].lower()}_{os.getpid()}_{id(request) % 100000}"
    from sqlalchemy import create_engine, text

    admin = create_engine(
        server.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.url.rsplit("/", 1)[0] + f"/{name}"
