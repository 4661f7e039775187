"""Subject checks of generated sentences (assistant.subjects): place, plan, year and indicator."""

from __future__ import annotations

from assistant.subjects import (
    indicator_mismatches,
    named_places,
    plan_mismatches,
    subject_mismatches,
    year_mismatches,
)
from retrieval.models import Chunk

JIANGSU = "江苏省“十四五”科技创新规划"
ENTERPRISE = (
    "到2025年，力争企业研发投入和研发人员占全省总量的比重达85%左右，"
    "规模以上工业企业研发投入强度达2.3%左右，企业真正成为技术创新的主体。"
)


def chunk(
    text: str,
    title: str = JIANGSU,
    region: str = "江苏省",
    path: tuple[str, ...] = ("四、强化企业创新主体地位",),
) -> Chunk:
    return Chunk(
        chunk_id="c1",
        doc_id="d",
        doc_title=title,
        section_path=list(path),
        section=" > ".join(path),
        text=text,
        char_start=0,
        char_end=len(text),
        region=region,
    )


def test_the_wrong_place_claim_is_caught_though_bigrams_and_figure_match():
    problems = subject_mismatches("上海市研发投入强度目标是2.3%左右。", chunk(ENTERPRISE))
    assert problems and "上海" in problems[0]


def test_the_passages_own_place_and_figure_pass():
    assert subject_mismatches("江苏规模以上工业企业研发投入强度达2.3%左右。", chunk(ENTERPRISE)) == []
    assert subject_mismatches("全省规上工业企业研发投入强度达2.3%左右。", chunk(ENTERPRISE)) == []


def test_a_city_is_the_passages_when_its_plan_or_region_names_it():
    nantong = chunk(
        "到2025年，全市高新技术企业数量达到2500家。", title="南通市“十四五”科技创新规划", region="南通市"
    )
    assert subject_mismatches("南通到2025年高新技术企业数量达到2500家。", nantong) == []
    assert subject_mismatches("苏州到2025年高新技术企业数量达到2500家。", nantong)
    sunan = chunk(
        "示范区研发投入强度达3.5%。",
        title="苏南国家自主创新示范区发展规划纲要（2021-2025年）",
        region="苏南（南京、无锡、常州、苏州、镇江）",
    )
    assert named_places("苏州的示范区研发投入强度达3.5%。") == ["苏州"]
    assert subject_mismatches("苏州的示范区研发投入强度达3.5%。", sunan) == []


def test_a_figure_moved_to_another_indicator_is_caught():
    assert indicator_mismatches("全社会研发投入占地区生产总值比重达2.3%左右。", chunk(ENTERPRISE))
    assert indicator_mismatches("研发人员占全省总量的比重达85%左右。", chunk(ENTERPRISE)) == []


def test_a_clause_without_an_indicator_is_not_judged():
    assert indicator_mismatches("到2025年达到2.3%左右。", chunk(ENTERPRISE)) == []


def test_plan_named_in_brackets_must_be_the_passages_plan():
    assert (
        plan_mismatches("《江苏省“十四五”科技创新规划》提出企业研发投入强度达2.3%左右。", chunk(ENTERPRISE))
        == []
    )
    assert plan_mismatches(
        "《南通市“十四五”科技创新规划》提出企业研发投入强度达2.3%左右。", chunk(ENTERPRISE)
    )
    assert plan_mismatches("“十三五”期间规上工业企业研发投入强度达2.3%左右。", chunk(ENTERPRISE))


def test_years_must_be_the_passages():
    assert year_mismatches("到2025年规上工业企业研发投入强度达2.3%左右。", chunk(ENTERPRISE)) == []
    assert year_mismatches("到2030年规上工业企业研发投入强度达2.3%左右。", chunk(ENTERPRISE))


def test_a_five_year_plans_targets_are_its_targets_for_its_last_year():
    goals = chunk(
        "全社会研发投入占地区生产总值比重达3.2%。", path=("一、迈向科技强省建设新征程", "（四）发展目标")
    )
    assert year_mismatches("到2025年，全社会研发投入占地区生产总值比重达3.2%。", goals) == []
    assert year_mismatches("到2030年，全社会研发投入占地区生产总值比重达3.2%。", goals)
    from assistant.citations import check_model_answer

    assert check_model_answer(
        "到2025年，全省全社会研发投入占地区生产总值比重的目标是3.2%[1]。", [goals]
    ).segments
