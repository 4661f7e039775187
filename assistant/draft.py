"""An answer under construction: segments of text, each tied to a span of one chunk.

Both backends produce a `Draft`; `render` turns it into the public `Answer` with inline markers
[1] [2] … and citations whose `quote` is the exact chunk text that supports the segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.schemas import Answer, Citation
from retrieval.models import Chunk


@dataclass
class Segment:
    """One line or sentence of an answer, supported by chunk.text[start:end]."""

    chunk: Chunk
    start: int
    end: int
    lead: str = ""  # framing words before the supported text ("《…》提出：")
    display: str | None = None  # the supported text as shown, when reformatted (a table row)

    @property
    def quote(self) -> str:
        return self.chunk.text[self.start : self.end]

    @property
    def shown(self) -> str:
        return self.display if self.display is not None else self.quote.strip()


@dataclass
class Draft:
    segments: list[Segment] = field(default_factory=list)
    intent: str = "general"
    refused: bool = False
    reason: str | None = None
    preface: str = ""  # a line before the segments, no facts ("以下是……")
    notes: list[str] = field(default_factory=list)  # lines after the segments, no facts
    message: str = ""  # for refusals: the text shown instead of segments
    support: float | None = None  # set when the answer's scope is a 专栏/section matched by title


def section_label(chunk: Chunk) -> str:
    """'（四）发展目标' or '专栏2 重大产业科技创新项目' or the table/annex title: the most specific place."""
    if chunk.column:
        return chunk.column
    if chunk.section_path:
        return chunk.section_path[-1]
    return "正文"


def source_label(chunk: Chunk) -> str:
    return f"《{chunk.doc_title}》{section_label(chunk)}"


def citations_for(segments: list[Segment]) -> tuple[dict[str, int], list[Citation]]:
    """Number the chunks in order of first use; each citation quotes the span covering its segments."""
    numbers: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    chunks: dict[str, Chunk] = {}
    for seg in segments:
        cid = seg.chunk.chunk_id
        if cid not in numbers:
            numbers[cid] = len(numbers) + 1
            spans[cid] = (seg.start, seg.end)
            chunks[cid] = seg.chunk
        else:
            s, e = spans[cid]
            spans[cid] = (min(s, seg.start), max(e, seg.end))
    citations = []
    for cid, n in numbers.items():
        c = chunks[cid]
        s, e = spans[cid]
        citations.append(
            Citation(
                n=n,
                doc_id=c.doc_id,
                doc_title=c.doc_title,
                section=c.section,
                column=c.column,
                chunk_id=cid,
                quote=c.text[s:e].strip(),
            )
        )
    return numbers, citations


def render(draft: Draft, backend: str, latency_ms: float = 0.0) -> Answer:
    if draft.refused:
        # a refusal may cite where the plans mention the topic (but not the detail asked)
        numbers, citations = citations_for(draft.segments)
        lines = [draft.message] + [f"{s.lead}{s.shown} [{numbers[s.chunk.chunk_id]}]" for s in draft.segments]
        return Answer(
            answer="\n".join(lines),
            refused=True,
            citations=citations,
            backend=backend,
            latency_ms=latency_ms,
            refusal_reason=draft.reason,
        )
    numbers, citations = citations_for(draft.segments)
    lines = [draft.preface] if draft.preface else []
    for seg in draft.segments:
        lines.append(f"{seg.lead}{seg.shown} [{numbers[seg.chunk.chunk_id]}]")
    lines.extend(draft.notes)
    return Answer(
        answer="\n".join(lines), refused=False, citations=citations, backend=backend, latency_ms=latency_ms
    )
