"""The n-th item of a list the question names ('十大产业集群的第十个', '专栏6的第二项'): a
sub-section, a 专栏 item, or an element of an enumeration ('A、B……等十大……')."""

from __future__ import annotations

import re

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.containers import best_container, numbered_column
from assistant.answering.matching import enumerated
from assistant.answering.scoring import Ranked, Scorer
from assistant.draft import Draft, Segment, source_label
from assistant.intent import Intent
from assistant.items import list_items
from assistant.question import Question
from assistant.text import sentence_spans

# intents whose position ('第三个') points into a list; a figure's '第几' is a rank, not an item
_ITEM_INTENTS = (Intent.LIST, Intent.GENERAL, Intent.DEFINITION)


# '第二项都包括什么': the item's own parts, not its opening sentence
_ASKS_CONTENTS = re.compile(r"包括|包含|哪些|内容|有什么|分为|分成")


def _opening(scorer: Scorer, doc: str, key: list[str]) -> Segment | None:
    under = scorer.catalog.section(doc, key, include_columns=True)
    if not under:
        return None
    s, e = (sentence_spans(under[0].text) or [(0, len(under[0].text))])[0]
    return Segment(under[0], s, e)


def _nth_of_section(
    scorer: Scorer, n: int, doc: str, key: tuple, title: str, contents: bool = False
) -> list[Segment]:
    children = scorer.catalog.children(doc, key)
    if len(children) < n:
        return []
    item = children[n - 1]
    lead = f"《{title}》“{key[-1]}”的第{n}项是“{item[-1]}”："
    parts = scorer.catalog.children(doc, tuple(item)) if contents else []
    if len(parts) >= 2:  # each part by its opening sentence, which is its heading in most plans
        segments = []
        for part in parts:
            seg = _opening(scorer, doc, list(part))
            if seg is None:
                continue
            heading = re.sub(
                r"^\s*(?:\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）])\s*", "", part[-1]
            ).rstrip("。")
            quoted = seg.chunk.text[seg.start : seg.end]
            seg.lead = (
                "" if heading in quoted else f"{part[-1]}："
            )  # the part's name when its text does not say it
            segments.append(seg)
        if segments:
            segments[0].lead = f"{lead}包括{len(parts)}个方面。\n{segments[0].lead}"
            return segments
    first = _opening(scorer, doc, list(item))
    if first is None:
        return []
    first.lead = lead
    return [first]


def _nth_of_column(scorer: Scorer, n: int, doc: str, label: str, title: str) -> list[Segment]:
    chunks = [c for c in scorer.catalog.column(doc, label) if c.kind != "table"]
    list_kind, _ = list_items("\n".join(c.text for c in chunks))
    items = [
        (c, item)
        for c in chunks
        for item in (list_items(c.text, kind=list_kind, min_items=1)[1] if list_kind else [])
    ]
    if len(items) < n:
        return []
    chunk, item = items[n - 1]
    end = chunk.text.find("\n", item.end)  # the item with its text, not its label alone
    end = len(chunk.text) if end < 0 else end
    return [Segment(chunk, item.start, end, lead=f"《{title}》{label}的第{n}项：")]


def nth_item(
    scorer: Scorer, q: Question, ranked: Ranked, doc: str | None = None, column: int | None = None
) -> tuple[list[Segment], float | None]:
    """The item at `q.position` of the list the question names, with how well that list matched
    (its items need not repeat the title or count the question names)."""
    t = scorer.thresholds
    n = q.position
    if not n:
        return [], None
    docs = [doc] if doc else None
    scoped = Question(**{**q.__dict__, "doc_hints": docs or q.doc_hints})
    found = (
        numbered_column(scorer, scoped, ranked, column) if column else best_container(scorer, scoped, ranked)
    )
    support = found.score if found else None
    if found and found.score >= t.nth_list_min:
        title = scorer.catalog.by_doc[found.doc_id][0].doc_title
        if found.kind == "section":
            contents = _ASKS_CONTENTS.search(q.text) is not None
            segments = _nth_of_section(scorer, n, found.doc_id, found.key, title, contents)
        else:
            segments = _nth_of_column(scorer, n, found.doc_id, found.key, title)
        if segments:
            return segments, support
    for _, chunk in ranked[: t.enumeration_passages]:
        if (doc and chunk.doc_id != doc) or chunk.kind == "table":
            continue
        for start, end in sentence_spans(chunk.text):
            found_item = enumerated(chunk.text, start, end, n)
            if found_item and scorer.cover(q, chunk.text[start:end]) >= t.enumeration_cover_min:
                s, e = found_item
                return [Segment(chunk, s, e, lead=f"{source_label(chunk)}：所列第{n}项为")], support
    return [], support


def _nth_draft(handler: Handler, found: tuple[list[Segment], float | None]) -> Candidate | None:
    segments, support = found
    if not segments:
        return None
    draft = Draft(segments=segments, intent=Intent.LIST, support=support)
    return Candidate(handler, draft, score=1.0 if support is None else support)


def nth_in_column_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    """'专栏6的第二项'."""
    q = ev.question
    if not (q.column_numbers and q.position):
        return None
    return _nth_draft(Handler.NTH_IN_COLUMN, nth_item(scorer, q, ev.ranked, column=q.column_numbers[0]))


def nth_item_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    """'……十大产业集群的第十个'."""
    q = ev.question
    if not (q.position and q.intent in _ITEM_INTENTS):
        return None
    return _nth_draft(Handler.NTH_ITEM, nth_item(scorer, q, ev.ranked))


__all__ = ["nth_in_column_candidate", "nth_item", "nth_item_candidate"]
