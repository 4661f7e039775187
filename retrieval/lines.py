"""Pure functions that recognise and repair single lines of PDF-extracted plan text.

Headings follow 一、 / （一） / 1. or 1． or 1、 / （1）, under optional chapters (第一篇/第一章/第一节);
boxed panels are 专栏 in several spellings ('专栏5 …', '专栏：…', '重点工程专栏2：…', '专栏 1-1 …');
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
# chapters sit above 一、: 篇/编/部分 (level -2), 章 (-1), 节 (0); 一、 stays level 1 whatever is above it
_CHAPTER = re.compile(r"^第\s*([一二三四五六七八九十百零〇\d]{1,4})\s*(篇|编|部分|章|节)[\s：:、.．]*(.*)$")
CHAPTER_LEVELS = {"篇": -2, "编": -2, "部分": -2, "章": -1, "节": 0}
# a 专栏 title: an optional short prefix naming the kind of box ('创新布局', '重点工程'), a number
# that may be compound ('1-1', '2.3'), then the title
_COLUMN = re.compile(
    r"^([\u4e00-\u9fff]{0,8}?)专栏\s*(\d{1,2}(?:\s*[-－—–.．]\s*\d{1,2})?)?\s*([：:])?\s*(.*)$"
)
# a prefix that makes '专栏3' a reference in prose ('详见专栏3'), not a box's title
_COLUMN_REFERENCE = re.compile(r"[见如按据照及和与在]")
_TABLE_TITLE = re.compile(r"^表\s*(\d{1,2})\s+(\S.*)$")
_ANNEX = re.compile(r"^附件\s*(\d{1,2})(?:\s*[：:]?\s+|\s*[：:]\s*|$)(.{0,60})$")
_ANNEX_LIST = re.compile(r"^[-－—]?\s*附件\s*[：:]")
_PART = re.compile(r"^([A-Z])\s*[.．、]?\s*([\u4e00-\u9fff][^：:。]{1,12})[：:]")
_STRAY_AND = re.compile(rf"(?<=[{CJK}])\s+and\s+(?=[{CJK}])")
_SPACE_IN_CJK = re.compile(rf"(?<=[{CJK}“”（）《》、])[ \u3000]+(?=[{CJK}“”（）《》、])")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


@dataclass(frozen=True)
class Heading:
    level: int  # -2: 第一篇  -1: 第一章  0: 第一节  1: 一、  2: （一）  3: 1.  4: （1）
    number: str  # the numeral as written: "三", "2", "11"
    title: str  # the heading words, without numbering or trailing 。
    lead: bool = False  # True when the heading is the lead phrase of a paragraph that goes on
    unit: str = ""  # 章, 节, 篇 … for chapter headings

    @property
    def label(self) -> str:
        """The heading with normalised numbering, as shown in section paths."""
        if self.level <= 0:
            return f"第{self.number}{self.unit} {self.title}".rstrip()
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
    if chapter := parse_chapter(text):
        return chapter
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


def parse_chapter(line: str) -> Heading | None:
    """'第一章 总体要求' / '第三节　强化企业创新主体地位' / '第二部分 重点任务' → a chapter heading."""
    match = _CHAPTER.match(line.strip())
    if not match:
        return None
    number, unit, title = match.groups()
    title = squeeze_cjk_spaces(title.strip())
    if len(title) > HEADING_MAX or title.endswith(("。", "；", "，")):
        return None
    return Heading(CHAPTER_LEVELS[unit], number, title, unit=unit)


def parse_column_title(line: str) -> ColumnTitle | None:
    """'专栏 7 重要改革试验或示范区', '专栏：产业创新紫琅专项', '创新布局专栏3：高端装备',
    '重点工程专栏2：…', '专栏 1-1 …'. A compound number ('1-1') is kept in the label; `number` is
    then None (it is no position in one sequence)."""
    text = line.strip()
    if len(text) > 50 or "专栏" not in text[:11] or text.endswith(("。", "；", "，")):
        return None
    match = _COLUMN.match(text)
    if not match:
        return None
    prefix, number, colon, title = match.groups()
    if prefix and _COLUMN_REFERENCE.search(prefix):
        return None
    title = squeeze_cjk_spaces(title.strip())
    if not number and not colon:
        return None  # '专栏' followed by ordinary words is prose, not a box
    if not title and not number:
        return None
    number = re.sub(r"\s*[-－—–]\s*", "-", re.sub(r"\s*[.．]\s*", ".", number)) if number else None
    head = f"{prefix or ''}专栏{number or ''}"
    label = f"{head}{'：' if colon else ' '}{title}".rstrip()
    return ColumnTitle(label, int(number) if number and number.isdigit() else None, title)


def parse_table_title(line: str) -> str | None:
    """'表1 江苏省“十三五”科技创新主要指标完成情况' → the title line as written."""
    text = line.strip()
    return text if len(text) <= 60 and _TABLE_TITLE.match(text) else None


def parse_annex_marker(line: str) -> int | None:
    """'附件 1' / '附件2' on a line of its own (or '附件2 重点任务清单') starts an annex."""
    match = _ANNEX.match(line.strip())
    if not match or match.group(2).endswith(("。", "；", "，")):
        return None
    return int(match.group(1))


def annex_inline_title(line: str) -> str | None:
    """The title on the marker's own line ('附件2 重点任务清单' → '重点任务清单'), if any."""
    match = _ANNEX.match(line.strip())
    return squeeze_cjk_spaces(match.group(2).strip()) or None if match else None


def is_annex_list(line: str) -> bool:
    """'- 附件：1. ……' lists the annexes at the end of the body."""
    return bool(_ANNEX_LIST.match(line.strip()))


def column_part(line: str) -> str | None:
    """'A关键共性技术：……' / 'B. 重点产品：……' → 'A关键共性技术' (a 专栏's lettered parts)."""
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
    if (
        left
        and right
        and left[-1].isascii()
        and left[-1].isalnum()
        and right[0].isascii()
        and right[0].isalnum()
    ):
        return f"{left} {right}"
    return left + right
