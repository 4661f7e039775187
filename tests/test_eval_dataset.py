"""The evaluation set is well-formed and agrees with the corpus: every expected place and every
key fact can be found in the parsed plans, so a failing item points at the system, not the data."""

from __future__ import annotations

from collections import Counter

import pytest

from evals.dataset import KINDS, DatasetError, load_dataset, parse_dataset
from evals.metrics import normalise
from retrieval.corpus import load_documents, load_manifest

MINIMUM_COUNTS = {
    "number": 30,
    "list": 25,
    "table": 20,
    "compare": 10,
    "eligibility": 20,
    "followup": 10,
    "refuse": 25,
}


@pytest.fixture(scope="module")
def items():
    return load_dataset()


@pytest.fixture(scope="module")
def documents():
    from assistant.settings import PROJECT_ROOT

    return {d.entry.doc_id: d for d in load_documents(PROJECT_ROOT / "corpus")}


def places_of(doc) -> list[str]:
    """Every heading, 专栏 label and table title of a parsed document, normalised."""
    names = set()
    for block in doc.blocks:
        names.update(block.section_path)
        if block.column:
            names.add(block.column)
        if block.table is not None and block.table.title:
            names.add(block.table.title)
    names.update(c.label for c in doc.columns)
    return [normalise(n) for n in names]


def test_the_dataset_loads_and_is_large_enough(items):
    assert len(items) >= 150
    counts = Counter(i.kind for i in items)
    short = {k: (counts[k], n) for k, n in MINIMUM_COUNTS.items() if counts[k] < n}
    assert not short, f"kinds below their minimum (have, need): {short}"
    assert set(counts) <= set(KINDS)


def test_ids_are_unique(items):
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))


def test_every_referenced_document_is_in_the_manifest(items):
    from assistant.settings import PROJECT_ROOT

    known = {e.doc_id for e in load_manifest(PROJECT_ROOT / "corpus")}
    unknown = [(i.id, p.doc_id) for i in items for p in i.expected if p.doc_id not in known]
    assert not unknown


def test_every_expected_section_exists_in_its_document(items, documents):
    missing = []
    for item in items:
        for place in item.expected:
            wanted = normalise(place.section)
            if wanted and not any(wanted in name for name in places_of(documents[place.doc_id])):
                missing.append(f"{item.id}: {place.doc_id} has no heading, 专栏 or table “{place.section}”")
    assert not missing, "\n".join(missing)


def test_every_key_fact_occurs_in_an_expected_document(items, documents):
    texts = {doc_id: normalise(doc.text) for doc_id, doc in documents.items()}
    missing = [
        f"{item.id}: “{fact}” not in {', '.join(item.doc_ids)}"
        for item in items
        for fact in item.key_facts
        if not any(normalise(fact) in texts[d] for d in item.doc_ids)
    ]
    assert not missing, "\n".join(missing)


def test_answerable_items_have_facts_and_places_and_refusals_have_none(items):
    for item in items:
        if item.answerable:
            assert item.key_facts and item.expected, item.id
        else:
            assert not item.key_facts and not item.expected, item.id
    assert all(not i.answerable for i in items if i.kind == "refuse")


def test_followups_have_an_earlier_user_question(items):
    followups = [i for i in items if i.kind == "followup"]
    assert followups
    for item in followups:
        assert any(t.role == "user" for t in item.history), item.id
        assert item.retrieval_query.startswith([t.content for t in item.history if t.role == "user"][-1])


# -- the loader refuses malformed items with a message naming the item ---------------------------

GOOD = {
    "id": "number-x",
    "kind": "number",
    "question": "研发投入强度目标是多少？",
    "answerable": True,
    "reference_answer": "3.2%",
    "key_facts": ["3.2%"],
    "expected": [{"doc_id": "jiangsu-sti-14fyp", "section": "发展目标"}],
    "history": [],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "riddle"}, "kind"),
        ({"key_facts": []}, "key_facts"),
        ({"answerable": False}, "unanswerable"),
        ({"kind": "followup"}, "history"),
        ({"colour": "red"}, "colour"),
        ({"expected": [{"doc": "x"}]}, "expected"),
    ],
)
def test_malformed_items_are_refused(change, message):
    with pytest.raises(DatasetError, match=message) as info:
        parse_dataset([{**GOOD, **change}])
    assert "number-x" in str(info.value)


def test_duplicate_ids_are_refused():
    with pytest.raises(DatasetError, match="number-x: duplicate id"):
        parse_dataset([GOOD, GOOD])


def test_a_followup_query_carries_the_previous_user_question():
    item = parse_dataset(
        [
            {
                **GOOD,
                "kind": "followup",
                "question": "那南通呢？",
                "history": [
                    {"role": "user", "content": "省里的目标是多少？"},
                    {"role": "assistant", "content": "3.2%。"},
                ],
            }
        ]
    )[0]
    assert item.retrieval_query == "省里的目标是多少？ 那南通呢？"
    assert parse_dataset([GOOD])[0].retrieval_query == GOOD["question"]
