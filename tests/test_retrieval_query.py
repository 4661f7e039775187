import pytest

from retrieval import segment
from retrieval.errors import InvalidInput
from retrieval.query import expand_aliases, normalize_query, prepare_query, weighted_tokens
from retrieval.terms import load_aliases


@pytest.mark.parametrize(
    "question, core",
    [
        ("请问江苏省研发投入强度目标是多少？", "江苏省研发投入强度目标"),
        ("苏南自创区有哪些产业创新集群?", "苏南自创区 产业创新集群"),
        ("什么是揭榜挂帅？", "揭榜挂帅"),
        ("南通要建紫琅实验室吗", "南通要建紫琅实验室"),
        ("ＳＵＰＥＲ工程　的内容", "SUPER工程 的内容"),  # NFKC: full-width letters and space
        ("请问", "请问"),  # nothing left after stripping: keep the text
    ],
)
def test_normalize_query(question, core):
    assert normalize_query(question) == core


GROUPS = [("卓越工程", "SUPER工程"), ("高新技术企业", "高企"), ("碳达峰碳中和", "双碳")]


def test_aliases_expand_both_ways():
    assert expand_aliases("SUPER工程的任务", GROUPS) == ["卓越工程"]
    assert expand_aliases("卓越工程的任务", GROUPS) == ["SUPER工程"]
    assert expand_aliases("super工程", GROUPS) == ["卓越工程"]  # case-insensitive


def test_short_alias_needs_a_word_match():
    assert expand_aliases("提高企业创新能力", GROUPS, segment.words("提高企业创新能力")) == []
    assert expand_aliases("高企数量", GROUPS, segment.words("高企数量")) == ["高新技术企业"]


def test_names_already_present_are_not_repeated():
    assert expand_aliases("双碳即碳达峰碳中和", GROUPS) == []


def test_shipped_aliases():
    groups = load_aliases()
    prepared = prepare_query("研发投入强度是多少？", groups, segment.words)
    assert "研发投入占地区生产总值比重" in prepared.expansions
    prepared = prepare_query("省产研院做什么", groups, segment.words)
    assert "省产业技术研究院" in prepared.expansions
    assert prepared.search_text.startswith(prepared.text)


def test_embedding_gets_only_the_plans_own_name():
    prepared = prepare_query("SUPER工程和高企", GROUPS, segment.words)
    assert prepared.canonical == ["卓越工程", "高新技术企业"]
    assert prepared.dense_text == "SUPER工程和高企 卓越工程 高新技术企业"
    assert prepare_query("卓越工程", GROUPS).canonical == []  # already the plans' wording


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_empty_question_is_refused(blank):
    with pytest.raises(InvalidInput, match="请输入问题"):
        prepare_query(blank, GROUPS)


def test_alias_tokens_weigh_less_than_the_questions_own():
    prepared = prepare_query("SUPER工程的任务", GROUPS, segment.words)
    weights = weighted_tokens(prepared, segment.tokenize, alias_weight=0.5)
    assert weights["卓越工程"] == 0.5 and weights["super工程"] == 1.0
    assert weights["工程"] == 1.0  # in both: the question's weight wins
