"""Citation verification: every answer sentence must be supported by the chunk it cites.

Support is lexical: the share of the sentence's character bigrams found in the best-matching span of
the chunk, and every number in the sentence must appear in the chunk. Model answers are parsed into
segments here; sentences citing passages that were not supplied, not supported, or whose subject
(place, plan, year, indicator) is not their passage's are dropped, each with its reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.draft import Draft, Segment
from assistant.text import grams, numbers_supported, sentence_spans
from retrieval.models import Chunk

MIN_SUPPORT = 0.6  # share of a sentence's bigrams that its quote must contain
_MARKER = re.compile(r"\s*\[(\d{1,2})\]")
_LLM_SENTENCE = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;]|(?:\s*\[\d{1,2}\])+)*")
_ODD_MARKER = re.compile(
    r"【\s*\d{1,2}\s*】|\[\s*(?:段落|来源|passage\s*)?\d{1,2}(?:\s*[,，、]\s*\d{1,2})+\s*\]|\[\s*(?:段落|来源)\s*\d{1,2}\s*\]"
)
INSUFFICIENT = "依据不足"


def support(sentence: str, chunk: Chunk) -> tuple[float, int, int]:
    """(score, start, end): how well the chunk's best span supports the sentence (0..1)."""
    target = grams(sentence)
    if not target:
        return 0.0, 0, 0
    exact = chunk.text.find(sentence.strip())
    if exact >= 0 and sentence.strip():  # a verbatim quote supports itself
        return 1.0, exact, exact + len(sentence.strip())
    best = (0.0, 0, 0)
    spans = sentence_spans(chunk.text) or [(0, len(chunk.text))]
    # a sentence may paraphrase across two adjacent plan sentences
    windows = spans + [(a[0], b[1]) for a, b in zip(spans, spans[1:], strict=False)]
    context = grams(chunk.context)
    for s, e in windows:
        have = grams(chunk.text[s:e]) | context
        score = len(target & have) / len(target)
        if score > best[0] or (score == best[0] and e - s < best[2] - best[1]):
            best = (score, s, e)
    return best


def number_source(chunk: Chunk) -> str:
    """The numbers a sentence citing the chunk may use: its text, its context, and the years of
    its plan's period (a “十四五” plan's targets are its targets for 2025)."""
    from assistant.subjects import plan_years

    return f"{chunk.context}\n{chunk.text}\n{' '.join(sorted(plan_years(chunk)))}"


def is_supported(text: str, chunk: Chunk, threshold: float = MIN_SUPPORT) -> bool:
    score, _, _ = support(text, chunk)
    return score >= threshold and numbers_supported(text, number_source(chunk))


def verify(draft: Draft) -> Draft:
    """Drop segments whose shown text is not supported by their chunk (numbers included)."""
    kept = [seg for seg in draft.segments if is_supported(seg.shown, seg.chunk)]
    draft.segments = kept
    return draft


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


@dataclass
class ModelCheck:
    """What verification made of a model's answer: the segments kept and why the rest were dropped."""

    segments: list[Segment] = field(default_factory=list)
    sentences: int = 0
    dropped: list[str] = field(default_factory=list)


def normalise_markers(text: str) -> str:
    """Markers as small models write them ('【1】', '［1］', '[段落1]', '[1, 2]') → '[1]' / '[1][2]'."""
    text = _ODD_MARKER.sub(lambda m: "".join(f"[{n}]" for n in re.findall(r"\d{1,2}", m.group(0))), text)
    return unicodedata.normalize("NFKC", text) if "［" in text else text


def check_model_answer(text: str, passages: list[Chunk]) -> ModelCheck:
    """Parse a model's answer ('……3.2%[1]。') into verified segments. A sentence is kept when it cites a
    passage that was supplied, that passage supports its bigrams and numbers, and its subject (place,
    plan, year, indicator: assistant.subjects) is the passage's. A sentence without a marker is
    checked against every passage and cites the best that backs it; a sentence whose
    markers all point at passages never supplied is dropped. Repeated sentences are shown once."""
    check = ModelCheck()
    seen: set[str] = set()
    for match in _LLM_SENTENCE.finditer(normalise_markers(text)):
        raw = match.group(0).strip()
        sentence = strip_markers(raw)
        if not sentence or INSUFFICIENT in sentence or not grams(sentence):
            continue  # blank, the model's own 依据不足, or punctuation only
        check.sentences += 1
        if sentence in seen:
            check.dropped.append(f"重复：{sentence[:40]}")
            continue
        seen.add(sentence)
        markers = [int(n) for n in _MARKER.findall(raw)]
        cited = [n for n in dict.fromkeys(markers) if 1 <= n <= len(passages)]
        if markers and not cited:
            check.dropped.append(f"引用了没有提供的段落：{sentence[:40]}")
            continue
        if not cited:  # small models forget markers: the sentence must then hold up against one passage
            cited = list(range(1, len(passages) + 1))
        verdicts = [_verdict(sentence, passages[n - 1]) for n in cited]
        kept = [v for v in verdicts if v[0] is None]
        if kept:
            _, score, s, e, chunk = max(kept, key=lambda v: v[1])
            check.segments.append(Segment(chunk, s, e, display=sentence))
        else:
            problem = max(verdicts, key=lambda v: v[1])[0]
            check.dropped.append(f"{problem}：{sentence[:40]}")
    return check


def _verdict(sentence: str, chunk: Chunk) -> tuple[str | None, float, int, int, Chunk]:
    """(why the chunk does not back the sentence or None, support score, span start, span end, chunk)."""
    from assistant.subjects import subject_mismatches

    score, s, e = support(sentence, chunk)
    problem = None
    if score < MIN_SUPPORT:
        problem = f"所引段落不支持（{score:.2f}）"
    elif not numbers_supported(sentence, number_source(chunk)):
        problem = "数字不在所引段落中"
    elif mismatches := subject_mismatches(sentence, chunk):
        problem = mismatches[0]
    return problem, score, s, e, chunk


def complete_part(text: str) -> str:
    """The part of a model's answer under way whose sentences are finished (a sentence is finished
    once something that is not its punctuation or markers follows it)."""
    ends = [m.end() for m in _LLM_SENTENCE.finditer(text)]
    return text[: ends[-2]] if len(ends) >= 2 else ""


def segments_from_model(text: str, passages: list[Chunk]) -> list[Segment]:
    """The verified segments of a model's answer (see check_model_answer)."""
    return check_model_answer(text, passages).segments


def citations_are_verbatim(answer, catalog) -> bool:
    """Every citation's quote is an exact substring of the text of the chunk it names."""
    for c in answer.citations:
        chunk = catalog.get(c.chunk_id)
        if chunk is None or c.quote not in chunk.text:
            return False
    return True
