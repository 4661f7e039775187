"""Table handlers: the rows of a table that name what is asked ('苏州的主导产业'), and questions
that need a whole table as data (a ranking, a filter, a row by position: assistant.table_handler)."""

from __future__ import annotations

import re

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.matching import time_fit
from assistant.answering.scoring import Ranked, Scorer
from assistant.draft import Draft, Segment
from assistant.items import best_rows, matching_columns, row_label
from assistant.question import Question, asked_clause, content, content_grams, ordinal
from assistant.tables import OpKind
from retrieval.models import Chunk

# '……那张表里……', '表3中……': the question points at a table
_NAMES_TABLE = re.compile(r"表(里|中|内|格|上)|表\d")


def asks_for_table(q: Question) -> bool:
    return _NAMES_TABLE.search(q.standalone) is not None


def names_a_column(q: Question, rows: Candidate) -> bool:
    """Whether the question names a column of the table the rows come from ('主导产业', '责任单位')."""
    return bool(matching_columns(rows.draft.segments[0].chunk.table.header or [], q.text, q.text))


def table_candidates(scorer: Scorer, q: Question, ranked: Ranked) -> Ranked:
    """Tables among the retrieved chunks plus the tables of the plans the question names (of all
    plans when it names none), those sharing most of its words when there are many: a table row
    is easy to miss by retrieval alone."""
    catalog = scorer.catalog
    single = q.doc_hints[0] if len(q.doc_hints) == 1 and not q.loose_hint else None
    top = ranked[: scorer.thresholds.table_passages]
    out = [(s, c) for s, c in top if c.kind == "table" and (single is None or c.doc_id == single)]
    seen = {c.chunk_id for _, c in out}
    docs = [single] if single else (q.doc_hints if not q.loose_hint else []) or None
    for chunk in catalog.tables_of(docs, q.terms, scorer.thresholds.table_scan_limit, scorer.weights.idf):
        if chunk.chunk_id not in seen and scorer.eligible(q, chunk):
            out.append((scorer.chunk_score(q, chunk), chunk))
    return out


def _table_score(scorer: Scorer, q: Question, cscore: float, chunk: Chunk):
    """(score, rows worth showing) of one table, or None when no row answers the question."""
    t = scorer.thresholds
    rows = best_rows(chunk.text, chunk.table.header, chunk.table.rows, q.terms, scorer.weights)
    if not rows or (rows[0].score < t.table_row_min and not q.followup):
        return None  # no row names what is asked (a follow-up's rows are picked by its own words)
    score = t.table_row_weight * rows[0].score + t.table_passage_weight * cscore
    score += time_fit(q, chunk, chunk.context, t)
    if any(y not in chunk.search_text for y in q.years):
        score -= t.table_year_penalty  # a table of 2020 results does not answer a question about 2025
    header_text = " ".join(chunk.table.header) + (chunk.table.title or "")
    if not scorer.names_places(q, chunk, header_text + " ".join(rows[0].row)):
        return None
    if q.unit and q.unit not in f"{header_text} {rows[0].row[0]} {' '.join(rows[0].row[1:3])}":
        return None  # '多少亿元' is not answered by a row measured in %
    if any(p in chunk.table.header for p in q.must_have) or (
        chunk.table.header and matching_columns(chunk.table.header, q.text, q.text)
    ):
        score += t.table_column_bonus  # the question names a column of this table ('苏州', '“十三五”实绩')
    best = rows[0].score
    shown = [
        r
        for r in rows[: t.table_rows_shown]
        if r.score >= t.table_row_share * best and r.score > t.table_row_floor
    ]
    return score, shown


def table_answer(scorer: Scorer, q: Question, ranked: Ranked) -> tuple[float, list[Segment]] | None:
    """The best table's rows that name what is asked, each shown with its header: (score, segments)."""
    t = scorer.thresholds
    best = None
    for cscore, chunk in table_candidates(scorer, q, ranked):
        if chunk.table is None or not chunk.table.rows:
            continue
        found = _table_score(scorer, q, cscore, chunk)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], chunk, found[1])
    if best is None or not best[2]:
        return None
    score, chunk, matches = best
    table = chunk.table
    if q.followup and q.own_terms:  # '那另外两家企业呢？': this turn's own words pick the rows
        own = best_rows(chunk.text, table.header, table.rows, q.own_terms, scorer.weights)
        if own and own[0].score >= t.followup_row_min:
            matches = [
                r for r in own[: t.followup_rows_shown] if r.score >= t.followup_row_share * own[0].score
            ]
    if len(q.entities) >= 2:  # 'A和B分别……': the best row for each of them, when each has one
        per_entity = [
            best_rows(chunk.text, table.header, table.rows, content_grams(e), scorer.weights)
            for e in q.entities
        ]
        if all(rows and rows[0].score >= t.entity_row_min for rows in per_entity):
            matches = list({rows[0].line_start: rows[0] for rows in per_entity}.values())
    header = table.header
    cols = matching_columns(header, q.text, q.standalone) if header else []
    if cols:  # a row with no figure in the asked column ('/') answers nothing
        matches = [m for m in matches if any(m.row[i].strip("/ ") for i in cols if i < len(m.row))]
        if not matches:
            return None
    title = table.title or chunk.column or ""
    segments = []
    for match in matches:
        label = row_label(match.row, header) or match.row[0]
        if header and len(header) == len(match.row):
            names = set(label.split(" "))
            order = cols + [i for i in range(len(header)) if i not in cols]
            cells = "，".join(
                f"{header[i]}：{match.row[i]}"
                for i in order
                if match.row[i] not in names and header[i] != "序号"
            )
            display = f"{label}（{cells}）" if cells else label
        else:
            display = "｜".join(match.row)
        lead = f"《{chunk.doc_title}》{title}：" if not segments else ""
        segments.append(Segment(chunk, match.line_start, match.line_end, lead=lead, display=display))
    return score, segments


def table_row_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    found = table_answer(scorer, ev.question, ev.ranked)
    if found is None:
        return None
    score, segments = found
    return Candidate(Handler.TABLE_ROW, Draft(segments=segments, intent="table"), score=score)


def table_data_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    """A ranking, filter or row by position asked of a table ('哪个市……最低', '由高校牵头的',
    '清单第3项……它的责任单位'), answered from the whole table as data."""
    q, ranked = ev.question, ev.ranked
    text = q.standalone if q.followup else q.text
    top_is_table = bool(ranked) and ranked[0][1].kind == "table"
    if q.followup and ordinal(q.text):
        return None  # '第二个……' after a list: the position is in the list just shown, not a table
    if q.followup and scorer.tables.operation(text).kind is OpKind.LOOKUP:
        text = q.text  # a follow-up's own words name its row ('那它的年均增速呢？')
    text = asked_clause(text)  # '我们是无锡的企业，……' describes the asker, it filters no table
    if not scorer.tables.wants_table(text, top_is_table):
        return None
    from retrieval import segment

    words = [w for w in segment.words(content(text).replace(" ", "")) if len(w) >= 2]
    single = q.doc_hints[:1] if len(q.doc_hints) == 1 and not q.loose_hint else []
    t = scorer.thresholds
    candidates = scorer.tables.candidates(text, [c for _, c in ranked[: t.table_passages]])
    if single or q.doc_hints:
        candidates += scorer.catalog.tables_of(
            single or q.doc_hints, q.terms, t.table_scan_limit, scorer.weights.idf
        )
    if single:
        candidates = [c for c in candidates if c.doc_id == single[0]]
    found = scorer.tables.answer(text, words, candidates)
    if found is None or not found.segments:
        return None
    return Candidate(Handler.TABLE_DATA, Draft(segments=found.segments, intent="table"))


__all__ = [
    "asks_for_table",
    "names_a_column",
    "table_answer",
    "table_candidates",
    "table_data_candidate",
    "table_row_candidate",
]
