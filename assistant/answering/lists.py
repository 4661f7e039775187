"""List answers: the items of a 专栏 or section (its rows, when it is a table), or, for a container
without items, its most relevant sentences; and the headings of one kind ('……有哪几项工程')."""

from __future__ import annotations

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.matching import item_named, numbered_column_label
from assistant.answering.quotes import narrow, to_segments
from assistant.answering.scoring import Scorer
from assistant.draft import Draft, Segment
from assistant.intent import Intent
from assistant.items import list_items
from assistant.question import Question
from assistant.sibling_lists import counted_noun, heading_name, sibling_sections
from assistant.text import sentence_spans
from retrieval.models import Chunk


def first_sentence(chunk: Chunk, lead: str = "· ", display: str | None = None) -> Segment:
    spans = sentence_spans(chunk.text) or [(0, len(chunk.text))]
    return Segment(chunk, spans[0][0], spans[0][1], lead=lead, display=display)


def _table_rows(chunk: Chunk) -> list[Segment]:
    segments = []
    for row in chunk.table.rows:
        line = "\t".join(row)
        pos = chunk.text.find(line)
        if pos >= 0:
            numbered = bool(chunk.table.header) and chunk.table.header[0] == "序号"
            cells = row[1:] if numbered else row
            display = "｜".join(c for c in cells if c)
            segments.append(Segment(chunk, pos, pos + len(line), lead="· ", display=display))
    return segments


def column_draft(scorer: Scorer, q: Question, target: list[Chunk]) -> Draft | None:
    """The items of a 专栏 spread over one or more chunks (its rows, when it is a table)."""
    t, catalog = scorer.thresholds, scorer.catalog
    segments: list[Segment] = []
    # the kind of list is decided over the whole 专栏: one item per chunk is common
    kind, _ = list_items("\n".join(c.text for c in target if c.kind != "table"))
    opening = intro(scorer, q, target, kind)
    per_chunk = {c.chunk_id: list_items(c.text, kind=kind, min_items=1)[1] if kind else [] for c in target}
    # '……领域的重点方向' names one item: that item only, with its text; a follow-up ('它要建设
    # 哪些载体？') is about the item its first turn named
    asked = q.standalone if q.followup else q.text
    every = [i for items in per_chunk.values() for i in items]
    named_items = {id(i) for i in every if item_named(i.label, asked)}
    any_named = 0 < len(named_items) < len(every)
    for chunk in target:
        items = per_chunk[chunk.chunk_id]
        if chunk.kind == "table" and chunk.table and chunk.table.rows:
            segments += _table_rows(chunk)
            continue
        named = [i for i in items if id(i) in named_items] if any_named else []
        if any_named:
            items = named
        for item in items:
            end = item.end
            line_end = chunk.text.find("\n", item.end)
            line_end = len(chunk.text) if line_end < 0 else line_end
            # '“1”：……' says nothing without its text; a short 'label：text' line is shown whole;
            # an item the question names is shown with its text
            if (
                len(item.label.strip("“”")) <= t.short_label_chars
                or (kind == "labelled" and line_end - item.start <= t.labelled_line_chars)
                or named
            ):
                end = line_end
            segments.append(Segment(chunk, item.start, end, lead="· "))
    few = 1 <= len([s for s in segments if s.chunk.kind != "table"]) <= t.prose_items_max
    if few and not any_named and not any(c.kind == "table" for c in target):
        return prose_draft(scorer, q, target)  # two long items: their sentences say more than their titles
    if not segments:
        return prose_draft(scorer, q, target)
    segments = opening + segments
    first = target[0]
    where = first.column or (first.section_path[-1] if first.section_path else "")
    preface = f"《{first.doc_title}》{where}包括以下内容："
    notes = []
    if q.column_numbers and not q.doc_hints:
        others = [
            f"《{catalog.by_doc[d][0].doc_title}》的{label}"
            for d, label in catalog.columns()
            if d != first.doc_id and numbered_column_label(label, q.column_numbers[0])
        ]
        if others:
            shown = "；".join(others[: t.other_columns_noted])
            notes.append(f"另：{shown}。如需查询，请在问题中注明规划名称。")
    return Draft(segments=segments, intent=Intent.LIST, preface=preface, notes=notes)


def intro(scorer: Scorer, q: Question, target: list[Chunk], kind: str | None) -> list[Segment]:
    """Sentences before the first item of a 专栏 that speak to the question ('聚焦海工船舶……')."""
    t = scorer.thresholds
    first = next((c for c in target if c.kind != "table"), None)
    if first is None:
        return []
    items = list_items(first.text, kind=kind, min_items=1)[1] if kind else []
    end = items[0].start if items else len(first.text)
    out = []
    for s, e in sentence_spans(first.text[:end]):
        if scorer.cover(q, first.text[s:e]) >= t.intro_cover_min:
            s2, e2 = narrow(scorer, q, first, s, e)
            out.append(Segment(first, s2, e2))
    return out[: t.intro_sentences]


def prose_draft(scorer: Scorer, q: Question, target: list[Chunk]) -> Draft | None:
    """A 专栏 or section without list items: its sentences, most relevant first, plan order."""
    t = scorer.thresholds
    scored = [s for chunk in target if chunk.kind != "table" for s in scorer.sentences(q, chunk, 0.0)]
    if not scored:
        return None
    scored.sort(key=lambda s: -s.score)
    picked = scored[: t.prose_sentences]
    return Draft(segments=to_segments(scorer, q, picked, widen_to=t.prose_widen), intent=Intent.LIST)


def heading_list_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    """'……有哪几项工程', '……有哪些专栏': the plan's headings of that kind, each with its address
    and first sentence (a 专栏 by its title line), not the contents of one of them."""
    q, ranked, catalog = ev.question, ev.ranked, scorer.catalog
    noun = counted_noun(q.text)
    if noun is None or q.column_numbers or q.position:
        return None
    docs = q.doc_hints[:1] if len(q.doc_hints) == 1 else [c.doc_id for _, c in ranked[:1]]
    for doc in docs:
        title = catalog.by_doc[doc][0].doc_title if catalog.by_doc.get(doc) else ""
        segments = []
        if noun == "专栏":
            for _, label in catalog.columns(doc):
                segments.append(first_sentence(catalog.column(doc, label)[0], display=label))
        else:
            for path in sibling_sections(catalog, doc, noun):
                under = catalog.section(doc, list(path), include_columns=True)
                if under:
                    segments.append(first_sentence(under[0], display=heading_name(path[-1])))
        if len(segments) >= 2:
            draft = Draft(
                segments=segments, intent=Intent.LIST, preface=f"《{title}》中的{noun}有：", support=1.0
            )
            return Candidate(Handler.HEADING_LIST, draft)
    return None


__all__ = ["column_draft", "first_sentence", "heading_list_candidate", "intro", "prose_draft"]
