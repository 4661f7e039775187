"""The conversation log through a real server: every surface's answer gets an `answer_id` that is
stored, POST /api/feedback, /healthz while the database is down, the admin report and
`planqa report`; on SQLite and on a real PostgreSQL server (`db_url`)."""

from __future__ import annotations

import json

import httpx
import pytest

from planqa.cli import main as planqa
from tests.api_fakes import FakeService, live_server, serving_settings
from ui.app import create_app

pytestmark = pytest.mark.slow

ADMIN_KEY = "admin-test-key"
PRIVATE = "我们是南通的小微企业，电话13812345678，邮箱boss@firm.cn，能用哪些政策？"


@pytest.fixture
def served(db_url, tmp_path):
    settings = serving_settings(
        conversation_log=True,
        db_url=db_url,
        data_dir=tmp_path,
        admin_keys=[ADMIN_KEY],
        feedback_comment_chars=50,
    )
    app = create_app(settings, FakeService())
    with live_server(app) as url, httpx.Client(base_url=url, timeout=15) as client:
        yield client, app.state


def stored(state, answer_id: str) -> dict:
    assert state.conversation_log.flush()
    return state.conversation_log.store.answer(answer_id)


def sse_events(response) -> list:
    return [
        json.loads(line[6:])
        for line in response.iter_lines()
        if line.startswith("data: ") and line != "data: [DONE]"
    ]


def test_every_http_surface_hands_out_a_stored_answer_id(served):
    client, state = served
    answer = client.post("/api/ask", json={"question": PRIVATE}, headers={"X-Session-Id": "sess-1"}).json()
    row = stored(state, answer["answer_id"])
    assert row["surface"] == "api" and row["session_id"] == "sess-1"
    assert row["question"] == "我们是南通的小微企业，电话[电话]，邮箱[邮箱]，能用哪些政策？"
    assert row["citations"] and row["citations"][0]["doc_id"] == "nantong-sti-14fyp"

    with client.stream("POST", "/api/ask/stream", json={"question": "专栏2列了哪些项目？"}) as response:
        final = sse_events(response)[-1]
    assert final["done"] and stored(state, final["answer"]["answer_id"])["surface"] == "stream"

    widget = {"X-Planqa-Client": "widget", "X-Session-Id": "w-abc"}
    with client.stream(
        "POST", "/api/ask/stream", json={"question": "今天天气如何？"}, headers=widget
    ) as response:
        final = sse_events(response)[-1]
    row = stored(state, final["answer"]["answer_id"])
    assert row["surface"] == "widget" and row["refused"] and row["session_id"] == "w-abc"

    completion = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "研发投入目标？"}]}
    ).json()
    assert completion["id"] == f"chatcmpl-{completion['answer_id']}"
    assert stored(state, completion["answer_id"])["surface"] == "openai"
    body = {"messages": [{"role": "user", "content": "研发投入目标？"}], "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        chunks = sse_events(response)
    assert (
        chunks[-1]["answer_id"]
        and chunks[-1]["id"] == chunks[0]["id"] == f"chatcmpl-{chunks[-1]['answer_id']}"
    )
    assert stored(state, chunks[-1]["answer_id"])["surface"] == "openai"
    assert (
        client.post("/api/feedback", json={"answer_id": chunks[0]["id"], "rating": "up"}).status_code == 200
    )


def test_feedback_is_saved_and_bad_feedback_refused(served):
    client, state = served
    answer_id = client.post("/api/ask", json={"question": "研发投入目标？"}).json()["answer_id"]
    saved = client.post(
        "/api/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "数字过时了"}
    )
    assert saved.status_code == 200 and saved.json() == {
        "answer_id": answer_id,
        "rating": "down",
        "saved": True,
    }
    row = stored(state, answer_id)
    assert row["rating"] == "down" and row["comment"] == "数字过时了"

    def post(**body):
        return client.post("/api/feedback", json={"answer_id": answer_id, "rating": "up", **body})

    assert post(answer_id="f" * 32).status_code == 404
    assert "answer_id" in post(answer_id="../etc/passwd").json()["detail"]  # 404, nothing looked up
    assert post(rating="meh").status_code == 422
    too_long = post(comment="很" * 51)
    assert too_long.status_code == 422 and "50" in too_long.json()["detail"]
    assert post(extra="x").status_code == 422
    assert (
        client.post(
            "/api/feedback", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


def test_feedback_is_rate_limited_like_the_rest(db_url, tmp_path):
    settings = serving_settings(
        conversation_log=True, db_url=db_url, data_dir=tmp_path, rate_limit_per_minute=3
    )
    with live_server(create_app(settings, FakeService())) as url, httpx.Client(base_url=url) as client:
        answer_id = client.post("/api/ask", json={"question": "研发投入目标？"}).json()["answer_id"]
        codes = [
            client.post("/api/feedback", json={"answer_id": answer_id, "rating": "up"}).status_code
            for _ in range(3)
        ]
    assert codes[:2] == [200, 200] and codes[2] == 429


def test_without_the_log_there_is_no_answer_id_and_feedback_says_why(tmp_path):
    with (
        live_server(create_app(serving_settings(), FakeService())) as url,
        httpx.Client(base_url=url) as client,
    ):
        assert client.post("/api/ask", json={"question": "研发投入目标？"}).json()["answer_id"] is None
        refused = client.post("/api/feedback", json={"answer_id": "a" * 32, "rating": "up"})
        assert refused.status_code == 404 and "PLANQA_CONVERSATION_LOG" in refused.json()["detail"]
        assert client.get("/healthz").json()["log_store"] == "off"


def test_a_stopped_database_degrades_health_not_answers(postgres, tmp_path):
    # a database server that stops: PostgreSQL (a SQLite file cannot stop; its lock timeouts are
    # covered in test_logstore)
    settings = serving_settings(conversation_log=True, db_url=postgres.url, data_dir=tmp_path)
    app = create_app(settings, FakeService())
    with live_server(app) as url, httpx.Client(base_url=url, timeout=15) as client:
        log = app.state.conversation_log
        before = client.post("/api/ask", json={"question": "停机前的问题"}).json()
        assert log.flush() and client.get("/healthz").json()["log_store"] == "ok"
        count = log.store.count()
        postgres.stop()
        try:
            during = [client.post("/api/ask", json={"question": f"停机中的问题{i}"}) for i in range(5)]
            assert [r.status_code for r in during] == [200] * 5 and all(r.json()["answer_id"] for r in during)
            assert not log.flush(timeout=3)
            health = client.get("/healthz")
            assert health.status_code == 200
            assert health.json()["status"] == "degraded" and health.json()["log_store"] == "degraded"
            assert "rows waiting" in health.json()["log_store_detail"]
        finally:
            postgres.start()
        assert log.flush(timeout=30)
        assert client.get("/healthz").json()["log_store"] == "ok"
        assert log.store.count() == count + 5
        assert log.store.answer(during[-1].json()["answer_id"])["question"] == "停机中的问题4"
        assert before["answer_id"]


def test_admin_report_needs_the_admin_key_and_shows_the_gaps(served):
    client, state = served
    for question in ("南京地铁票价怎么算？", "地铁票价有优惠吗？天气", "研发投入目标？"):
        client.post("/api/ask", json={"question": question})
    answer_id = client.post("/api/ask", json={"question": "彩票中奖怎么交税？"}).json()["answer_id"]
    client.post(
        "/api/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "<b>不该拒答</b>"}
    )
    # a follow-up, as the answer chain hands it over: with the standalone question it was read as
    from assistant.logstore import AskContext, Surface
    from tests.test_logstore import REFUSED

    read_as = "南京地铁票价怎么算？ 那学生呢？"
    follow_up = state.conversation_log.record(
        REFUSED.model_copy(update={"condensed_question": read_as}), AskContext(Surface.API, "那学生呢？")
    ).answer_id
    client.post("/api/feedback", json={"answer_id": follow_up, "rating": "down", "comment": "追问没看懂"})
    state.conversation_log.flush()

    assert client.get("/admin/report").status_code == 401
    assert client.get("/admin/report", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = client.get("/admin/report", auth=("any", ADMIN_KEY))
    assert page.status_code == 200 and "script-src" not in page.headers["content-security-policy"]
    html = page.text
    assert (
        "彩票中奖怎么交税？" in html and "&lt;b&gt;不该拒答&lt;/b&gt;" in html and "<b>不该拒答" not in html
    )
    assert f"/admin/answers/{answer_id}" in html and "data:image/png;base64," in html
    detail = client.get(f"/admin/answers/{answer_id}", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert detail.status_code == 200 and "👎" in detail.text
    assert f"理解为：{read_as}" in html
    assert read_as in client.get(f"/admin/answers/{follow_up}", auth=("x", ADMIN_KEY)).text
    csv = client.get("/admin/report/low_rated_answers.csv", auth=("x", ADMIN_KEY))
    assert csv.status_code == 200 and answer_id in csv.text and read_as in csv.text
    assert client.get("/admin/report?since=yesterday", auth=("x", ADMIN_KEY)).status_code == 422
    assert client.get("/admin/answers/nope", auth=("x", ADMIN_KEY)).status_code == 404


def test_admin_pages_are_off_without_admin_keys(tmp_path):
    with live_server(create_app(serving_settings(), FakeService())) as url:
        assert httpx.get(f"{url}/admin/report", auth=("x", "anything")).status_code == 404


def test_planqa_report_writes_charts_and_csv(db_url, tmp_path, monkeypatch, capsys):
    from assistant.logstore import AskContext, Surface, open_conversation_log
    from assistant.settings import load_settings
    from tests.test_logstore import CITED, REFUSED

    monkeypatch.setenv("PLANQA_DB_URL", db_url)
    monkeypatch.setenv("PLANQA_DATA_DIR", str(tmp_path))
    log = open_conversation_log(load_settings())
    for answer, question in (
        (CITED, "研发投入目标？"),
        (REFUSED, "地铁票价怎么算？"),
        (REFUSED, "地铁怎么坐？"),
    ):
        log.record(answer, AskContext(Surface.CLI, question))
    log.close()
    out = tmp_path / "report"
    assert planqa(["report", "--since", "7d", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "回答 3 次" in printed and "地铁" in printed
    assert (out / "volume.png").read_bytes()[:4] == b"\x89PNG" and (out / "refusals.png").exists()
    assert "地铁票价怎么算？" in (out / "frequent_questions.csv").read_text(encoding="utf-8-sig")
    assert planqa(["report", "--since", "last week"]) == 2
    assert "7d" in capsys.readouterr().err
