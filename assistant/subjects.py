"""What a generated sentence is about, checked against the passage it cites.

Bigrams and numbers alone let a wrong-subject claim through: "上海市研发投入强度目标是2.3%左右[4]"
shares its bigrams and its figure with Jiangsu's "规模以上工业企业研发投入强度达2.3%左右". So each
sentence's subject is checked too, and `subject_mismatches` names every part that does not hold:

    place      every place the sentence names (assistant/data/places.txt) is named by the passage,
               its section path, its plan's title or its plan's region
    plan       a plan named in 《》 is the passage's plan; a plan period (十四五) is the passage's
    year       every year (2025年) is in the passage or its context, or in its plan's period
               (a “十四五” plan's targets are its targets for 2025), or in its plan's period
               (a “十四五” plan's targets are its targets for 2025)
    indicator  the words attached to each figure (the clause holding "3.2%") are in the passage's
               clause holding that figure: a figure moved to another indicator is caught

Pure functions over a sentence and a chunk; used for model answers (assistant.citations).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from assistant.text import clause_spans, grams, norm
from retrieval.models import Chunk

PLACES_FILE = Path(__file__).resolve().parent / "data" / "places.txt"
# share of a figure's indicator bigrams that the passage's clause holding the figure must contain:
# half lets a plan's own short name through ('研发投入强度' for '研发投入占地区生产总值比重')
MIN_INDICATOR = 0.5
_TITLE = re.compile(r"《([^》]{2,60})》")
_PERIOD = re.compile(r"[“\"]?(十[一二三四五六七八九]五)[”\"]?")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|倍|万|亿|家|个|项|人|名|所|元|平方米|公里|千米|件)?")
# words that frame a figure rather than name what it measures
_FRAMING = re.compile(
    r"目标|预期|力争|达到|达|超过|突破|约|左右|以上|以下|是|为|将|年|到|在|和|的|要|值|提高|提升|增长|至|累计|实现|其中"
)


@functools.cache
def places() -> tuple[str, ...]:
    lines = PLACES_FILE.read_text(encoding="utf-8").splitlines()
    names = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return tuple(sorted(set(names), key=len, reverse=True))  # longest first: 内蒙古 before 蒙古


def named_places(text: str) -> list[str]:
    """Places of the gazetteer named in `text`, titles in 《》 left out (they name a plan)."""
    text = _TITLE.sub("", unicodedata.normalize("NFKC", text))
    found = []
    for name in places():
        if name in text:
            found.append(name)
            text = text.replace(name, "")
    return found


def _where(chunk: Chunk) -> str:
    """Everything that says where a passage applies: its text, section path, plan title, region."""
    return unicodedata.normalize("NFKC", f"{chunk.text}\n{chunk.context}\n{chunk.region}")


def place_mismatches(sentence: str, chunk: Chunk) -> list[str]:
    where = _where(chunk)
    return [f"地点“{p}”不是所引段落所说的地方" for p in named_places(sentence) if p not in where]


def _title_key(title: str) -> str:
    return re.sub(r"[“”\"'‘’（）()\s]", "", norm(title))


def plan_mismatches(sentence: str, chunk: Chunk) -> list[str]:
    problems = []
    doc = _title_key(chunk.doc_title)
    for title in _TITLE.findall(unicodedata.normalize("NFKC", sentence)):
        key = _title_key(title)
        named = grams(key)
        if key not in doc and (not named or len(named & grams(doc)) / len(named) < 0.8):
            problems.append(f"规划《{title}》不是所引段落所在的《{chunk.doc_title}》")
    where = _where(chunk)
    for period in dict.fromkeys(_PERIOD.findall(_TITLE.sub("", sentence))):
        if period not in where:
            problems.append(f"时期“{period}”不是所引段落的规划期")
    return problems


_FIVE_YEAR = {"十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026}  # first years
_RANGE = re.compile(r"((?:19|20)\d{2})\s*[-—–~至到]\s*((?:19|20)\d{2})")


def plan_years(chunk: Chunk) -> set[str]:
    """The years the passage's plan covers, from its title and section path: '“十四五”' or
    '（2021-2025年）' → 2021…2025. A plan's '十四五' target is its target 'by 2025'."""
    where = unicodedata.normalize("NFKC", chunk.context)
    years: set[str] = set()
    for name, first in _FIVE_YEAR.items():
        if name in chunk.doc_title:
            years |= {str(y) for y in range(first, first + 5)}
    for a, b in _RANGE.findall(where):
        if 0 <= int(b) - int(a) <= 15:
            years |= {str(y) for y in range(int(a), int(b) + 1)}
    return years


def year_mismatches(sentence: str, chunk: Chunk) -> list[str]:
    where, covered = _where(chunk), plan_years(chunk)
    years = dict.fromkeys(_YEAR.findall(unicodedata.normalize("NFKC", sentence)))
    return [f"年份{y}年不在所引段落中" for y in years if y not in where and y not in covered]


def _indicator_grams(clause: str) -> frozenset[str]:
    """The bigrams of a clause that name what its figure measures (no figures, places or framing)."""
    text = _FIGURE.sub(" ", clause)
    for p in named_places(text):
        text = text.replace(p, " ")
    text = _FRAMING.sub(" ", text)
    return frozenset(g for g in grams(text) if not g[0].isdigit())


def _figures(text: str) -> list[str]:
    """Figures that are not years: '3.2' of '3.2%', '85' of '85%左右'; '2025' of '2025年' is a year."""
    text = unicodedata.normalize("NFKC", text)
    years = {m.start(1) for m in _YEAR.finditer(text)}
    return [m.group(0) for m in re.finditer(r"\d+(?:\.\d+)?", text) if m.start() not in years]


def indicator_mismatches(sentence: str, chunk: Chunk) -> list[str]:
    sentence = unicodedata.normalize("NFKC", sentence)
    source = unicodedata.normalize("NFKC", chunk.text)
    source_clauses = [source[s:e] for s, e in clause_spans(source)]
    problems = []
    for s, e in clause_spans(sentence):
        clause = sentence[s:e]
        wanted = _indicator_grams(clause)
        if not wanted:
            continue  # '到2025年达到3.2%': the clause names no indicator to check
        for figure in _figures(clause):
            holders = [
                i
                for i, c in enumerate(source_clauses)
                if re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", c)
            ]
            if not holders:
                continue  # a figure missing from the passage is the number check's to report
            # the indicator may sit in the clause before ('研发投入强度，到2025年达到3.2%')
            best = max(
                len(wanted & grams("".join(source_clauses[max(0, i - 1) : i + 1]))) / len(wanted)
                for i in holders
            )
            if best < MIN_INDICATOR:
                problems.append(f"数字{figure}在所引段落中说的不是“{clause.strip('，,。；; ')}”")
    return problems


def subject_mismatches(sentence: str, chunk: Chunk) -> list[str]:
    """Why the sentence's subject is not the cited passage's (place, plan, year, indicator); [] when it is."""
    return (
        place_mismatches(sentence, chunk)
        + plan_mismatches(sentence, chunk)
        + year_mismatches(sentence, chunk)
        + indicator_mismatches(sentence, chunk)
    )
