"""Pure text tests the answer handlers share: whether a name, a unit, a heading, a time or a
numbered 专栏 matches a question, and the spans of enumerations. No catalog, no scores kept."""

from __future__ import annotations

import functools
import re

from assistant.answerability import unit_pattern
from assistant.answering.thresholds import DEFAULT_THRESHOLDS, AnswerThresholds
from assistant.intent import Intent
from assistant.plans import PlanDirectory, shipped_directory
from assistant.question import JIANGSU_PLACES, Question, content_grams
from assistant.scope import PeriodWords
from assistant.text import grams, norm
from retrieval.models import Chunk

# words of a target or a reached figure ('到2025年……达到……'): such a sentence states the figure
TARGET_WORDS = re.compile(r"到20\d\d年|达到|达|超过|力争|突破|以上|左右|不低于|翻一番|累计|新增")
# words of a support measure: such a sentence says what the asker can get
SUPPORT_WORDS = re.compile(
    r"支持|鼓励|落实|实施|推动|培育|加大|完善|引导|建立|提供|给予|扶持|优惠|奖补|加计扣除|贷款|基金|担保|保险|创新券"
)
# the plans' period: every heading of a 十四五 plan is about 十四五, so it names nothing
PERIOD_WORDS = re.compile(r"[“\"]?(?:十[一二三四五六七八九]五|20\d\d\s*[-—～~至]\s*20\d\d\s*年?)[”\"]?")
# the start of a list item line: '3. ', '（2）', 'B企业关键技术突破：'
ITEM_START = re.compile(r"[ \t]*(?:\d{1,2}\s*[.．、]|（\d{1,2}）|[A-F][^\n：:]{2,12}[：:])")
# a lone capital letter in a question ('其中的E指什么')
LETTER_IN = re.compile(r"(?<![A-Za-z])[A-Z](?![A-Za-z])")
_HEADING_NUMBER = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、]|[^专]*专栏\s*\d*[：:]?)\s*"
)
# a numbered 专栏 label as retrieval.lines normalises it: an optional qualifier naming the kind of
# box ('重点工程专栏2：…'), then 专栏 and its number
_NUMBERED_COLUMN = re.compile(r"^([\u4e00-\u9fff]{0,8}?)专栏(\d{1,2})(?!\d)")
_COUNTED_ENUMERATION = re.compile(r"等([一二三四五六七八九十]|\d{1,2})[大个项类种]")
_CN_COUNT = "零一二三四五六七八九十"
_TARGET_SECTION = re.compile(r"发展目标|主要目标")
_RESULT_SECTION = re.compile(r"发展基础|面临形势|机遇挑战")
# words that date a passage as results or targets, besides the period words of the plans asked
# about (Question.period_words: '十三五|2020年' and '十四五|2025' for the shipped plans)
_PAST_CUES = "已|截至|目前|实绩"
_FUTURE_CUES = "力争|到20\\d\\d年|目标"


@functools.lru_cache(maxsize=64)
def _passage_time_words(words: PeriodWords) -> tuple[re.Pattern, re.Pattern]:
    return re.compile(f"{words.past}|{_PAST_CUES}"), re.compile(f"{words.future}|{_FUTURE_CUES}")


def loosely_in(
    name: str,
    text: str,
    min_chars: int = DEFAULT_THRESHOLDS.loose_name_min_chars,
    max_gap: int = DEFAULT_THRESHOLDS.loose_gap_chars,
) -> bool:
    """The name, or its characters in order with short gaps ('科技型企业达1万家、占企业总数比重'
    for 科技型企业占企业总数比重): plans often split a long term around a figure."""
    if name in text:
        return True
    if len(name) < min_chars:
        return False
    return _spread(name, max_gap).search(text) is not None


@functools.lru_cache(maxsize=8192)
def _spread(name: str, max_gap: int) -> re.Pattern:
    """The name's characters in order with gaps of at most `max_gap` characters (built once a name)."""
    return re.compile(f"[^。；]{{0,{max_gap}}}".join(map(re.escape, name)))


@functools.cache
def _scope_grams(plans: PlanDirectory) -> frozenset[str]:
    scope: set[str] = set()
    for word in (*JIANGSU_PLACES, *plans.scope_words):
        scope |= grams(word)
    return frozenset(scope)


def scope_free(terms: set[str], plans: PlanDirectory | None = None) -> set[str]:
    """The question's n-grams without those of place and plan names (for per-plan sub-questions)."""
    return (terms - _scope_grams(plans or shipped_directory())) or terms


def container_score(title: float, intro: float, t: AnswerThresholds = DEFAULT_THRESHOLDS) -> float:
    """How well a 专栏/section matches: its title counts most; an intro that names the concept
    ('统筹推进科技创新“七大行动”') can stand in for a plain title."""
    if title < t.container_title_min:
        return title  # an intro alone does not make a section the answer's scope
    better = max(title, t.container_intro_discount * intro)
    return t.container_best_weight * better + t.container_worst_weight * min(title, intro)


def item_named(label: str, question: str) -> bool:
    """Whether the question names a list item by its label ('智能制造' in '……智能制造领域的……')."""
    name = re.sub(r"^\d{1,2}\s*[.．、]\s*", "", label).strip('“”"：。 ')
    if len(name) < 2:
        return False
    # a place item ('苏州市') is named by its short name too ('专栏8里苏州……')
    short = re.sub(r"(?<=..)[市县区]$", "", name)
    return norm(name) in norm(question) or (short != name and norm(short) in norm(question))


def names_heading(q: Question, title: str) -> bool:
    """Whether a list question names every word of a heading: '保障措施' is named whole by
    '……保障措施包括哪些', '政策保障措施清单' only in part. Only a list question
    asks for a heading's parts; other questions are about a passage's content."""
    if q.intent != Intent.LIST:
        return False
    bare = PERIOD_WORDS.sub("", _HEADING_NUMBER.sub("", title))
    own = content_grams(bare)
    return bool(own) and own <= q.terms


def numbered_column_named(label: str, number: int, question: str) -> bool:
    """Whether a 专栏 label is the 专栏<number> a question asks for. A plan may number several
    series of boxes, each named by a qualifier before 专栏 ('重点工程专栏2'): a qualified box is
    meant when the question names its qualifier; a bare '专栏2' means the unqualified series."""
    match = _NUMBERED_COLUMN.match(label)
    if match is None or int(match.group(2)) != number:
        return False
    return not match.group(1) or match.group(1) in question


def numbered_column_label(label: str, number: int) -> bool:
    """Whether a 专栏 label carries this number, in any series ('专栏2', '重点工程专栏2')."""
    match = _NUMBERED_COLUMN.match(label)
    return match is not None and int(match.group(2)) == number


def quotes_term(piece: str, term: str) -> bool:
    """Whether the passage quotes the term as the plans do: '“小升高计划”', or with quotes around
    its head only ('“小升高”计划')."""
    return f"“{term}”" in piece or (term not in piece and term in re.sub(r"[“”\"]", "", piece))


def has_unit(q: Question, text: str) -> bool:
    """Whether the text has a figure in the unit the question asks for ('多少家' → '120家')."""
    return not q.unit or unit_pattern(q.unit).search(text) is not None


def time_fit(q: Question, chunk: Chunk, text: str, t: AnswerThresholds = DEFAULT_THRESHOLDS) -> float:
    """Targets for 2025 answer a question about targets; 十三五 results answer one about results."""
    if q.time is None:
        return 0.0
    if _TARGET_SECTION.search(chunk.section):
        past, future = False, True
    elif _RESULT_SECTION.search(chunk.section):
        past, future = True, False
    else:
        past_words, future_words = _passage_time_words(q.period_words)
        past = bool(past_words.search(text))
        future = bool(future_words.search(text))
    if past == future:
        return 0.0
    if future and q.time == "future":
        # the plan's headline targets live in its 发展目标/主要目标 section
        return t.target_section_bonus if _TARGET_SECTION.search(chunk.section) else t.time_match_bonus
    return t.time_match_bonus if past and q.time == "past" else -t.time_mismatch_penalty


def enumerated(text: str, start: int, end: int, n: int) -> tuple[int, int] | None:
    """The span of the n-th element of an enumeration that states its own count inside
    text[start:end] ('人工智能、量子信息、……、深空深海等十大……' → n=10: '深空深海')."""
    sentence = text[start:end]
    for m in _COUNTED_ENUMERATION.finditer(sentence):
        count = int(m.group(1)) if m.group(1).isdigit() else _CN_COUNT.index(m.group(1))
        if count < n:
            continue
        head = sentence[: m.start()]
        cut = max(head.rfind(p) for p in "，,：:；;")  # the enumeration starts after the last clause break
        elements = head[cut + 1 :].split("、")
        if len(elements) != count:
            continue
        offset = start + cut + 1 + sum(len(e) + 1 for e in elements[: n - 1])
        return offset, offset + len(elements[n - 1])
    return None


__all__ = [
    "ITEM_START",
    "LETTER_IN",
    "PERIOD_WORDS",
    "SUPPORT_WORDS",
    "TARGET_WORDS",
    "container_score",
    "enumerated",
    "has_unit",
    "item_named",
    "quotes_term",
    "loosely_in",
    "names_heading",
    "numbered_column_label",
    "numbered_column_named",
    "scope_free",
    "time_fit",
]
