"""The Gradio chat (mounted at `/ui`): streamed, cited answers over the plans, in Chinese.

It calls the same `AssistantService` as the HTTP API, in-process. The chatbot renders plain text
(markdown off) and every message is HTML-escaped first, so `<img onerror=…>` shows as text.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.logstore import AskContext, ConversationLog, FeedbackOutcome, Rating, Surface  # noqa: E402
from assistant.schemas import Answer, Citation, Turn  # noqa: E402
from assistant.service import AssistantService  # noqa: E402
from retrieval.errors import PlanqaError  # noqa: E402
from retrieval.models import Chunk  # noqa: E402

logger = logging.getLogger("planqa.ui")

EXAMPLES = [
    "到2025年江苏全社会研发投入占地区生产总值比重的目标？",
    "专栏2列了哪些项目？",
    "苏州万人高价值发明专利拥有量目标是多少？",
    "我们是南通的小微企业，能用哪些政策工具？",
]

# System fonts only: the default theme would fetch Google Fonts, and nothing may download here.
THEME = gr.themes.Soft(
    font=["PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "sans-serif"],
    font_mono=["ui-monospace", "Consolas", "monospace"],
)

CSS = """
#planqa-notice { border-left: 4px solid #d97706; background: #fffbeb; padding: 6px 12px; border-radius: 6px; }
#planqa-citations label { font-size: 0.92em; }
"""

ServiceGetter = Callable[[], AssistantService | None]
# The page's events that compose an answer: rate-limited like /api/ask (assistant.api.chat_guard).
ANSWER_EVENTS = frozenset({"respond"})
QUEUE_SIZE = 64  # events waiting in the page's queue; more get "queue full"
# Components that upload files: the page takes uploads only if it has one.
UPLOADING = (
    gr.File,
    gr.UploadButton,
    gr.Image,
    gr.Audio,
    gr.Video,
    gr.Gallery,
    gr.MultimodalTextbox,
    gr.Model3D,
)


def takes_uploads(blocks: gr.Blocks) -> bool:
    return any(isinstance(block, UPLOADING) for block in blocks.blocks.values())


LogGetter = Callable[[], ConversationLog | None]
RATING_THANKS = {
    Rating.UP: "感谢评价：已记为“有用”。",
    Rating.DOWN: "感谢评价：已记为“没用”，我们会据此改进。",
}


def shown(text: str) -> str:
    """Text for the chatbot, which renders (sanitised) HTML when markdown is off: escaped, so
    `<img onerror=…>` or `[link](…)` is displayed exactly as typed, never rendered or run."""
    return html.escape(text, quote=False)


def citation_label(c: Citation, quote_chars: int = 40) -> str:
    """`[n] 文档 › 章节 › 专栏：“quote…”`; the quote tells apart citations from one section."""
    where = " › ".join(p for p in (c.doc_title, c.section, c.column) if p)
    quote = c.quote if len(c.quote) <= quote_chars else c.quote[:quote_chars] + "…"
    return f"[{c.n}] {where}：“{quote}”" if quote else f"[{c.n}] {where}"


def passage_header(chunk: Chunk) -> str:
    path = " › ".join([chunk.doc_title, *chunk.section_path])
    return f"{path}  ·  {chunk.column}" if chunk.column else path


def _notice(message: str | None):
    if not message:
        return gr.Markdown(value="", visible=False)
    return gr.Markdown(value=f"⚠️ {shown(message)}", visible=True)


def _client(request: gr.Request | None) -> tuple[str | None, str | None]:
    """The Gradio session (one browser tab) and the client's address."""
    if request is None:
        return None, None
    client = getattr(request, "client", None)
    return getattr(request, "session_hash", None), getattr(client, "host", None)


def last_answer_id(turns: list[dict]) -> str | None:
    return next((t.get("answer_id") for t in reversed(turns) if t["role"] == "assistant"), None)


def build_chat(get_service: ServiceGetter, get_log: LogGetter = lambda: None) -> gr.Blocks:
    """The chat page; `get_service` and `get_log` are called per request (both are built in the
    lifespan). With a conversation log, each answer shows its id and 👍/👎 with a comment."""

    def logged(answer: Answer, question: str, reply_mode: bool, request: gr.Request | None) -> Answer:
        log = get_log()
        if log is None:
            return answer
        session, client = _client(request)
        mode = "reply" if reply_mode else "answer"
        return log.record(
            answer, AskContext(Surface.CHAT, question, mode=mode, session_id=session, client=client)
        )

    def show_feedback(turns: list[dict]):
        answer_id = last_answer_id(turns) if get_log() is not None else None
        return (
            gr.Row(visible=bool(answer_id)),
            gr.Markdown(value=f"回答编号 `{answer_id}`：这条回答有用吗？" if answer_id else ""),
            gr.Textbox(value=""),
            gr.Markdown(value="", visible=False),
        )

    def send_feedback(rating: Rating, comment: str, turns: list[dict]):
        log, answer_id = get_log(), last_answer_id(turns)
        if log is None or not answer_id:
            return gr.Markdown(value="暂时无法评价。", visible=True)
        outcome = log.feedback(answer_id, rating, (comment or "")[: log.comment_chars])
        message = (
            RATING_THANKS[rating] if outcome is FeedbackOutcome.SAVED else "评价暂时无法保存，请稍后再试。"
        )
        return gr.Markdown(value=message, visible=True)

    def load_documents():
        service = get_service()
        if service is None:
            return gr.Dropdown(choices=[])
        return gr.Dropdown(choices=[(d.title, d.doc_id) for d in service.documents()])

    def respond(
        question: str, doc_ids: list[str], reply_mode: bool, turns: list[dict], request: gr.Request = None
    ) -> Iterator:
        question = (question or "").strip()
        messages = [{"role": t["role"], "content": shown(t["content"])} for t in turns]
        if not question:
            yield (
                messages,
                "",
                _notice("请输入问题。"),
                gr.Radio(choices=[], value=None, visible=False, interactive=True),
                turns,
            )
            return
        messages = [
            *messages,
            {"role": "user", "content": shown(question)},
            {"role": "assistant", "content": "…"},
        ]
        no_citations = gr.Radio(choices=[], value=None, visible=False, interactive=True)
        yield messages, "", _notice(None), no_citations, turns
        service = get_service()
        if service is None:
            messages[-1] = {"role": "assistant", "content": "服务正在启动，请稍后再试。"}
            yield messages, "", _notice("索引尚未加载，暂时无法作答。"), no_citations, turns
            return
        written, answer = "", None
        try:
            history = [Turn(**t) for t in turns]
            stream = service.stream(
                question, history=history, doc_ids=doc_ids or None, mode="reply" if reply_mode else "answer"
            )
            for item in stream:
                if isinstance(item, Answer):
                    answer = item
                    break
                written += item
                messages[-1] = {"role": "assistant", "content": shown(written)}
                yield messages, "", _notice(None), no_citations, turns
        except PlanqaError as exc:
            messages[-1] = {"role": "assistant", "content": "（未能作答）"}
            yield messages, "", _notice(str(exc)), no_citations, turns
            return
        except Exception:
            logger.exception("chat answer failed")
            messages[-1] = {"role": "assistant", "content": "（内部错误）"}
            yield messages, "", _notice("内部错误，请稍后再试。"), no_citations, turns
            return
        if answer is None:
            yield messages, "", _notice("回答中断，请重试。"), no_citations, turns
            return
        answer = logged(answer, question, reply_mode, request)
        messages[-1] = {"role": "assistant", "content": shown(answer.answer)}
        turns = [
            *turns,
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.answer, "answer_id": answer.answer_id},
        ]
        notice = (
            f"未能根据规划原文作答：{answer.refusal_reason or '资料中没有相关内容'}"
            if answer.refused
            else None
        )
        citations = gr.Radio(
            choices=[(citation_label(c), c.chunk_id) for c in answer.citations],
            value=None,
            visible=bool(answer.citations),
            interactive=True,
        )
        yield messages, "", _notice(notice), citations, turns

    def open_passage(selected: gr.SelectData):
        chunk_id = selected.value
        service = get_service()
        chunk = service.chunk(chunk_id) if (service and chunk_id) else None
        if chunk is None:
            return gr.Accordion(visible=False), "", ""
        return gr.Accordion(visible=True, open=True), passage_header(chunk), chunk.text

    def clear():
        return (
            [],
            [],
            _notice(None),
            gr.Radio(choices=[], value=None, visible=False, interactive=True),
            gr.Accordion(visible=False),
        )

    with gr.Blocks(title="规划问答") as demo:
        gr.Markdown(
            "## 规划问答\n依据江苏省五份科技创新规划作答，每个结论标注出处；规划未涉及的问题会说明无法回答。"
        )
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="对话",
                    show_label=False,
                    height=420,
                    buttons=["copy"],
                    feedback_options=None,
                    render_markdown=False,  # answers are plain text; see `shown`
                    elem_id="planqa-chat",
                )
                notice = gr.Markdown(visible=False, elem_id="planqa-notice")
                citations = gr.Radio(
                    label="引用出处（点击查看原文）",
                    choices=[],
                    visible=False,
                    interactive=True,
                    elem_id="planqa-citations",
                )
                with gr.Column(visible=False, elem_id="planqa-feedback") as feedback_row:
                    answer_ref = gr.Markdown(elem_id="planqa-answer-id")
                    with gr.Row():
                        comment = gr.Textbox(
                            placeholder="可选：补充说明（哪里不对、缺了什么）",
                            show_label=False,
                            scale=4,
                            max_lines=3,
                            elem_id="planqa-feedback-comment",
                        )
                        up = gr.Button("👍 有用", scale=0, min_width=90, elem_id="planqa-up")
                        down = gr.Button("👎 没用", scale=0, min_width=90, elem_id="planqa-down")
                feedback_status = gr.Markdown(visible=False, elem_id="planqa-feedback-status")
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="请输入关于规划的问题…",
                        show_label=False,
                        scale=5,
                        elem_id="planqa-question",
                    )
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="planqa-send")
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="示例问题")
            with gr.Column(scale=2):
                doc_filter = gr.Dropdown(
                    label="限定文档（不选则检索全部）", multiselect=True, choices=[], elem_id="planqa-docs"
                )
                reply_mode = gr.Checkbox(
                    label="起草答复（按答复来信的口吻撰写）", value=False, elem_id="planqa-reply"
                )
                clear_btn = gr.Button("清空对话")
                with gr.Accordion(
                    "原文段落", open=True, visible=False, elem_id="planqa-passage"
                ) as passage_box:
                    passage_where = gr.Textbox(
                        label="出处（章节 · 专栏）",
                        lines=2,
                        interactive=False,
                        elem_id="planqa-passage-where",
                    )
                    passage_text = gr.Textbox(
                        label="原文", lines=10, max_lines=24, interactive=False, elem_id="planqa-passage-text"
                    )

        inputs = [question, doc_filter, reply_mode, turns]
        outputs = [chatbot, question, notice, citations, turns]
        feedback_outputs = [feedback_row, answer_ref, comment, feedback_status]
        for trigger in (send.click, question.submit):
            trigger(respond, inputs, outputs, concurrency_limit=4, api_visibility="private").then(
                show_feedback, [turns], feedback_outputs, queue=False, api_visibility="private"
            )
            trigger(
                lambda: gr.Accordion(visible=False),
                None,
                [passage_box],
                queue=False,
                api_visibility="private",
            )
        citations.select(
            open_passage, None, [passage_box, passage_where, passage_text], api_visibility="private"
        )
        for trigger in (clear_btn.click, chatbot.clear):
            trigger(
                clear, None, [chatbot, turns, notice, citations, passage_box], api_visibility="private"
            ).then(show_feedback, [turns], feedback_outputs, queue=False, api_visibility="private")
        for button, rating in ((up, Rating.UP), (down, Rating.DOWN)):
            button.click(
                lambda text, history, rating=rating: send_feedback(rating, text, history),
                [comment, turns],
                [feedback_status],
                api_visibility="private",
            )
        demo.load(load_documents, None, [doc_filter], api_visibility="private")
    return demo


def mount_chat(
    app,
    get_service: ServiceGetter,
    *,
    path: str = "/ui",
    login: Callable[[str, str], bool] | None = None,
    get_log: LogGetter = lambda: None,
):
    """Mount the chat on a FastAPI app; with `login`, the page asks for a user name and key first.

    Queued events are reachable only through the queue (api_open=False), which bounds them
    (QUEUE_SIZE waiting); `/run/…` keeps only the page's instant, unqueued events."""
    blocks = build_chat(get_service, get_log).queue(api_open=False, max_size=QUEUE_SIZE)
    return gr.mount_gradio_app(
        app,
        blocks,
        path=path,
        auth=login,
        auth_message="请输入 API 密钥作为密码（用户名任意）。" if login else None,
        footer_links=[],
        ssr_mode=False,
        mcp_server=False,
        theme=THEME,
        css=CSS,
    )


class GradioChat:
    """This chat page as assistant.api.app mounts it (its `ChatPage` interface)."""

    answer_events = ANSWER_EVENTS

    def mount(self, app, get_service: ServiceGetter, *, login=None, get_log: LogGetter = lambda: None):
        return mount_chat(app, get_service, login=login, get_log=get_log)

    def takes_uploads(self, blocks: gr.Blocks) -> bool:
        return takes_uploads(blocks)


GRADIO_CHAT = GradioChat()
