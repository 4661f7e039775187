"""The admin report of the conversation log (PLANQA_ADMIN_KEYS):

    GET /admin/report?since=7d          the page: charts inline, refused topics, frequent
                                        questions, 👎 answers with comments
    GET /admin/report/{table}.csv       one table of the page as CSV
    GET /admin/answers/{answer_id}      one logged answer with its feedback and citations
    GET /admin/chunks/{chunk_id}        a cited passage

Pages are plain HTML, every value escaped, under a CSP that allows no script.
"""

from __future__ import annotations

import base64
import csv
import io
from html import escape
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from assistant.api.admin_auth import require_admin
from assistant.api.conversation import conversation_log
from assistant.logstore.report import Report, build_report, parse_since
from assistant.logstore.report_files import chart_png, csv_tables
from retrieval.errors import InvalidInput

router = APIRouter(tags=["admin"], include_in_schema=False, dependencies=[Depends(require_admin)])

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'"
_STYLE = """
body { font-family: 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif; margin: 24px; color: #1f2937; }
table { border-collapse: collapse; margin: 8px 0 24px; } td, th { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f1f5f9; } .num { text-align: right; } img { max-width: 100%; } .muted { color: #64748b; }
"""


def _page(title: str, body: str) -> HTMLResponse:
    html = f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    return HTMLResponse(html, headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-store"})


def _store(request: Request):
    log = conversation_log(request)
    if log is None:
        raise HTTPException(status_code=404, detail="本服务未开启对话记录（PLANQA_CONVERSATION_LOG）。")
    return log.store


def _report(request: Request, since: str) -> Report:
    try:
        start = parse_since(since)
    except ValueError as exc:
        raise InvalidInput(str(exc).replace("--since", "since")) from None
    store = _store(request)
    try:
        store.migrate()
        return build_report(store, start)
    except SQLAlchemyError:
        raise HTTPException(
            status_code=503, detail="对话记录数据库暂时不可用，请稍后再试。", headers={"Retry-After": "30"}
        ) from None


def _answer_link(answer_id: str, text: str | None) -> str:
    return f"<a href='/admin/answers/{quote(answer_id)}'>{escape(text or '（未存问题）')}</a>"


def _read_as(condensed: str | None) -> str:
    """A follow-up's standalone question, under the question as typed."""
    return f"<br><span class=muted>理解为：{escape(condensed)}</span>" if condensed else ""


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body or '<tr><td colspan=9 class=muted>（无）</td></tr>'}</table>"


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, since: str = "7d") -> HTMLResponse:
    report = _report(request, since)
    rate = f"{100 * report.refused / report.answers:.1f}%" if report.answers else "-"
    charts = "".join(
        f"<img alt='{alt}' src='data:image/png;base64,{base64.b64encode(chart_png(report, which)).decode()}'>"
        for which, alt in (("volume", "每日回答数（按入口）"), ("refusals", "每日拒答率"))
    )
    csv_links = " · ".join(
        f"<a href='/admin/report/{name.removesuffix('.csv')}.csv?since={quote(since)}'>{name}</a>"
        for name in csv_tables(report)
    )
    body = [
        "<h1>对话记录报告</h1>",
        f"<form method='get'><label>时间范围 <input name='since' value='{escape(since, quote=True)}' size='12'></label> <button>刷新</button> <span class=muted>如 7d、24h、2026-11-01</span></form>",
        f"<p>{report.since:%Y-%m-%d %H:%M} 至 {report.until:%Y-%m-%d %H:%M}（UTC）：回答 <b>{report.answers}</b> 次，未能作答 <b>{report.refused}</b> 次（{rate}）；"
        f"评价：有用 👍 {report.ratings.get('up', 0)} · 没用 👎 {report.ratings.get('down', 0)}</p>",
        "<p>按入口：" + escape("，".join(f"{s} {n}" for s, n in report.surfaces.items()) or "-") + "</p>",
        charts,
        f"<p>导出 CSV：{csv_links}</p>",
        "<h2 id='low-rated'>差评的回答</h2>",
        _table(
            ["问题", "评语", "时间", "入口", "引用"],
            [
                [
                    _answer_link(r["answer_id"], r["question"]) + _read_as(r["condensed_question"]),
                    escape(r["comment"] or "（无评语）"),
                    f"{r['created_at']:%Y-%m-%d %H:%M}",
                    escape(r["surface"]),
                    "<br>".join(_citation_link(c) for c in r["citations"])
                    or "<span class=muted>无（拒答）</span>",
                ]
                for r in report.low_rated
            ],
        ),
        "<h2 id='refused-topics'>规划未能回答的主题</h2>",
        _table(
            ["关键词", "次数", "例句"],
            [
                [
                    escape(" · ".join(t.key_terms)),
                    f"<span class=num>{t.count}</span>",
                    "<br>".join(_answer_link(a, q) for a, q in zip(t.answer_ids, t.questions, strict=False)),
                ]
                for t in report.refused_topics
            ],
        ),
        "<h2 id='frequent'>最常问的问题</h2>",
        _table(
            ["问题", "次数", "未能作答"],
            [
                [_answer_link(q["answer_id"], q["question"]), str(q["times"]), str(int(q["refused"] or 0))]
                for q in report.frequent
            ],
        ),
        "<h2>每日</h2>",
        _table(
            ["日期", "回答", "未能作答", "拒答率"],
            [
                [escape(d.day), str(d.answers), str(d.refused), f"{100 * d.refusal_rate:.1f}%"]
                for d in report.days
            ],
        ),
    ]
    return _page("对话记录报告", "".join(body))


def _citation_link(c: dict) -> str:
    where = " › ".join(p for p in (c.get("doc_title"), c.get("section"), c.get("column")) if p)
    return f"<a href='/admin/chunks/{quote(c['chunk_id'])}'>[{c.get('n', '?')}] {escape(where)}</a>"


@router.get("/report/{table}.csv")
def report_csv(request: Request, table: str, since: str = "7d") -> Response:
    tables = csv_tables(_report(request, since))
    rows = tables.get(f"{table}.csv")
    if rows is None:
        raise HTTPException(
            status_code=404,
            detail=f"未知表 {table!r}：可用 " + "、".join(t.removesuffix(".csv") for t in tables),
        )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={table}.csv"},
    )


@router.get("/answers/{answer_id}", response_class=HTMLResponse)
def answer_page(request: Request, answer_id: str) -> HTMLResponse:
    store = _store(request)
    try:
        row = store.answer(answer_id[:64])
    except SQLAlchemyError:
        raise HTTPException(status_code=503, detail="对话记录数据库暂时不可用，请稍后再试。") from None
    if row is None:
        raise HTTPException(status_code=404, detail=f"对话记录中没有回答 {answer_id[:64]!r}。")
    rating = {"up": "👍 有用", "down": "👎 没用"}.get(row["rating"] or "", "（未评价）")
    body = [
        f"<p><a href='/admin/report'>← 报告</a></p><h1>回答 {escape(row['answer_id'])}</h1>",
        _table(
            ["字段", "内容"],
            [
                ["时间（UTC）", f"{row['created_at']:%Y-%m-%d %H:%M:%S}"],
                ["入口 · 会话", escape(f"{row['surface']} · {row['session_id'] or '-'}")],
                ["问题", escape(row["question"] or f"（未存问题，{row['question_chars']} 字）")],
                ["理解为（追问补全）", escape(row["condensed_question"] or "-")],
                ["回答", f"<div style='white-space: pre-wrap'>{escape(row['answer'] or '（未存）')}</div>"],
                ["未能作答", escape(f"是：{row['refusal_reason'] or ''}" if row["refused"] else "否")],
                ["引用", "<br>".join(_citation_link(c) for c in row["citations"]) or "-"],
                ["后端 · 用时", escape(f"{row['backend']} · {row['latency_ms']:.0f} ms")],
                ["评价", escape(f"{rating} {row['comment'] or ''}")],
            ],
        ),
    ]
    return _page(f"回答 {answer_id}", "".join(body))


@router.get("/chunks/{chunk_id}", response_class=HTMLResponse)
def chunk_page(request: Request, chunk_id: str) -> HTMLResponse:
    service = request.app.state.service
    chunk = service.chunk(chunk_id[:200]) if service is not None else None
    if chunk is None:
        raise HTTPException(status_code=404, detail=f"索引中没有段落 {chunk_id[:200]!r}（文档可能已更新）。")
    where = " › ".join([chunk.doc_title, *chunk.section_path]) + (
        f" · {chunk.column}" if chunk.column else ""
    )
    body = f"<h1>{escape(where)}</h1><div style='white-space: pre-wrap'>{escape(chunk.text)}</div>"
    return _page(where, body)
