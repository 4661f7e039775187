"""Measure the retrieval targets on the real corpus (not collected by pytest: it takes minutes).

    .venv/bin/python -m tests.bench_retrieval [--embeddings e5-small] [--index-dir DIR]

Cold ingest (unless --index-dir already holds an index), re-ingest without change, and warm query
latency (embedding + both searches + fusion) over distinct questions, so the query cache never hits.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from retrieval.corpus import load_chunks
from retrieval.embeddings import load_embedder
from retrieval.index import ingest, open_index

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUESTIONS = """
江苏省“十四五”研发投入强度目标是多少？
苏南自创区的卓越工程包括哪些内容
什么是揭榜挂帅
南通市高新技术企业数量目标
紫琅实验室的研究方向
1+3+10+N平台体系是什么
小升高计划
省产研院改革
种业创新工程
双碳科技创新专项
科技进步贡献率
万人发明专利拥有量目标
苏南三大产业创新集群
南通沿江科创带
江苏省实验室建设
基础研究投入
科技金融 苏科贷
海工船舶关键技术
集成电路产业创新
新型研发机构
国家高新区发展目标
长三角科技创新共同体
科技成果转化
人才引进政策
创新型领军企业培育
企业研发机构建设
知识产权保护
科技体制改革
区域创新中心城市
未来网络试验设施
生物医药创新药
G60科创走廊
沪苏通协同创新
科技镇长团
创新券
高新区绿色发展专项行动
数字经济
人工智能产业
卡脖子技术攻关
乡村振兴科技支撑
民生科技示范工程
重大科技基础设施
国际科技合作
科技服务业
众创空间孵化器
研发费用加计扣除
科研诚信
颠覆性技术
深海空间站
产业教授
""".strip().splitlines()


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embeddings", default="e5-small")
    parser.add_argument("--index-dir", type=Path)
    args = parser.parse_args()
    embedder = load_embedder(args.embeddings)
    chunks = load_chunks(CORPUS)
    index_dir = args.index_dir or Path(tempfile.mkdtemp(prefix="planqa-bench-"))
    if not (index_dir / "current.json").exists():
        report = ingest(chunks, index_dir, embedder, progress=True)
        print(f"cold ingest: {report.chunks} chunks, {report.seconds:.1f} s")
    report = ingest(chunks, index_dir, embedder, progress=False)
    print(f"re-ingest, no change: {report.seconds:.2f} s (added {report.added})")
    started = time.perf_counter()
    retriever = open_index(index_dir, embedder)
    print(f"open_index: {time.perf_counter() - started:.2f} s")
    for q in ("预热一", "预热二", "预热三"):
        retriever.search(q)
    totals, embeds = [], []
    for question in QUESTIONS:
        prepared = retriever.prepare(question)
        t0 = time.perf_counter()
        embedder._embed([embedder.truncate_query(prepared.dense_text + " ")], query=True)  # uncached
        embeds.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        retriever.search(question, k=6)
        totals.append((time.perf_counter() - t0) * 1000)
    print(f"query embedding: p50 {percentile(embeds, 50):.1f} ms, p95 {percentile(embeds, 95):.1f} ms")
    print(
        f"search (embed + dense + BM25 + RRF): p50 {percentile(totals, 50):.1f} ms, "
        f"p95 {percentile(totals, 95):.1f} ms, mean {statistics.mean(totals):.1f} ms over {len(totals)}"
    )


if __name__ == "__main__":
    main()
