"""The metric functions on small Chinese examples: place matching, facts, quotes and summaries."""

from __future__ import annotations

import pytest

from evals.dataset import ExpectedPlace
from evals.metrics import (
    ItemResult,
    at_place,
    failure_reasons,
    first_hit_rank,
    group,
    location_text,
    missing_facts,
    normalise,
    percentile,
    quote_is_verbatim,
    retrieval_summary,
    summarise,
)
from retrieval.models import Chunk, Table

GOALS = Chunk(
    chunk_id="js:1",
    doc_id="js",
    doc_title="江苏省“十四五”科技创新规划",
    section_path=["一、迈向科技强省建设新征程", "（四）发展目标"],
    section="一、迈向科技强省建设新征程 > （四）发展目标",
    text="全社会研发投入占地区生产总值比重达 3.2%，技术合同成交额达3500亿元。",
    char_start=0,
    char_end=36,
)
COLUMN = Chunk(
    chunk_id="js:2",
    doc_id="js",
    doc_title="江苏省“十四五”科技创新规划",
    section_path=["三、实施科技创新重点行动", "（二）实施高新技术产业“双提升”行动"],
    section="三 > （二）",
    column="专栏6 高新技术产业“双提升”行动重点领域",
    text="1. 壮大提升十大高新技术支柱产业集群。",
    char_start=40,
    char_end=60,
)
TABLE = Chunk(
    chunk_id="nt:1",
    doc_id="nt",
    doc_title="南通市“十四五”科技创新规划",
    section_path=["二、总体要求", "（三）发展目标"],
    section="二、总体要求 > （三）发展目标",
    kind="table",
    text="高新技术企业数\t2178\t3600",
    table=Table(title="“十四五”科技创新主要指标目标", header=["指标", "十三五", "十四五"]),
    char_start=0,
    char_end=20,
)


def test_normalise_removes_white_space_and_folds_full_width_forms():
    assert normalise(" 达 3.2 %\n") == "达3.2%"
    assert normalise("３５００亿元（ＡＩ）") == "3500亿元(AI)"


def test_location_text_joins_headings_column_and_table_title():
    assert location_text(GOALS) == "一、迈向科技强省建设新征程|(四)发展目标"
    assert "专栏6高新技术产业“双提升”行动重点领域" in location_text(COLUMN)
    assert location_text(TABLE).endswith("|“十四五”科技创新主要指标目标")


@pytest.mark.parametrize(
    ("chunk", "place", "hit"),
    [
        (GOALS, ExpectedPlace(doc_id="js", section="发展目标"), True),
        (GOALS, ExpectedPlace(doc_id="js", section="（四） 发展目标"), True),  # NFKC and white space
        (GOALS, ExpectedPlace(doc_id="js", section=""), True),  # anywhere in the document
        (GOALS, ExpectedPlace(doc_id="nt", section="发展目标"), False),  # same heading, other plan
        (GOALS, ExpectedPlace(doc_id="js", section="主要指标"), False),
        (COLUMN, ExpectedPlace(doc_id="js", section="专栏6"), True),  # the 专栏 label
        (COLUMN, ExpectedPlace(doc_id="js", section="双提升”行动重点领域"), True),
        (TABLE, ExpectedPlace(doc_id="nt", section="科技创新主要指标目标"), True),  # the table title
        (GOALS, ExpectedPlace(doc_id="js", section="新征程（四）"), False),  # never across two headings
    ],
)
def test_at_place(chunk, place, hit):
    assert at_place(chunk, [place]) is hit


def test_first_hit_rank_is_one_based_and_none_without_a_hit():
    places = [ExpectedPlace(doc_id="nt", section="主要指标目标"), ExpectedPlace(doc_id="js", section="专栏6")]
    assert first_hit_rank([GOALS, COLUMN, TABLE], places) == 2
    assert first_hit_rank([TABLE], places) == 1
    assert first_hit_rank([GOALS], places) is None
    assert first_hit_rank([], places) is None


def test_missing_facts_compares_normalised_text_and_ignores_markers():
    answer = "省规划提出研发投入强度达 3.2 %，技术合同成交额达３５００亿元。[1]"
    assert missing_facts(answer, ["3.2%", "3500亿元"]) == []
    assert missing_facts(answer, ["3.2%", "6.5%"]) == ["6.5%"]
    assert missing_facts("无锡目标见附件。[4]", ["4"]) == ["4"]  # a citation marker is not a fact


def test_quotes_must_be_verbatim():
    assert quote_is_verbatim("比重达 3.2%", GOALS.text)
    assert not quote_is_verbatim("比重达3.2%", GOALS.text)  # white space matters in a quote
    assert not quote_is_verbatim("", GOALS.text)


def test_percentile_interpolates():
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 100) == 5.0
    assert percentile([], 50) is None


def test_retrieval_summary():
    summary = retrieval_summary([1, 2, None, 5])
    assert summary == {"hit@1": 0.25, "hit@5": 0.75, "mrr": pytest.approx((1 + 0.5 + 0 + 0.2) / 4)}
    assert retrieval_summary([]) == {"hit@1": None, "hit@5": None, "mrr": None}


def result(**kw) -> ItemResult:
    base = {
        "id": "x",
        "kind": "number",
        "answerable": True,
        "doc_ids": ("js",),
        "ranks": {"hybrid": 1},
        "n_facts": 2,
        "citation_hit": True,
        "citations": 1,
    }
    return ItemResult(**{**base, **kw})


def test_summarise_counts_each_metric_on_its_own_denominator():
    results = [
        result(id="a", latency_ms=10),
        result(id="b", missing=("6.5%",), citation_hit=False, ranks={"hybrid": 3}, latency_ms=20),
        result(
            id="c",
            refused=True,
            refusal_reason="没有找到",
            missing=("3.2%", "6.5%"),
            citation_hit=None,
            citations=0,
            ranks={"hybrid": None},
            latency_ms=30,
        ),
        result(
            id="d",
            kind="refuse",
            answerable=False,
            doc_ids=(),
            ranks={},
            n_facts=0,
            refused=True,
            citation_hit=None,
            citations=0,
            latency_ms=40,
        ),
        result(
            id="e",
            kind="refuse",
            answerable=False,
            doc_ids=(),
            ranks={},
            n_facts=0,
            citation_hit=None,
            citations=2,
            invalid_citations=(2,),
            latency_ms=50,
        ),
    ]
    m = summarise(results, modes=("hybrid",))
    assert (m["n_questions"], m["n_answerable"]) == (5, 3)
    assert m["retrieval"]["hybrid"] == {
        "hit@1": pytest.approx(1 / 3),
        "hit@5": pytest.approx(2 / 3),
        "mrr": pytest.approx((1 + 1 / 3) / 3),
    }
    assert m["fact_recall"] == pytest.approx(1 / 3)  # only "a" holds every fact
    assert m["fact_share"] == pytest.approx((1 + 0.5 + 0) / 3)  # a refusal finds nothing
    assert m["citation_hit"] == 0.5  # over the answered answerables a, b
    assert m["citation_validity"] == pytest.approx(3 / 4)
    assert m["refusal_recall"] == 0.5
    assert m["false_refusal_rate"] == pytest.approx(1 / 3)
    assert (m["latency_p50_ms"], m["latency_p95_ms"]) == (30, pytest.approx(48))


def test_a_rate_without_items_is_none_not_perfect():
    m = summarise(
        [
            result(
                kind="refuse",
                answerable=False,
                ranks={},
                n_facts=0,
                refused=True,
                citation_hit=None,
                citations=0,
            )
        ]
    )
    assert m["fact_recall"] is None and m["citation_hit"] is None and m["citation_validity"] is None
    assert m["refusal_recall"] == 1.0


def test_group_counts_an_item_for_each_of_its_documents():
    both = result(id="cmp", doc_ids=("js", "nt"))
    groups = group([result(id="a"), both, result(id="r", doc_ids=())], lambda r: r.doc_ids)
    assert {k: [r.id for r in v] for k, v in groups.items()} == {"js": ["a", "cmp"], "nt": ["cmp"]}


def test_failure_reasons_are_short_and_readable():
    assert failure_reasons(result()) == []
    assert failure_reasons(result(missing=("3.6",))) == ["missing fact 3.6"]
    assert failure_reasons(result(refused=True, refusal_reason="所给段落不足以回答", citation_hit=None)) == [
        "refused: 所给段落不足以回答"
    ]
    assert failure_reasons(result(ranks={"hybrid": None}, citation_hit=False)) == [
        "retrieval: expected place not in top 10",
        "no citation in an expected place",
    ]
    assert failure_reasons(result(answerable=False, n_facts=0)) == ["answered an unanswerable question"]
    assert failure_reasons(result(invalid_citations=(2,))) == ["quote not verbatim: [2]"]
