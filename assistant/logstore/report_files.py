"""A `Report` as files: PNG charts (matplotlib, headless) and CSV tables.

`chart_png` is also what the admin page inlines; `write_report` is `planqa report --out DIR`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from assistant.logstore.report import Report

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei")
SURFACE_COLOURS = {
    "api": "#1f3b73",
    "stream": "#5b8def",
    "openai": "#9aa5b1",
    "chat": "#d9822b",
    "widget": "#3aa17e",
    "cli": "#7d5ba6",
}


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def chart_png(report: Report, which: str) -> bytes:
    """`which` = "volume" (answers per day by surface) or "refusals" (refusal rate per day)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    font = _cjk_font()
    days = [d.day for d in report.days] or ["-"]
    with plt.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}):
        fig, ax = plt.subplots(figsize=(9, 3.6))
        if which == "volume":
            bottom = [0] * len(report.days)
            for surface in report.surfaces:
                counts = [d.by_surface.get(surface, 0) for d in report.days]
                ax.bar(
                    days[: len(counts)],
                    counts,
                    bottom=bottom,
                    label=surface,
                    color=SURFACE_COLOURS.get(surface),
                )
                bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
            ax.set_ylabel("answers" if not font else "回答数")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            if report.surfaces:
                ax.legend(fontsize=8, ncol=len(report.surfaces))
        elif which == "refusals":
            rates = [round(100 * d.refusal_rate, 1) if d.answers else float("nan") for d in report.days]
            ax.plot(days[: len(rates)], rates, marker="o", color="#b91c1c")
            ax.set_ylim(0, 100)
            ax.set_ylabel("refused %" if not font else "拒答率 %")
        else:
            raise ValueError(f"unknown chart {which!r}: volume | refusals")
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        plt.close(fig)
    return buffer.getvalue()


def csv_tables(report: Report) -> dict[str, list[list]]:
    """File name → rows (header first) of every table in the report."""
    surfaces = list(report.surfaces)
    return {
        "answers_per_day.csv": [
            ["day", *surfaces, "answers", "refused", "refusal_rate"],
            *(
                [
                    d.day,
                    *(d.by_surface.get(s, 0) for s in surfaces),
                    d.answers,
                    d.refused,
                    round(d.refusal_rate, 4),
                ]
                for d in report.days
            ),
        ],
        "frequent_questions.csv": [
            ["question", "times", "refused", "answer_id"],
            *([q["question"], q["times"], int(q["refused"] or 0), q["answer_id"]] for q in report.frequent),
        ],
        "refused_topics.csv": [
            ["key_terms", "questions", "examples", "answer_ids"],
            *(
                [" ".join(t.key_terms), t.count, " | ".join(t.questions), " ".join(t.answer_ids)]
                for t in report.refused_topics
            ),
        ],
        "low_rated_answers.csv": [
            ["answer_id", "rated_at", "question", "condensed_question", "comment", "refused", "citations"],
            *(
                [
                    r["answer_id"],
                    r["created_at"].isoformat(timespec="seconds"),
                    r["question"],
                    r["condensed_question"],
                    r["comment"],
                    int(bool(r["refused"])),
                    json.dumps(r["citations"], ensure_ascii=False),
                ]
                for r in report.low_rated
            ),
        ],
    }


def write_report(report: Report, out: Path) -> list[Path]:
    """Write the charts and tables into `out` (created); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in csv_tables(report).items():
        path = out / name
        with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads it as UTF-8
            csv.writer(handle).writerows(rows)
        written.append(path)
    for which in ("volume", "refusals"):
        path = out / f"{which}.png"
        path.write_bytes(chart_png(report, which))
        written.append(path)
    return written
