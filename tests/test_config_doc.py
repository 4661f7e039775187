"""docs/OPERATIONS.md carries the configuration table rendered from `Settings`: they cannot drift."""

from __future__ import annotations

from assistant.config_doc import BEGIN, END, OPERATIONS_DOC, settings_table, with_table
from assistant.settings import Settings


def test_operations_doc_has_the_current_settings_table():
    document = OPERATIONS_DOC.read_text(encoding="utf-8")
    assert with_table(document) == document, "run: .venv/bin/python -m assistant.config_doc --write"


def test_every_setting_is_documented_with_a_description():
    table = settings_table()
    for name, field in Settings.model_fields.items():
        assert f"`PLANQA_{name.upper()}`" in table
        assert field.description, f"Settings.{name} needs a description (it becomes the docs)"


def test_table_cells_are_escaped_and_defaults_readable():
    table = settings_table()
    embeddings = next(line for line in table.splitlines() if "`PLANQA_EMBEDDINGS`" in line)
    assert embeddings.count(" | ") == 2, "a '|' in a description must not open a new column"
    assert "| `./corpus` |" in table and "| (unset) |" in table
    assert BEGIN in OPERATIONS_DOC.read_text(encoding="utf-8") and END in OPERATIONS_DOC.read_text(
        encoding="utf-8"
    )
