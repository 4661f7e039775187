"""Tables as data: a parsed `Table` answers lookups by row and column, superlatives and rankings,
filters by cell value, rows by position and follow-ups that refer to a row (pure).

`answer_table(table, question)` returns a `TableAnswer` (the chosen rows, exactly as in
`Table.rows`, the columns, the operation and a one-line statement built only from cell text) or
None when the table cannot answer, so the caller refuses or falls back. Words that name columns,
aspects and kinds of value are data (`assistant/data/table_words.yaml`); the policy thesaurus is
passed in as a callable (word → its synonyms).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from assistant.table_match import (
    Synonyms,
    TableConfig,
    column_for,
    expects_column,
    no_synonyms,
    row_scores,
    rows_for,
)
from assistant.table_question import (
    Extreme,
    OpKind,
    Superlative,
    TableOp,
    TableQuestion,
    chinese_numeral,
    detect_table_operation,
    fold,
    is_empty_cell,
    parse_cell_number,
    table_words,
)
from assistant.table_shape import TableShape, cell, header_key, place_core
from retrieval.models import Table

__all__ = [
    "Extreme",
    "OpKind",
    "Superlative",
    "Synonyms",
    "TableAnswer",
    "TableConfig",
    "TableOp",
    "TableQuestion",
    "TableShape",
    "answer_table",
    "column_for",
    "detect_table_operation",
    "expects_column",
    "no_synonyms",
    "parse_cell_number",
    "rows_for",
]


@dataclass(frozen=True)
class TableAnswer:
    """What a table says to a question; every figure in `statement` is verbatim in `cells`."""

    statement: str
    op: OpKind
    rows: tuple[int, ...]  # indices into Table.rows
    columns: tuple[int, ...]  # indices into Table.header (the asked or ranked columns)
    cells: tuple[tuple[str, ...], ...]  # each chosen row exactly as in Table.rows
    count: int | None = None  # rows that matched a filter or the winning group: derived, not a cell

    @property
    def lines(self) -> tuple[str, ...]:
        """The chosen rows as the chunk text holds them (tab-joined)."""
        return tuple("\t".join(row) for row in self.cells)


def _answer(
    table: Table, op: OpKind, rows: list[int], columns: list[int], statement: str, count: int | None = None
) -> TableAnswer:
    cells = tuple(tuple(table.rows[i]) for i in rows)
    return TableAnswer(statement, op, tuple(rows), tuple(columns), cells, count)


def _shown(header: str) -> str:
    """A header as written, for a statement."""
    return header.strip()


def _names(values: list[str]) -> str:
    return "、".join(values)


class _Value(NamedTuple):
    """One candidate of a ranking: its name, its cell as written, its figure and where it is."""

    name: str
    raw: str
    number: float
    at: int  # the column (ranking across a row) or the row (down a column)


def _ranked(values: list[_Value], sup: Superlative) -> list[_Value]:
    """Sorted best first, cut after the winners (ties at the cut kept)."""
    ordered = sorted(values, key=lambda v: v.number, reverse=sup.extreme is Extreme.MAX)
    keep = sup.top or 1
    if len(ordered) <= keep:
        return ordered
    edge = ordered[keep - 1].number
    return [v for k, v in enumerate(ordered) if k < keep or v.number == edge]


def _rank_statement(subject: str, sup: Superlative, winners: list[_Value]) -> str:
    word = sup.word or ("最高" if sup.extreme is Extreme.MAX else "最低")
    if sup.top and sup.top > 1:
        items = "、".join(f"{v.name}（{v.raw}）" for v in winners)
        return f"{subject}{word}的前{chinese_numeral(sup.top)}位是：{items}"
    if len({v.raw for v in winners}) == 1:
        return f"{subject}{word}的是{_names([v.name for v in winners])}：{winners[0].raw}"
    return f"{subject}{word}的是" + "、".join(f"{v.name}（{v.raw}）" for v in winners)


def _figures(pairs: list[tuple[str, str, int]]) -> list[_Value]:
    """(name, cell, place) with a figure in the cell, as ranking candidates."""
    out = []
    for name, raw, at in pairs:
        number = parse_cell_number(raw)
        if number is not None:
            out.append(_Value(name, raw, number, at))
    return out


def _superlative(
    shape: TableShape, tq: TableQuestion, synonyms: Synonyms, config: TableConfig
) -> TableAnswer | None:
    """Across a row's peer columns ('哪个市X最高'), else down the asked figure column, else the
    group with most rows ('哪个市任务最多')."""
    table, sup = shape.table, tq.op.superlative
    assert sup is not None
    peers = shape.parallel_columns()
    asked = column_for(table.header, tq, synonyms, table, config)
    named = [j for j in asked if j in peers]
    rows = _target_rows(shape, tq, synonyms, config, exclude=peers)
    if len(rows) == 1 and len(peers) >= config.min_parallel_columns:
        i, within = rows[0], (named if len(named) >= 2 else peers)
        values = _figures([(_shown(cell(table.header, j)), cell(table.rows[i], j), j) for j in within])
        if len(values) >= 2:
            winners = _ranked(values, sup)
            statement = _rank_statement(shape.label(i), sup, winners)
            return _answer(table, OpKind.SUPERLATIVE, [i], [v.at for v in winners], statement)
    numeric = [j for j in asked if j in shape.numeric_columns()]
    if not numeric and len(shape.numeric_columns()) == 1 and not rows:
        numeric = shape.numeric_columns()
    if len(numeric) == 1 and shape.rows_comparable():
        j = numeric[0]
        values = _figures([(shape.label(i), cell(table.rows[i], j), i) for i in shape.data_rows])
        if len(values) >= 2:
            winners = _ranked(values, sup)
            statement = _rank_statement(_shown(cell(table.header, j)), sup, winners)
            return _answer(table, OpKind.SUPERLATIVE, sorted(v.at for v in winners), [j], statement)
    return _group_count(shape, tq, synonyms, config)


def _group_count(
    shape: TableShape, tq: TableQuestion, synonyms: Synonyms, config: TableConfig
) -> TableAnswer | None:
    """'哪个市任务最多': rows counted per value of the group column, the largest (or smallest) group."""
    table, sup, word = shape.table, tq.op.superlative, tq.op.group_word
    if sup is None or word is None:
        return None
    j = shape.group_column(word, column_for(table.header, tq, synonyms, table, config))
    if j is None:
        return None
    keys = {i: shape.group_key(cell(table.rows[i], j), word) for i in shape.data_rows}
    counts = Counter(k for k in keys.values() if k)
    if len(counts) < 2:
        return None
    winners = _ranked([_Value(k, k, float(n), 0) for k, n in counts.items()], sup)
    names = [v.name for v in winners]
    rows = [i for i in shape.data_rows if keys[i] in names]
    word_used = sup.word or ("最多" if sup.extreme is Extreme.MAX else "最少")
    index = shape.index_column()
    parts = []
    for name in names:
        members = [i for i in rows if keys[i] == name]
        refs = "、".join(cell(table.rows[i], index) for i in members) if index is not None else ""
        parts.append(f"{name}（{_shown(cell(table.header, index))}{refs}）" if refs else name)
    statement = f"{_shown(cell(table.header, j))}中{word_used}的是" + "；".join(parts)
    return _answer(table, OpKind.SUPERLATIVE, rows, [j], statement, count=int(winners[0].number))


def _filter(
    shape: TableShape, tq: TableQuestion, synonyms: Synonyms, config: TableConfig
) -> TableAnswer | None:
    table, op = shape.table, tq.op
    words = table_words()
    if not op.filter_words:
        return None
    named = column_for(table.header, tq, synonyms, table, config)
    candidates = [j for j in (named or shape.label_columns()) if j != shape.index_column()]
    for value, phrase in zip(op.filter_words, op.filter_phrases, strict=True):
        needles = [fold(n) for n in words["categories"].get(value, [value])]
        unless = [fold(n) for n in words["category_exclusions"].get(value, [])]
        hits: dict[int, list[int]] = {}
        for j in candidates:
            hits[j] = [i for i in shape.data_rows if _holds(cell(table.rows[i], j), needles, unless)]
        j = max(candidates, key=lambda c: (bool(hits[c]), c in named, -shape.mean_length(c)), default=None)
        if j is None or not hits[j]:
            continue
        rows = hits[j]
        label_col = shape.label_column(exclude=j)
        items = "；".join(
            f"{cell(table.rows[i], label_col)}（{_shown(cell(table.header, j))}：{cell(table.rows[i], j)}）"
            if label_col is not None
            else cell(table.rows[i], j)
            for i in rows
        )
        if op.unique and len(rows) == 1:
            statement = f"唯一{phrase}的是：{items}"
        elif op.unique:
            statement = f"{phrase}的不止一项：{items}"
        else:
            statement = f"{phrase}的是：{items}"
        return _answer(table, OpKind.FILTER, rows, [j], statement, count=len(rows))
    return None


def _value_filter(
    shape: TableShape, tq: TableQuestion, synonyms: Synonyms, config: TableConfig
) -> tuple[bool, TableAnswer | None]:
    """'新能源领域有哪些平台', '苏州市有哪些任务': a plural question naming a value of a column that
    groups rows (not the rows' own names) gets the rows holding it. Returns whether a value was
    named, and the answer (None when no row holds both the value and what else the question names)."""
    table, q = shape.table, fold(tq.text)
    best: tuple[int, int, str] | None = None  # (length, column, value)
    for j in shape.label_columns():
        if j == shape.label_column():
            continue
        for i in shape.data_rows:
            value = cell(table.rows[i], j)
            for key in {header_key(value), place_core(header_key(value))}:
                if len(key) >= 2 and key in q and (best is None or len(key) > best[0]):
                    best = (len(key), j, key)
    if best is None:
        return False, None
    _, j, key = best
    rows = [i for i in shape.data_rows if key in fold(cell(table.rows[i], j))]
    # '常州有哪些技术创新中心': the rows must also be of the kind it names, by the caller's terms that
    # are not the value itself nor words of the table's title and headers ('重点任务')
    about = fold(" ".join([table.title or "", *table.header]))
    extra = [
        t for t in map(fold, tq.terms) if len(t) >= config.term_min_length and t not in key and t not in about
    ]
    named = row_scores(table, tq, synonyms, [j], config)
    labels = {
        i: fold(" ".join(cell(table.rows[i], c) for c in shape.label_columns() if c != j)) for i in rows
    }
    if extra:
        rows = [i for i in rows if i in named or all(t in labels[i] for t in extra)]
    elif named:
        rows = [i for i in rows if i in named]
    if not rows:
        return True, None
    label_col = shape.label_column(exclude=j)
    items = "；".join(cell(table.rows[i], label_col) for i in rows) if label_col is not None else ""
    statement = f"{_shown(cell(table.header, j))}为{key}的是：{items}"
    return True, _answer(table, OpKind.FILTER, rows, [j], statement, count=len(rows))


def _holds(text: str, needles: list[str], unless: list[str]) -> bool:
    """The cell holds one of the words, outside any excluded word ('盐城市农业科学院' is no 学院)."""
    key = fold(text)
    for word in unless:
        key = key.replace(word, "|")
    return any(n in key for n in needles)


def _target_rows(
    shape: TableShape, tq: TableQuestion, synonyms: Synonyms, config: TableConfig, exclude: Iterable[int] = ()
) -> list[int]:
    """The rows a question is about: by position, by a back-reference, by a label, else the previous rows."""
    if tq.op.position is not None:
        i = shape.row_at(tq.op.position)
        return [i] if i is not None else []
    previous = [i for i in tq.previous_rows if 0 <= i < len(shape.table.rows)]
    if tq.op.refers_back and previous:
        return previous
    named = rows_for(shape.table, tq, synonyms, exclude, config)
    return named or previous


def _lookup(
    shape: TableShape, tq: TableQuestion, synonyms: Synonyms, config: TableConfig
) -> TableAnswer | None:
    table = shape.table
    columns = column_for(table.header, tq, synonyms, table, config)
    if not columns and tq.op.group_word:
        j = shape.group_column(tq.op.group_word, [])
        columns = [j] if j is not None else []
    by_place = tq.op.position is not None or (tq.op.refers_back and tq.previous_rows)
    if by_place and columns == [shape.label_column()]:
        columns = []  # '第二个是哪个城市': the row's own name is the answer
    rows = _target_rows(shape, tq, synonyms, config, exclude=columns)
    if not rows:
        return None
    if not columns and expects_column(tq.text) and shape.numeric_columns():
        return None  # '十四五目标' asked of a table that holds 十三五 figures only
    kind = OpKind.POSITION if tq.op.position is not None else OpKind.LOOKUP
    lead = (
        f"第{cell(table.rows[rows[0]], shape.index_column())}项"
        if kind is OpKind.POSITION and shape.index_is(rows[0], tq.op.position)
        else (f"第{chinese_numeral(tq.op.position)}项" if kind is OpKind.POSITION else "")
    )
    parts = []
    for i in rows:
        label_col = shape.label_column(exclude=columns[0] if len(columns) == 1 else None)
        label = shape.label(i, exclude=columns[0] if len(columns) == 1 else None)
        shown = columns or shape.value_columns()
        pairs = [(_shown(cell(table.header, j)), cell(table.rows[i], j)) for j in shown if j != label_col]
        if not columns:  # a whole row shows only the cells that say something
            pairs = [(h, v) for h, v in pairs if not is_empty_cell(v)]
        if columns and len(pairs) == 1:
            parts.append(f"{label}的{pairs[0][0]}：{pairs[0][1]}")
        elif pairs:
            parts.append(f"{label}：" + "；".join(f"{h} {v}" for h, v in pairs))
        else:
            parts.append(label)
    head = f"{lead}是" if lead and not columns else (f"{lead}" if lead else "")
    statement = head + "；".join(parts)
    return _answer(table, kind, rows, columns, statement)


def answer_table(
    table: Table,
    question: TableQuestion | str,
    synonyms: Synonyms = no_synonyms,
    config: TableConfig = TableConfig(),
) -> TableAnswer | None:
    """The table's answer to the question, or None when no row or column of it fits."""
    tq = question if isinstance(question, TableQuestion) else TableQuestion.parse(question)
    if not table.rows:
        return None
    shape = TableShape(table, config.numeric_share)
    if tq.op.kind is OpKind.SUPERLATIVE:
        return _superlative(shape, tq, synonyms, config)
    if tq.op.kind is OpKind.FILTER:
        found = _filter(shape, tq, synonyms, config)
        if found is not None or not tq.op.refers_back:
            return found
    if tq.op.kind is OpKind.LOOKUP and tq.op.plural and not tq.op.refers_back:
        named_value, found = _value_filter(shape, tq, synonyms, config)
        if named_value:
            return found  # None: no row holds the value and the rest ('无锡' + '集成电路')
    return _lookup(shape, tq, synonyms, config)
