"""Tables as data (assistant.tables): cell numbers, question operations, and answers on small tables
written here and on the corpus's own tables. Every phrasing is written for these tests."""

from __future__ import annotations

import functools
import re

import pytest

import assistant.tables as tables
from assistant.table_question import table_words
from assistant.tables import (
    Extreme,
    OpKind,
    TableAnswer,
    TableQuestion,
    answer_table,
    column_for,
    detect_table_operation,
    parse_cell_number,
    rows_for,
)
from assistant.text import numbers
from retrieval.models import Table

# A small thesaurus, as the caller's policy thesaurus would give it.
THESAURUS = {
    "研发强度": ["全社会研发投入占地区生产总值比重", "研发投入占地区生产总值比重"],
    "R&D强度": ["全社会研发投入占地区生产总值比重"],
    "高企": ["高新技术企业"],
    "劳动生产率": ["全员劳动生产率"],
}


def synonyms(word: str) -> list[str]:
    return THESAURUS.get(word, [])


def ask(
    table: Table, question: str, terms: tuple[str, ...] = (), previous: tuple[int, ...] = ()
) -> TableAnswer | None:
    return answer_table(table, TableQuestion.parse(question, terms, previous), synonyms)


def figures_verbatim(answer: TableAnswer, table: Table | None = None) -> bool:
    """Every number in the statement is in a chosen row or the header (the chunk that holds the
    first rows repeats the header line: '2020年' is a column name)."""
    cited = set(numbers("\n".join([*answer.lines, *(table.header if table else [])])))
    return all(n in cited for n in numbers(answer.statement))


# ---- small tables written for these tests ----------------------------------------------------

CITY_TARGETS = Table(
    title="表2 苏中苏北“十四五”主要指标分解",
    header=["指标", "全省", "扬州", "泰州", "盐城", "淮安"],
    rows=[
        ["研发投入占地区生产总值比重（%）", "3.2", "2.9", "3左右", "2.2", "2.2"],
        ["高新技术企业数（家）", "4.5万", "2800", "2300", ">2000", "1500"],
        ["技术合同成交额（亿元）", "/", "320", "260", "300以上", "约180"],
    ],
)

TASKS = Table(
    title="附件 重点任务分工",
    header=["序号", "重点任务", "牵头单位", "责任单位"],
    rows=[
        ["一、平台建设", "", "", ""],
        ["1", "建设运河实验室", "扬州大学", "扬州市"],
        ["2", "建设盐碱地农业创新中心", "盐城市农业科学院", "盐城市"],
        ["3", "建设先进材料中试基地", "泰兴新材料股份有限公司", "泰州市"],
        ["二、人才引育", "", "", ""],
        ["4", "实施青年科技人才托举计划", "扬州市科技局", "扬州市"],
        ["5", "建设淮河生态研究院", "淮阴工学院", "淮安市"],
    ],
)

CITIES_AS_ROWS = Table(
    title="各市主要科技指标",
    header=["城市", "研发投入强度（%）", "高新技术企业数（家）"],
    rows=[["连云港", "1.9", "900"], ["宿迁", "1.5", "1100"], ["徐州", "2.3", "1100"]],
)

PLAN_REPORT = Table(
    title="表3 “十三五”科技主要指标完成情况",
    header=["主要指标", "规划目标", "2020年"],
    rows=[["科技进步贡献率（%）", "62", "63.5"], ["高新技术企业数（家）", "3000", "超过4000"]],
)


def test_exports_are_listed():
    assert sorted(tables.__all__) == sorted(name for name in tables.__all__ if hasattr(tables, name))


def test_every_vocabulary_entry_has_a_comment():
    from assistant.table_question import WORDS_PATH

    text = WORDS_PATH.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("  - ") or (line.startswith("  ") and ":" in line and not line.startswith("    ")):
            assert "#" in line, line
    assert table_words()["default_top"] == 3


@pytest.mark.parametrize(
    "cell, value",
    [
        ("3左右", 3.0),
        (">8", 8.0),
        ("＞8", 8.0),
        ("3.7以上", 3.7),
        ("约2.5", 2.5),
        ("15000", 15000.0),
        ("2.3万", 23000.0),
        ("超过32000", 32000.0),
        ("不低于45", 45.0),
        ("4.5万", 45000.0),
    ],
)
def test_parse_cell_number_reads_figures_with_qualifiers(cell, value):
    assert parse_cell_number(cell) == pytest.approx(value)


@pytest.mark.parametrize("cell", ["/", "—", "——", "", "南京市", "建设40个城市的试验设施网络平台"])
def test_parse_cell_number_leaves_marks_and_text(cell):
    assert parse_cell_number(cell) is None


# ---- operations read from the wording ----------------------------------------------------------


@pytest.mark.parametrize(
    "question, extreme, top",
    [
        ("哪个市的研发投入强度最高", Extreme.MAX, None),
        ("高企数量最少的是哪个城市", Extreme.MIN, None),
        ("技术合同成交额排名前三的城市有哪些", Extreme.MAX, 3),
        ("哪几个市的专利拥有量最多", Extreme.MAX, 3),
        ("排名前2的是谁", Extreme.MAX, 2),
        ("年均增幅最低的城市", Extreme.MIN, None),
    ],
)
def test_detect_superlatives_and_rankings(question, extreme, top):
    op = detect_table_operation(question)
    assert op.kind is OpKind.SUPERLATIVE
    assert op.superlative.extreme is extreme and op.superlative.top == top


@pytest.mark.parametrize(
    "question, value",
    [
        ("由高校牵头的项目有哪些", "高校"),
        ("唯一由企业负责的任务是哪个", "企业"),
        ("责任单位是扬州市的任务", "扬州市"),
        ("盐城市负责的有哪些", "盐城市"),
        ("属于科研院所的牵头单位有几个", "科研院所"),
    ],
)
def test_detect_filters(question, value):
    op = detect_table_operation(question)
    assert op.kind is OpKind.FILTER and value in op.filter_words


@pytest.mark.parametrize(
    "question, position",
    [
        ("清单第3项是什么", 3),
        ("表里第五个任务的牵头单位", 5),
        ("第十二条由谁负责", 12),
        ("第二行说的是什么", 2),
    ],
)
def test_detect_positions(question, position):
    op = detect_table_operation(question)
    assert op.position == position


@pytest.mark.parametrize("question", ["第三代半导体创新中心由谁负责", "第一批试点在哪里", "十四五第二次评估"])
def test_ordinals_that_are_not_row_positions(question):
    assert detect_table_operation(question).position is None


@pytest.mark.parametrize("question", ["它的责任单位是谁", "这一项由哪个市负责", "该项目的牵头单位是哪家"])
def test_detect_back_references(question):
    assert detect_table_operation(question).refers_back


@pytest.mark.parametrize("question", ["这个实验室是哪个市的", "归哪个城市管", "在哪个市建设"])
def test_detect_which_city(question):
    assert detect_table_operation(question).group_word in {"市", "城市"}


# ---- columns -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, header_name",
    [
        ("建设运河实验室谁负责", "责任单位"),
        ("建设运河实验室的牵头方是哪家", "牵头单位"),
        ("运河实验室的责任单位", "责任单位"),
    ],
)
def test_column_by_header_words(question, header_name):
    assert [TASKS.header[j] for j in column_for(TASKS.header, question, synonyms, TASKS)] == [header_name]


@pytest.mark.parametrize(
    "question, header_name",
    [("泰州的研发强度目标", "泰州"), ("盐城市高企有多少", "盐城"), ("全省的技术合同成交额", "全省")],
)
def test_column_by_city_name(question, header_name):
    columns = column_for(CITY_TARGETS.header, question, synonyms, CITY_TARGETS)
    assert [CITY_TARGETS.header[j] for j in columns] == [header_name]


@pytest.mark.parametrize(
    "question, header_name",
    [("十三五规划目标是多少", "规划目标"), ("“十三五”实际完成了多少", "2020年"), ("实绩如何", "2020年")],
)
def test_column_by_aspect_and_period(question, header_name):
    columns = column_for(PLAN_REPORT.header, question, synonyms, PLAN_REPORT)
    assert [PLAN_REPORT.header[j] for j in columns] == [header_name]


def test_a_period_the_table_does_not_cover_names_no_column():
    assert column_for(PLAN_REPORT.header, "十四五目标是多少", synonyms, PLAN_REPORT) == []
    assert ask(PLAN_REPORT, "高新技术企业数十四五目标是多少") is None


# ---- lookups -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, terms, statement",
    [
        ("泰州的研发强度目标是多少", ("研发强度",), "研发投入占地区生产总值比重（%）的泰州：3左右"),
        ("盐城高企数要达到多少家", ("高企",), "高新技术企业数（家）的盐城：>2000"),
        ("淮安技术合同成交额多少亿元", (), "技术合同成交额（亿元）的淮安：约180"),
    ],
)
def test_lookup_by_row_and_column(question, terms, statement):
    answer = ask(CITY_TARGETS, question, terms)
    assert answer is not None and answer.statement == statement
    assert answer.op is OpKind.LOOKUP and figures_verbatim(answer)


@pytest.mark.parametrize(
    "question, statement",
    [
        ("科技进步贡献率十三五规划目标", "科技进步贡献率（%）的规划目标：62"),
        ("高新技术企业数“十三五”完成情况", "高新技术企业数（家）的2020年：超过4000"),
        ("科技进步贡献率实际达到了多少", "科技进步贡献率（%）的2020年：63.5"),
    ],
)
def test_lookup_of_target_or_actual(question, statement):
    answer = ask(PLAN_REPORT, question)
    assert answer is not None and answer.statement == statement


def test_lookup_without_a_column_gives_the_rows_figures():
    answer = ask(PLAN_REPORT, "科技进步贡献率")
    assert answer.statement == "科技进步贡献率（%）：规划目标 62；2020年 63.5"
    assert answer.cells == (tuple(PLAN_REPORT.rows[0]),)


@pytest.mark.parametrize("question", ["万人发明专利拥有量是多少", "全员劳动生产率的目标", "省实验室有几家"])
def test_lookup_of_a_row_the_table_lacks_is_none(question):
    assert ask(CITY_TARGETS, question) is None


# ---- superlatives ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, terms, statement",
    [
        ("哪个市研发强度最高", ("研发强度",), "研发投入占地区生产总值比重（%）最高的是泰州：3左右"),
        (
            "研发投入占地区生产总值比重最低的是哪里",
            (),
            "研发投入占地区生产总值比重（%）最低的是盐城、淮安：2.2",
        ),
        ("高企数量最多的城市", ("高企",), "高新技术企业数（家）最多的是扬州：2800"),
        ("技术合同成交额排前2的市", (), "技术合同成交额（亿元）最高的前二位是：扬州（320）、盐城（300以上）"),
    ],
)
def test_superlative_across_city_columns(question, terms, statement):
    answer = ask(CITY_TARGETS, question, terms)
    assert answer is not None and answer.statement == statement
    assert answer.op is OpKind.SUPERLATIVE and figures_verbatim(answer)
    assert "全省" not in answer.statement  # the aggregate column is not a city


def test_superlative_among_named_columns():
    answer = ask(CITY_TARGETS, "扬州和淮安哪个高企多，最多的是", ("高企",))
    assert answer.statement == "高新技术企业数（家）最多的是扬州：2800"


@pytest.mark.parametrize(
    "question, statement",
    [
        ("研发投入强度最高的城市", "研发投入强度（%）最高的是徐州：2.3"),
        ("哪个城市的研发投入强度最低", "研发投入强度（%）最低的是宿迁：1.5"),
        ("高新技术企业数最多的是哪个", "高新技术企业数（家）最多的是宿迁、徐州：1100"),
    ],
)
def test_superlative_down_a_column(question, statement):
    answer = ask(CITIES_AS_ROWS, question)
    assert answer is not None and answer.statement == statement and figures_verbatim(answer)


@pytest.mark.parametrize(
    "question", ["哪个市承担的任务最多", "任务最多的城市是哪个", "哪个城市负责的任务最多"]
)
def test_superlative_counts_rows_per_city(question):
    answer = ask(TASKS, question)
    assert answer is not None and answer.statement == "责任单位中最多的是扬州市（序号1、4）"
    assert answer.count == 2 and answer.rows == (1, 5)


# ---- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["由高校牵头的任务有哪些", "哪些任务由高校牵头", "高校牵头的是哪几项"],
)
def test_filter_by_a_category_word(question):
    answer = ask(TASKS, question)
    assert answer is not None and answer.op is OpKind.FILTER
    assert answer.rows == (1, 6)  # 扬州大学 and 淮阴工学院: 学院 is a 高校 too
    assert "（牵头单位：扬州大学）" in answer.statement


@pytest.mark.parametrize(
    "question, rows",
    [("责任单位是扬州市的有哪些", (1, 5)), ("淮安市负责的任务", (6,)), ("属于盐城市的任务", (2,))],
)
def test_filter_by_a_cell_value(question, rows):
    answer = ask(TASKS, question)
    assert answer is not None and answer.rows == rows
    assert answer.cells == tuple(tuple(TASKS.rows[i]) for i in rows)


@pytest.mark.parametrize(
    "question", ["唯一由企业牵头的任务是哪个", "仅有的企业牵头任务是哪项", "只有一个由企业牵头，是哪个"]
)
def test_unique_filter_with_one_match(question):
    answer = ask(TASKS, question)
    assert answer.statement.startswith("唯一") and answer.rows == (3,)
    assert "泰兴新材料股份有限公司" in answer.statement


def test_unique_filter_with_several_matches_says_so():
    answer = ask(TASKS, "唯一由高校牵头的是哪个")
    assert "不止一项" in answer.statement and answer.count == 2


def test_filter_matching_nothing_is_none():
    assert ask(TASKS, "由医院牵头的任务有哪些") is None


# ---- positions and follow-ups -----------------------------------------------------------------


@pytest.mark.parametrize(
    "question, row, statement",
    [
        (
            "清单第3项是什么",
            3,
            "第3项是建设先进材料中试基地：牵头单位 泰兴新材料股份有限公司；责任单位 泰州市",
        ),
        ("第四个任务由谁负责", 5, "第4项实施青年科技人才托举计划的责任单位：扬州市"),
        ("第五条的牵头单位", 6, "第5项建设淮河生态研究院的牵头单位：淮阴工学院"),
    ],
)
def test_rows_by_position_skip_category_rows(question, row, statement):
    answer = ask(TASKS, question)
    assert answer is not None and answer.rows == (row,) and answer.statement == statement
    assert answer.op is OpKind.POSITION


def test_position_without_an_index_column_counts_data_rows():
    answer = ask(CITIES_AS_ROWS, "第二行是哪个城市")
    assert answer.rows == (1,) and answer.statement.startswith("第二项是宿迁")


def test_position_beyond_the_table_is_none():
    assert ask(TASKS, "第九项是什么") is None


@pytest.mark.parametrize(
    "question, statement",
    [
        ("它的责任单位是谁", "建设盐碱地农业创新中心的责任单位：盐城市"),
        ("这一项由哪家单位牵头", "建设盐碱地农业创新中心的牵头单位：盐城市农业科学院"),
        ("该任务归哪个市", "建设盐碱地农业创新中心的责任单位：盐城市"),
    ],
)
def test_follow_up_refers_to_the_previous_row(question, statement):
    answer = ask(TASKS, question, previous=(2,))
    assert answer is not None and answer.rows == (2,) and answer.statement == statement


def test_follow_up_naming_another_column_keeps_the_row():
    answer = ask(CITY_TARGETS, "那淮安呢", previous=(1,))
    assert answer.statement == "高新技术企业数（家）的淮安：1500"


# ---- the corpus's own tables ------------------------------------------------------------------


@functools.cache
def corpus_tables() -> dict[str, Table]:
    from retrieval.corpus import load_documents

    out = {}
    for doc in load_documents("corpus"):
        for block in doc.tables:
            out[f"{doc.entry.doc_id}|{block.table.title}"] = block.table
    return out


def corpus_table(doc_id: str, title_part: str) -> Table:
    found = [t for key, t in corpus_tables().items() if key.startswith(doc_id + "|") and title_part in key]
    assert len(found) == 1, (doc_id, title_part)
    return found[0]


@pytest.fixture(scope="module")
def zone_targets() -> Table:
    return corpus_table("sunan-nidz-2021-2025", "指标细化表")


@pytest.fixture(scope="module")
def zone_tasks() -> Table:
    return corpus_table("sunan-nidz-2021-2025", "重点任务清单")


@pytest.fixture(scope="module")
def nantong_targets() -> Table:
    return corpus_table("nantong-sti-14fyp", "主要指标")


@pytest.fixture(scope="module")
def nantong_platforms() -> Table:
    return corpus_table("nantong-sti-14fyp", "企业创新平台")


@pytest.fixture(scope="module")
def province_report() -> Table:
    return corpus_table("jiangsu-sti-14fyp", "完成情况")


@pytest.mark.parametrize(
    "question, terms, winner",
    [
        ("苏南哪座城市的全员劳动生产率增幅最低", ("劳动生产率",), "最低的是南京：2.2"),
        ("五市中每万名劳动力研发人员数最少的是", (), "最少的是镇江：170"),
        ("苏南各市万人高价值发明专利拥有量最高的是谁", (), "最高的是南京：50"),
        ("劳动生产率增长最快的城市", ("劳动生产率",), "最快的是苏州、镇江：6"),
    ],
)
def test_corpus_zone_superlatives(zone_targets, question, terms, winner):
    answer = ask(zone_targets, question, terms)
    assert answer is not None and answer.statement.endswith(winner)
    assert figures_verbatim(answer) and "苏南地区" not in answer.statement


@pytest.mark.parametrize(
    "question, terms, cell",
    [
        ("苏州研发强度要达到多少", ("研发强度",), "4左右"),
        ("R&D强度常州的目标", ("R&D强度",), "3.6"),
        ("苏南地区高新技术产业产值占比目标", (), "52"),
    ],
)
def test_corpus_zone_lookups(zone_targets, question, terms, cell):
    answer = ask(zone_targets, question, terms)
    assert answer is not None and answer.statement.endswith("：" + cell)


def test_corpus_task_list_positions_and_follow_ups(zone_tasks):
    first = ask(zone_tasks, "重点任务清单里第3项是什么")
    assert first.rows == (2,) and first.statement.startswith("第3项是材料科学姑苏实验室")
    follow = ask(zone_tasks, "它由哪个单位负责", previous=first.rows)
    assert follow.statement == "材料科学姑苏实验室的责任单位：苏州市苏州工业园区"
    assert follow.lines == ("\t".join(zone_tasks.rows[2]),)


@pytest.mark.parametrize(
    "question, unit",
    [
        ("智能技术试验船的责任单位是谁", "无锡市深海技术科学太湖实验室"),
        ("太阳能技术创新中心归哪个市", "常州市"),
        ("谁负责特种合金技术创新中心", "苏州市"),
    ],
)
def test_corpus_task_list_lookups(zone_tasks, question, unit):
    answer = ask(zone_tasks, question)
    assert answer is not None and answer.statement.endswith("责任单位：" + unit)


def test_corpus_task_list_counts_per_city(zone_tasks):
    answer = ask(zone_tasks, "苏南五市中承担重点任务最多的是哪个市")
    assert answer.statement.startswith("责任单位中最多的是南京市")
    assert all(zone_tasks.rows[i][3].startswith("南京市") for i in answer.rows)
    assert answer.count == len(answer.rows) == sum(1 for r in zone_tasks.rows if r[3].startswith("南京市"))
    fewest = ask(zone_tasks, "哪个城市承担的任务最少")
    assert fewest.statement.startswith("责任单位中最少的是镇江市")


def test_corpus_task_list_filter_by_city(zone_tasks):
    answer = ask(zone_tasks, "责任单位是常州市的任务有哪些")
    assert answer.rows and all(zone_tasks.rows[i][3].startswith("常州市") for i in answer.rows)
    assert "空间信息综合应用工程" in answer.statement


@pytest.mark.parametrize(
    "question", ["唯一由高校牵头的平台是哪个", "哪个平台由大学牵头", "仅有的高校牵头项目"]
)
def test_corpus_platforms_filter(nantong_platforms, question):
    answer = ask(nantong_platforms, question)
    assert answer is not None and answer.rows == (10,)
    assert "安全防护用特种纤维复合材料" in answer.statement and "南通大学" in answer.statement


def test_corpus_platforms_filter_by_enterprise_leaves_the_university_out(nantong_platforms):
    answer = ask(nantong_platforms, "由企业牵头的平台有哪些")
    assert len(answer.rows) == 10 and 10 not in answer.rows


@pytest.mark.parametrize(
    "question, terms, statement",
    [
        ("南通高企数量目标", ("高企",), "高新技术企业数的“十四五”目标：3600"),
        ("南通技术合同成交额“十三五”实绩", (), "技术合同成交额的“十三五”实绩：194.2"),
        ("南通研发经费年均增速要多少", (), "研发经费年均增速的“十四五”目标：>8"),
    ],
)
def test_corpus_nantong_targets(nantong_targets, question, terms, statement):
    answer = ask(nantong_targets, question, terms)
    assert answer is not None and answer.statement == statement and figures_verbatim(answer)


def test_corpus_nantong_target_of_a_period_it_lacks(nantong_targets):
    assert ask(nantong_targets, "南通高新技术企业数的十三五目标") is None


@pytest.mark.parametrize(
    "question, terms, statement",
    [
        ("江苏高新技术企业数的十三五规划目标", (), "高新技术企业数（家）的规划目标：15000"),
        ("全省技术市场合同成交额十三五实际完成多少", (), "技术市场合同成交额（亿元）的2020年：2335"),
        ("十三五期间高企数量完成了多少", ("高企",), "高新技术企业数（家）的2020年：超过32000"),
    ],
)
def test_corpus_province_report(province_report, question, terms, statement):
    answer = ask(province_report, question, terms)
    assert answer is not None and answer.statement == statement


def test_corpus_province_report_does_not_answer_fourteenth_plan_targets(province_report):
    assert ask(province_report, "十四五高企数量目标", ("高企",)) is None


def test_corpus_zones_table():
    zones = corpus_table("nantong-sti-14fyp", "高新区")
    answer = ask(zones, "海安高新区的主导产业有哪些")
    assert answer.statement == "海安高新区（省级）的主导产业：新材料、智能装备、新一代信息技术"


def test_rows_for_prefers_the_exact_label(zone_tasks):
    rows = rows_for(zone_tasks, "国家第三代半导体技术创新中心苏州平台")
    assert rows[0] == 15
    assert all(re.search(r"\S", zone_tasks.rows[i][1]) for i in rows)


# ---- a plural question naming a value of a grouping column -------------------------------------


@pytest.mark.parametrize(
    "question, terms, rows",
    [
        ("扬州有哪些任务", ("扬州", "任务"), (1, 5)),
        ("淮安市列出全部任务", ("淮安市",), (6,)),
        ("盐城都有什么任务", ("盐城",), (2,)),
    ],
)
def test_plural_question_naming_a_value_filters_by_it(question, terms, rows):
    answer = ask(TASKS, question, terms)
    assert answer is not None and answer.op is OpKind.FILTER and answer.rows == rows


def test_plural_question_whose_other_words_no_row_holds_is_none():
    assert ask(TASKS, "扬州有哪些生物育种方面的任务", ("扬州", "生物育种")) is None


@pytest.mark.parametrize(
    "question, terms, rows",
    [
        ("常州有哪些技术创新中心", ("常州", "技术创新中心"), (24, 25)),
        ("镇江有哪些重点任务", ("镇江", "重点任务"), (32,)),
        ("南京有哪些实验室", ("南京", "实验室"), (1,)),
    ],
)
def test_corpus_task_list_by_city_and_kind(zone_tasks, question, terms, rows):
    answer = ask(zone_tasks, question, terms)
    assert answer is not None and answer.rows == rows


def test_corpus_city_and_topic_no_row_holds_is_none(zone_tasks):
    # no row of 无锡 is about 集成电路 (the 集成电路 cluster is 苏南五市'): not another 无锡 row
    assert ask(zone_tasks, "无锡有哪些集成电路方面的任务", ("无锡", "集成电路")) is None


@pytest.mark.parametrize(
    "question",
    ["新能源领域有哪几个平台", "新材料方面有哪些项目", "海工船舶领域都有什么平台"],
)
def test_corpus_platforms_by_field(nantong_platforms, question):
    answer = ask(nantong_platforms, question)
    field = next(f for f in ("新能源", "新材料", "海工船舶") if f in question)
    assert answer is not None and all(nantong_platforms.rows[i][1] == field for i in answer.rows)
    assert len(answer.rows) == sum(1 for r in nantong_platforms.rows if r[1] == field)


# ---- tables the answerer must survive -------------------------------------------------------------

ODD_TABLES = [
    Table(),
    Table(header=["指标", "目标"]),
    Table(title="专栏 名单", header=[], rows=[["1. 量子信息"], ["2. 类脑智能"]]),
    Table(header=["序号", "任务"], rows=[["1"], ["2", "建设中试基地", "多出的格"]]),
    Table(header=["城市", "数值"], rows=[["甲", "/"], ["乙", "—"]]),
]
ODD_QUESTIONS = ["第2项是什么", "哪个最高", "由高校牵头的是", "它的目标", "目标是多少", "", "？？", "有哪些"]


@pytest.mark.parametrize("table", ODD_TABLES)
def test_odd_tables_answer_or_decline_without_raising(table):
    for question in ODD_QUESTIONS:
        answer = ask(table, question, previous=(0, 5))
        assert answer is None or all(0 <= i < len(table.rows) for i in answer.rows)


def test_every_corpus_table_answers_or_declines_without_raising():
    questions = [
        *ODD_QUESTIONS,
        "哪个市最高",
        "排名前三",
        "第三十项的责任单位",
        "南京的是多少",
        "唯一的企业是哪个",
    ]
    for table in corpus_tables().values():
        for question in questions:
            answer = ask(table, question, ("南京",), previous=(1,))
            if answer is not None:
                assert answer.cells == tuple(tuple(table.rows[i]) for i in answer.rows)
                assert figures_verbatim(answer, table)


# ---- whole tables from chunks --------------------------------------------------------------------


def test_whole_tables_reassemble_split_tables_and_point_each_row_to_its_chunk():
    from assistant.table_chunks import whole_tables
    from retrieval.corpus import load_chunks

    whole = whole_tables(load_chunks("corpus"))
    tasks = next(w for w in whole if w.table.title and "重点任务清单" in w.table.title)
    assert len(tasks.chunks) > 1  # the list is split over several chunks
    assert tasks.table.rows == corpus_table("sunan-nidz-2021-2025", "重点任务清单").rows
    answer = ask(tasks.table, "清单第三十项是什么")
    chunk = tasks.chunk_for(answer.rows[0])
    assert answer.lines[0] in chunk.text.split("\n")
    assert sorted(w.table.title for w in whole) == sorted(t.title for t in corpus_tables().values())


@pytest.mark.parametrize("question", ["扬州的哪个指标最高", "泰州哪一项最低", "盐城排名前二的指标"])
def test_rows_of_different_units_are_not_ranked_down_a_column(question):
    assert ask(CITY_TARGETS, question) is None


# -- rows named by part of their label, several rows named in full ---------------------------------
PLATFORMS = Table(
    title="重大创新平台布局（测试用）",
    header=["序号", "行业领域", "项目名称", "牵头单位"],
    rows=[
        ["1", "新材料", "省级工程研究中心", "江苏青禾新材料股份有限公司"],
        ["2", "新能源", "国家级企业技术中心", "江苏远帆储能科技有限公司"],
        ["3", "生物医药", "省重点实验室", "南通海澜生物制药有限公司"],
    ],
)


@pytest.mark.parametrize(
    "question, row",
    [
        ("远帆储能牵头的是什么项目", 1),
        ("青禾新材料对应哪个行业领域", 0),
        ("海澜生物制药建的平台叫什么", 2),
    ],
)
def test_a_row_named_by_part_of_its_label(question, row):
    assert rows_for(PLATFORMS, question, synonyms) == [row]


INDICATORS = Table(
    title="主要指标（测试用）",
    header=["指标名称", "单位", "“十四五”目标"],
    rows=[
        ["新增省级以上企业研发机构", "家", "120"],
        ["科技服务业营收年均增幅", "%", "12"],
        ["研发投入", "亿元", "300"],
        ["研发投入占地区生产总值比重", "%", "3.1"],
    ],
)


@pytest.mark.parametrize(
    "question, rows",
    [
        ("新增省级以上企业研发机构和科技服务业营收年均增幅的目标", [0, 1]),
        ("科技服务业营收年均增幅、新增省级以上企业研发机构各是多少", [1, 0]),
        ("研发投入占地区生产总值比重的目标", [3]),
    ],
)
def test_every_row_the_question_writes_out(question, rows):
    assert rows_for(INDICATORS, question, synonyms) == rows
