"""Reading a question in the plans' words and scope: pure functions on small Chinese examples
written for these tests (not taken from an evaluation set)."""

import pytest

from assistant.plans import gazetteer
from assistant.question import analyse, asker_places, in_plan_words
from retrieval.thesaurus import default_thesaurus

# A small corpus: the words the plans use, so the asker's other words are read as these.
CORPUS_TEXT = "高新技术企业数量达到。规模以上工业企业研发机构。高新区建设。研发投入占地区生产总值比重达到3%。"


@pytest.fixture(scope="module")
def th():
    return default_thesaurus().with_corpus([CORPUS_TEXT])


@pytest.mark.parametrize(
    "question, plan_words",
    [
        ("无锡高企有多少家", "高新技术企业"),
        ("扬州的高企数量目标", "高新技术企业"),
        ("规上企业研发机构建有率", "规模以上工业企业"),
        ("常州的研发强度定在多少", "研发投入占地区生产总值比重"),
    ],
)
def test_the_askers_words_are_read_as_the_plans_words(th, question, plan_words):
    assert plan_words in in_plan_words(question, th)


def test_words_the_plans_use_themselves_are_kept(th):
    assert in_plan_words("南通有几个高新区", th) == "南通有几个高新区"


def test_without_corpus_text_nothing_is_replaced():
    assert in_plan_words("无锡高企有多少家", default_thesaurus()) == "无锡高企有多少家"


@pytest.mark.parametrize(
    "inner, outer",
    [("武进", "常州"), ("苏州", "苏南"), ("昆山", "苏南"), ("南通", "江苏"), ("海门", "南通")],
)
def test_places_inside_one_another(inner, outer):
    g = gazetteer()
    assert g.within(inner, outer) and not g.within(outer, inner)


def test_the_outermost_places_are_the_scopes():
    g = gazetteer()
    assert g.outermost(["常州", "武进"]) == ["常州"]
    assert g.outermost(["苏南", "苏州", "镇江"]) == ["苏南"]
    assert g.outermost(["南京", "南通"]) == ["南京", "南通"]


@pytest.mark.parametrize(
    "question, framed",
    [
        ("我在无锡一家研究所工作，苏南规划对科研经费有什么改革？", ["无锡"]),
        ("我们是昆山的电子企业，省规划里对集成电路怎么支持", ["昆山"]),
        ("本人在镇江读博，南通规划对青年人才有什么政策", ["镇江"]),
    ],
)
def test_where_the_asker_is_is_not_what_is_asked(question, framed):
    places = [p for p in ("无锡", "昆山", "镇江", "南通", "苏南") if p in question]
    assert asker_places(question, places) == framed


@pytest.mark.parametrize(
    "question",
    ["我们是无锡的企业，能享受哪些政策", "我在南通创业，有什么扶持", "我们常州的企业能申请什么"],
)
def test_a_question_that_is_all_description_keeps_its_place(question):
    places = [p for p in ("无锡", "南通", "常州") if p in question]
    assert asker_places(question, places) == []


@pytest.mark.parametrize(
    "question",
    [
        "我在苏州的研究院做理论研究，苏南规划里间接费用比例能到多少？",
        "我们是武进的企业，苏南规划对常州的机器人产业怎么定位",
        "苏南规划里昆山所在的苏州有什么目标",
    ],
)
def test_one_scope_is_not_a_comparison(question):
    assert analyse(question).intent != "compare"


def test_two_cities_side_by_side_still_compare():
    assert analyse("南京和南通的研发投入目标哪个高").intent == "compare"
