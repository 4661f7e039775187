"""Citation verification: every answer sentence must be supported by the chunk it cites.

Support is lexical: the share of the sentence's character bigrams found in the best-matching span of
the chunk, and every number in the sentence must appear in the chunk. Model answers are parsed into
segments here; sentences citing passages that were not supplied, or not supported, are dropped.
"""

from __future__ import annotations

import re

from assistant.draft import Draft, Segment
from assistant.text import grams, numbers_supported, sentence_spans
from retrieval.models import Chunk

MIN_SUPPORT = 0.6  # share of a sentence's bigrams that its quote must contain
_MARKER = re.compile(r"\s*\[(\d{1,2})\]")
_LLM_SENTENCE = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;]|(?:\s*\[\d{1,2}\])+)*")
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


def is_supported(text: str, chunk: Chunk, threshold: float = MIN_SUPPORT) -> bool:
    score, _, _ = support(text, chunk)
    return score >= threshold and numbers_supported(text, f"{chunk.context}\n{chunk.text}")


def verify(draft: Draft) -> Draft:
    """Drop segments whose shown text is not supported by their chunk (numbers included)."""
    kept = [seg for seg in draft.segments if is_supported(seg.shown, seg.chunk)]
    draft.segments = kept
    return draft


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


def segments_from_model(text: str, passages: list[Chunk]) -> list[Segment]:
    """Parse a model's answer ('……3.2%[1]。') into verified segments; unsupported sentences and
    markers to passages that were not supplied are dropped."""
    segments: list[Segment] = []
    for match in _LLM_SENTENCE.finditer(text):
        raw = match.group(0).strip()
        if not raw:
            continue
        cited = [int(n) for n in _MARKER.findall(raw)]
        cited = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
        sentence = strip_markers(raw)
        if not cited or not sentence or INSUFFICIENT in sentence:
            continue
        best = None
        for n in cited:
            chunk = passages[n - 1]
            score, s, e = support(sentence, chunk)
            if best is None or score > best[0]:
                best = (score, chunk, s, e)
        score, chunk, s, e = best
        if score >= MIN_SUPPORT and numbers_supported(sentence, f"{chunk.context}\n{chunk.text}"):
            segments.append(Segment(chunk, s, e, display=sentence))
    return segments


def citations_are_verbatim(answer, catalog) -> bool:
    """Every citation's quote is an exact substring of the text of the chunk it names."""
    for c in answer.citations:
        chunk = catalog.get(c.chunk_id)
        if chunk is None or c.quote not in chunk.text:
            return False
    return True
