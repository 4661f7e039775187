"""Metadata inferred from a plan's own text, and the parser's general rules (chapters, 专栏 of any
prefix, compound numbers, lettered parts) on lines written in other provinces' and cities' styles."""

from __future__ import annotations

import pytest

from retrieval import lines as L
from retrieval.metadata import derive_doc_id, infer_metadata, infer_period, infer_place, parse_date

NOTICE = """浙江省人民政府办公厅文件
浙政办发[2026]7号
浙江省人民政府办公厅关于印发浙江省“十五五”科技创新发展规划的通知
各市、县（市、区）人民政府，省政府直属各单位：
《浙江省“十五五”科技创新发展规划》已经省政府同意，现印发给你们，请认真组织实施。
浙江省人民政府办公厅
二〇二六年二月二十八日
浙江省“十五五”科技创新发展规划
第一章 发展基础
"""


def test_a_notice_header_gives_every_field():
    assert infer_metadata(NOTICE, filename="zj.pdf") == {
        "title": "浙江省“十五五”科技创新发展规划",
        "issuer": "浙江省人民政府办公厅",
        "doc_number": "浙政办发〔2026〕7号",
        "published": "2026-02-28",
        "region": "浙江省",
        "level": "province",
        "kind": "plan",
        "period": "2026-2030",
    }


def test_a_bare_plan_gives_what_it_says_and_no_more():
    meta = infer_metadata(
        "合肥市包河区科技创新三年行动方案（2024-2026年）\n一、总体要求\n……", filename="baohe.txt"
    )
    assert meta["title"] == "合肥市包河区科技创新三年行动方案（2024-2026年）"
    assert (meta["region"], meta["level"], meta["period"], meta["kind"]) == (
        "包河区",
        "county",
        "2024-2026",
        "plan",
    )
    assert meta["issuer"] is None and meta["doc_number"] is None and meta["published"] is None


@pytest.mark.parametrize(
    ("title", "place"),
    [
        ("成都市“十五五”科技创新规划", ("成都市", "city")),
        ("广东省科技创新条例实施方案", ("广东省", "province")),
        ("上海市促进科技成果转化行动方案", ("上海市", "province")),
        ("长江三角洲科技创新共同体建设发展规划", ("", "other")),
        ("宁波国家高新区“十五五”发展规划", ("宁波", "zone")),
        ("如东县科技创新工作要点", ("如东县", "county")),
    ],
)
def test_region_and_level_from_the_title(title, place):
    assert infer_place(title) == place


def test_periods_and_dates():
    assert infer_period("某市“十五五”规划") == "2026-2030"
    assert infer_period("某市“十四五”规划") == "2021-2025"
    assert infer_period("某市发展规划（2021—2035年）") == "2021-2035"
    assert infer_period("某市科技工作要点") is None
    assert parse_date("2021年9月2日") == "2021-09-02"
    assert parse_date("二〇二一年十二月三十一日") == "2021-12-31"


def test_doc_ids_are_ascii_and_stable():
    assert derive_doc_id("Suzhou_STI Plan 2026.pdf", "苏州市规划") == "suzhou-sti-plan-2026"
    chinese = derive_doc_id("苏州市规划.pdf", "苏州市“十五五”科技创新规划")
    assert chinese == derive_doc_id("苏州市规划.pdf", "苏州市“十五五”科技创新规划") and chinese.isascii()
    assert derive_doc_id("plan.pdf", "x", taken={"plan"}) == "plan-2"


def test_chapter_headings_sit_above_the_numbered_ones():
    chapter, section = (
        L.parse_heading("第三章 强化企业创新主体地位"),
        L.parse_heading("第二节　打造高能级创新平台"),
    )
    assert (chapter.level, chapter.label) == (-1, "第三章 强化企业创新主体地位")
    assert (section.level, section.label) == (0, "第二节 打造高能级创新平台")
    assert L.parse_heading("第二部分 重点任务").level == -2
    assert L.parse_heading("一、总体要求").level == 1
    assert L.parse_heading("第三章所列任务由各地分解落实。") is None


@pytest.mark.parametrize(
    ("line", "label", "number"),
    [
        ("重点工程专栏2：科技企业梯队培育", "重点工程专栏2：科技企业梯队培育", 2),
        ("创新布局专栏3：高端装备", "创新布局专栏3：高端装备", 3),
        ("专栏 1-1 湾区实验室建设工程", "专栏1-1 湾区实验室建设工程", None),
        ("专栏2.3：概念验证中心", "专栏2.3：概念验证中心", None),
        ("专栏5 “1+3+10+N”重大科技创新平台体系", "专栏5 “1+3+10+N”重大科技创新平台体系", 5),
    ],
)
def test_column_titles_with_any_prefix_and_compound_numbers(line, label, number):
    column = L.parse_column_title(line)
    assert (column.label, column.number) == (label, number)


@pytest.mark.parametrize("line", ["详见专栏3。", "如专栏2所示，各地应当加快推进。", "专栏建设要突出重点"])
def test_prose_that_mentions_a_column_is_not_its_title(line):
    assert L.parse_column_title(line) is None


def test_lettered_parts_in_any_column():
    assert L.column_part("B瞪羚企业：对营业收入连续三年增长的企业给予奖励") == "B瞪羚企业"
    assert L.column_part("G. 未来产业：布局类脑智能") == "G未来产业"
    assert L.column_part("AI 视觉算法：重点支持") is None
