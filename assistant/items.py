"""Pure functions that find list items and table cells inside chunk text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import GramWeights, grams, norm

_NUMBERED = re.compile(r"(?m)^[ \t]*(\d{1,2})\s*[.．、]\s*([^。\n\t：:；;]{2,40})")
_NUMBERED_CELL = re.compile(r"(\d{1,2})\s*[.．、]\s*([^\t\n]{2,40})")
_LABELLED = re.compile(r"(?m)^[ \t]*(?:——)?([^\n\t：:。，,；;“”]{2,24}|“[^”\n]{1,12}”)[：:]")
_LETTERED = re.compile(r"(?m)^[ \t]*([A-F][^\n：:]{2,12})[：:]")
_SENTENCE_LEAD = re.compile(r"(?m)^[ \t]*([^\n。：:，,]{2,20})。")


@dataclass(frozen=True)
class Item:
    number: int | None
    label: str  # as shown: "1. 高端通用计算芯片及设计工具", "高端芯片"
    start: int  # span of the item's supporting text in the chunk
    end: int


def list_items(text: str, kind: str | None = None, min_items: int = 2) -> tuple[str | None, list[Item]]:
    """(kind, items) of a list-like passage: numbered lines, two-column numbered cells, lettered
    parts, 'label：' lines or sentence leads. Without `kind`, the most plentiful kind wins; a 专栏
    continued in a second chunk passes the first chunk's kind."""
    found: dict[str, list[Item]] = {}
    if kind in (None, "numbered"):
        found["numbered"] = [
            Item(int(m.group(1)), f"{m.group(1)}. {m.group(2).strip()}", m.start(1), m.end(2))
            for m in _NUMBERED.finditer(text)
        ]
    if kind in (None, "cells"):
        cells = []
        for line_match in re.finditer(r"(?m)^.*\t.*$", text):
            for m in _NUMBERED_CELL.finditer(line_match.group(0)):
                s = line_match.start() + m.start(1)
                cells.append(
                    Item(
                        int(m.group(1)),
                        f"{m.group(1)}. {m.group(2).strip()}",
                        s,
                        line_match.start() + m.end(2),
                    )
                )
        found["cells"] = (
            sorted(cells, key=lambda i: i.number or 0) if len(cells) >= 4 or kind == "cells" else []
        )
    if kind in (None, "lettered"):
        found["lettered"] = [
            Item(None, m.group(1), m.start(1), _line_end(text, m.end())) for m in _LETTERED.finditer(text)
        ]
    if kind in (None, "labelled"):
        found["labelled"] = [
            Item(None, m.group(1).strip(), m.start(1), m.end(1)) for m in _LABELLED.finditer(text)
        ]
    if kind in (None, "leads"):
        found["leads"] = [
            Item(None, m.group(1).strip(), m.start(1), m.end(1)) for m in _SENTENCE_LEAD.finditer(text)
        ]
    for preferred in ("cells", "lettered"):
        if len(found.get(preferred, [])) >= max(min_items, 2 if kind is None else 1):
            return preferred, found[preferred]
    best = max(found, key=lambda k: len(found[k]))
    return (best, found[best]) if len(found[best]) >= min_items else (None, [])


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


@dataclass(frozen=True)
class RowMatch:
    row: list[str]
    score: float
    line_start: int
    line_end: int


def row_label(row: list[str], header: list[str]) -> str:
    """The cells that name a row (not its figures): '高新技术企业数（家）'."""
    names = [c for i, c in enumerate(row) if not re.fullmatch(r"[\d.%＞>＜<约左右以上超过/\-\s]*", c)]
    if header and header[0] in ("序号",) and names and names[0] == row[0]:
        names = names[1:]
    return " ".join(names[:2])


def best_rows(
    text: str, header: list[str], rows: list[list[str]], terms: set[str], weights: GramWeights
) -> list[RowMatch]:
    """Rows whose naming cells best cover the question's terms, best first."""
    out = []
    for row in rows:
        line = "\t".join(row)
        pos = text.find(line)
        if pos < 0:
            continue
        # a row is named by its short cells (task, unit, indicator), not by a long description
        names = " ".join(
            c for c in row if len(c) <= 40 and not re.fullmatch(r"[\d.%＞>＜<约左右以上超过/\-\s]*", c)
        )
        score = weights.coverage(terms, grams(names or line)) if terms else 0.0
        if terms:  # '万人高价值发明专利拥有量' is not '万人发明专利拥有量': the best-named cell's precision
            cells = [grams(c) for c in row if len(c) <= 40 and grams(c) & terms]
            precision = max((len(g & terms) / len(g) for g in cells), default=0.0)
            score *= 0.6 + 0.4 * precision
        score += 0.25 * weights.coverage(terms, grams(line))
        out.append(RowMatch(row, score, pos, pos + len(line)))
    return sorted(out, key=lambda r: -r.score)


def matching_columns(header: list[str], own: str, fallback: str) -> list[int]:
    """Indices of header cells the question names ('苏州', '“十三五”实绩', '目标'); the question's
    own words are tried first, then the follow-up's carried-over subject."""
    for text in (own, fallback):
        key = norm(text)
        key += "责任单位" if "负责" in key else ""  # '由谁负责' asks for the 责任单位 column
        key += "牵头单位" if "牵头" in key else ""
        hits = []
        for i, cell in enumerate(header):
            cell_key = norm(cell).strip('“”"')
            if not cell_key or cell_key in ("序号", "指标名称", "主要指标", "名称", "地区指标", "单位"):
                continue
            parts = [p for p in re.split(r"[“”\"()（）%年及和与、]", cell_key) if len(p) >= 2]
            if cell_key in key or any(p in key for p in parts):
                hits.append(i)
        if hits:
            return hits
    return []
