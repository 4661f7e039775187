"""Classes of questions from issue 11 on the real corpus (real e5 index, offline answers), each with
phrasings written for this test: abbreviations and other wordings, details the plans do not hold,
carried scope, tables as data, lists at the asked level, keyword-style and English questions."""

from __future__ import annotations

import pytest

from assistant.citations import citations_are_verbatim
from assistant.schemas import Answer, Turn

pytestmark = pytest.mark.slow


def ask(runtime, question, history=()) -> Answer:
    turns = []
    for earlier in history:
        turns += [Turn(role="user", content=earlier), Turn(role="assistant", content="（上一轮回答）")]
    answer = runtime.ask(question, history=turns)
    assert citations_are_verbatim(answer, runtime.catalog), answer
    return answer


def flat(a: Answer) -> str:
    return a.answer.replace(" ", "")


@pytest.mark.parametrize(
    "question, fact, doc",
    [
        ("南通的高企数量目标", "3600", "nantong-sti-14fyp"),  # 高企 = 高新技术企业, a 主要指标 row
        ("苏州的研发强度目标是多少", "4左右", "sunan-nidz-2021-2025"),  # 研发强度, 附件1's 苏州 column
        ("R&D intensity target of Jiangsu by 2025", "3.2%", "jiangsu-sti-14fyp"),  # English
        ("苏南 独角兽 目标", "30家", "sunan-nidz-2021-2025"),  # keyword-style
    ],
)
def test_other_wordings_reach_the_plans_words(runtime, question, fact, doc):
    a = ask(runtime, question)
    assert not a.refused and fact in flat(a), a.answer
    assert any(c.doc_id == doc for c in a.citations)


@pytest.mark.parametrize(
    "question, topic",
    [
        ("江海英才安家费多少", "江海英才"),
        ("揭榜挂帅什么时候开始受理", "揭榜挂帅"),
        ("省产研院院长是谁", "省产研院"),
        ("“江苏外专百人计划”每人给多少补贴？", "江苏外专百人计划"),
        ("高企认定有什么条件", None),
        ("单个项目最高支持多少经费", None),
    ],
)
def test_a_detail_the_plans_do_not_hold_is_refused_and_the_mention_cited(runtime, question, topic):
    a = ask(runtime, question)
    assert a.refused, a.answer
    if topic:
        assert f"规划提到了“{topic}”" in a.answer and a.citations
        assert all(topic in c.quote for c in a.citations)


def test_a_detail_the_plans_do_hold_is_answered(runtime):
    a = ask(runtime, "苏南规划里高校基础研究项目的间接费用最高能按多少比例核定？")
    assert not a.refused and "60%" in flat(a), a.answer


@pytest.mark.parametrize(
    "history, question",
    [
        (["浙江省研发投入强度目标是多少？"], "那具体数字是多少？"),
        (["2030年江苏的研发投入目标是多少？"], "那南通呢？"),
        (["上海对孵化器有什么支持？"], "还有别的吗？"),
    ],
)
def test_a_followup_cannot_escape_a_refusal(runtime, history, question):
    assert ask(runtime, history[0]).refused
    assert ask(runtime, question, history).refused


def test_a_followup_keeps_its_place(runtime):
    a = ask(runtime, "研发经费年均增速呢？", ["南通全社会研发经费支出占GDP比重的“十四五”目标是多少？"])
    assert not a.refused and all(c.doc_id == "nantong-sti-14fyp" for c in a.citations), a.answer


@pytest.mark.parametrize(
    "question, first_line",
    [
        ("苏南细化表里哪个市的研发投入强度目标最低", "最低的是镇江：2.8"),
        ("苏南哪个市的万人高价值发明专利拥有量目标最高？", "最高的是南京：50"),
        ("重点任务清单里唯一由高校牵头的是哪个", "江苏科技大学海洋装备研究院"),
    ],
)
def test_tables_as_data_state_the_result_first(runtime, question, first_line):
    a = ask(runtime, question)
    assert not a.refused and first_line in a.answer.splitlines()[0], a.answer


def test_a_row_followup_reads_the_asked_column(runtime):
    a = ask(runtime, "它的责任单位是谁", ["苏南重点任务清单第3项是什么？"])
    assert not a.refused and "苏州市苏州工业园区" in a.answer.splitlines()[0], a.answer


@pytest.mark.parametrize(
    "question, items",
    [
        ("苏南规划的重点工程包括哪几项工程", ["自主创新支撑工程", "开放创新融合工程"]),
        ("苏南规划有哪些专栏", ["专栏1 重点领域关键核心技术攻关", "专栏8"]),
        ("省规划提出了哪几大行动？", ["实施战略科技力量培育行动", "实施创新人才集聚行动"]),
    ],
)
def test_lists_at_the_asked_level(runtime, question, items):
    a = ask(runtime, question)
    assert not a.refused and all(i in a.answer for i in items), a.answer


def test_an_item_picked_by_position_can_be_followed_up(runtime):
    a = ask(runtime, "它具体要重点研制哪些装备？", ["省规划专栏2里第9个重大项目是什么？"])
    assert not a.refused and "深海油气钻井" in a.answer, a.answer


def test_a_draft_reply_request_answers_the_letters_question(runtime):
    a = runtime.ask("请起草答复：有群众来信问，南通有没有面向科技工作者的荣誉和奖项？", mode="reply")
    assert not a.refused and "科技兴市功臣" in a.answer, a.answer


@pytest.mark.parametrize(
    "question, facts",
    [
        ("海四达电源牵头建的是什么平台", ["江苏省级企业技术中心"]),  # part of a 牵头单位 cell
        ("林洋能源那个国家级平台属于哪个行业领域", ["新能源"]),
        ("表1里技术市场合同成交额的规划目标是多少", ["1000"]),  # a table named by its number
    ],
)
def test_a_row_named_by_a_table_is_answered_from_it(runtime, question, facts):
    a = ask(runtime, question)
    assert not a.refused and all(f in a.answer for f in facts), a.answer


@pytest.mark.parametrize(
    "question, fact",
    [
        ("我在苏州一所研究院做基础研究，苏南规划里纯理论研究的间接费用比例最高多少？", "60%"),
        ("我们是昆山的企业，苏南规划里瞪羚企业要达到多少家", "500家"),
        ("苏南那边万人发明专利拥有量十三五末是多少", "62件"),  # 那边, a period word
    ],
)
def test_the_askers_place_and_words_do_not_narrow_the_answer(runtime, question, fact):
    a = ask(runtime, question)
    assert not a.refused and fact in flat(a), a.answer


@pytest.mark.parametrize(
    "question, place",
    [
        ("省规划和苏南规划对苏州分别有什么定位", "苏州"),
        ("省规划和南通规划分别怎么说海门", "海门"),
        ("省规划和苏南规划分别对常州提了什么", "常州"),
    ],
)
def test_each_plans_line_is_about_the_place_compared(runtime, question, place):
    a = ask(runtime, question)
    assert a.citations and all(place in c.quote or place in c.section for c in a.citations), a.answer


@pytest.mark.parametrize(
    "question",
    ["盐城和连云港的高企数量目标分别是多少", "扬州和泰州的研发人员各有多少", "宿迁和淮安的高企目标是多少？"],
)
def test_figures_side_by_side_need_figures(runtime, question):
    # the plans name these cities, but give none of them the asked figure: no passage is an answer
    assert ask(runtime, question).refused


@pytest.mark.parametrize(
    "history, question, parts",
    [
        (["南通规划有哪些科技创新重点工程"], "第二项包括哪些内容", ["加强关键核心技术攻关", "强化基础研究源头支撑"]),
        (["高新技术产业发展规划提纲的重点任务分哪几块？"], "第三块都有哪些内容？", ["加快高新区高质量发展"]),
        (["南通规划有哪些科技创新重点工程"], "第一项具体包括什么", ["3个方面"]),
    ],
)
def test_an_item_picked_by_position_lists_its_parts(runtime, history, question, parts):
    a = ask(runtime, question, history)
    assert not a.refused and all(p in a.answer for p in parts), a.answer


@pytest.mark.parametrize(
    "history, question, fact, other",
    [
        (["省规划专栏8里南京是怎么定位的？"], "它要建设什么科学中心？", "综合性科学中心", "徐州市"),
        (["省规划专栏8对徐州怎么定位？"], "它要争创什么示范区？", "可持续发展议程创新示范区", "苏州市"),
        ([], "省规划专栏8里苏州要加快建设哪些重大载体？", "太湖科学城", "南京市"),
    ],
)
def test_the_item_a_conversation_names_is_shown_alone(runtime, history, question, fact, other):
    a = ask(runtime, question, history)
    assert fact in a.answer and other not in a.answer, a.answer


@pytest.mark.parametrize(
    "question, facts, absent",
    [
        ("南通的研发强度十四五目标和苏南的无锡相比哪个高", ["3左右", "无锡"], "比重达2.55%"),
        ("南通的研发投入强度目标跟苏南的镇江比差多少", ["3左右", "2.8"], "比重达2.55%"),
        ("南通高企数量的十四五目标跟苏南的苏州比怎么样", ["3600"], "高新技术产业产值"),
    ],
)
def test_a_target_compared_with_another_plans_city(runtime, question, facts, absent):
    # each plan's own target (a cell of its indicator table), not a past figure or a row that
    # only shares a word
    a = ask(runtime, question)
    assert all(f in a.answer for f in facts) and absent not in a.answer, a.answer


@pytest.mark.parametrize(
    "question, fact",
    [
        ("江苏 技术合同成交额 目标", "3500"),
        ("江苏 科技进步贡献率 2025", "70%"),
        ("江苏 每万名劳动力中研发人员 目标", "200人"),
    ],
)
def test_keywords_naming_the_province_get_the_provinces_figure(runtime, question, fact):
    a = ask(runtime, question)
    assert not a.refused and fact in flat(a), a.answer
    assert a.citations[0].doc_id == "jiangsu-sti-14fyp"
