"""Issue 12's pure pieces, with small examples: text normalisation, inert reply subjects, the
cost-weighted limiter, the chat guard's event checks, and a query that fails alone (hash index)."""

from __future__ import annotations

import pytest

from assistant.api.chat_guard import EventSpec, check_event, fits
from assistant.api.security import SlidingWindowLimiter, question_cost
from assistant.markup import inert
from assistant.pipeline import reply_topic
from assistant.validation import clean_question, normalise_text, validate_history


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("\ud800 研发", " 研发"),
        ("研发\udfff投入", "研发投入"),
        ("目标\ufffe\uffff\U0010ffff？", "目标？"),
        ("研发\x00投入\u202e目标", "研发 投入 目标"),
        ("\U0001f600 表情可以", "\U0001f600 表情可以"),  # a real astral character stays
        ("ｅ５ 全角", "ｅ５ 全角"),  # shown as typed: NFC, not NFKC
    ],
)
def test_normalise_text_drops_what_is_not_a_character(raw, clean):
    assert normalise_text(raw) == clean
    normalise_text(raw).encode("utf-8")  # always encodable


def test_a_question_of_only_invalid_code_points_is_blank():
    from retrieval.errors import InvalidInput

    with pytest.raises(InvalidInput, match="不能为空"):
        clean_question("\ud800\udfff\x00", 100)
    assert validate_history([{"role": "user", "content": "研发\ud800投入"}], 100)[0].content == "研发投入"


@pytest.mark.parametrize(
    "question,forbidden",
    [
        ("[点我](javascript:alert(1)) 创新券政策", ("](", "javascript", "[")),
        ("<img src=x onerror=alert(1)>南通的目标", ("<", ">", "onerror=")),
        ("![x](http://evil.example/?q=1) 研发投入", ("http", "evil.example", "!")),
        ("看 www.evil.example 上的说明", ("www.",)),
        ("**加粗** `代码` #标题", ("*", "`", "#")),
    ],
)
def test_reply_subjects_are_inert(question, forbidden):
    topic = reply_topic(question)
    assert topic.startswith("“") and topic.endswith("”")
    for needle in forbidden:
        assert needle not in topic, (needle, topic)


def test_plain_questions_keep_their_subject():
    assert reply_topic("请问苏科贷（科技贷款）的申请条件？") == "“苏科贷（科技贷款）的申请条件”"
    assert inert("南通 3600 家") == "南通 3600 家"
    assert reply_topic("<b></b>") == "来函事项"


def test_a_long_question_costs_more_against_the_limit():
    assert [question_cost(n, 250) for n in (1, 250, 251, 2000)] == [1, 1, 2, 8]
    clock = [0.0]
    limiter = SlidingWindowLimiter(10, clock=lambda: clock[0])
    assert limiter.hit("ip", 8) is None
    assert limiter.hit("ip", 3) is not None  # 11 > 10: refused, and not recorded
    assert limiter.hit("ip", 2) is None and limiter.blocked("ip") is not None
    clock[0] = 61.0
    assert limiter.blocked("ip") is None and limiter.hit("ip", 99) is None  # capped at the limit


SPECS = {
    1: EventSpec(
        ({"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "boolean"}, {}), True
    ),
    2: EventSpec((), False),
}


def test_a_well_formed_event_passes():
    spec, session, text = check_event(
        {"fn_index": 1, "data": ["南通目标？", ["doc"], False, [{"any": 1}]], "session_hash": "abc"}, SPECS
    )
    assert spec.answers and session == "abc" and text == "南通目标？"
    assert check_event({"fn_index": 2, "data": []}, SPECS)[1] is None


@pytest.mark.parametrize(
    "body,says",
    [
        ([], "JSON 对象"),
        ({"data": []}, "fn_index"),
        ({"fn_index": 999, "data": []}, "fn_index"),
        ({"fn_index": True, "data": []}, "fn_index"),
        ({"fn_index": 1, "data": ["x"]}, "4 个值"),
        ({"fn_index": 1, "data": [1, [], False, None]}, "第 1 个值"),
        ({"fn_index": 1, "data": ["x", [1], False, None]}, "第 2 个值"),
        ({"fn_index": 1, "data": ["x", [], "yes", None]}, "第 3 个值"),
        ({"fn_index": 2, "data": [], "session_hash": "x" * 65}, "session_hash"),
    ],
)
def test_malformed_events_say_what_is_wrong(body, says):
    with pytest.raises(ValueError, match=says):
        check_event(body, SPECS)


def test_json_types():
    assert fits(None, {"type": "string"}) and fits(3, {"type": "number"}) and fits({}, {})
    assert not fits(True, {"type": "number"}) and not fits("3", {"type": "integer"})
