"""`planqa report [--since 7d] [--out DIR]`: the conversation log summarised on the terminal, with
PNG charts and CSV tables written into DIR (see assistant.logstore.report)."""

from __future__ import annotations

from pathlib import Path

from retrieval.errors import ConfigError, PlanqaError


def cmd_report(args, settings) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.logstore import LogStore
    from assistant.logstore.report import build_report, parse_since
    from assistant.logstore.report_files import write_report

    try:
        since = parse_since(args.since)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    url = settings.log_db_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise PlanqaError(
            f"no conversation log at {url.removeprefix('sqlite:///')} yet: answers are logged by `planqa serve` and `planqa ask`"
        )
    store = LogStore(url)
    try:
        store.migrate()
        report = build_report(store, since)
    except SQLAlchemyError as exc:
        raise PlanqaError(
            f"cannot read the conversation log ({store.backend}): {str(exc).splitlines()[0]}; check PLANQA_DB_URL"
        ) from None
    finally:
        store.close()
    files = write_report(report, Path(args.out))
    print(summary(report))
    print(f"\n已写入 {len(files)} 个文件到 {args.out}/：" + "、".join(p.name for p in files))


def summary(report) -> str:
    rate = f"{100 * report.refused / report.answers:.1f}%" if report.answers else "-"
    lines = [
        f"{report.since:%Y-%m-%d %H:%M} 至 {report.until:%Y-%m-%d %H:%M}（UTC）：回答 {report.answers} 次，未能作答 {report.refused} 次（{rate}）",
        "按入口：" + ("，".join(f"{s} {n}" for s, n in report.surfaces.items()) or "-"),
        f"评价：👍 {report.ratings.get('up', 0)}  👎 {report.ratings.get('down', 0)}",
        "",
        "规划未能回答的主题（按关键词归并）：",
    ]
    lines += [
        f"  {t.count:>4}  {' · '.join(t.key_terms)}  例：{t.questions[0]}" for t in report.refused_topics
    ] or ["  -"]
    lines += ["", "最常问的问题："]
    lines += [
        f"  {q['times']:>4}  {q['question']}" + ("  （未能作答）" if q["refused"] else "")
        for q in report.frequent
    ] or ["  -"]
    lines += ["", "差评的回答："]
    lines += [
        f"  {r['answer_id']}  {r['question'] or '（未存问题）'}"
        + (f"（理解为：{r['condensed_question']}）" if r["condensed_question"] else "")
        + f"  —— {r['comment'] or '（无评语）'}"
        for r in report.low_rated
    ] or ["  -"]
    return "\n".join(lines)


def add_report_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="what people asked, what the plans could not answer, rated answers"
    )
    p.add_argument("--since", default="7d", help="a span (7d, 24h, 2w) or a date (2026-11-01); default 7d")
    p.add_argument(
        "--out",
        default="planqa-report",
        help="folder for the PNG charts and CSV tables (default ./planqa-report)",
    )
    p.set_defaults(func=cmd_report)
