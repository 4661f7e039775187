"""`planqa ingest`, `search`, `ask` and `serve` (registered into `planqa` by planqa.cli.main)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _runtime(settings):
    from assistant.runtime import Runtime

    return Runtime(settings)


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_ingest(args, settings) -> None:
    if args.corpus:
        settings = settings.model_copy(update={"corpus_dir": Path(args.corpus)})
    report = _runtime(settings).ingest(rebuild=args.rebuild, progress=sys.stderr.isatty())
    print(
        f"文档 {report.documents} 份，段落 {report.chunks} 个：新增/更新 {report.added}，删除 {report.removed}，"
        f"未变 {report.unchanged}；用时 {report.seconds:.1f} 秒"
    )


def register_ingest(sub) -> None:
    p = sub.add_parser("ingest", help="parse, chunk and index the corpus (incremental, atomic)")
    p.add_argument("--corpus", help="corpus folder (default: PLANQA_CORPUS_DIR or ./corpus)")
    p.add_argument("--rebuild", action="store_true", help="embed everything again (after changing the embedding model)")
    p.set_defaults(func=cmd_ingest)


def cmd_search(args, settings) -> None:
    runtime = _runtime(settings)
    runtime.ensure_index()
    hits = runtime.search(args.query, k=args.k, doc_ids=args.doc or None)
    if args.json:
        _print_json([
            {**{k: h.chunk.model_dump()[k] for k in ("chunk_id", "doc_id", "doc_title", "section", "column", "kind", "text")}, "score": round(h.score, 6)}
            for h in hits
        ])
        return
    for i, h in enumerate(hits, 1):
        c = h.chunk
        where = c.section + (f" ▣ {c.column}" if c.column else "")
        print(f"{i}. [{h.score:.4f}] 《{c.doc_title}》{where}\n   {c.text[:160].replace(chr(10), ' ')}")


def register_search(sub) -> None:
    p = sub.add_parser("search", help="ranked passages for a query")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="restrict to a document (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)


def _read_history(path: str | None):
    if not path:
        return []
    from retrieval.errors import InvalidInput

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"无法读取对话记录 {path}：{exc.__class__.__name__}；需要 JSON 列表 [{{\"role\": \"user\", \"content\": \"…\"}}]") from None
    return data


def cmd_ask(args, settings) -> None:
    runtime = _runtime(settings)
    runtime.ensure_index()
    answer = runtime.ask(args.question, history=_read_history(args.history), doc_ids=args.doc or None, mode=args.mode)
    answer = _logged(answer, args, settings)
    if args.json:
        _print_json(answer.model_dump())
        return
    print(answer.answer)
    if answer.citations:
        print("\n来源：")
        for c in answer.citations:
            where = c.section + (f" ▣ {c.column}" if c.column else "")
            print(f"[{c.n}] 《{c.doc_title}》{where}\n    “{c.quote[:200]}”")
    if answer.answer_id:
        print(f"\n回答编号 {answer.answer_id}（评价：POST /api/feedback）")


def _logged(answer, args, settings):
    """The answer with its `answer_id`, written to the conversation log before the command exits."""
    from assistant.logstore import AskContext, Surface, open_conversation_log

    conversation_log = open_conversation_log(settings)
    if conversation_log is None:
        return answer
    try:
        return conversation_log.record(answer, AskContext(Surface.CLI, args.question, mode=args.mode))
    finally:
        conversation_log.close()


def register_ask(sub) -> None:
    p = sub.add_parser("ask", help="answer a question with citations")
    p.add_argument("question")
    p.add_argument("--history", metavar="FILE.json", help='earlier turns: [{"role": "user"|"assistant", "content": "…"}]')
    p.add_argument("--doc", action="append", metavar="DOC_ID", help="restrict to a document (repeatable)")
    p.add_argument("--mode", choices=["answer", "reply"], default="answer", help="reply: a formal draft reply")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)


def cmd_serve(args, settings) -> None:
    from ui.server import serve

    updates = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if updates:
        from assistant.settings import load_settings

        settings = load_settings(**{**settings.model_dump(), **updates})
    serve(settings)


def register_serve(sub) -> None:
    p = sub.add_parser("serve", help="serve the chat UI and the HTTP API (builds the index first if missing)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_serve)
