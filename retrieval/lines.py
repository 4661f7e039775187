"""Pure functions that recognise and repair single lines of PDF-extracted plan text.

Headings follow 一、 / （一） / 1. or 1． or 1、 / （1）; boxed panels are 专栏 in several spellings;
tables come tab-separated or one cell per line; annexes start with 附件N.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CN_NUM = "一二三四五六七八九十"
CJK = r"\u3400-\u9fff\uf900-\ufaff"
# Characters that end a paragraph; a paragraph ending otherwise was cut by a page break.
TERMINAL = "。！？；：:!?;…"
HEADING_MAX = 40  # a heading's title is short; longer lines are paragraphs (or lead-phrase items)

_L1 = re.compile(rf"^([{CN_NUM}]{{1,3}})、\s*(.+)$")
_L2 = re.compile(rf"^[（(]\s*([{CN_NUM}]{{1,3}})\s*[)）]\s*(.+)$")
_L3 = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(.+)$")
_L4 = re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*(.+)$")
_COLUMN = re.compile(r"^(创新布局)?专栏\s*(\d{1,2})?\s*([：:])?\s*(.*)$")
_TABLE_TITLE = re.compile(r"^表\s*(\d{1,2})\s+(\S.*)$")
_ANNEX = re.compile(r"^附件\s*(\d{1,2})$")
_ANNEX_LIST = re.compile(r"^[-－—]?\s*附件\s*[：:]")
_PART = re.compile(r"^([A-F])([\u4e00-\u9fff][^：:]{1,12})[：:]")
_STRAY_AND = re.compile(rf"(?<=[{CJK}])\s+and\s+(?=[{CJK}])")
_SPACE_IN_CJK = re.compile(rf"(?<=[{CJK}“”（）《》、])[ \u3000]+(?=[{CJK}“”（）《》、])")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


@dataclass(frozen=True)
class Heading:
    level: int  # 1: 一、  2: （一）  3: 1.  4: （1）
    number: str  # the numeral as written: "三", "2", "11"
    title: str  # the heading words, without numbering or trailing 。
    lead: bool = False  # True when the heading is the lead phrase of a paragraph that goes on

    @property
    def label(self) -> str:
        """The heading with normalised numbering, as shown in section paths."""
        if self.level == 1:
            return f"{self.number}、{self.title}"
        if self.level == 2:
            return f"（{self.number}）{self.title}"
        if self.level == 3:
            return f"{self.number}. {self.title}"
        return f"（{self.number}）{self.title}"


@dataclass(frozen=True)
class ColumnTitle:
    label: str  # normalised: "专栏5 “1+3+10+N”重大科技创新平台体系", "创新布局专栏3：高端装备"
    number: int | None
    title: str


def clean_line(line: str) -> str:
    """Strip invisible characters and surrounding white space; keep inner tabs."""
    return line.translate(_INVISIBLE).replace("\u3000", " ").strip(" \r\n")


def fix_stray_and(text: str) -> str:
    """'创新型企业 and 创新型产业集群' → '创新型企业和创新型产业集群' (an extraction artifact)."""
    return _STRAY_AND.sub("和", text)


def squeeze_cjk_spaces(text: str) -> str:
    """Remove spaces the PDF left between Chinese characters: '万人高价值发明 专利拥有量' → joined."""
    return _SPACE_IN_CJK.sub("", text)


def nfkc_key(text: str) -> str:
    """A matching key: NFKC, no white space, no quotes (for comparing titles)."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s“”\"'《》]", "", text)


def _title_of(rest: str) -> tuple[str, bool] | None:
    """Split a heading's text into (title, lead). None when it is no heading at all."""
    rest = rest.strip()
    if not rest:
        return None
    if len(rest) <= HEADING_MAX:
        return rest.rstrip("。．.;；"), False
    # a numbered paragraph: its lead phrase (up to the first 。 or ：) is the heading
    match = re.search(r"[。：:]", rest[: HEADING_MAX + 1])
    if match:
        return rest[: match.start()], True
    return None


def parse_heading(line: str) -> Heading | None:
    """Recognise a heading line; lead-phrase items ('1. 强化基础研究系统部署。坚持……') included."""
    text = line.strip()
    for level, pattern in ((1, _L1), (2, _L2), (4, _L4), (3, _L3)):
        match = pattern.match(text)
        if not match:
            continue
        if level == 1 and len(match.group(2)) > HEADING_MAX:
            return None  # 一、 headings stand on their own line
        found = _title_of(match.group(2))
        if found is None:
            return None
        title, lead = found
        if level in (1, 2) and lead:
            return None
        return Heading(level, match.group(1), squeeze_cjk_spaces(title), lead)
    return None


def parse_column_title(line: str) -> ColumnTitle | None:
    """'专栏 7 重要改革试验或示范区', '专栏：产业创新紫琅专项', '创新布局专栏3：高端装备' …"""
    text = line.strip()
    if len(text) > 45 or "专栏" not in text[:8]:
        return None
    match = _COLUMN.match(text)
    if not match:
        return None
    prefix, number, colon, title = match.groups()
    title = squeeze_cjk_spaces(title.strip())
    if not number and not colon:
        return None  # '专栏' followed by ordinary words is prose, not a box
    if not title and not number:
        return None
    head = f"{prefix or ''}专栏{number or ''}"
    label = f"{head}{'：' if colon else ' '}{title}".rstrip()
    return ColumnTitle(label, int(number) if number else None, title)


def parse_table_title(line: str) -> str | None:
    """'表1 江苏省“十三五”科技创新主要指标完成情况' → the title line as written."""
    text = line.strip()
    return text if len(text) <= 60 and _TABLE_TITLE.match(text) else None


def parse_annex_marker(line: str) -> int | None:
    """'附件 1' / '附件2' on a line of its own starts an annex."""
    match = _ANNEX.match(line.strip())
    return int(match.group(1)) if match else None


def is_annex_list(line: str) -> bool:
    """'- 附件：1. ……' lists the annexes at the end of the body."""
    return bool(_ANNEX_LIST.match(line.strip()))


def column_part(line: str) -> str | None:
    """'A关键共性技术：……' → 'A关键共性技术' (the lettered parts of Nantong's 创新布局专栏)."""
    match = _PART.match(line.strip())
    return match.group(1) + match.group(2) if match else None


def split_tab_row(line: str) -> list[str] | None:
    """Cells of a tab-separated table row, or None when the line has fewer than two cells."""
    if "\t" not in line:
        return None
    cells = [clean_cell(c) for c in line.split("\t")]
    cells = [c for c in cells if c]
    return cells if len(cells) >= 2 else None


def clean_cell(cell: str) -> str:
    return squeeze_cjk_spaces(cell.strip())


def ends_paragraph(text: str) -> bool:
    """True when the text ends like a finished paragraph (so no page break cut it)."""
    return bool(text) and text[-1] in TERMINAL


def join_broken(left: str, right: str) -> str:
    """Rejoin a sentence cut by a page break or a hard wrap: no space between Chinese parts."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right
