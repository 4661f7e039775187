"""`evals/reports/latest.png`: retrieval hit@1 and hit@5 of BM25-only, dense-only and hybrid, and
the full system's fact recall, per question kind (answerable items)."""

from __future__ import annotations

from pathlib import Path

from evals.metrics import MODE_LABELS
from evals.runner import EvalRun

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei")
COLOURS = {"keyword_only": "#9aa5b1", "dense_only": "#5b8def", "hybrid": "#1f3b73", "fact_recall": "#d9822b"}


def cjk_font() -> str | None:
    """The first installed font that renders Chinese, or None (then every label stays ASCII)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def draw_chart(run: EvalRun, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    font = cjk_font()
    groups = {"overall": run.overall, **{k: m for k, m in run.kinds_in_order().items() if m["n_answerable"]}}
    names = list(groups)
    x = np.arange(len(names))
    series = [(f"{MODE_LABELS[m]}", COLOURS[m], m) for m in run.modes]

    with plt.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}):
        fig, axes = plt.subplots(3, 1, figsize=(11, 9), sharex=True)
        width = 0.8 / len(series)
        for ax, metric in zip(axes[:2], ("hit@1", "hit@5"), strict=True):
            for i, (label, colour, mode) in enumerate(series):
                values = [groups[n]["retrieval"][mode][metric] or 0.0 for n in names]
                ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=label, color=colour)
            ax.set_ylabel(f"retrieval {metric}")
        recall = [groups[n]["fact_recall"] or 0.0 for n in names]
        axes[2].bar(x, recall, 0.5, label="full system", color=COLOURS["fact_recall"])
        axes[2].set_ylabel("fact recall")
        for ax in axes:
            ax.set_ylim(0, 1.05)
            ax.grid(axis="y", alpha=0.3)
        handles = [*axes[0].get_legend_handles_labels()[0], *axes[2].get_legend_handles_labels()[0]]
        labels = [*axes[0].get_legend_handles_labels()[1], "fact recall (full system)"]
        fig.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.955),
            ncol=4,
            fontsize=9,
            frameon=False,
        )
        axes[2].set_xticks(x, [f"{n}\n(n={groups[n]['n_answerable']})" for n in names])
        title = (
            "规划问答评测：检索基线与事实召回（按题型）"
            if font
            else "planqa evaluation: retrieval baselines and fact recall by kind"
        )
        fig.suptitle(title)
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return path


__all__ = ["cjk_font", "draw_chart"]
