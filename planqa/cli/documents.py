"""`planqa add FILE…`, `planqa docs` and `planqa remove DOC_ID`: bring your own plans.

`add` reads and checks every file first (one line naming the file on any problem, nothing
written), then copies them into the corpus folder, rewrites the manifest once and updates the
index incrementally. If indexing is interrupted (Ctrl-C, kill -9) the previous build keeps
answering; running the same `planqa add` again finishes it.
"""

from __future__ import annotations

import json
import sys
import unicodedata

from assistant.documents import document_summaries, indexed_documents, prepare_all
from retrieval.models import LEVELS, PLAN_KINDS

METADATA_OPTIONS = (
    "doc_id",
    "title",
    "issuer",
    "doc_number",
    "published",
    "region",
    "level",
    "kind",
    "period",
)


def _runtime(settings):
    from assistant.runtime import Runtime

    return Runtime(settings)


def summary_line(s) -> str:
    warn = f"；提示：{'；'.join(s.warnings)}" if s.warnings else ""
    return (
        f"{s.doc_id}《{s.title}》[{s.format}] 地区 {s.region or '—'}（{s.level}），{s.period or '期限未知'}："
        f"章节 {s.sections}，专栏 {s.columns}，表格 {s.tables}，段落 {s.chunks}{warn}"
    )


def cmd_add(args, settings) -> None:
    from retrieval.library import add_documents

    overrides = {name: getattr(args, name) for name in METADATA_OPTIONS}
    candidates = prepare_all(settings, args.files, overrides)
    add_documents(settings.corpus_dir, candidates)
    for c in candidates:
        print(("继续索引 " if c.already_added else "已添加 ") + summary_line(c.summary))
    report = _runtime(settings).ingest(progress=sys.stderr.isatty())
    print(
        f"索引已更新：文档 {report.documents} 份，段落 {report.chunks} 个（新增/更新 {report.added}，删除 {report.removed}）；用时 {report.seconds:.1f} 秒"
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def cmd_docs(args, settings) -> None:
    from dataclasses import asdict

    summaries = document_summaries(settings)
    live = indexed_documents(settings)
    if args.json:
        print(
            json.dumps(
                [asdict(s) | {"indexed": s.doc_id in live} for s in summaries], ensure_ascii=False, indent=2
            )
        )
        return
    head = ["doc_id", "标题", "地区", "期限", "章节", "专栏", "表格", "段落", "提示"]
    rows = [
        [
            s.doc_id + ("" if s.doc_id in live else " *"),
            s.title[:24],
            s.region[:10],
            s.period or "—",
            str(s.sections),
            str(s.columns),
            str(s.tables),
            str(s.chunks),
            "；".join(s.warnings)[:40],
        ]
        for s in summaries
    ]
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if any(s.doc_id not in live for s in summaries):
        print("* 尚未进入索引：运行 planqa ingest")


def cmd_remove(args, settings) -> None:
    from retrieval.library import remove_document

    entry = remove_document(settings.corpus_dir, args.doc_id)
    report = _runtime(settings).ingest(progress=sys.stderr.isatty())
    print(
        f"已删除 {entry.doc_id}《{entry.title}》；索引已更新：文档 {report.documents} 份，段落 {report.chunks} 个"
    )


def register_documents(sub) -> None:
    p = sub.add_parser("add", help="add plan files (PDF, DOCX, Markdown, text) to the corpus and index them")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--doc-id", dest="doc_id", help="ASCII id (default: from the file name)")
    p.add_argument("--title", help="default: 《…》 of the 关于印发…的通知 line, or the first title-like line")
    p.add_argument("--issuer")
    p.add_argument("--doc-number", dest="doc_number", help="文号, e.g. 苏政办发〔2021〕62号")
    p.add_argument("--published", help="YYYY-MM-DD")
    p.add_argument("--region", help="e.g. 江苏省, 南通市 (default: from the title)")
    p.add_argument("--level", choices=LEVELS)
    p.add_argument("--kind", choices=PLAN_KINDS)
    p.add_argument("--period", help="e.g. 2026-2030 (default: from 十五五 or （2026-2030年） in the title)")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("docs", help="the corpus documents with their parse summary")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("remove", help="remove a document from the corpus and the index")
    p.add_argument("doc_id")
    p.set_defaults(func=cmd_remove)
