"""What every reader returns, the error every reader raises, and helpers readers share.

A reader turns a file into *plan text*: the line format `retrieval.parse` reads (numbered headings
on their own lines, 专栏 titles, paragraphs), with each table replaced by a marker line whose rows
travel beside the text in `ReadResult.tables`. So a PDF, a Word file and a text file go through the
same parser, and a table is data from the reader on, never re-guessed from a text layout.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from retrieval.errors import PlanqaError

# A line holding only this mark and a number stands for `ReadResult.tables[number]` (a
# private-use character: it never occurs in a plan).
TABLE_MARK = "\ue000表格"

# A line holding only this mark ends the open 专栏 where the file shows the box's end (a Word
# frame, a PDF box); without it a 专栏 runs to the next heading, as in plain text.
COLUMN_END = "\ue000专栏结束"

CN_DIGITS = "一二三四五六七八九"


class DocumentFormat(enum.Enum):
    PDF = "pdf"
    DOCX = "docx"
    MARKDOWN = "markdown"
    TEXT = "text"


class UnreadableDocument(PlanqaError):
    """A file no reader can use; the message names the file and says what to do."""


@dataclass
class ReadResult:
    text: str
    tables: list[list[list[str]]] = field(default_factory=list)  # each table: rows of cells
    hints: dict = field(default_factory=dict)  # metadata the file itself declares (title, author, …)
    warnings: list[str] = field(default_factory=list)
    format: DocumentFormat = DocumentFormat.TEXT

    def add_table(self, rows: list[list[str]]) -> str:
        """Keep a table's rows and return the marker line that stands for it in the text."""
        self.tables.append(rows)
        return table_marker(len(self.tables) - 1)


def table_marker(index: int) -> str:
    return f"{TABLE_MARK}{index}"


def table_index(line: str) -> int | None:
    """The table a marker line stands for, or None for any other line."""
    line = line.strip()
    if not line.startswith(TABLE_MARK):
        return None
    rest = line[len(TABLE_MARK) :]
    return int(rest) if rest.isdigit() else None


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (heading numbers up to 99)."""
    if n < 10:
        return CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens - 1]) + "十" + (CN_DIGITS[ones - 1] if ones else "")


class HeadingNumberer:
    """Numbers headings that carry a level (Markdown `#`, Word heading styles) but no numbering of
    their own, in the plan's scheme: 一、 / （一） / 1. / （1）. Headings already numbered are kept
    as written and still advance the counters."""

    FORMATS = ("{cn}、", "（{cn}）", "{n}. ", "（{n}）")

    def __init__(self) -> None:
        self.counters = [0, 0, 0, 0]

    def heading(self, depth: int, text: str, numbered: bool) -> str:
        depth = min(max(depth, 1), 4)
        self.counters[depth - 1] += 1
        for deeper in range(depth, 4):
            self.counters[deeper] = 0
        if numbered:
            return text
        n = self.counters[depth - 1]
        return self.FORMATS[depth - 1].format(cn=chinese_numeral(n), n=n) + text
