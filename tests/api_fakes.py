"""A fake `AssistantService` with canned Chinese answers, and a live uvicorn server for it.

`FakeService` is a real implementation of the protocol (validation included), so the API, the
chat UI and the widget are tested against the same contract the runtime fulfils.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator, Sequence

import uvicorn

from assistant.schemas import Answer, Citation, DocumentInfo, Health, Mode, Turn
from assistant.settings import Settings, load_settings
from retrieval.errors import InvalidInput, UnknownDocument
from retrieval.models import Chunk, SearchHit

DOCUMENTS = [
    DocumentInfo(
        doc_id="jiangsu-sti-14fyp",
        title="江苏省“十四五”科技创新规划",
        level="province",
        region="江苏省",
        kind="plan",
        issuer="江苏省人民政府办公厅",
        doc_number="苏政办发〔2021〕62号",
        published="2021-09-02",
        period="2021-2025",
        chunks=2,
    ),
    DocumentInfo(
        doc_id="sunan-nidz-2021-2025",
        title="苏南国家自主创新示范区发展规划纲要（2021-2025年）",
        level="zone",
        region="苏南",
        kind="plan",
        chunks=1,
    ),
    DocumentInfo(
        doc_id="wangqin-tech-self-reliance",
        title="聚焦科技自立自强 加快建设科技强省",
        level="province",
        region="江苏省",
        kind="article",
    ),
    DocumentInfo(
        doc_id="jiangsu-hitech-14fyp-outline",
        title="江苏省“十四五”高新技术产业发展规划（提纲摘要）",
        level="province",
        region="江苏省",
        kind="outline",
    ),
    DocumentInfo(
        doc_id="nantong-sti-14fyp",
        title="南通市“十四五”科技创新规划",
        level="city",
        region="南通市",
        kind="plan",
        chunks=1,
    ),
]
_TITLES = {d.doc_id: d.title for d in DOCUMENTS}


def _chunk(chunk_id: str, path: list[str], text: str, column: str | None = None, kind: str = "text") -> Chunk:
    doc_id = chunk_id.split(":")[0]
    return Chunk(
        chunk_id=chunk_id,
        doc_id=doc_id,
        doc_title=_TITLES[doc_id],
        section_path=path,
        section=path[-1],
        column=column,
        kind=kind,
        text=text,
        char_start=0,
        char_end=len(text),
    )


CHUNKS = [
    _chunk(
        "jiangsu-sti-14fyp:3fa2c1d9e0b1",
        ["二、总体要求", "（三）主要目标"],
        "到2025年，全社会研发投入占地区生产总值比重达3.2%左右，科技进步贡献率达68%，高新技术企业数量超过4.5万家。",
    ),
    _chunk(
        "jiangsu-sti-14fyp:0b7e5a2c4d18",
        ["三、打造战略科技力量", "（二）建设重大科技基础设施"],
        "专栏2 重大科技基础设施建设\n1. 未来网络试验设施：建成覆盖全国的未来网络试验平台。\n2. 高效低碳燃气轮机试验装置：开展重型燃气轮机关键技术验证。",
        column="专栏2 重大科技基础设施建设",
        kind="column",
    ),
    _chunk(
        "sunan-nidz-2021-2025:5e6f7a8b9c0d",
        ["三、发展目标"],
        "到2025年，苏州万人高价值发明专利拥有量达到35件，示范区研发投入强度达到3.5%。",
    ),
    _chunk(
        "nantong-sti-14fyp:9c1d2e3f4a5b",
        ["五、优化创新生态", "（二）支持科技型中小企业"],
        "落实研发费用加计扣除、高新技术企业所得税优惠等政策，推广创新券，支持小微企业购买科技服务。",
    ),
]
_BY_ID = {c.chunk_id: c for c in CHUNKS}
OFF_TOPIC = ("天气", "股票", "彩票")


class FakeService:
    """Canned, cited answers; records calls in `.calls`; `.fail_with` makes the next calls raise."""

    def __init__(self, *, delay: float = 0.0):
        self.delay = delay  # seconds between streamed pieces, so a browser can see the stream
        self.calls: list[dict] = []
        self.fail_with: Exception | None = None
        self.fail_mid_stream: Exception | None = None  # raised by `stream` after the first piece

    # -- the protocol -------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> Answer:
        self.calls.append(
            {
                "method": "ask",
                "question": question,
                "history": list(history),
                "doc_ids": doc_ids,
                "mode": mode,
            }
        )
        self._maybe_fail()
        chunks = self._select(question, doc_ids)
        if any(word in question for word in OFF_TOPIC) or not chunks:
            return Answer(
                answer="抱歉，现有规划文本中没有与该问题相关的内容，无法作答。",
                refused=True,
                refusal_reason="检索到的段落与问题无关",
                backend="fake",
                latency_ms=1.0,
            )
        citations = [
            Citation(
                n=i,
                doc_id=c.doc_id,
                doc_title=c.doc_title,
                section=c.section,
                column=c.column,
                chunk_id=c.chunk_id,
                quote=c.text.split("\n")[0][:60],
            )
            for i, c in enumerate(chunks, start=1)
        ]
        body = "".join(f"{cit.quote}[{cit.n}]" for cit in citations)
        text = f"关于“{question}”：{body}"
        if mode == "reply":
            text = f"您好！感谢您的来信。{text}特此答复。"
        return Answer(answer=text, citations=citations, backend="fake", latency_ms=1.0)

    def stream(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> Iterator[str | Answer]:
        answer = self.ask(
            question, history=history, doc_ids=doc_ids, mode=mode
        )  # validates before the first item
        self.calls[-1]["method"] = "stream"

        def pieces() -> Iterator[str | Answer]:
            for start in range(0, len(answer.answer), 6):
                if self.delay:
                    time.sleep(self.delay)
                yield answer.answer[start : start + 6]
                if self.fail_mid_stream is not None:
                    raise self.fail_mid_stream
            yield answer

        return pieces()

    def search(self, query: str, *, k: int = 5, doc_ids: Sequence[str] | None = None) -> list[SearchHit]:
        self.calls.append({"method": "search", "query": query, "k": k, "doc_ids": doc_ids})
        self._maybe_fail()
        chunks = self._select(query, doc_ids, every=True)
        return [
            SearchHit(chunk=c, score=round(1.0 / (i + 1), 4), keyword_rank=i + 1)
            for i, c in enumerate(chunks[:k])
        ]

    def documents(self) -> list[DocumentInfo]:
        return list(DOCUMENTS)

    def chunk(self, chunk_id: str) -> Chunk | None:
        self.calls.append({"method": "chunk", "chunk_id": chunk_id})
        return _BY_ID.get(chunk_id)

    def health(self) -> Health:
        return Health(status="ok", index_loaded=True, chunks=len(CHUNKS), backend="fake", embeddings="hash")

    # -- helpers ------------------------------------------------------------------------------
    def _maybe_fail(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def _select(self, question: str, doc_ids: Sequence[str] | None, *, every: bool = False) -> list[Chunk]:
        if not question.strip():
            raise InvalidInput("问题不能为空")
        if doc_ids is not None:
            unknown = [d for d in doc_ids if d not in _TITLES]
            if unknown:
                raise UnknownDocument(unknown, list(_TITLES))
        pool = [c for c in CHUNKS if doc_ids is None or c.doc_id in doc_ids]
        topical = [c for c in pool if _topical(question, c)]
        return (topical or pool)[: (len(pool) if every else 2)]


def _topical(question: str, chunk: Chunk) -> bool:
    return (
        ("专栏" in question and chunk.column is not None)
        or ("苏州" in question and "苏州" in chunk.text)
        or ("南通" in question and chunk.doc_id == "nantong-sti-14fyp")
    )


def serving_settings(**overrides) -> Settings:
    """Settings with every serving option pinned, so a PLANQA_* variable in the shell changes nothing."""
    values = dict(
        host="127.0.0.1",
        api_keys=[],
        widget_keys=[],
        cors_origins=[],
        rate_limit_per_minute=0,
        max_body_bytes=64_000,
        max_question_chars=2000,
        access_log_questions=False,
        conversation_log=False,  # tests that log turn it on with a database of their own
    )
    return load_settings(**(values | overrides))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def live_server(app, *, port: int | None = None, timeout: float = 30.0) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 (a free port by default) in a thread; yield its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
