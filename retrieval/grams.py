"""Character n-gram keys (`grams`) and how many passages of a build hold each one.

The answerer weighs a question's n-grams by inverse document frequency over the indexed passages
(assistant.text.GramWeights). Counting them reads every passage, seconds at 500 plans, so ingest
counts them once and stores them beside the chunks (`grams.json`); a build without the file, or
counted under other rules, is counted at open as before.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

# Bump when `grams` changes: counts stored under other rules are not used.
RULES_VERSION = 1
GRAMS_FILE = "grams.json"

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-+]*|\d+(?:\.\d+)?%?")


def _grams(text: str) -> frozenset[str]:
    text = unicodedata.normalize("NFKC", text)
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(w.lower() for w in _LATIN.findall(text))
    return frozenset(out)


@functools.lru_cache(maxsize=200_000)
def grams(text: str) -> frozenset[str]:
    """Character bigrams of Chinese runs plus Latin words and numbers: a tokenizer-free key.
    Cached: the same passages, sentences and titles are matched against every question."""
    return _grams(text)


def count_passages(passages: Iterable[str]) -> tuple[int, dict[str, int]]:
    """(number of passages, n-gram → passages holding it); passages bypass the `grams` cache."""
    df: Counter[str] = Counter()
    n = 0
    for passage in passages:
        n += 1
        df.update(_grams(passage))
    return n, dict(df)


def save_counts(build_dir: Path, n: int, df: dict[str, int]) -> None:
    from retrieval.builds import write_json

    write_json(build_dir / GRAMS_FILE, {"rules": RULES_VERSION, "passages": n, "df": df})


def load_counts(build_dir: Path) -> tuple[int, dict[str, int]] | None:
    """The stored counts of a build, or None (no file, unreadable, or other rules)."""
    try:
        data = json.loads((Path(build_dir) / GRAMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("rules") != RULES_VERSION:
        return None
    n, df = data.get("passages"), data.get("df")
    if not isinstance(n, int) or not isinstance(df, dict):
        return None
    return n, df


__all__ = ["grams", "count_passages", "save_counts", "load_counts", "GRAMS_FILE", "RULES_VERSION"]
