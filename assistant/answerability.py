"""Whether an answer holds what the question asks for, by the kind of detail asked.

A question asks for a detail of its topic: a figure, an amount of money, a proportion, conditions,
a date, a person, contact details or an application procedure (`Detail`). Plan text about the
topic answers it only if a sentence about the topic holds an instance of that detail (a money
amount in the clause about that programme, a date in the sentence about that approval). When the
plans mention the topic but not the detail, the answer is a refusal that says so and cites where
the topic is mentioned: "规划提到了“江苏特聘教授”，但没有写明具体金额".

The vocabularies (cues and evidence patterns) are data: `assistant/data/asked_details.yaml`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from assistant.text import GramWeights, grams, sentence_spans

DETAILS_PATH = Path(__file__).resolve().parent / "data" / "asked_details.yaml"


class Detail(StrEnum):
    """A detail a question asks for, beyond its topic (figures are checked by `figure_held`)."""

    MONEY = "money"
    RATE = "rate"
    CRITERIA = "criteria"
    DATE = "date"
    DAY = "day"
    PERSON = "person"
    CONTACT = "contact"
    PROCEDURE = "procedure"


@dataclass(frozen=True)
class DetailSpec:
    detail: Detail
    cues: tuple[re.Pattern, ...]
    evidence: re.Pattern
    missing: str  # how a refusal names it: "具体金额"


@functools.cache
def detail_specs(path: Path = DETAILS_PATH) -> tuple[DetailSpec, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        DetailSpec(
            detail=Detail(name),
            cues=tuple(re.compile(c) for c in spec["cues"]),
            evidence=re.compile(spec["evidence"], re.I),
            missing=spec["missing"],
        )
        for name, spec in data.items()
    )


def spec_of(detail: Detail) -> DetailSpec:
    return next(s for s in detail_specs() if s.detail is detail)


def asked_details(text: str) -> tuple[tuple[Detail, str], ...]:
    """The details a question asks for, each with the words that ask it ('补贴多少')."""
    out = []
    for spec in detail_specs():
        for cue in spec.cues:
            m = cue.search(text)
            if m:
                out.append((spec.detail, m.group(0)))
                break
    return tuple(out)


_FIGURE = re.compile(r"\d")


def sentences_with(pattern: re.Pattern, text: str) -> list[str]:
    """The sentences of `text` in which `pattern` matches."""
    spans = sentence_spans(text) or [(0, len(text))]
    return [text[s:e] for s, e in spans if pattern.search(text[s:e])]


def focus_share(focus: set[str], text: str, weights: GramWeights) -> float:
    """How much of the question's focus (its content n-grams, less scope and cue words) a text holds."""
    return weights.coverage(focus, set(grams(text))) if focus else 1.0


def detail_held(
    spec: DetailSpec, focus: set[str], passages: list[tuple[str, str]], weights: GramWeights, minimum: float
) -> bool:
    """Whether a sentence of one passage holds an instance of the detail and is about the focus.
    `passages` are (quoted text, address line): a table row is about what its header says."""
    for quote, context in passages:
        for sentence in sentences_with(spec.evidence, quote):
            if focus_share(focus, f"{sentence} {context}", weights) >= minimum:
                return True
    return False


def figure_held(
    focus: set[str],
    unit_pattern: re.Pattern | None,
    passages: list[tuple[str, str]],
    weights: GramWeights,
    minimum: float,
) -> bool:
    """Whether a sentence holds a figure (in the asked unit, if one is asked) about the focus."""
    pattern = unit_pattern or _FIGURE
    return detail_held(DetailSpec(Detail.MONEY, (), pattern, ""), focus, passages, weights, minimum)


_COUNTED_UNITS = ("家", "件", "个", "名", "人", "位", "项", "所", "座", "条")
_RANK_UNITS = ("名", "位")  # units that also count places in a ranking
_PEOPLE_UNITS = ("人", "名", "位")


def unit_pattern(unit: str | None) -> re.Pattern:
    """A figure in the asked unit ('家' → '6万家', '三家'; '%' → '3.2%'), or any figure."""
    if not unit:
        return _FIGURE
    if unit == "%":
        return re.compile(r"\d[\d.]*\s*[%％]")
    if unit in _COUNTED_UNITS:
        # people are counted in 人, 名 or 位 alike ('多少名院士' → '25人')
        units = "(?:人|名|位)" if unit in _PEOPLE_UNITS else re.escape(unit)
        counted = rf"(?:\d[\d.]*|[一二三四五六七八九十百千万]+)\s*(?:万|余|多)?\s*{units}"
        # '排多少名' asks a rank: '第26位', '前20强' answer it
        rank = r"|(?:第|前)\s*\d+\s*(?:名|位|强)" if unit in _RANK_UNITS else ""
        return re.compile(counted + rank)
    return re.compile(rf"\d[\d.]*\s*(?:多)?\s*{re.escape(unit)}")


def figure_share(q, segments, weights: GramWeights, scope_free, parts: list[set[str]] | None = None) -> float:
    """How well the best cited sentence holding a figure (in the asked unit) is about what a number
    question asks: the best share of focus over the question's parts ('A多少？B几家？' asks two).
    A table row's unit is in its label or header ('高新技术企业数（家）'), so any figure counts."""
    focuses = [scope_free(p) for p in parts] if parts else [scope_free(set(q.terms))]
    best = 0.0
    for seg in segments:
        table = seg.chunk.kind == "table"
        pattern = _FIGURE if table or q.unit is None else unit_pattern(q.unit)
        context = seg.chunk.context
        if table and q.unit and q.unit not in f"{seg.quote} {context}":
            continue
        for sentence in sentences_with(pattern, seg.quote):
            for focus in focuses:
                best = max(best, focus_share(focus, f"{sentence} {context}", weights))
    return best


def mentioned_topic(question: str, quote: str, min_chars: int = 2) -> str | None:
    """The longest run of the question's characters that the quote repeats verbatim: what the
    plans do say about the topic ('江苏特聘教授')."""
    best = ""
    n = len(question)
    for i in range(n):
        for j in range(n, i + max(min_chars, len(best) + 1) - 1, -1):
            piece = question[i:j]
            if (
                len(piece) > len(best)
                and re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9+“”]+", piece)
                and piece in quote
            ):
                best = piece
                break
    return best.strip("“”") or None


def check_details(
    q, segments, weights: GramWeights, minimum: float, scope_free
) -> tuple[list[DetailSpec], list, str | None]:
    """(details asked that no cited sentence holds, segments to cite as the topic's mention, the
    topic as the plans name it).

    `q` is the analysed question (its `details` and `terms`), `segments` the draft's; `scope_free`
    drops the n-grams of place and plan names (they say where to look, not what is asked)."""
    from assistant.draft import Segment

    passages = [(seg.quote, seg.chunk.context) for seg in segments]
    missing = []
    for detail, cue in q.details:
        spec = spec_of(detail)
        focus = scope_free(set(q.terms) - set(grams(cue)))
        if not detail_held(spec, focus, passages, weights, minimum):
            missing.append(spec)
    if not missing:
        return [], [], None
    mention: list[Segment] = []
    topic_found = None
    best = None
    asked = q.text
    for _, cue in q.details:  # the cue ('什么条件') is what is missing, not the topic
        asked = asked.replace(cue, "，")
    for seg in segments:
        topic = mentioned_topic(asked, seg.quote)
        if topic and (best is None or len(topic) > len(best[0])):
            best = (topic, seg)
    if best is not None:
        topic, seg = best
        for s, e in sentence_spans(seg.quote) or [(0, len(seg.quote))]:
            if topic in seg.quote[s:e]:
                mention = [Segment(seg.chunk, seg.start + s, seg.start + e, lead="规划原文：")]
                topic_found = topic
                break
    return missing, mention, topic_found


def detail_refusal(topic: str | None, missing: str) -> str:
    """The reason shown when the plans mention a topic but not the detail asked."""
    if topic:
        return f"规划提到了“{topic}”，但没有写明{missing}"
    return f"规划没有写明{missing}"


__all__ = [
    "Detail",
    "DetailSpec",
    "asked_details",
    "check_details",
    "detail_held",
    "detail_refusal",
    "detail_specs",
    "figure_share",
    "figure_held",
    "unit_pattern",
    "focus_share",
    "mentioned_topic",
    "spec_of",
]
