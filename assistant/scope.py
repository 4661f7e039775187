"""What the corpus covers in time and place, read from its manifest, and the questions outside it.

A question about a year after every plan's period, a 五年 term no plan covers, an actual figure for
a year no plan was written after, or a place no plan covers is refused with what the plans do
cover. The coverage comes from the manifest's `period` and `region` fields, so a “十五五” plan an
operator adds makes questions about 2030 answerable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_PERIOD = re.compile(r"(?<!\d)(\d{4})\s*[-—–～~至到]\s*(\d{4})(?!\d)")
_TERM = re.compile(r"十([一二三四五六七八九])五")
_CN = "一二三四五六七八九"
# the terms from the third on are five years each, counted from 1956 (三五 was 1966–1970, after an
# adjustment period): 十四五 is 2021–2025, 十五五 2026–2030
_TERM_BASE = 1956
# a question about a year before this is about no plan of ours: the corpus's plans report figures
# of the preceding term, not decades back (a constant, since no manifest field says how far back)
EARLIEST_YEAR = 2000
# the corpus's coverage when no manifest entry has a period (a corpus of undated texts)
UNDATED = (EARLIEST_YEAR, 2100)
# words that ask for an actual (reported) value rather than a target
_ACTUAL = re.compile(r"实际|已经|已有|现有|现在|目前|截至|截止到|完成了|达到了|统计")


def term_name(number: int) -> str:
    """14 → '十四五' (the terms this corpus can hold are the 11th to the 19th)."""
    return f"十{_CN[number - 11]}五" if 11 <= number <= 19 else f"第{number}个五年"


def term_of(year: int) -> int:
    """2021 → 14, 2026 → 15."""
    return (year - _TERM_BASE) // 5 + 1


@dataclass(frozen=True)
class Coverage:
    """The years, terms and places the corpus's plans cover."""

    start: int  # the first year of the earliest period (2021)
    end: int  # the last year of the latest period (2025)
    written: int  # the first year of the latest period: actual figures end the year before it
    terms: tuple[int, ...]  # the 五年 terms the periods span (14: 十四五)
    regions: tuple[str, ...]  # the manifest's regions, short ('江苏省', '苏南', '南通市')

    @property
    def span(self) -> str:
        """'“十四五”（2021—2025年）', the plans' periods as the refusals name them."""
        terms = "".join(f"“{term_name(t)}”" for t in self.terms)
        return f"{terms}（{self.start}—{self.end}年）"

    def later_term(self, text: str) -> str | None:
        """A 五年 term after every plan's ('十六五' when the latest plan is a 十五五 one)."""
        for m in _TERM.finditer(text):
            number = 10 + _CN.index(m.group(1)) + 1
            if self.terms and number > max(self.terms):
                return m.group(0)
        return None


def term_end(number: int) -> int:
    """14 → 2025, the last year of a 五年 term."""
    return _TERM_BASE + 5 * number - 1


@dataclass(frozen=True)
class PeriodWords:
    """The words that date a question or passage against the plans' periods, as regex
    alternations: the term before the plans' and its last year are the past ('十三五|2020年',
    results), the plans' terms and their last years the future ('十四五|2025', targets)."""

    past: str
    future: str


def period_words(coverage: Coverage) -> PeriodWords:
    """The period words of a coverage (of the plans a question names, or of the corpus)."""
    if not coverage.terms:  # undated plans: no word dates anything
        return PeriodWords(r"(?!)", r"(?!)")
    before = min(coverage.terms) - 1
    past = f"{term_name(before)}|{term_end(before)}年"
    future = "|".join([*(str(term_end(t)) for t in coverage.terms), *(term_name(t) for t in coverage.terms)])
    return PeriodWords(past, future)


# the words of the shipped corpus's “十四五” plans (a Question made without a corpus)
DEFAULT_PERIOD_WORDS = PeriodWords("十三五|2020年", "2025|十四五")


def coverage_of(entries: Iterable) -> Coverage:
    """The coverage of manifest entries (each with `period` like '2021-2025' and a `region`)."""
    periods, regions = [], []
    for entry in entries:
        m = _PERIOD.search(getattr(entry, "period", None) or "")
        if m and int(m.group(1)) <= int(m.group(2)):
            periods.append((int(m.group(1)), int(m.group(2))))
        region = re.split(r"[（(]", getattr(entry, "region", None) or "")[0].strip()
        if region and region not in regions:
            regions.append(region)
    if not periods:
        start, end = UNDATED
        return Coverage(start, end, end, (), tuple(regions))
    terms = sorted({t for a, b in periods for t in range(term_of(a), term_of(b) + 1)})
    return Coverage(
        start=min(a for a, _ in periods),
        end=max(b for _, b in periods),
        written=max(a for a, _ in periods),
        terms=tuple(terms),
        regions=tuple(regions),
    )


def find_places(text: str, vocabulary: tuple[str, ...]) -> list[str]:
    """The names of the vocabulary in the text, longest first, none inside another found."""
    found = []
    for place in vocabulary:
        if place in text and not any(place in f for f in found):
            found.append(place)
    return found


def period_reason(text: str, coverage: Coverage) -> str | None:
    """Why the plans cannot answer about the time a question names, or None."""
    years = [int(y) for y in _YEAR.findall(text)]
    actual = [y for y in years if coverage.written <= y <= coverage.end]
    if actual and _ACTUAL.search(text):
        named = "、".join(map(str, actual))
        return (
            f"这些规划编制于{coverage.written}年前后，只有此前时期的实际数据，不包含{named}年的实际完成情况"
        )
    later = [y for y in years if y > coverage.end]
    if later:
        return f"这些规划的期限是{coverage.span}，不包含{'、'.join(map(str, later))}年的内容"
    term = coverage.later_term(text)
    if term:
        return f"这些规划的期限是{coverage.span}，不涉及“{term}”时期"
    earlier = [y for y in years if y < EARLIEST_YEAR]
    if earlier:
        return f"这些规划不涉及{'、'.join(map(str, earlier))}年的情况"
    return None


def place_reason(places: list[str], other_places: list[str], coverage: Coverage) -> str | None:
    """Why the plans cannot answer about the places a question names (only places none covers)."""
    if other_places and not places:
        covered = "、".join(coverage.regions) or "已收录地区"
        return f"这些规划只涉及{covered}，不包含{'、'.join(other_places)}的规划内容"
    return None


__all__ = [
    "DEFAULT_PERIOD_WORDS",
    "Coverage",
    "PeriodWords",
    "period_words",
    "term_end",
    "coverage_of",
    "find_places",
    "period_reason",
    "place_reason",
    "term_name",
    "term_of",
]
