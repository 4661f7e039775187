"""Which rows and columns of a table a question names (pure): columns by header mention, header
words, the caller's thesaurus or the aspect and period asked; rows by their label cells.

Thresholds are one typed config (`TableConfig`), each with what it trades.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from assistant.table_question import TableQuestion, fold, table_words
from assistant.table_shape import TableShape, cell, header_key, place_core
from assistant.text import grams
from retrieval.models import Table

__all__ = ["Synonyms", "TableConfig", "column_for", "expects_column", "no_synonyms", "row_scores", "rows_for"]

Synonyms = Callable[[str], Iterable[str]]


def no_synonyms(word: str) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class TableConfig:
    """Thresholds of table matching, each trading recall for the risk of a wrong row or column."""

    row_min_coverage: float = 0.5  # share of a row label's bigrams the question must hold; lower finds
    # rows asked in other words, higher avoids rows that merely share a word ('高新技术…')
    row_min_shared: int = 2  # bigrams shared with the label: one bigram ('苏州') is a place, not a row
    row_tie_margin: float = 0.001  # rows this close to the best are reported together (the same label
    # twice); wider reports near-misses too
    term_min_length: int = 3  # a caller's term this long inside a label names the row ('集成电路');
    # shorter terms are places and generic words ('无锡', '中心')
    run_min_length: int = 4  # a run of the question this long inside a label names the row by part
    # of its name ('林洋能源'); shorter runs are places and common words
    term_max_rows: int = 3  # a term inside more labels than this names a kind of row, not a row
    column_min_score: float = 1.5  # a column is named by a full mention (3), a header word or synonym
    # (2), or its aspect alone ('目标', 1.5); a period alone (1) does not name a column
    min_parallel_columns: int = 3  # a row is ranked across its columns only when it has this many
    # numeric peers (cities); two columns are target vs actual, not peers
    numeric_share: float = 0.6  # share of a column's non-empty cells that must be figures to rank it


def _query_keys(tq: TableQuestion, synonyms: Synonyms) -> tuple[str, frozenset[str]]:
    """The folded question and its bigrams plus those of the synonyms of its terms."""
    q = fold(tq.text)
    g = set(grams(q))
    for term in tq.terms:
        for other in synonyms(term):
            g |= grams(fold(other))
    return q, frozenset(g)


def _aspect_of(shape: TableShape, j: int) -> str | None:
    words = table_words()
    key = header_key(cell(shape.table.header, j))
    for aspect, fragments in words["aspect_headers"].items():
        if any(f in key for f in fragments):
            return aspect
    title = fold(shape.table.title or "")
    if shape.is_year(j) and any(w in title for w in words["report_titles"]):
        return "实绩"
    return None


def _period_of(shape: TableShape, j: int) -> str | None:
    periods = table_words()["periods"]
    key = fold(cell(shape.table.header, j))
    title = fold(shape.table.title or "")
    return next((p for p in periods if p in key), None) or next((p for p in periods if p in title), None)


def _column_score(
    shape: TableShape, j: int, q: str, qgrams: frozenset[str], tq: TableQuestion, synonyms: Synonyms
) -> float:
    words = table_words()
    key = header_key(cell(shape.table.header, j))
    if not key:
        return 0.0
    core = place_core(key)
    if (len(key) >= 2 and key in q) or (len(core) >= 2 and core in q):
        return 3.0
    # a header word's fragments are listed best first: '负责' names 责任单位 before 牵头单位
    ranks = [
        k
        for word, fragments in words["header_words"].items()
        if word in q
        for k, f in enumerate(fragments)
        if f in key
    ]
    if ranks:
        return 2.0 - 0.1 * min(ranks)
    for term in tq.terms:
        if any(len(k := header_key(s)) >= 2 and (k == key or k in key) for s in synonyms(term)):
            return 2.0
    asked_aspects = {a for a, ws in words["aspect_words"].items() if any(w in q for w in ws)}
    asked_periods = {p for p in words["periods"] if p in q}
    aspect, period = _aspect_of(shape, j), _period_of(shape, j)
    if asked_periods and period is not None and period not in asked_periods:
        return 0.0
    if asked_aspects and aspect in asked_aspects:
        return 2.5 if asked_periods and period in asked_periods else 1.5
    if asked_periods and period in asked_periods and not asked_aspects:
        return 1.0
    return 0.0


def column_for(
    header: list[str],
    question: str | TableQuestion,
    synonyms: Synonyms = no_synonyms,
    table: Table | None = None,
    config: TableConfig = TableConfig(),
) -> list[int]:
    """Indices of the columns the question names (ties together): by a full mention of the header
    ('苏州', '“十三五”实绩'), a header word ('谁负责' → 责任单位), a synonym of one of its terms, or the
    aspect and period it asks ('十三五规划目标' → the target column of a 十三五 table)."""
    tq = question if isinstance(question, TableQuestion) else TableQuestion.parse(question)
    shape = TableShape(table if table is not None else Table(header=header), config.numeric_share)
    q, qgrams = _query_keys(tq, synonyms)
    scores = {j: _column_score(shape, j, q, qgrams, tq, synonyms) for j in shape.askable_columns()}
    best = max(scores.values(), default=0.0)
    if best < config.column_min_score:
        return []
    return [j for j, s in scores.items() if s == best]


def expects_column(question: str) -> bool:
    """The question names an aspect or period ('目标', '实绩', '十三五'): a table without such a column
    cannot answer it."""
    words = table_words()
    q = fold(question)
    return any(w in q for ws in words["aspect_words"].values() for w in ws) or any(
        p in q for p in words["periods"]
    )


def _label_score(
    text: str, q: str, qgrams: frozenset[str], distinctive: list[str], config: TableConfig
) -> float:
    """How well the question names a row by this label cell: a full mention (above 1), the share of
    the label's bigrams it holds, or a distinctive term of the question inside the label."""
    key = header_key(text)
    whole = grams(fold(text))
    detail = len(whole & qgrams) / len(whole) if whole else 0.0  # '（苏州平台）' tells two rows apart
    if len(key) >= 2 and key in q:
        return 1.0 + 0.001 * len(key) + 0.05 * detail  # the longest full mention wins
    score = 0.0
    g = grams(key)
    if g and len(g & qgrams) >= config.row_min_shared and len(g & qgrams) / len(g) >= config.row_min_coverage:
        score = len(g & qgrams) / len(g)
    inside = [t for t in distinctive if t in key]
    if inside:
        score = max(score, 0.5 + 0.5 * max(map(len, inside)) / len(key))
    return score


def _distinctive_terms(tq: TableQuestion, labels: list[str], config: TableConfig) -> list[str]:
    """The caller's terms that name few rows ('集成电路' names two; '创新中心' names many)."""
    out = []
    for term in {fold(t) for t in tq.terms}:
        holders = sum(1 for label in labels if term in label)
        if len(term) >= config.term_min_length and 0 < holders <= config.term_max_rows:
            out.append(term)
    return out


def _shared_runs(q: str, labels: list[str], config: TableConfig) -> list[str]:
    """Runs of `config.run_min_length`+ characters the question shares with few labels: a row named
    by part of its label ('林洋能源' for 江苏林洋能源股份有限公司)."""
    n = config.run_min_length
    starts = {q[i : i + n] for i in range(len(q) - n + 1)}
    runs: set[str] = set()
    for label in labels:
        i = 0
        while i <= len(label) - n:
            if label[i : i + n] not in starts:
                i += 1
                continue
            j = i + n
            while j < len(label) and label[i : j + 1] in q:
                j += 1
            runs.add(label[i:j])
            i = j
    return [r for r in runs if 0 < sum(1 for label in labels if r in label) <= config.term_max_rows]


def row_scores(
    table: Table,
    question: str | TableQuestion,
    synonyms: Synonyms = no_synonyms,
    exclude_columns: Iterable[int] = (),
    config: TableConfig = TableConfig(),
) -> dict[int, float]:
    """Every data row the question names by a label cell, with how well it names it."""
    tq = question if isinstance(question, TableQuestion) else TableQuestion.parse(question)
    shape = TableShape(table, config.numeric_share)
    q, qgrams = _query_keys(tq, synonyms)
    skip = set(exclude_columns)
    columns = [j for j in shape.label_columns() if j not in skip]
    labels = {i: [header_key(cell(table.rows[i], j)) for j in columns] for i in shape.data_rows}
    joined = ["\n".join(v) for v in labels.values()]
    distinctive = _distinctive_terms(tq, joined, config) + _shared_runs(q, joined, config)
    scores = {}
    for i in shape.data_rows:
        row = table.rows[i]
        score = max(
            (_label_score(cell(row, j), q, qgrams, distinctive, config) for j in columns), default=0.0
        )
        if score > 0:
            scores[i] = score
    return scores


def rows_for(
    table: Table,
    question: str | TableQuestion,
    synonyms: Synonyms = no_synonyms,
    exclude_columns: Iterable[int] = (),
    config: TableConfig = TableConfig(),
) -> list[int]:
    """Indices of the data rows the question names by a label cell (ties together), best first."""
    tq = question if isinstance(question, TableQuestion) else TableQuestion.parse(question)
    scores = row_scores(table, tq, synonyms, exclude_columns, config)
    if not scores:
        return []
    best = max(scores.values())
    tied = [i for i in sorted(scores, key=lambda i: -scores[i]) if scores[i] >= best - config.row_tie_margin]
    named = _named_in_full(table, tq, [i for i in scores if scores[i] >= 1.0], exclude_columns, config)
    # '新增企业研发机构和科技服务业营收年均增幅的目标': every row the question names in full
    return named if len(named) > 1 else tied


def _named_in_full(
    table: Table, tq: TableQuestion, rows: list[int], exclude_columns: Iterable[int], config: TableConfig
) -> list[int]:
    """The rows whose label the question writes out in full, in the question's order; a label
    inside another one named ('研发投入' inside '研发投入占地区生产总值比重') is that one's part."""
    q = fold(tq.text)
    skip = set(exclude_columns)
    shape = TableShape(table, config.numeric_share)
    spans: dict[int, tuple[int, int]] = {}
    for i in rows:
        keys = [header_key(cell(table.rows[i], j)) for j in shape.label_columns() if j not in skip]
        keys = [k for k in keys if len(k) >= 2 and k in q]
        if keys:
            key = max(keys, key=len)
            spans[i] = (q.find(key), q.find(key) + len(key))
    inside = {
        i
        for i, (a, b) in spans.items()
        for k, (c, d) in spans.items()
        if k != i and c <= a and b <= d and (c, d) != (a, b)
    }
    return sorted((i for i in spans if i not in inside), key=lambda i: spans[i][0])
