"""Line classifiers and repairs (retrieval/lines.py), each on small Chinese examples."""

from __future__ import annotations

import pytest

from retrieval import lines as L
from retrieval.lines import ColumnTitle, Heading

# ---------------------------------------------------------------- headings


@pytest.mark.parametrize(
    ("line", "level", "number", "title"),
    [
        ("一、迈向科技强省建设新征程", 1, "一", "迈向科技强省建设新征程"),
        ("一、 基础和形势", 1, "一", "基础和形势"),
        ("十、其他", 1, "十", "其他"),
        ("（二）机遇挑战。", 2, "二", "机遇挑战"),
        ("(一) 发展基础。", 2, "一", "发展基础"),  # half-width brackets and a space, as the PDF left them
        ("1．产业技术创新成效显著。", 3, "1", "产业技术创新成效显著"),  # full-width dot
        ("1. 海工船舶", 3, "1", "海工船舶"),
        ("2、加强人才引进。", 3, "2", "加强人才引进"),
        ("12. 太阳能和生物质能", 3, "12", "太阳能和生物质能"),
        ("（12）先进石化材料与冶金设备", 4, "12", "先进石化材料与冶金设备"),
        ("(3) 海工船舶关键专用制造装备", 4, "3", "海工船舶关键专用制造装备"),
    ],
)
def test_heading_levels(line, level, number, title):
    heading = L.parse_heading(line)
    assert heading == Heading(level, number, title, lead=False)


def test_numbered_paragraph_is_headed_by_its_lead_phrase():
    line = "1. 强化基础研究系统部署。坚持基础研究整体性思维，把握基础研究与应用研究日趋一体化的发展趋势，发挥重大科技问题带动作用。"
    heading = L.parse_heading(line)
    assert heading == Heading(3, "1", "强化基础研究系统部署", lead=True)
    assert heading.label == "1. 强化基础研究系统部署"


@pytest.mark.parametrize(
    "line",
    [
        "3.2%的研发投入强度是“十四五”的底线要求。",  # a decimal, not item 3
        "2.85%",
        "2021年9月2日",
        "5G及下一代移动通信",
        "100. 三位数不是条目编号",
        "一、" + "很长的一级标题" * 7,  # 一、 headings stand on their own line
        "（一）加强基础研究。"
        + "坚持把原始创新摆在更加突出的位置，面向基础前沿，遵循科学规律。"
        * 2,  # （一） never leads a paragraph
        "1." + "没有句号的很长编号段落" * 6,
        "1. ",
        "",
    ],
)
def test_not_headings(line):
    assert L.parse_heading(line) is None


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        (Heading(1, "三", "实施科技创新重点行动"), "三、实施科技创新重点行动"),
        (Heading(2, "一", "发展基础"), "（一）发展基础"),
        (Heading(3, "4", "探索建设工程技术创新平台"), "4. 探索建设工程技术创新平台"),
        (Heading(4, "12", "先进石化材料与冶金设备"), "（12）先进石化材料与冶金设备"),
    ],
)
def test_heading_label_normalises_numbering(heading, label):
    assert heading.label == label


# ---------------------------------------------------------------- 专栏, tables, annexes


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "专栏5 “1+3+10+N”重大科技创新平台体系",
            ColumnTitle("专栏5 “1+3+10+N”重大科技创新平台体系", 5, "“1+3+10+N”重大科技创新平台体系"),
        ),
        ("专栏 7 重要改革试验或示范区", ColumnTitle("专栏7 重要改革试验或示范区", 7, "重要改革试验或示范区")),
        ("专栏：产业创新紫琅专项", ColumnTitle("专栏：产业创新紫琅专项", None, "产业创新紫琅专项")),
        ("创新布局专栏3：高端装备", ColumnTitle("创新布局专栏3：高端装备", 3, "高端装备")),
        ("创新布局专栏10：节能环保", ColumnTitle("创新布局专栏10：节能环保", 10, "节能环保")),
        (
            "专栏1 战略性前瞻性重大科学问题\t",
            ColumnTitle("专栏1 战略性前瞻性重大科学问题", 1, "战略性前瞻性重大科学问题"),
        ),
        (
            "专栏：“十四五” 省级以上高新区发展目标及定位",
            ColumnTitle(
                "专栏：“十四五”省级以上高新区发展目标及定位", None, "“十四五”省级以上高新区发展目标及定位"
            ),
        ),
    ],
)
def test_column_titles_in_every_spelling(line, expected):
    assert L.parse_column_title(line) == expected


@pytest.mark.parametrize("line", ["专栏中列出的重点项目要加快实施。", "本专栏所列项目", "专栏", "专栏："])
def test_prose_mentioning_columns_is_not_a_column(line):
    assert L.parse_column_title(line) is None


def test_table_title():
    assert (
        L.parse_table_title("表1 江苏省“十三五”科技创新主要指标完成情况")
        == "表1 江苏省“十三五”科技创新主要指标完成情况"
    )
    assert L.parse_table_title("表明我省创新能力显著提升。") is None


def test_annex_marker_and_annex_list():
    assert L.parse_annex_marker("附件 1") == 1
    assert L.parse_annex_marker("附件2") == 2
    # the title may share the marker's line (Word and PDF plans often set it so)
    assert L.parse_annex_marker("附件2 苏南国家自主创新示范区建设重点任务清单") == 2
    assert (
        L.annex_inline_title("附件2 苏南国家自主创新示范区建设重点任务清单")
        == "苏南国家自主创新示范区建设重点任务清单"
    )
    assert L.annex_inline_title("附件 1") is None
    assert L.parse_annex_marker("附件2 列出了各市的任务分工。") is None  # a sentence about an annex
    assert L.is_annex_list("- 附件：1. 苏南国家自主创新示范区“十四五”科技创新主要指标细化表")
    assert not L.is_annex_list("附件 1")


def test_column_part_letters():
    assert L.column_part("A关键共性技术：重点支持围绕电力推进驱动系统关键技术") == "A关键共性技术"
    assert L.column_part("E产业创新链布局：设计依托大院大所") == "E产业创新链布局"
    assert L.column_part("AI 视觉算法：重点支持") is None
    assert L.column_part("高端芯片：整合苏南集成电路优势创新资源") is None


# ---------------------------------------------------------------- repairs


def test_stray_and_between_chinese_becomes_he():
    assert L.fix_stray_and("创新型企业 and 创新型产业集群") == "创新型企业和创新型产业集群"
    assert L.fix_stray_and("人类的生产 and 生活方式") == "人类的生产和生活方式"


def test_english_and_is_left_alone():
    assert L.fix_stray_and("R and D 投入") == "R and D 投入"
    assert L.fix_stray_and("开展 Research and Development 活动") == "开展 Research and Development 活动"


def test_join_broken_chinese_has_no_space():
    assert L.join_broken(
        "重点培育30家左右具有国际影响力的企", "业研发机构和200家左右国内一流的企业研发机构。"
    ) == ("重点培育30家左右具有国际影响力的企业研发机构和200家左右国内一流的企业研发机构。")


def test_join_broken_keeps_a_space_between_latin_words():
    assert L.join_broken("重点支持优化 PAN", "precursor 工艺") == "重点支持优化 PAN precursor 工艺"


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("加快建设科技强省。", True),
        ("是否可行？", True),
        ("主要包括：", True),
        ("具有国际影响力的企", False),
        ("", False),
    ],
)
def test_ends_paragraph(text, ends):
    assert L.ends_paragraph(text) is ends


def test_clean_cell_removes_spaces_the_pdf_put_between_chinese():
    assert L.clean_cell(" 万人高价值发明 专利拥有量（件） ") == "万人高价值发明专利拥有量（件）"
    assert L.clean_cell("苏南 地区") == "苏南地区"
    assert L.clean_cell("名 称") == "名称"
    assert L.clean_cell("AI 视觉算法") == "AI 视觉算法"  # Latin words keep their space
    assert L.clean_cell("3.7以上") == "3.7以上"


def test_split_tab_row():
    assert L.split_tab_row("科技进步贡献率（%）\t65\t65.1") == ["科技进步贡献率（%）", "65", "65.1"]
    assert L.split_tab_row("地区 指标\t苏南 地区\t南京") == ["地区指标", "苏南地区", "南京"]
    assert L.split_tab_row("\t海安高新区") is None  # one cell: a cell-per-line table, not a row
    assert L.split_tab_row("没有制表符的句子。") is None


def test_clean_line_strips_invisible_characters_and_ideographic_spaces():
    assert L.clean_line("\ufeff\u3000江苏省“十四五”科技创新规划\u200b\r\n") == "江苏省“十四五”科技创新规划"
    assert L.clean_line("\t海安高新区") == "\t海安高新区"  # the leading tab marks a table cell


def test_squeeze_cjk_spaces():
    assert L.squeeze_cjk_spaces("省科学技术厅 省发展改革委") == "省科学技术厅省发展改革委"
    assert L.squeeze_cjk_spaces("比重达 3.2%") == "比重达 3.2%"


def test_nfkc_key_ignores_width_quotes_and_spaces():
    assert L.nfkc_key("江苏省 “十四五”科技创新规划") == L.nfkc_key('江苏省"十四五"科技创新规划')
    assert L.nfkc_key("（2021－2025年）") == "(2021-2025年)"
