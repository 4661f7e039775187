"""Versioned Chinese prompt templates in `prompts/`, loaded by name ('answer.v1')."""

from __future__ import annotations

import functools
from pathlib import Path

from retrieval.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@functools.cache
def load_prompt(name: str) -> dict[str, str]:
    """Sections of a template file ('# system', '# user') as a dict of strings with {placeholders}."""
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.is_file():
        available = sorted(p.stem for p in PROMPTS_DIR.glob("*.txt"))
        raise ConfigError(f"prompt {name!r} not found in {PROMPTS_DIR}; available: {', '.join(available)}")
    sections: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            current = line[2:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}
