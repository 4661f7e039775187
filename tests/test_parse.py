"""The structure-aware parser: small fixture texts with known structure, then the real corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval import lines as L
from retrieval.corpus import load_document, load_manifest
from retrieval.models import ManifestEntry
from retrieval.parse import (
    ParsedDocument,
    _read_cell_table,
    header_metadata,
    parse_document,
    read_items,
    repair_items,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

PLAN_ENTRY = ManifestEntry(doc_id="mini-plan", file="mini_plan.txt", title="江苏省“十四五”测试创新规划")
ARTICLE_ENTRY = ManifestEntry(
    doc_id="mini-article",
    file="mini_article.txt",
    title="科技自立自强的江苏实践",
    kind="article",
    author="张三",
)


@pytest.fixture(scope="module")
def plan() -> ParsedDocument:
    return parse_document((FIXTURES / "mini_plan.txt").read_text(encoding="utf-8"), PLAN_ENTRY)


@pytest.fixture(scope="module")
def corpus() -> dict[str, ParsedDocument]:
    return {entry.doc_id: load_document(CORPUS, entry) for entry in load_manifest(CORPUS)}


def block_with(doc: ParsedDocument, text: str):
    found = [b for b in doc.blocks if text in b.text]
    assert found, f"no block contains {text!r}"
    return found[0]


def column(doc: ParsedDocument, label: str):
    found = [c for c in doc.columns if c.label == label]
    assert len(found) == 1, f"{label!r} found {len(found)} times in {[c.label for c in doc.columns]}"
    return found[0]


def table_titled(doc: ParsedDocument, fragment: str):
    found = [b.table for b in doc.tables if fragment in (b.table.title or "")]
    assert len(found) == 1, [b.table.title for b in doc.tables]
    return found[0]


# ---------------------------------------------------------------- the small fixture plan


def test_notice_header_goes_to_metadata_not_body(plan):
    meta = plan.metadata
    assert meta["notice_title"] == "省政府办公厅关于印发江苏省“十四五”测试创新规划的通知"
    assert meta["doc_number"] == "苏政办发〔2021〕99号"
    assert meta["dates"] == ["2021年9月2日"]
    assert meta["cc"] == "省委各部门"
    assert meta["printed"] == "2021年9月3日印发"
    assert plan.text.startswith("为加快建设科技强省，制定本规划。")
    for header_words in ("通知", "苏政办发", "抄送", "印发给你们", "此件公开发布"):
        assert header_words not in plan.text


def test_blocks_are_exact_slices_of_the_cleaned_text(plan):
    for block in plan.blocks:
        assert plan.text[block.start : block.end] == block.text


def test_section_paths_follow_the_heading_stack(plan):
    assert block_with(plan, "3.2%的研发投入强度").section_path == ("一、发展基础", "（二）发展目标")
    assert block_with(plan, "强化基础研究系统部署。").section_path == (
        "二、重点任务",
        "（一）加强基础研究",
        "1. 强化基础研究系统部署",
    )
    assert block_with(plan, "重点研发海上风电安装船").section_path == (
        "二、重点任务",
        "（二）发展产业技术",
        "1. 海工船舶",
        "（1）海工装备",
    )
    assert block_with(plan, "大力引进高精尖缺人才").section_path == (
        "二、重点任务",
        "（二）发展产业技术",
        "2. 加强人才引进",
    )


def test_a_decimal_at_line_start_stays_a_paragraph(plan):
    assert block_with(plan, "3.2%的研发投入强度").kind == "paragraph"


def test_page_break_split_and_stray_and_are_repaired(plan):
    paragraph = block_with(plan, "重点培育30家左右")
    assert "重点培育30家左右具有国际影响力的企业研发机构和一批新型研发机构。" in paragraph.text
    assert "培育了一批创新型企业和创新型产业集群" in paragraph.text
    assert " and " not in plan.text


def test_titled_tab_table(plan):
    block = block_with(plan, "表1 主要指标完成情况")
    assert block.kind == "table"
    assert block.table.title == "表1 主要指标完成情况"
    assert block.table.header == ["主要指标", "规划目标", "2020年"]
    assert block.table.rows == [
        ["科技进步贡献率（%）", "65", "65.1"],
        ["万人发明专利拥有量（件）", "20", "36.1"],
    ]


def test_cell_per_line_table_in_a_column(plan):
    box = column(plan, "专栏：主要指标目标")
    assert box.section_path == ("一、发展基础", "（二）发展目标")
    assert box.tables == 1
    table = table_titled(plan, "主要指标目标")
    assert table.header == ["序号", "指标名称", "“十三五”实绩", "“十四五”目标"]
    assert table.rows == [["1", "高新技术企业数", "2178", "3600"], ["2", "研发经费年均增速", "/", ">8"]]


def test_two_column_numbered_list_is_read_in_order(plan):
    table = table_titled(plan, "战略性前瞻性重大科学问题")
    assert table.rows == [["1. 量子信息前沿"], ["2. 通用微系统芯片"], ["3. 类脑智能芯片"], ["4. 合成生物学"]]


def test_a_column_after_a_lead_phrase_item_belongs_to_the_section(plan):
    assert column(plan, "专栏1 战略性前瞻性重大科学问题").section_path == (
        "二、重点任务",
        "（一）加强基础研究",
    )
    assert column(plan, "专栏2 重要改革试验区").section_path == ("二、重点任务", "（一）加强基础研究")


def test_innovation_layout_column_closes_its_item(plan):
    box = column(plan, "创新布局专栏1：海工船舶")
    assert box.section_path == ("二、重点任务", "（二）发展产业技术", "1. 海工船舶")
    assert box.parts == ["A关键共性技术", "B企业关键技术突破"]
    assert block_with(plan, "B企业关键技术突破").column == "创新布局专栏1：海工船舶"


def test_a_heading_closes_the_open_column(plan):
    assert block_with(plan, "大力引进高精尖缺人才").column is None
    assert block_with(plan, "3. 加强基础研究协同保障").column is None


def test_annex_is_a_top_level_part_with_its_table(plan):
    heading = block_with(plan, "附件1 主要指标细化表")
    assert (
        heading.kind == "heading" and heading.section_path == ("附件1 主要指标细化表",) and heading.in_annex
    )
    table = table_titled(plan, "附件1")
    assert table.header == ["地区指标", "苏南地区", "南京"]
    assert table.rows == [["万人高价值发明专利拥有量（件）", "40", "50"]]


def test_article_title_and_author_are_metadata_and_wrapped_lines_are_joined():
    text = (FIXTURES / "mini_article.txt").read_text(encoding="utf-8")
    doc = parse_document(text, ARTICLE_ENTRY)
    assert doc.metadata["header_lines"] == ["科技自立自强的江苏实践", "张三"]
    assert "张三" not in doc.text and "江苏实践" not in doc.text
    assert "我们必须进一步肩负起为全国发展探路的使命" in doc.text
    assert [b.kind for b in doc.blocks] == ["paragraph"] * 4
    assert doc.blocks[2].section_path == ("加强关键核心技术攻坚，增强创新发展动能",)
    assert doc.warnings == ["no numbered headings: sections follow paragraph lead sentences"]


# ---------------------------------------------------------------- pure steps


def test_cell_per_line_reader_rejoins_cells_cut_over_lines():
    lines = [
        "专栏：“十四五”省级以上高新区发展目标及定位",
        "\t名 称",
        "\t主导产业",
        "\t发展目标及定位",
        "",
        "\t海安高新区",
        "",
        "（省级）",
        "\t新材料、智能装备",
        "\t以“全市高质量发展急先锋”为发展目标。",
        "",
        "",
        "9．高质量推进创新创业载体建设。",
    ]
    rows, end = _read_cell_table(lines, 1)
    assert rows == [
        ["名称", "主导产业", "发展目标及定位"],
        ["海安高新区（省级）", "新材料、智能装备", "以“全市高质量发展急先锋”为发展目标。"],
    ]
    assert lines[end:] == ["", "", "9．高质量推进创新创业载体建设。"]


def test_cell_per_line_reader_ignores_ordinary_lines():
    assert _read_cell_table(["", "围绕产业链部署创新链。"], 0) is None
    assert _read_cell_table(["\t只有一个单元格"], 0) is None


def test_page_break_join_and_its_limits():
    items = repair_items(
        read_items(
            [
                "3. 加快建设产业技术创新中心。聚焦优势产业和未来产业，面向“卡脖子”领域技术创新需求，充分发挥企业创新主",
                "",
                "力。加快创建国家级产业创新中心。",
                "",
                "重点培育30家左右具有国际影响力的企",
                "",
                "业研发机构。",
                "",
                "这一段完整地结束了。",
            ]
        )
    )
    assert [(i.kind, i.text) for i in items] == [
        (
            "heading",
            "3. 加快建设产业技术创新中心。聚焦优势产业和未来产业，面向“卡脖子”领域技术创新需求，充分发挥企业创新主力。加快创建国家级产业创新中心。",
        ),
        ("paragraph", "重点培育30家左右具有国际影响力的企业研发机构。"),
        ("paragraph", "这一段完整地结束了。"),
    ]


def test_outline_lines_are_not_rejoined():
    items = repair_items(
        read_items(
            [
                "1. 引领支撑经济发展作用显著增强。全省高新技术产业快速发展，高新技术产业产值年均",
                "2. 产业技术自主创新能力明显提升。",
            ]
        ),
        rejoin=False,
    )
    assert len(items) == 2


def test_header_metadata_fields():
    meta = header_metadata(
        [
            "江苏省科学技术厅 文件 江苏省发展改革委",
            "苏科发〔2021〕290号",
            "省有关部门：",
            "抄送：苏南各设区市人民政府。",
            "2021年12月31日印发",
        ]
    )
    assert meta["doc_number"] == "苏科发〔2021〕290号"
    assert meta["addressees"] == "省有关部门"
    assert meta["cc"] == "苏南各设区市人民政府"
    assert meta["printed"] == "2021年12月31日印发"


# ---------------------------------------------------------------- the real corpus: 江苏省“十四五”科技创新规划


def test_provincial_plan_has_six_parts(corpus):
    doc = corpus["jiangsu-sti-14fyp"]
    parts = [b.section_path[0] for b in doc.headings if len(b.section_path) == 1]
    assert [p[0] for p in parts] == list("一二三四五六")
    assert parts[0] == "一、迈向科技强省建设新征程"


def test_provincial_columns_sit_in_their_sections(corpus):
    doc = corpus["jiangsu-sti-14fyp"]
    assert [c.number for c in doc.columns] == list(range(1, 9))
    assert all(c.title for c in doc.columns)
    where = {c.number: c.section_path for c in doc.columns}
    assert where[1] == ("二、打好关键核心技术攻坚战", "（一）加强基础研究与原始创新")
    assert where[5] == ("三、实施科技创新重点行动", "（一）实施战略科技力量培育行动")
    assert where[7] == ("四、打造区域创新发展增长极", "（一）提升苏南国家自主创新示范区创新引领能力")
    assert all(len(path) == 2 for path in where.values())  # each under its （x） section
    assert column(doc, "专栏5 “1+3+10+N”重大科技创新平台体系")
    assert column(doc, "专栏7 苏南自创区“卓越工程”（SUPER工程）")
    assert "“N”：按照“成熟一个、启动一个”的原则" in block_with(doc, "“N”：按照").text
    assert block_with(doc, "“N”：按照").column == "专栏5 “1+3+10+N”重大科技创新平台体系"


def test_provincial_table_1(corpus):
    table = table_titled(corpus["jiangsu-sti-14fyp"], "表1")
    assert table.title == "表1 江苏省“十三五”科技创新主要指标完成情况"
    assert table.header == ["主要指标", "规划目标", "2020年"]
    assert len(table.rows) == 8 and all(len(r) == 3 for r in table.rows)
    assert table.rows[4] == ["高新技术企业数（家）", "15000", "超过32000"]


def test_provincial_column_1_list_is_fourteen_rows(corpus):
    doc = corpus["jiangsu-sti-14fyp"]
    [block] = [b for b in doc.tables if b.column == "专栏1 战略性前瞻性重大科学问题"]
    items = [row[0] for row in block.table.rows]
    assert [int(re.match(r"\d+", item).group(0)) for item in items] == list(range(1, 15))
    assert (
        items[0] == "1. 量子信息前沿"
        and items[7] == "8. 制氢—储氢理论与技术"
        and items[13] == "14. 生物制造关键科学问题"
    )


def test_provincial_item_headings_are_lead_phrases(corpus):
    doc = corpus["jiangsu-sti-14fyp"]
    block = block_with(doc, "1. 强化基础研究系统部署。")
    assert block.section_path[-1] == "1. 强化基础研究系统部署"
    labels = {b.section_path[-1] for b in doc.blocks if len(b.section_path) == 3}
    assert max(len(label) for label in labels) <= L.HEADING_MAX + 4


def test_provincial_notice_header_in_metadata_not_body(corpus):
    doc = corpus["jiangsu-sti-14fyp"]
    assert doc.metadata["notice_title"] == "省政府办公厅关于印发江苏省“十四五”科技创新规划的通知"
    assert doc.metadata["doc_number"] == "苏政办发〔2021〕62号"
    assert "2021年9月2日" in doc.metadata["dates"]
    assert "苏政办发" not in doc.text and "现印发给你们" not in doc.text
    assert doc.text.startswith("为深入践行")


def test_provincial_page_break_word_is_joined(corpus):
    assert "重点培育30家左右具有国际影响力的企业研发机构" in corpus["jiangsu-sti-14fyp"].text


# ---------------------------------------------------------------- 苏南国家自主创新示范区发展规划纲要


def test_sunan_columns_including_the_spaced_one(corpus):
    doc = corpus["sunan-nidz-2021-2025"]
    assert [c.number for c in doc.columns] == list(range(1, 9))
    assert column(doc, "专栏7 重要改革试验或示范区").section_path == (
        "四、共塑一体化科技创新制度体系",
        "（四）构建更严格的知识产权全链条保护体系",
    )


def test_sunan_annex_1_indicator_table(corpus):
    table = table_titled(corpus["sunan-nidz-2021-2025"], "附件1")
    assert table.header[1:] == ["苏南地区", "南京", "无锡", "常州", "苏州", "镇江"]
    assert len(table.rows) == 5 and all(len(r) == 7 for r in table.rows)
    by_indicator = {row[0]: dict(zip(table.header[1:], row[1:], strict=True)) for row in table.rows}
    assert by_indicator["万人高价值发明专利拥有量（件）"]["苏州"] == "23.8"
    assert by_indicator["全社会研发投入占地区生产总值比重（%）"]["苏南地区"] == "3.7以上"


def test_sunan_annex_2_task_list_without_repeated_headers(corpus):
    table = table_titled(corpus["sunan-nidz-2021-2025"], "附件2")
    assert table.header == ["序号", "重点任务", "具体内容", "责任单位"]
    assert [row[0] for row in table.rows] == [str(n) for n in range(1, 37)]
    assert all(len(row) == 4 for row in table.rows)
    assert table.rows[0][1] == "创建综合性国家科学中心"


def test_sunan_annexes_are_top_level_parts(corpus):
    doc = corpus["sunan-nidz-2021-2025"]
    annexes = [b for b in doc.headings if b.in_annex]
    assert [b.section_path for b in annexes] == [
        ("附件1 苏南国家自主创新示范区“十四五”科技创新主要指标细化表",),
        ("附件2 苏南国家自主创新示范区建设重点任务清单（2021-2025年）",),
    ]
    assert all(b.in_annex for b in doc.blocks[doc.blocks.index(annexes[0]) :])


def test_sunan_notice_header_in_metadata_not_body(corpus):
    doc = corpus["sunan-nidz-2021-2025"]
    meta = doc.metadata
    assert meta["doc_number"] == "苏科发〔2021〕290号"
    assert meta["cc"] == "苏南各设区市人民政府"
    assert meta["printed"] == "2021年12月31日印发"
    assert "通知" in meta["notice_title"]
    for header_words in ("苏科发", "抄送", "印发", "此件主动公开"):
        assert header_words not in doc.text
    assert doc.text.startswith("为深入贯彻省第十四次党代会精神")


# ---------------------------------------------------------------- 南通市“十四五”科技创新规划


NANTONG_PARTS = {
    1: "ABCD",
    2: "ABCD",
    3: "ABCD",
    4: "ABC",
    5: "ABCD",
    6: "ABCDE",
    7: "ABCD",
    8: "ABCD",
    9: "ABC",
    10: "AB",
}
NANTONG_INDUSTRIES = [
    "海工船舶",
    "高端纺织",
    "高端装备",
    "石油化工",
    "新材料",
    "新一代信息技术",
    "新能源及智能网联汽车",
    "生物医药",
    "机器人及应用",
    "节能环保",
]


def test_nantong_every_column_is_found(corpus):
    labels = [c.label for c in corpus["nantong-sti-14fyp"].columns]
    assert labels == [
        "专栏：“十四五”科技创新主要指标目标",
        "专栏：产业创新紫琅专项",
        *[f"创新布局专栏{n}：{name}" for n, name in enumerate(NANTONG_INDUSTRIES, start=1)],
        "专栏：“十四五”重大企业创新平台布局",
        "专栏：“十四五”关键核心技术攻关方向",
        "专栏：光电科学紫琅实验室",
        "专栏：“十四五”省级以上高新区发展目标及定位",
    ]


def test_nantong_layout_columns_have_their_parts_and_close_their_item(corpus):
    doc = corpus["nantong-sti-14fyp"]
    for n, name in enumerate(NANTONG_INDUSTRIES, start=1):
        box = column(doc, f"创新布局专栏{n}：{name}")
        assert "".join(part[0] for part in box.parts) == NANTONG_PARTS[n]
        assert box.section_path == ("三、产业创新布局", "（二）支持方向", f"{n}. {name}")


def test_nantong_indicator_table(corpus):
    table = table_titled(corpus["nantong-sti-14fyp"], "科技创新主要指标目标")
    assert table.header == ["序号", "指标名称", "单位", "“十三五”实绩", "“十四五”目标"]
    assert [row[0] for row in table.rows] == [str(n) for n in range(1, 11)]
    row = next(r for r in table.rows if r[1] == "高新技术企业数")
    assert dict(zip(table.header, row, strict=True)) == {
        "序号": "5",
        "指标名称": "高新技术企业数",
        "单位": "家",
        "“十三五”实绩": "2178",
        "“十四五”目标": "3600",
    }


def test_nantong_platform_and_zone_tables(corpus):
    doc = corpus["nantong-sti-14fyp"]
    platforms = table_titled(doc, "重大企业创新平台布局")
    assert platforms.header == ["序号", "行业领域", "项目名称", "牵头单位"]
    assert [row[0] for row in platforms.rows] == [str(n) for n in range(1, 12)]
    zones = table_titled(doc, "高新区发展目标及定位")
    assert zones.header == ["名称", "主导产业", "发展目标及定位"]
    assert [row[0] for row in zones.rows] == [
        "南通高新区（国家级）",
        "海安高新区（省级）",
        "如皋高新区（省级）",
        "市北高新区（省级）",
    ]
    assert all(len(row) == 3 for row in zones.rows)


def test_nantong_items_number_across_parts(corpus):
    doc = corpus["nantong-sti-14fyp"]
    items = [
        b.section_path
        for b in doc.headings
        if b.section_path[0] == "四、科技创新重点工程" and len(b.section_path) == 3
    ]
    assert [int(path[2].split(".")[0]) for path in items] == list(range(1, 24))
    assert ("四、科技创新重点工程", "（二）产业创新水平提升工程", "4. 加强关键核心技术攻关") in items
    assert items[-1][1] == "（七）区域创新融合提升工程"


def test_nantong_sub_items_1_to_32(corpus):
    doc = corpus["nantong-sti-14fyp"]
    subs = [b.section_path for b in doc.headings if len(b.section_path) == 4]
    assert [int(re.match(r"（(\d+)）", path[3]).group(1)) for path in subs] == list(range(1, 33))
    assert subs[3] == ("三、产业创新布局", "（二）支持方向", "2. 高端纺织", "（4）纺织新材料")


# ---------------------------------------------------------------- the article and the outline


def test_article_wrapped_lines_are_joined(corpus):
    doc = corpus["wangqin-tech-self-reliance"]
    raw = [
        line.strip()
        for line in (CORPUS / "wangqin-tech-self-reliance.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert raw[:2] == ["聚焦科技自立自强 加快建设科技强省", "王秦"]
    assert doc.metadata["header_lines"] == raw[:2]
    assert "王秦" not in doc.text and not doc.text.startswith("聚焦科技自立自强")
    body = raw[2:]
    for left, right in zip(body, body[1:], strict=False):
        if not L.ends_paragraph(left):
            assert left[-6:] + right[:6] in doc.text, (left[-6:], right[:6])
    assert all(L.ends_paragraph(b.text) for b in doc.blocks)


def test_outline_lines_are_kept_and_marked_truncated(corpus):
    doc = corpus["jiangsu-hitech-14fyp-outline"]
    raw = [
        line.strip()
        for line in (CORPUS / "jiangsu-hitech-14fyp-outline.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert [b.text for b in doc.blocks] == raw
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    assert paragraphs and all(b.truncated for b in paragraphs)
    assert not any(b.truncated for b in doc.headings)


@pytest.mark.parametrize(
    "doc_id",
    [
        "jiangsu-sti-14fyp",
        "sunan-nidz-2021-2025",
        "nantong-sti-14fyp",
        "wangqin-tech-self-reliance",
        "jiangsu-hitech-14fyp-outline",
    ],
)
def test_real_documents_parse_cleanly(corpus, doc_id):
    doc = corpus[doc_id]
    assert " and " not in doc.text
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
    assert all(b.kind != "paragraph" or "\n" not in b.text for b in doc.blocks)
