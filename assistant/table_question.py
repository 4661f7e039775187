"""What a question asks of a table: a superlative, a filter, a row by position, a cell (pure).

`detect_table_operation` reads only the question text; the vocabulary is data
(`assistant/data/table_words.yaml`). `assistant.tables` resolves the operation against a table.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "Extreme",
    "OpKind",
    "Superlative",
    "TableOp",
    "TableQuestion",
    "chinese_numeral",
    "detect_table_operation",
    "fold",
    "is_empty_cell",
    "parse_cell_number",
    "parse_count",
    "table_words",
]

WORDS_PATH = Path(__file__).parent / "data" / "table_words.yaml"
_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_QUOTES = str.maketrans("", "", "“”‘’\"'《》「」")


@functools.cache
def table_words() -> dict[str, Any]:
    """The vocabulary of table questions (read once)."""
    with WORDS_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def fold(text: str) -> str:
    """Matching key for questions and cells: NFKC, no blanks, no quotation marks, lower-case Latin."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(_QUOTES).lower()


class Extreme(Enum):
    MAX = "max"
    MIN = "min"


class OpKind(Enum):
    """What the question does with the table."""

    LOOKUP = "lookup"  # a cell (or a row) named by row and column
    SUPERLATIVE = "superlative"  # the highest/lowest value, or the group with most rows
    FILTER = "filter"  # the rows whose cell matches a value ('由高校牵头的')
    POSITION = "position"  # the Nth data row ('第3项')


@dataclass(frozen=True)
class Superlative:
    extreme: Extreme
    top: int | None = None  # None: the single best (ties together); N: the best N
    word: str = ""  # the question's own word ('最低'), reused in the statement


@dataclass(frozen=True)
class TableOp:
    """The operation a question asks of a table, read from its wording alone."""

    kind: OpKind = OpKind.LOOKUP
    superlative: Superlative | None = None
    position: int | None = None
    filter_words: tuple[str, ...] = ()
    filter_phrases: tuple[str, ...] = ()  # each filter word as the question puts it ('由高校牵头')
    unique: bool = False
    refers_back: bool = False  # '它的责任单位': the row chosen in the previous turn
    group_word: str | None = None  # '哪个市': the kind of value asked, or rows are counted by
    plural: bool = False  # '有哪些': several rows are asked for


@dataclass(frozen=True)
class TableQuestion:
    """A question about one table: its text, the caller's content words, the detected operation and
    the rows chosen in the previous turn (for '它/这一项' follow-ups)."""

    text: str
    terms: tuple[str, ...] = ()
    op: TableOp = field(default_factory=TableOp)
    previous_rows: tuple[int, ...] = ()

    @classmethod
    def parse(
        cls, text: str, terms: tuple[str, ...] = (), previous_rows: tuple[int, ...] = ()
    ) -> TableQuestion:
        return cls(
            text=text, terms=tuple(terms), op=detect_table_operation(text), previous_rows=tuple(previous_rows)
        )

    @property
    def position(self) -> int | None:
        return self.op.position

    @property
    def superlative(self) -> Superlative | None:
        return self.op.superlative

    @property
    def filter_words(self) -> tuple[str, ...]:
        return self.op.filter_words


def parse_count(text: str) -> int | None:
    """'3' → 3, '三' → 3, '十二' → 12, '二十' → 20; None for anything else."""
    text = unicodedata.normalize("NFKC", text)
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def chinese_numeral(n: int) -> str:
    """3 → '三', 12 → '十二', 20 → '二十' (1..99); other numbers as digits."""
    names = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else names[tens] + "十")
    return head + (names[ones] if ones else "")


@functools.cache
def _empty_marks() -> frozenset[str]:
    return frozenset(fold(e) for e in table_words()["empty_cells"])


def is_empty_cell(cell: str) -> bool:
    """A cell that holds no value ('/', '—', '')."""
    return fold(cell) in _empty_marks()


def parse_cell_number(cell: str) -> float | None:
    """The figure of a table cell: '3左右'→3, '>8'→8, '3.7以上'→3.7, '约2.5'→2.5, '2.3万'→23000;
    None for an empty mark ('/', '—') or for text that merely contains a number."""
    words = table_words()
    text = fold(cell)
    if text in _empty_marks():
        return None
    match = _NUMBER.search(text)
    if match is None:
        return None
    value = float(match.group(0))
    rest = text[: match.start()] + text[match.end() :]
    if rest.startswith("万") or rest.startswith("亿"):
        value *= 10_000 if rest[0] == "万" else 100_000_000
        rest = rest[1:]
    for qualifier in sorted(words["number_qualifiers"], key=len, reverse=True):
        rest = rest.replace(qualifier, "")
    rest = re.sub(r"[<>≥≤=~%‰()（）]", "", rest)
    return value if len(rest) <= 4 and not _NUMBER.search(rest) else None


def _superlative(q: str, words: dict[str, Any]) -> Superlative | None:
    found = [(q.find(w), w, Extreme.MAX) for w in words["max_words"] if w in q]
    found += [(q.find(w), w, Extreme.MIN) for w in words["min_words"] if w in q]
    prefixes = "|".join(map(re.escape, sorted(words["top_prefixes"], key=len, reverse=True)))
    top_match = re.search(rf"(?:{prefixes})([0-9]+|[一二两三四五六七八九十]+)", q)
    top = parse_count(top_match.group(1)) if top_match else None
    if not found:
        # '排名前三的城市' ranks without a superlative word: the highest first
        return Superlative(Extreme.MAX, top, "") if top else None
    _, word, extreme = min(found)
    if top is None and any(w in q for w in words["plural_rank_words"]):
        top = int(words["default_top"])
    return Superlative(extreme, top, word)


def _position(q: str, words: dict[str, Any]) -> int | None:
    counters = "".join(words["position_counters"])
    m = re.search(rf"第([0-9]+|[一二两三四五六七八九十]+)[{counters}]", q)
    return parse_count(m.group(1)) if m else None


def _filter_words(q: str, words: dict[str, Any]) -> list[tuple[str, str]]:
    """Values that rows must hold, with the phrase that names them: '由高校牵头' → 高校;
    '责任单位是苏州市的' → 苏州市; '苏州市负责的' → 苏州市."""
    verbs = "|".join(map(re.escape, words["filter_verbs"]))
    found = [(m.group(1), m.group(0)) for m in re.finditer(rf"由(.{{1,12}}?)(?:{verbs})", q)]
    found += [
        (m.group(2), m.group(1) + m.group(2))
        for m in re.finditer(r"([^，,。？?的]{0,6}?(?:是|为|属于))([^，,。？?是为的]{1,12})的", q)
    ]
    # 'X负责的…', 'X牵头任务': the value is the run just before the verb
    for m in re.finditer(rf"(?:{verbs})(?=的|任务|项目|平台|工程)", q):
        before = re.split(r"[的有些中里是，,、由在]", q[max(0, m.start() - 8) : m.start()])[-1]
        if len(before) >= 2:
            found.append((before, before + m.group(0)))
    unique = [w for w in words["unique_words"] if w in q]
    out: list[tuple[str, str]] = []
    for word, phrase in found:
        for u in unique:
            word, phrase = word.replace(u, ""), phrase.replace(u, "")
        if (
            len(word) >= 2
            and not any(x in word for x in words["question_words"])
            and word not in [w for w, _ in out]
        ):
            out.append((word, phrase))
    return out


def _group_word(q: str, words: dict[str, Any]) -> str | None:
    names = "|".join(map(re.escape, sorted(words["group_words"], key=len, reverse=True)))
    # '哪个市', '城市是哪个', '最多的城市'
    patterns = (rf"哪(?:一|几)?(?:个|座|家|些|所)?({names})", rf"({names})(?:是|为)哪", rf"最..?的({names})")
    found = [m for p in patterns if (m := re.search(p, q))]
    return min(found, key=lambda m: m.start()).group(1) if found else None


def detect_table_operation(question: str) -> TableOp:
    """The table operation a question asks for, from its wording: superlative/ranking, filter by a
    cell value, a row by position, or a lookup (the default); plus back-references and 'which X'."""
    words = table_words()
    q = fold(question)
    superlative = _superlative(q, words)
    filters = _filter_words(q, words)
    unique = any(w in q for w in words["unique_words"])
    position = _position(q, words)
    refers_back = any(w in q for w in words["reference_words"])
    group = _group_word(q, words)
    if superlative is not None:
        kind = OpKind.SUPERLATIVE
    elif filters or unique:
        kind = OpKind.FILTER
    elif position is not None:
        kind = OpKind.POSITION
    else:
        kind = OpKind.LOOKUP
    words_, phrases = tuple(w for w, _ in filters), tuple(p for _, p in filters)
    plural = any(w in q for w in words["plural_words"])
    return TableOp(kind, superlative, position, words_, phrases, unique, refers_back, group, plural)
