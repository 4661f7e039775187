"""Pure text helpers for answering: sentence spans, matching keys, character n-grams, numbers."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

from retrieval.grams import grams

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_CLAUSE = re.compile(r"[^，,。！？；!?;：:\n]+[，,。！？；!?;：:]?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def norm(text: str) -> str:
    """Matching key: NFKC, no white space, lower-case Latin."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@functools.lru_cache(maxsize=50_000)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_find_sentences(text))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of sentences (ending in 。！？；) in `text`, without leading/trailing blanks."""
    return list(_sentence_spans(text))


def _find_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of sentences (ending in 。！？；) in `text`, without leading/trailing blanks."""
    spans = []
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        while s < e and text[s] in " \t":
            s += 1
        if e - s > 1:
            spans.append((s, e))
    return spans


def clause_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of clauses (split at ，；：。) inside text[start:end], as absolute offsets."""
    end = len(text) if end is None else end
    return [
        (start + m.start(), start + m.end())
        for m in _CLAUSE.finditer(text[start:end])
        if m.end() - m.start() > 1
    ]


def numbers(text: str) -> list[str]:
    """Numbers as written, NFKC-normalised: '3.2', '2025', '30'."""
    return _NUMBER.findall(unicodedata.normalize("NFKC", text))


def numbers_supported(sentence: str, source: str) -> bool:
    """Every number in the sentence appears in the source (after normalisation)."""
    source_numbers = set(numbers(source))
    return all(n in source_numbers for n in numbers(sentence))


class GramWeights:
    """Inverse document frequency of character n-grams over a set of passages."""

    def __init__(self, passages: Iterable[str]):
        df: Counter[str] = Counter()
        n = 0
        for passage in passages:
            n += 1
            df.update(grams(passage))
        self._fit(n, df)

    @classmethod
    def from_counts(cls, n: int, df: Mapping[str, int]) -> GramWeights:
        """The weights of passages already counted (a build's `grams.json`, retrieval.grams)."""
        weights = cls.__new__(cls)
        weights._fit(n, df)
        return weights

    def _fit(self, n: int, df: Mapping[str, int]) -> None:
        self.n = max(n, 1)
        self.df = df
        # computed once per n-gram: coverage asks for the same weights hundreds of times an answer
        self._idf = {gram: math.log(1 + self.n / (1 + count)) for gram, count in df.items()}
        self._unseen = math.log(1 + self.n)
        self._totals: dict[frozenset[str], float] = {}

    def idf(self, gram: str) -> float:
        return self._idf.get(gram, self._unseen)

    def coverage(self, query: set[str], text_grams: set[str]) -> float:
        """Weighted share of the query's n-grams found in the text (0..1)."""
        # sorted: float sums must not depend on set order (hash seeds), or ties flip between runs
        key = frozenset(query)
        total = self._totals.get(key)
        if total is None:  # one question's n-grams are weighed against hundreds of sentences
            if len(self._totals) > 4096:
                self._totals.clear()
            total = self._totals[key] = sum(self.idf(g) for g in sorted(query))
        if total == 0:
            return 0.0
        return sum(self.idf(g) for g in sorted(query & text_grams)) / total


def split_parts(question: str) -> list[str]:
    """'A是多少？B有几家？' → ['A是多少？', 'B有几家？'] (parts of at least a few characters)."""
    parts = [p.strip() for p in re.findall(r"[^？?；;]+[？?；;]?", question) if len(p.strip()) >= 6]
    if len(parts) < 2:  # '……现在排第几，十四五想进到多少名？': two questions joined by a comma
        asking = re.compile(r"多少|几|哪|什么|吗|是否|怎么|如何")
        pieces = [p.strip() for p in re.split(r"[，,]", question) if p.strip()]
        if len(pieces) == 2 and all(asking.search(p) and len(p) >= 6 for p in pieces):
            parts = pieces
    return parts if len(parts) >= 2 else []
