"""The policy thesaurus: pure functions on small Chinese examples, then retrieval on the real corpus."""

from pathlib import Path

import pytest

from retrieval import segment
from retrieval.query import prepare_query
from retrieval.thesaurus import (
    Thesaurus,
    canonical,
    default_thesaurus,
    expansions,
    normalise_question,
    synonyms,
)
from retrieval.thesaurus_file import (
    PLAN_ABBREVIATIONS_PATH,
    THESAURUS_PATH,
    Kind,
    corpus_definitions,
    extract_definitions,
    read_entries,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# A small corpus text for the typo check: words that exist and must not be "corrected".
CORPUS_TEXT = "南通高新区建设。徐州市科技局。省规定。当时规划的目标。苏州实验室。"


@pytest.fixture(scope="module")
def th():
    return default_thesaurus().with_corpus([CORPUS_TEXT])


# -- data files ------------------------------------------------------------------------------------
def test_every_entry_has_a_kind_and_a_source():
    entries = read_entries(THESAURUS_PATH)
    assert len(entries) > 200
    assert {e.kind for e in entries} == set(Kind)
    assert all(e.source and e.term != e.canonical for e in entries)


def test_plan_definitions_are_extracted():
    text = "在省委领导下，江苏省产业技术研究院（以下简称“省产研院”）牵头；苏南国家自主创新示范区（以下简称苏南自创区）紧紧围绕。"
    found = {(e.term, e.canonical) for e in extract_definitions(text, "demo")}
    assert found == {("省产研院", "省产业技术研究院"), ("苏南自创区", "苏南国家自主创新示范区")}
    assert all(e.source == "以下简称 in demo" for e in extract_definitions(text, "demo"))


def test_committed_plan_abbreviations_match_the_corpus():
    # Regenerate with `python -m retrieval.thesaurus_file` when the corpus or the rules change.
    assert read_entries(PLAN_ABBREVIATIONS_PATH) == corpus_definitions(CORPUS)


# -- abbreviations and synonyms ------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, name",
    [
        ("南通的高企有多少家", "高新技术企业"),
        ("规上企业研发机构覆盖率", "规模以上工业企业"),
        ("省产研院的定位", "省产业技术研究院"),
        ("无锡研发强度要到多少", "研发投入占地区生产总值比重"),
        ("双创示范基地怎么申请", "大众创业万众创新"),
        ("农高区建设有什么要求", "农业高新技术产业示范区"),
    ],
)
def test_abbreviations_expand_to_the_plans_name(question, name):
    assert name in expansions(question)


def test_short_names_need_a_word_match():
    assert "高新技术企业" not in expansions("提高企业创新能力")


def test_canonical_and_synonyms():
    assert canonical("高企") == "高新技术企业"
    assert canonical("R&D intensity") == "研发投入占地区生产总值比重"
    assert canonical("没有这个词") == "没有这个词"
    assert {"研发强度", "研发投入强度"} <= set(synonyms("研发投入占地区生产总值比重"))
    assert synonyms("研发强度")[0] == "研发投入占地区生产总值比重"
    assert synonyms("没有这个词") == []


def test_a_name_inside_a_longer_one_is_not_expanded_alone():
    # 研发投入 is part of 研发投入占地区生产总值比重: its own synonyms would only add noise
    assert "研发经费" not in expansions("研发投入占地区生产总值比重的目标")


# -- period words ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, period",
    [
        ("十四五末南通的高企数量", "2025年"),
        ("“十四五”末苏州要达到什么水平", "2025年"),
        ("十四五期末研发投入", "2025年"),
        ("十三五末完成了多少", "2020年"),
        ("十四五期间的重点任务", "2021—2025年"),
    ],
)
def test_period_words_add_their_year(question, period):
    assert period in expansions(question)


def test_a_year_does_not_expand_back_to_period_words():
    assert not any("十四五" in name for name in expansions("2025年的目标"))


# -- typos -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, fixed",
    [
        ("南通的高心区数量", "南通的高新区数量"),
        ("自创去有哪些任务", "自创区有哪些任务"),
        ("研发墙度目标", "研发强度目标"),
        ("省产研元在哪", "省产研院在哪"),
        ("科技型中小企叶数量", "科技型中小企业数量"),
    ],
)
def test_one_character_typos_are_fixed(th, question, fixed):
    assert th.normalise(question) == fixed


@pytest.mark.parametrize(
    "question",
    [
        "南通高新区建设",  # correct already
        "徐州市的目标",  # another city, not a typo of 苏州市
        "泰州实验室有什么",  # a place name at the changed character
        "当时规划目标定的多少",  # 时 belongs to 当时: not 省规划
        "省规定的条件",  # 规定 is a word: not 省规划
        "十四五要突破多少项技术",  # period words are not typo targets
        "有风险补偿吗",  # a character plus a common word
    ],
)
def test_real_words_are_not_corrected(th, question):
    assert th.normalise(question) == question


def test_an_ambiguous_typo_is_left_alone():
    from retrieval.thesaurus_file import Entry

    entries = [
        Entry("甲乙区", "甲乙丙区", Kind.ABBREVIATION, "test"),
        Entry("甲丁区", "甲丁丙区", Kind.ABBREVIATION, "test"),
    ]
    assert Thesaurus(entries).normalise("甲戊区") == "甲戊区"  # two terms one character away
    assert Thesaurus(entries[:1]).normalise("甲戊区") == "甲乙区"


# -- traditional characters ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, simplified",
    [
        ("蘇州的研發強度目標", "苏州的研发强度目标"),
        ("江蘇省科技創新規劃", "江苏省科技创新规划"),
        ("南通高新區數量", "南通高新区数量"),
        ("高新技術產業發展", "高新技术产业发展"),
    ],
)
def test_traditional_characters_become_simplified(question, simplified):
    assert normalise_question(question) == simplified


def test_simplified_text_is_kept():
    text = "苏南国家自主创新示范区发展规划纲要"
    assert normalise_question(text) == text


# -- English ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, chinese",
    [
        (
            "R&D intensity target of Jiangsu by 2025",
            ["研发投入占地区生产总值比重", "目标", "江苏", "到2025年"],
        ),
        ("How many high-tech enterprises does Nantong have?", ["高新技术企业", "南通"]),
        ("unicorn companies in southern Jiangsu", ["独角兽企业", "苏南"]),
        ("Suzhou的高新区", ["苏州的高新区"]),
        ("technology contract turnover of Wuxi", ["技术合同成交额", "无锡"]),
        ("HIGH TECH ZONES in Changzhou", ["高新技术产业开发区", "常州"]),
    ],
)
def test_english_terms_become_the_plans_chinese(question, chinese):
    out = normalise_question(question)
    assert all(c in out for c in chinese)
    assert " of " not in f" {out} " and " by " not in f" {out} "


def test_english_needs_whole_words():
    assert normalise_question("planning") == "planning"  # not 规划ning
    assert "gdp" in normalise_question("研发投入占GDP比重").lower()  # an abbreviation the plans use stays


# -- keyword-style queries and the query the retriever builds -----------------------------------------
@pytest.mark.parametrize(
    "question, name",
    [
        ("苏南 独角兽 目标", "独角兽企业"),
        ("南通 高企 2025", "高新技术企业"),
        ("无锡  研发强度", "研发投入占地区生产总值比重"),
    ],
)
def test_keyword_style_queries_are_expanded(th, question, name):
    prepared = prepare_query(question, [], segment.words, th)
    assert name in prepared.expansions and name in prepared.canonical
    assert all(word in prepared.text for word in question.split())


def test_prepare_query_normalises_first(th):
    prepared = prepare_query("請問高心區有哪些？", [], segment.words, th)
    assert prepared.text == "高新区"
    assert prepared.canonical == ["高新技术产业开发区"]
    assert prepared.original == "請問高心區有哪些？"


def test_the_dictionary_keeps_thesaurus_names_whole():
    from retrieval.terms import dictionary_terms

    assert {"高企", "研发强度", "农高区", "十四五末"} <= set(dictionary_terms())
    assert not any(any(ch.isdigit() for ch in t) and "年" in t for t in dictionary_terms())


# -- the real corpus -------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "question, doc_id, needle",
    [
        ("南通的高企数量目标", "nantong-sti-14fyp", "高新技术企业"),
        ("苏州的研发强度目标", "sunan-nidz-2021-2025", "全社会研发投入占地区生产总值比重"),
        ("R&D intensity target of Jiangsu by 2025", "jiangsu-sti-14fyp", "研发投入占地区生产总值比重"),
        ("高心区 数量", "jiangsu-hitech-14fyp-outline", "省级以上高新区"),
        ("蘇南 獨角獸", "sunan-nidz-2021-2025", "独角兽企业"),
        ("unicorn companies in southern Jiangsu by 2025", "sunan-nidz-2021-2025", "独角兽企业"),
    ],
)
def test_retrieval_finds_the_passage(runtime, question, doc_id, needle):
    hits = runtime.retriever.search(question, k=5)
    assert any(h.chunk.doc_id == doc_id and needle in h.chunk.text for h in hits), [
        (h.chunk.doc_id, h.chunk.text[:40]) for h in hits
    ]


@pytest.mark.parametrize(
    "asker_word, plan_word",
    [
        ("住房", "安居"),
        ("人才住房", "人才安居"),
        ("减税", "税收优惠"),
        ("税收减免", "税收优惠"),
        ("发债", "公司债"),
        ("地方立法", "条例"),
        ("农业高新区", "农业高新技术产业示范区"),
    ],
)
def test_everyday_words_for_the_plans_measures(asker_word, plan_word):
    assert canonical(asker_word) == plan_word


@pytest.mark.parametrize(
    "question", ["苏南规划说要建哪些平台", "省规划了哪些行动", "南通规划都有哪些工程"]
)
def test_function_words_are_not_typos(question):
    assert normalise_question(question) == question
