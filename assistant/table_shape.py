"""The shape of a parsed table: which columns are row numbers, units, labels or figures; which rows are
category headings; how 'which city' groups its rows (pure)."""

from __future__ import annotations

import re

from assistant.table_question import fold, is_empty_cell, parse_cell_number, parse_count, table_words
from retrieval.models import Table

__all__ = ["TableShape", "cell", "header_key", "place_core"]

_PARENS = re.compile(r"\([^()]*\)")
_CATEGORY = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\))")
_YEAR = re.compile(r"^\d{4}年?(?:末|底)?$")
_COLLECTIVE = re.compile(r"[两三四五六七八九十几各多全]")
LABEL_MAX_MEAN_LENGTH = 30  # a column of longer cells is running text (具体内容), not row labels


def cell(row: list[str], j: int | None) -> str:
    """The cell of a row at column j ('' when the row is short or j is None)."""
    return row[j] if j is not None and 0 <= j < len(row) else ""


def header_key(text: str) -> str:
    """A header or label as a matching key: folded, without parenthetical notes ('（%）', '（家）')."""
    return _PARENS.sub("", fold(text)) or fold(text)


def place_core(key: str) -> str:
    """'苏南地区' → '苏南', '南京市' → '南京': the name a question uses for a place header."""
    for suffix in sorted(table_words()["place_suffixes"], key=len, reverse=True):
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)]
    return key


class TableShape:
    """Column roles and data rows of one table, computed once per answer."""

    def __init__(self, table: Table, numeric_share: float = 0.6):
        self.table = table
        self.numeric_share = numeric_share
        self.width = max([len(table.header), *(len(r) for r in table.rows)], default=0)
        self.categories = [i for i, row in enumerate(table.rows) if self._is_category(row)]
        self.data_rows = [i for i in range(len(table.rows)) if i not in set(self.categories)]
        self._index = self._find_index()
        self._unit = next(
            (j for j in range(self.width) if self._header(j) in table_words()["unit_headers"]), None
        )
        self._numeric = self._find_numeric()
        aggregates = table_words()["aggregate_headers"]
        self._parallel = [j for j in self._numeric if not any(a in self._header(j) for a in aggregates)]
        skip = {self._index, self._unit, *self._numeric}
        self._labels = [
            j for j in range(self.width) if j not in skip and 0 < self.mean_length(j) <= LABEL_MAX_MEAN_LENGTH
        ]

    def _is_category(self, row: list[str]) -> bool:
        filled = [c for c in row if c.strip()]
        if self.width >= 3 and len(filled) == 1:
            return True
        return bool(filled) and len(filled) <= 2 and bool(_CATEGORY.match(fold(filled[0])))

    def category_of(self, i: int) -> str | None:
        """The category heading above data row i, if the table has them."""
        above = [k for k in self.categories if k < i]
        return next((c for c in self.table.rows[above[-1]] if c.strip()), None) if above else None

    def _column(self, j: int) -> list[str]:
        return [cell(self.table.rows[i], j) for i in self.data_rows]

    def _header(self, j: int) -> str:
        return header_key(cell(self.table.header, j))

    def index_column(self) -> int | None:
        """The row-number column (序号)."""
        return self._index

    def unit_column(self) -> int | None:
        return self._unit

    def numeric_columns(self) -> list[int]:
        """Columns of figures: most non-empty cells parse as numbers (row numbers and units excluded)."""
        return self._numeric

    def parallel_columns(self) -> list[int]:
        """Figure columns that are peers (cities, years), without aggregates such as 苏南地区 or 合计."""
        return self._parallel

    def label_columns(self) -> list[int]:
        """Short text columns: the cells that name a row (指标, 重点任务, 项目名称, 责任单位)."""
        return self._labels

    def _find_index(self) -> int | None:
        """The row-number column (序号), by its header or by holding 1..N."""
        words = table_words()["index_headers"]
        for j in range(self.width):
            if self._header(j) in words:
                return j
        first = self._column(0) if self.width > 1 else []
        if first and [parse_count(c) for c in first] == list(range(1, len(first) + 1)):
            return 0
        return None

    def _find_numeric(self) -> list[int]:
        out = []
        for j in range(self.width):
            if j in (self._index, self._unit):
                continue
            values = [c for c in self._column(j) if _filled(c)]
            parsed = [c for c in values if parse_cell_number(c) is not None]
            if values and len(parsed) / len(values) >= self.numeric_share:
                out.append(j)
        return out

    def askable_columns(self) -> list[int]:
        return [j for j in range(self.width) if j not in (self.index_column(), self.unit_column())]

    def mean_length(self, j: int) -> float:
        values = [c for c in self._column(j) if c.strip()]
        return sum(map(len, values)) / len(values) if values else 0.0

    def label_column(self, exclude: int | None = None) -> int | None:
        """The column that names each row: the label column with the most distinct values (leftmost)."""
        columns = [j for j in self.label_columns() if j != exclude]
        if not columns:
            return None
        words = table_words()["label_headers"]
        named = [j for j in columns if any(w in self._header(j) for w in words)]
        return max(named or columns, key=lambda j: (len(set(self._column(j))), -j))

    def label(self, i: int, exclude: int | None = None) -> str:
        """How a row is named in a statement: its label cell as written (not the asked column)."""
        j = self.label_column(exclude)
        return cell(self.table.rows[i], j) if j is not None else "\t".join(self.table.rows[i])

    def value_columns(self) -> list[int]:
        """What a row shows when no column is asked: its figures, else its short text cells."""
        if self.numeric_columns():
            return self.numeric_columns()
        return [j for j in self.label_columns() if j != self.label_column()]

    def rows_comparable(self) -> bool:
        """Rows can be ranked down a column only when they measure one thing: one unit at most, in
        the unit column or the labels' notes ('（%）' against '（家）' compares nothing)."""
        label = self.label_column()
        units = set()
        for i in self.data_rows:
            if self._unit is not None:
                units.add(fold(cell(self.table.rows[i], self._unit)))
            elif label is not None:
                units.update(_PARENS.findall(fold(cell(self.table.rows[i], label))))
        return len(units) <= 1

    def is_year(self, j: int) -> bool:
        return bool(_YEAR.match(self._header(j)))

    def row_at(self, position: int) -> int | None:
        """The data row at a 1-based position: the row numbered so, else the Nth data row."""
        index = self.index_column()
        if index is not None:
            numbered = [
                i for i in self.data_rows if parse_count(fold(cell(self.table.rows[i], index))) == position
            ]
            if numbered:
                return numbered[0]
        return self.data_rows[position - 1] if 0 < position <= len(self.data_rows) else None

    def index_is(self, i: int, position: int | None) -> bool:
        index = self.index_column()
        return (
            index is not None
            and position is not None
            and fold(cell(self.table.rows[i], index)) == str(position)
        )

    def group_column(self, word: str, named: list[int]) -> int | None:
        """The column a 'which X' word asks for: a named text column or one whose header holds the
        word; for places ('哪个市') only a column whose cells mostly name one ('南京市…')."""
        fragments = table_words()["group_words"].get(word, [word])
        by_header = [j for j in self.askable_columns() if any(f in self._header(j) for f in fragments)]
        order = [j for j in [*named, *by_header] if j not in self.numeric_columns()]
        if fragments != ["市"]:
            return order[0] if order else None
        for j in [*order, *self.label_columns()]:
            column = self._column(j)
            if column and sum(1 for c in column if self.group_key(c, word)) / len(column) >= 0.5:
                return j
        return None

    def group_key(self, value: str, word: str) -> str | None:
        """The group a cell belongs to: for a city, the city it starts with ('南京市南京江北新区' →
        '南京市'; a collective such as '苏南五市' is no one city); otherwise the cell itself."""
        fragments = table_words()["group_words"].get(word, [word])
        if fragments == ["市"]:
            m = re.match(r"^(.{2,4}?市)", fold(value))
            return m.group(1) if m and not _COLLECTIVE.search(m.group(1)[:-1]) else None
        return value.strip() or None


def _filled(text: str) -> bool:
    return not is_empty_cell(text)
