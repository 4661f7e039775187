"""Container handlers: the 专栏 or section a question names, by title ('……保障措施包括哪些') or by
number ('专栏2列了哪些项目'), answered with its items, sub-sections or sentences."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.candidates import Candidate, Evidence, Handler
from assistant.answering.lists import column_draft, first_sentence, intro, prose_draft
from assistant.answering.matching import container_score, names_heading, numbered_column_named
from assistant.answering.scoring import Ranked, Scorer
from assistant.draft import Draft
from assistant.intent import Intent
from assistant.items import list_items
from assistant.question import Question
from retrieval.models import Chunk


@dataclass(frozen=True)
class Container:
    """A 专栏 (`key` is its label) or a section (`key` is its heading path) and how well it matches."""

    score: float
    kind: str  # "column" or "section"
    doc_id: str
    key: str | tuple


def best_container(scorer: Scorer, q: Question, ranked: Ranked) -> Container | None:
    """The 专栏 or section whose title best matches the question."""
    t, catalog = scorer.thresholds, scorer.catalog
    found = list(dict.fromkeys(c.doc_id for _, c in ranked[: t.container_passages]))
    docs = q.doc_hints or found
    if len(docs) > t.container_plan_limit:
        hinted = set(docs)
        docs = [d for d in found if d in hinted] or docs[: t.container_plan_limit]
    best = None
    for doc in docs:
        for _, label in catalog.columns(doc):
            chunks = catalog.column(doc, label)
            # a 专栏 in several chunks (one per field: '领域A：……', '领域B：……') opens in each of them
            opening = max(scorer.cover(q, c.text[: t.container_opening_chars]) for c in chunks)
            score = container_score(scorer.cover(q, f"{chunks[0].doc_title} {label}"), opening, t)
            score += (
                t.column_preference
            )  # a 专栏 is a list by nature: on a near-tie with a section, prefer it
            score += t.named_heading_bonus * names_heading(q, label)
            if best is None or score > best.score:
                best = Container(score, "column", doc, label)
        for path in catalog.paths(doc):
            own = catalog.at(doc, path)
            opening = own[0].text[: t.container_opening_chars] if own else ""
            title = catalog.by_doc[doc][0].doc_title
            score = container_score(scorer.cover(q, f"{title} {path[-1]}"), scorer.cover(q, opening), t)
            score += t.named_heading_bonus * names_heading(q, path[-1])
            if best is None or score > best.score:
                best = Container(score, "section", doc, path)
    top = ranked[0][1] if ranked else None
    if best and best.kind == "section" and top and top.column and top.doc_id == best.doc_id:
        # the passage that matches best is a 专栏 inside the section found: the 专栏 is the list
        if tuple(top.section_path[: len(best.key)]) == tuple(best.key):
            return Container(best.score, "column", top.doc_id, top.column)
    return best


def numbered_column(scorer: Scorer, q: Question, ranked: Ranked, number: int) -> Container | None:
    """专栏<number> in the plan the question names or retrieval found."""
    catalog = scorer.catalog
    docs = q.doc_hints or [c.doc_id for _, c in ranked] or list(catalog.by_doc)
    for doc in dict.fromkeys(docs):
        for doc_id, label in catalog.columns(doc):
            if numbered_column_named(label, number, q.text):
                return Container(1.0, "column", doc_id, label)
    return None


def container_draft(scorer: Scorer, q: Question, found: Container) -> Draft | None:
    """A 专栏's items; a section's sub-sections (each by its first sentence), else its items or
    sentences."""
    catalog, doc, key = scorer.catalog, found.doc_id, found.key
    if found.kind == "column":
        return column_draft(scorer, q, catalog.column(doc, key))
    children = catalog.children(doc, key)
    if len(children) >= 2:
        segments = []
        for child in children:
            under = catalog.section(doc, list(child), include_columns=True)
            if under:
                segments.append(first_sentence(under[0], display=child[-1]))
        if len(segments) >= 2:
            # the section's opening often names its parts in one line ('组织实施……等七大工程')
            opening = catalog.at(doc, key)[:1]
            lead = intro(scorer, q, opening, None) if opening else []
            title = catalog.by_doc[doc][0].doc_title
            return Draft(
                segments=lead[:1] + segments, intent=Intent.LIST, preface=f"《{title}》“{key[-1]}”包括："
            )
    own = catalog.section(doc, list(key))
    if not own:
        return None
    if list_items(own[0].text)[1]:
        return column_draft(scorer, q, own)
    return prose_draft(scorer, q, own)


def container_answer(scorer: Scorer, q: Question, found: Container | None) -> Draft | None:
    """The draft of the container found, if it matches well enough to be the answer's scope."""
    if found is None or found.score < scorer.thresholds.container_min:
        return None
    draft = container_draft(scorer, q, found)
    if draft is not None:
        draft.support = found.score
    return draft


def column_items(scorer: Scorer, q: Question, ranked: Ranked) -> Draft | None:
    """The items of the 专栏 the question asks for by number, or else of the best passage's 专栏
    (the best passage alone when it is in none)."""
    target: list[Chunk] = []
    if q.column_numbers:
        found = numbered_column(scorer, q, ranked, q.column_numbers[0])
        target = scorer.catalog.column(found.doc_id, found.key) if found else []
    elif ranked:
        top = ranked[0][1]
        target = scorer.catalog.column(top.doc_id, top.column) if top.column else [top]
    if not target:
        return None
    return column_draft(scorer, q, target)


def container_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    """'……保障措施包括哪些': the 专栏 or section of that title, when its items make an answer."""
    found = best_container(scorer, ev.question, ev.ranked)
    draft = container_answer(scorer, ev.question, found)
    if draft is None or not draft.segments:
        return None
    return Candidate(Handler.CONTAINER, draft, score=found.score)


def numbered_column_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    if not ev.question.column_numbers:
        return None
    draft = column_items(scorer, ev.question, ev.ranked)
    return None if draft is None else Candidate(Handler.NUMBERED_COLUMN, draft)


def list_items_candidate(scorer: Scorer, ev: Evidence) -> Candidate | None:
    draft = column_items(scorer, ev.question, ev.ranked)
    return None if draft is None else Candidate(Handler.LIST_ITEMS, draft)


__all__ = [
    "Container",
    "best_container",
    "column_items",
    "container_answer",
    "container_candidate",
    "container_draft",
    "list_items_candidate",
    "numbered_column",
    "numbered_column_candidate",
]
