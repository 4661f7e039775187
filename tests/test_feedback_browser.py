"""Chromium: 👎 with a comment in the chat page shows up in the admin report; the widget's
feedback reaches the conversation log too. Needs `make browser-deps` (skipped without Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import test_ui_browser
from tests.api_fakes import FakeService, live_server, serving_settings
from tests.test_ui_browser import CHROMIUM, SHOTS, ask_widget, goto_ui, open_widget, shot
from ui.app import create_app

browser = test_ui_browser.browser  # the same Chromium fixtures as the chat and widget tests
page = test_ui_browser.page

ADMIN_KEY = "admin-browser-key"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: run `make browser-deps`"),
]


@pytest.fixture(scope="module")
def logged_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feedback-log")
    settings = serving_settings(
        conversation_log=True,
        db_url=f"sqlite:///{folder / 'log.sqlite3'}",
        data_dir=folder,
        admin_keys=[ADMIN_KEY],
    )
    app = create_app(settings, FakeService(delay=0.01))
    with live_server(app) as url:
        yield url, app.state


def test_thumbs_down_with_a_comment_in_the_chat_reaches_the_admin_report(page, browser, logged_server):
    url, state = logged_server
    goto_ui(page, url)  # leaves the example question 专栏2列了哪些项目？ in the box
    page.locator("#planqa-send").click()
    answer_ref = page.locator("#planqa-answer-id")
    answer_ref.wait_for()
    answer_id = re.search(r"[0-9a-f]{32}", answer_ref.inner_text())[0]
    page.locator("#planqa-feedback-comment textarea").fill("缺少燃气轮机项目的进度")
    page.locator("#planqa-down").click()
    page.locator("#planqa-feedback-status", has_text="已记为“没用”").wait_for()
    shot(page, "ui-feedback")
    assert state.conversation_log.flush()

    admin = browser.new_context(http_credentials={"username": "admin", "password": ADMIN_KEY}, locale="zh-CN")
    try:
        report = admin.new_page()
        report.goto(f"{url}/admin/report")
        row = report.locator("#low-rated + table tr", has_text="缺少燃气轮机项目的进度")
        row.wait_for()
        assert "专栏2列了哪些项目？" in row.inner_text() and "chat" in row.inner_text()
        assert report.locator("img[alt='每日拒答率']").count() == 1
        report.screenshot(path=str(SHOTS / "admin-report.png"), full_page=True)
        row.locator("a", has_text="专栏2列了哪些项目？").click()
        report.wait_for_url(f"**/admin/answers/{answer_id}")
        assert "没用" in report.locator("body").inner_text()
        report.screenshot(path=str(SHOTS / "admin-report-answer.png"), full_page=True)
    finally:
        admin.close()


def test_widget_feedback_reaches_the_conversation_log(page, logged_server):
    url, state = logged_server
    open_widget(page, url)
    ask_widget(page, "苏州万人高价值发明专利拥有量目标是多少？")
    down = page.locator(".msg.assistant .rate .down").last
    down.wait_for()
    answer_id = page.locator(".msg.assistant .rate").last.get_attribute("title").split()[-1]
    down.click()
    page.locator(".rate .status", has_text="谢谢评价").wait_for()
    page.locator(".rate input").last.fill("目标年份不对")
    page.locator(".rate .send-comment").last.click()
    page.locator(".rate .status", has_text="评语已记录").wait_for()
    shot(page, "widget-feedback")
    assert state.conversation_log.flush()
    row = state.conversation_log.store.answer(answer_id)
    assert row["surface"] == "widget" and row["rating"] == "down" and row["comment"] == "目标年份不对"
    assert row["session_id"].startswith("w-")
