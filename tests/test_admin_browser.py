"""Chromium on the admin page: upload a PDF, see its parse summary, ask about it in the chat and get
a cited answer, delete it, and the answer is gone. A real runtime (hash embeddings) serves it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.admin_fixtures import ADMIN_KEY, admin_runtime, linjiang_pdf
from tests.api_fakes import live_server
from ui.app import create_app

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
QUESTION = "临江市设立的科创母基金规模是多少？"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: run `make browser-deps`"),
]


@pytest.fixture
def page(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.on("dialog", lambda d: d.accept())  # the delete confirmation
        yield page
        browser.close()


def ask_chat(page, url: str, question: str) -> str:
    """Ask in the chat at /ui and return the bot's reply once it has stopped growing."""
    page.goto(f"{url}/ui/")
    box = page.locator("#planqa-question textarea")
    box.wait_for()
    # Gradio drops input typed before its client is connected: type until the value sticks
    for _ in range(50):
        box.fill(question)
        page.wait_for_timeout(200)
        if box.input_value() == question:
            break
    page.locator("#planqa-send").click()
    reply = page.locator("#planqa-chat .bot").last
    reply.wait_for()
    text, same = "", 0
    while same < 5:
        page.wait_for_timeout(200)
        now = reply.inner_text()
        same = same + 1 if now == text and now.strip() else 0
        text = now
    return text


def test_upload_summary_chat_and_delete(page, tmp_path):
    runtime = admin_runtime(tmp_path)
    pdf = linjiang_pdf(tmp_path / "临江市十五五科技创新规划.pdf")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server(create_app(runtime.settings, runtime)) as url:
        page.goto(f"{url}/admin")
        assert page.locator("#admin").is_hidden()  # nothing shown before the key
        page.locator("#key").fill("wrong")
        page.locator("#enter").click()
        page.get_by_text("管理员密钥无效").wait_for()
        page.locator("#key").fill(ADMIN_KEY)
        page.locator("#enter").click()
        page.locator("#documents tr[data-doc-id='mini-plan']").wait_for()

        page.locator("#files").set_input_files(str(pdf))
        page.locator("#upload").click()
        summary = page.locator("#added-list .summary").first
        summary.wait_for()
        assert "《临江市“十五五”科技创新发展规划》：章节 15，专栏 2，表格 1" in summary.inner_text()
        page.get_by_text("添加完成，已上线").wait_for()
        row = page.locator("#documents tr", has_text="临江市“十五五”科技创新发展规划")
        row.get_by_text("已上线").wait_for()
        doc_id = row.get_attribute("data-doc-id")
        page.screenshot(path=str(SHOTS / "admin-uploaded.png"), full_page=True)

        reply = ask_chat(page, url, QUESTION)
        assert "100亿元" in reply
        citation = page.locator("#planqa-citations label").first
        citation.wait_for()
        assert "临江市" in page.locator("#planqa-citations").inner_text()

        page.goto(f"{url}/admin")
        page.locator(f"#documents tr[data-doc-id='{doc_id}'] button.delete").click()
        page.get_by_text("删除完成，已上线").wait_for()
        assert page.locator(f"#documents tr[data-doc-id='{doc_id}']").count() == 0

        reply = ask_chat(page, url, QUESTION)
        assert "100亿元" not in reply
        citations = page.locator("#planqa-citations")  # gone with a refusal, or citing other plans
        assert citations.count() == 0 or "临江市“十五五”" not in citations.inner_text()
