"""The conversation log: masking and hashing (pure), then the same store tests against SQLite and
a real PostgreSQL server (the `db_url` fixture), including an outage of the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.logstore import (
    AnswerRecord,
    AskContext,
    ConversationLog,
    FeedbackOutcome,
    LogStore,
    Rating,
    Surface,
    hash_client,
    mask_personal_data,
)
from assistant.logstore.recorder import now_utc
from assistant.logstore.report import build_report, parse_since
from assistant.logstore.schema import SCHEMA_VERSION, SchemaTooNew, schema_version
from assistant.schemas import Answer, Citation

CITED = Answer(
    answer="到2025年，全社会研发投入占地区生产总值比重达到3.2%左右。[1]",
    citations=[
        Citation(
            n=1,
            doc_id="jiangsu-sti-14fyp",
            doc_title="江苏省“十四五”科技创新规划",
            section="二、发展目标",
            chunk_id="jiangsu-sti-14fyp:0123456789ab",
            quote="全社会研发投入占地区生产总值比重达到3.2%左右",
        )
    ],
    latency_ms=12.34,
)
REFUSED = Answer(answer="规划中没有关于该问题的内容。", refused=True, refusal_reason="资料中没有相关内容")


# ---------------------------------------------------------------- pure functions


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        (
            "我叫张三，电话13812345678，身份证320102199003074512，邮箱zhang.san@example.com，能申请吗？",
            "能申请吗",
        ),
        ("联系方式：+86 138-1234-5678 / 0513-8512 3456，证件号 32010219900307451X", "联系方式"),
        ("手机１３８１２３４５６７８，老身份证320102900307451，mail: a_b@qq.com.cn", "手机"),
        ("（025）83331234 是南京的电话，邮件 x@sti.gov.cn", "是南京的电话"),
    ],
)
def test_phone_id_card_and_email_are_masked(question, kept):
    masked = mask_personal_data(question)
    assert kept in masked
    for secret in (
        "13812345678",
        "1234-5678",
        "１３８１２３４５６７８",
        "8512 3456",
        "83331234",
        "320102199003074512",
        "32010219900307451X",
        "320102900307451",
        "example.com",
        "qq.com",
        "sti.gov.cn",
    ):
        assert secret not in masked, (secret, masked)
    assert "[电话]" in masked or "[身份证号]" in masked


def test_plan_figures_and_years_are_not_masked():
    question = "到2025年研发投入占比3.2%，高新技术企业数量达到50000家，专栏2的1+3+10+N是什么？"
    assert mask_personal_data(question) == question


def test_client_hash_is_keyed_and_hides_the_address():
    first, again, other_salt = (
        hash_client("10.1.2.3", b"s1"),
        hash_client("10.1.2.3", b"s1"),
        hash_client("10.1.2.3", b"s2"),
    )
    assert first == again != other_salt
    assert "10.1.2.3" not in first and hash_client(None, b"s1") is None


def test_since_accepts_spans_and_dates():
    now = now_utc()
    assert now - parse_since("7d", now=now) == timedelta(days=7)
    assert now - parse_since("24h", now=now) == timedelta(hours=24)
    assert parse_since("2026-11-01").day == 1
    with pytest.raises(ValueError, match="7d"):
        parse_since("last week")


# ---------------------------------------------------------------- the store, on both databases


def open_log(url: str, *, keep_questions: bool = True, **store_options) -> ConversationLog:
    return ConversationLog(
        LogStore(url, **store_options),
        keep_questions=keep_questions,
        salt=b"test-salt",
        queue_size=100,
        retention_days=180,
    )


@pytest.fixture
def conversation_log(db_url):
    log = open_log(db_url)
    yield log
    log.close()


def test_an_answer_is_stored_masked_with_its_citations(conversation_log):
    question = (
        "我是南通的企业，电话13912345678，邮箱boss@firm.cn，身份证320102199003074512，研发投入目标是多少？"
    )
    answer = conversation_log.record(
        CITED, AskContext(Surface.API, question, session_id="s-1", client="192.0.2.7")
    )
    assert answer.answer_id and len(answer.answer_id) == 32 and answer.answer == CITED.answer
    assert conversation_log.flush()
    row = conversation_log.store.answer(answer.answer_id)
    assert row["question"] == "我是南通的企业，电话[电话]，邮箱[邮箱]，身份证[身份证号]，研发投入目标是多少？"
    assert row["surface"] == "api" and row["session_id"] == "s-1" and not row["refused"]
    assert row["client_hash"] and "192.0.2.7" not in row["client_hash"]
    assert row["citations"][0]["chunk_id"] == "jiangsu-sti-14fyp:0123456789ab"
    assert row["citations"][0]["section"] == "二、发展目标" and row["latency_ms"] == pytest.approx(12.3)


def test_without_log_questions_only_counts_are_kept(db_url, tmp_path, monkeypatch):
    from assistant.logstore import open_conversation_log
    from assistant.settings import load_settings

    monkeypatch.setenv("PLANQA_DB_URL", db_url)
    monkeypatch.setenv("PLANQA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PLANQA_LOG_QUESTIONS", "0")  # as an operator writes it
    settings = load_settings()
    assert not settings.log_questions and not settings.access_log_questions  # two settings, two logs
    log = open_conversation_log(settings)
    try:
        answer = log.record(REFUSED, AskContext(Surface.CHAT, "南京有几个地铁站？"))
        assert (
            log.feedback(answer.answer_id, Rating.DOWN, "我想问的是地铁，电话13812345678")
            is FeedbackOutcome.SAVED
        )
        assert log.flush()
        row = log.store.answer(answer.answer_id)
        assert row["question"] is None and row["answer"] is None and row["question_chars"] == 9
        assert row["refused"] and row["refusal_reason"] == "资料中没有相关内容"
        assert row["rating"] == "down" and row["comment"] is None  # the rating counts; the text is not kept
    finally:
        log.close()


def test_feedback_is_kept_once_per_answer_and_unknown_answers_are_refused(conversation_log):
    answer = conversation_log.record(CITED, AskContext(Surface.WIDGET, "研发投入目标？"))
    assert conversation_log.feedback(answer.answer_id, Rating.UP, None) is FeedbackOutcome.SAVED
    assert (
        conversation_log.feedback(answer.answer_id, Rating.DOWN, "数字不对，电话13812345678")
        is FeedbackOutcome.SAVED
    )
    assert conversation_log.feedback("0" * 32, Rating.DOWN, None) is FeedbackOutcome.UNKNOWN_ANSWER
    assert conversation_log.flush()
    row = conversation_log.store.answer(answer.answer_id)
    assert row["rating"] == "down" and row["comment"] == "数字不对，电话[电话]"
    # an answer from before a restart is found in the database
    again = open_log(conversation_log.store.url)
    try:
        assert again.feedback(answer.answer_id, Rating.UP, "") is FeedbackOutcome.SAVED
        assert again.flush()
        assert again.store.answer(answer.answer_id)["rating"] == "up"
    finally:
        again.close()


def _old_answer(answer_id: str, days: int) -> AnswerRecord:
    return AnswerRecord(
        answer_id=answer_id,
        created_at=now_utc() - timedelta(days=days),
        surface=Surface.API,
        question="旧问题",
        question_chars=3,
        mode="answer",
        refused=False,
        backend="extractive",
        latency_ms=1.0,
    )


def test_old_rows_are_purged_with_their_feedback(db_url):
    from assistant.logstore.records import FeedbackRecord

    store = LogStore(db_url)
    try:
        store.migrate()
        store.write(
            [_old_answer("a" * 32, 200), _old_answer("b" * 32, 10)],
            [FeedbackRecord("a" * 32, now_utc(), Rating.DOWN, "旧评价")],
        )
        assert store.purge(now_utc() - timedelta(days=180)) == 1
        assert store.answer("a" * 32) is None and store.answer("b" * 32) is not None
    finally:
        store.close()
    # the writer purges by PLANQA_LOG_RETENTION_DAYS on start
    store = LogStore(db_url)
    store.migrate()
    store.write([_old_answer("c" * 32, 11)], [])
    log = ConversationLog(store, keep_questions=True, salt=b"s", queue_size=10, retention_days=10)
    try:
        log.record(CITED, AskContext(Surface.API, "新问题"))
        assert log.flush()
        assert store.answer("c" * 32) is None and store.answer("b" * 32) is None and store.count() == 1
    finally:
        log.close()


def test_schema_is_versioned_and_a_newer_one_is_refused(db_url):
    store = LogStore(db_url)
    try:
        store.migrate()
        store.migrate()  # idempotent
        with store.engine.begin() as conn:
            assert conn.execute(schema_version.select()).scalar() == SCHEMA_VERSION
            conn.execute(schema_version.update().values(version=SCHEMA_VERSION + 1))
    finally:
        store.close()
    newer = LogStore(db_url)
    try:
        with pytest.raises(SchemaTooNew, match="upgrade planqa"):
            newer.migrate()
    finally:
        newer.close()


def test_report_counts_days_surfaces_refused_topics_and_low_ratings(conversation_log):
    asked = [
        (CITED, Surface.API, "研发投入目标是多少？"),
        (CITED, Surface.API, "研发投入目标是多少？"),
        (REFUSED, Surface.CHAT, "南京地铁票价怎么算？"),
        (REFUSED, Surface.WIDGET, "地铁票价优惠政策有哪些？"),
        (REFUSED, Surface.STREAM, "人才公寓怎么申请？"),
    ]
    ids = [conversation_log.record(a, AskContext(s, q)).answer_id for a, s, q in asked]
    conversation_log.feedback(ids[0], Rating.DOWN, "没回答到我们区")
    conversation_log.feedback(ids[1], Rating.UP, None)
    assert conversation_log.flush()
    report = build_report(conversation_log.store, parse_since("1d"))
    assert report.answers == 5 and report.refused == 3
    assert report.surfaces == {"api": 2, "chat": 1, "stream": 1, "widget": 1}
    assert report.frequent[0]["question"] == "研发投入目标是多少？" and report.frequent[0]["times"] == 2
    top = report.refused_topics[0]
    assert "地铁" in top.key_terms[0] or "票价" in top.key_terms[0]
    assert top.count == 2
    assert [r["comment"] for r in report.low_rated] == ["没回答到我们区"]
    assert report.ratings == {"down": 1, "up": 1}


def test_a_follow_up_is_stored_with_the_standalone_question_it_was_read_as(db_url):
    """From the answer chain (a real pipeline over the corpus) to the row, the report and its CSV."""
    from assistant.logstore.report_files import csv_tables
    from assistant.schemas import Turn
    from tests.answer_fakes import pipeline

    pipe = pipeline()
    first = "我的电话13912345678，想问高新技术企业培育有哪些支持？"
    history = [Turn(role="user", content=first), Turn(role="assistant", content="……")]
    follow_up = "那苏州呢？"
    answer = pipe.invoke(follow_up, history)
    assert answer.condensed_question and "苏州" in answer.condensed_question
    assert "高新技术企业" in answer.condensed_question
    assert "condensed_question" not in answer.model_dump()  # the log's, not the HTTP answer's
    assert pipe.invoke(first).condensed_question is None  # a question that stands alone
    streamed = list(pipe.stream(follow_up, history))[-1]
    assert streamed.condensed_question == answer.condensed_question

    log = open_log(db_url)
    try:
        # refused, so that the report's topics show it; the answer's own text does not matter here
        refused = REFUSED.model_copy(update={"condensed_question": answer.condensed_question})
        answer_id = log.record(refused, AskContext(Surface.CHAT, follow_up)).answer_id
        log.record(REFUSED, AskContext(Surface.CHAT, "高新技术企业认定要交什么材料？"))
        log.feedback(answer_id, Rating.DOWN, "没看懂我问的是苏州")
        assert log.flush()
        row = log.store.answer(answer_id)
        assert row["question"] == follow_up
        assert "苏州" in row["condensed_question"] and "高新技术企业" in row["condensed_question"]
        assert "13912345678" not in row["condensed_question"] and "[电话]" in row["condensed_question"]
        report = build_report(log.store, parse_since("1d"))
        topic = report.refused_topics[0]
        # grouped with the other question by what it asked: '那苏州呢？' alone has no topic
        assert "高新技术企业" in " ".join(topic.key_terms) and topic.count == 2
        low = csv_tables(report)["low_rated_answers.csv"]
        assert low[0][3] == "condensed_question" and low[1][3] == row["condensed_question"]
    finally:
        log.close()
    counts_only = open_log(db_url, keep_questions=False)
    try:
        answer_id = counts_only.record(refused, AskContext(Surface.CHAT, follow_up)).answer_id
        assert counts_only.flush()
        assert counts_only.store.answer(answer_id)["condensed_question"] is None
    finally:
        counts_only.close()


def _outage(request, db_url):
    """Stop the database, and give back a function that brings it back."""
    if db_url.startswith("postgresql"):
        server = request.getfixturevalue("postgres")
        server.stop()
        return server.start
    # SQLite: another process holds the write lock (a long backup would), so writes time out
    import sqlite3

    blocker = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    return blocker.rollback


def test_a_database_outage_delays_rows_and_they_resume(request, db_url):
    log = open_log(db_url, busy_ms=200)
    try:
        log.record(CITED, AskContext(Surface.API, "停机前"))
        assert log.flush() and log.health().status == "ok"
        restore = _outage(request, db_url)
        try:
            answers = [log.record(CITED, AskContext(Surface.API, f"停机中 {i}")) for i in range(3)]
            assert all(a.answer_id for a in answers)  # answers keep coming
            assert not log.flush(timeout=3)
            assert log.health().status == "degraded" and log.health().detail
        finally:
            restore()
        assert log.flush(timeout=20)
        assert log.health().status == "ok"
        assert log.store.count() == 4
    finally:
        log.close()


def test_a_full_queue_drops_rows_without_blocking(tmp_path):
    log = ConversationLog(
        LogStore(f"sqlite:///{tmp_path / 'q.sqlite3'}"),
        keep_questions=True,
        salt=b"s",
        queue_size=2,
        retention_days=1,
    )
    log.writer._stop.set()  # the writer thread stops taking rows: the queue fills
    log.writer._thread.join(timeout=5)
    answers = [log.record(CITED, AskContext(Surface.API, f"问题{i}")) for i in range(5)]
    assert all(a.answer_id for a in answers)
    assert log.writer.dropped == 3
