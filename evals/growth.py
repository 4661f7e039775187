"""Growth: how ingest and queries scale with the corpus, at 1×, 10× and 100× the real one.

`synthetic_corpus(target, multiple, seed)` recombines the real plans' top-level sections (一、…)
into new documents under new doc_ids. Every section is used exactly `multiple` times, so the text
volume is `multiple` times the real corpus (less the notice headers) and stays real plan Chinese:
headings, 专栏, tables and all. Documents without numbered sections (the article, the outline's
preamble) count as one section each.

`measure_point` ingests one corpus into a fresh index and times warm searches and answers; it
keeps the real plans in the corpus (`keep_real`) so that questions naming a plan find it. Each
point runs in its own process (`--one`), so its peak memory is its own.

    .venv/bin/python -m evals.growth                   1×, 10×, 100× with `hash`; 1× also with e5-small
    .venv/bin/python -m evals.growth --e5-up-to 10     e5-small at 10× too (its cold ingest takes ~30 min)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from retrieval.corpus import load_manifest, read_text

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
_TOP_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,3}、\s*(?P<title>\S.*)$")
_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 40 → 四十, 99 → 九十九 (1..99)."""
    if not 1 <= n <= 99:
        raise ValueError("a heading number is between 1 and 99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def split_sections(text: str, fallback_title: str) -> list[tuple[str, str]]:
    """(heading title, body) of each top-level section; the text before the first is left out,
    unless there is no numbered section at all, when the whole text is one section."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = _TOP_HEADING.match(line)
        if match:
            sections.append((match["title"].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    if not sections:
        return [(fallback_title, text.strip())]
    return [(title, "\n".join(body).strip()) for title, body in sections]


def synthetic_corpus(
    target: Path, multiple: int, seed: int = 7, source: Path = CORPUS, keep_real: bool = False
) -> list[dict]:
    """Write `multiple` × the source corpus, recombined, into `target` (manifest.json + texts).

    With `keep_real`, the real documents are copied as they are and the other `multiple - 1`
    copies are recombined: a bigger corpus that still holds the plans the questions name (the
    question analysis prefers a plan named in the question, by its real doc_id).
    """
    if multiple < 1:
        raise ValueError("multiple must be at least 1")
    entries = load_manifest(source)
    copies = multiple - 1 if keep_real else multiple
    pool = []  # (source entry, title, body), each real section `copies` times
    for entry in entries:
        for title, body in split_sections(read_text(source / entry.file), entry.title):
            pool += [(entry, title, body)] * copies
    random.Random(seed).shuffle(pool)
    target.mkdir(parents=True, exist_ok=True)
    manifest = []
    if keep_real:
        for entry in entries:
            (target / entry.file).write_bytes((source / entry.file).read_bytes())
            manifest.append(entry.model_dump(exclude_none=True))
    n_docs = len(entries) * copies
    for i in range(n_docs):
        sections = pool[i::n_docs]
        first = sections[0][0]
        doc_id = f"synthetic-{multiple}x-{i + 1:04d}"
        title = f"{first.title}（合成第{i + 1}号）"
        parts = [title, ""]
        for number, (_, heading, body) in enumerate(sections, 1):
            parts += [f"{chinese_numeral(min(number, 99))}、{heading}", "", body, ""]
        (target / f"{doc_id}.txt").write_text("\n".join(parts), encoding="utf-8")
        manifest.append(
            {
                "doc_id": doc_id,
                "file": f"{doc_id}.txt",
                "title": title,
                "level": first.level,
                "region": first.region,
                "kind": first.kind,
                "period": first.period,
            }
        )
    (target / "manifest.json").write_text(
        json.dumps({"documents": manifest}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


# ------------------------------------------------------------------------------------ measuring


@dataclass
class GrowthPoint:
    multiple: int
    embeddings: str
    documents: int
    chunks: int
    characters: int
    ingest_s: float
    chunks_per_s: float
    open_s: float
    search_p50_ms: float
    search_p95_ms: float
    ask_p50_ms: float
    ask_p95_ms: float
    questions: int
    peak_rss_mb: float


def measure_point(multiple: int, embeddings: str, questions: list[str], seed: int = 7) -> GrowthPoint:
    """Generate, ingest (cold, timed) and query one corpus size; all in temporary folders."""
    from assistant.runtime import Runtime
    from assistant.settings import load_settings
    from evals.bench_support import percentile

    with tempfile.TemporaryDirectory(prefix=f"planqa-growth-{multiple}x-") as tmp:
        corpus = Path(tmp) / "corpus"
        manifest = synthetic_corpus(corpus, multiple, seed, keep_real=True)
        settings = load_settings(
            corpus_dir=corpus,
            index_dir=Path(tmp) / "index",
            embeddings=embeddings,
            llm="extractive",
            chroma_url=None,
        )
        started = time.perf_counter()
        report = Runtime(settings).ingest()  # parsing and chunking included, as `planqa ingest`
        ingest_s = time.perf_counter() - started
        started = time.perf_counter()
        runtime = Runtime(settings).load()
        open_s = time.perf_counter() - started
        for q in questions[:3]:  # warm up with questions that are not measured
            runtime.ask(f"预热：{q}")
        search_ms, ask_ms = [], []
        shipped, runtime.embedder.query_cache_size = runtime.embedder.query_cache_size, 0
        for q in questions:  # every search embeds its query
            t0 = time.perf_counter()
            runtime.search(q, k=5)
            search_ms.append((time.perf_counter() - t0) * 1000)
        runtime.embedder.query_cache_size = shipped  # empty now; an answer reuses its own embeddings
        for q in questions:
            t0 = time.perf_counter()
            runtime.ask(q)
            ask_ms.append((time.perf_counter() - t0) * 1000)
        characters = sum((corpus / e["file"]).stat().st_size for e in manifest)
    return GrowthPoint(
        multiple=multiple,
        embeddings=embeddings,
        documents=report.documents,
        chunks=report.chunks,
        characters=characters,
        ingest_s=round(ingest_s, 2),
        chunks_per_s=round(report.chunks / ingest_s, 1),
        open_s=round(open_s, 2),
        search_p50_ms=round(percentile(search_ms, 50), 1),
        search_p95_ms=round(percentile(search_ms, 95), 1),
        ask_p50_ms=round(percentile(ask_ms, 50), 1),
        ask_p95_ms=round(percentile(ask_ms, 95), 1),
        questions=len(questions),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )


def run_point(
    multiple: int, embeddings: str, n_questions: int, seed: int = 7, timeout: float = 3600
) -> GrowthPoint:
    """`measure_point` in a child process (fresh memory, no shared Chroma state)."""
    command = [sys.executable, "-m", "evals.growth", "--one", str(multiple), "--embeddings", embeddings]
    command += ["--questions", str(n_questions), "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"growth point {multiple}× {embeddings} failed:\n{done.stderr[-2000:]}")
    return GrowthPoint(**json.loads(done.stdout.strip().splitlines()[-1]))


def growth_table(points: list[GrowthPoint]) -> str:
    rows = [
        "| size | embeddings | documents | chunks | text (MB) | cold ingest (s) | chunks/s | open (s) "
        "| search p50 / p95 (ms) | ask p50 / p95 (ms) | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in points:
        rows.append(
            f"| {p.multiple}× | {p.embeddings} | {p.documents} | {p.chunks} | {p.characters / 1e6:.1f} "
            f"| {p.ingest_s:.1f} | {p.chunks_per_s:.0f} | {p.open_s:.1f} | {p.search_p50_ms:.0f} / {p.search_p95_ms:.0f} "
            f"| {p.ask_p50_ms:.0f} / {p.ask_p95_ms:.0f} | {p.peak_rss_mb:.0f} |"
        )
    return "\n".join(rows)


def draw_growth_chart(points: list[GrowthPoint], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for spec, marker in (("e5-small", "o"), ("hash", "s")):
        mine = sorted((p for p in points if p.embeddings == spec), key=lambda p: p.chunks)
        if not mine:
            continue
        chunks = [p.chunks for p in mine]
        left.plot(chunks, [p.chunks_per_s for p in mine], marker=marker, label=f"{spec}")
        right.plot(chunks, [p.search_p95_ms for p in mine], marker=marker, label=f"search p95, {spec}")
        right.plot(
            chunks, [p.ask_p95_ms for p in mine], marker=marker, linestyle="--", label=f"ask p95, {spec}"
        )
        for p in mine:
            left.annotate(
                f"{p.multiple}×", (p.chunks, p.chunks_per_s), textcoords="offset points", xytext=(4, 4)
            )
    left.set(xscale="log", yscale="log", xlabel="chunks in the index", ylabel="cold ingest, chunks/s")
    left.set_title("Ingest throughput")
    right.set(xscale="log", xlabel="chunks in the index", ylabel="warm latency, ms")
    right.set_title("Query latency (p95, distinct questions)")
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle("planqa growth: synthetic corpora of 1×, 10×, 100× the real plans")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def eval_questions(n: int) -> list[str]:
    from evals.dataset import load_dataset

    return [item.question for item in load_dataset() if not item.history][:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.growth", description=__doc__.splitlines()[0])
    parser.add_argument("--multiples", default="1,10,100")
    parser.add_argument("--e5-up-to", type=int, default=1, help="largest multiple embedded with e5-small")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, metavar="MULTIPLE", help=argparse.SUPPRESS)
    parser.add_argument("--embeddings", default="e5-small", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        point = measure_point(args.one, args.embeddings, eval_questions(args.questions), args.seed)
        print(json.dumps(asdict(point)))
        return 0
    points = []
    for multiple in (int(m) for m in args.multiples.split(",")):
        for spec in (["e5-small"] if multiple <= args.e5_up_to else []) + ["hash"]:
            points.append(run_point(multiple, spec, args.questions, args.seed))
            print(growth_table(points).splitlines()[-1], file=sys.stderr)
    print(growth_table(points))
    return 0


if __name__ == "__main__":
    sys.exit(main())
