"""Small hand-made chunks for retrieval tests: three short plans with known content."""

from __future__ import annotations

from retrieval.embeddings import HashEmbedder
from retrieval.models import Chunk, Table

DOCS = {
    "sheng": ("江苏省“十四五”科技创新规划", "province", "江苏省"),
    "sunan": ("苏南国家自主创新示范区发展规划纲要", "zone", "苏南"),
    "nantong": ("南通市“十四五”科技创新规划", "city", "南通市"),
}

TEXTS = {
    "sheng": [
        ("一、发展基础", None, "全社会研发投入占地区生产总值比重达2.85%，科技进步贡献率达65.1%。"),
        ("二、重点任务", None, "深入实施“揭榜挂帅”制度，面向全球张榜招贤，攻克关键核心技术。"),
        (
            "二、重点任务",
            "专栏7 苏南自创区“卓越工程”（SUPER工程）",
            "实施卓越工程，推进自主创新支撑、产业高端攀升。",
        ),
        (
            "三、乡村振兴",
            "专栏3 科技支撑乡村振兴重大项目",
            "种业创新工程：选育突破性农作物新品种，加强生物育种技术。",
        ),
        ("四、创新平台", None, "构建“1+3+10+N”重大科技创新平台体系，建设江苏省实验室。"),
    ],
    "sunan": [
        ("一、总体要求", None, "到2025年，苏南地区研发投入强度达到3.4%，高新技术企业数量大幅增加。"),
        ("二、产业集群", None, "打造集成电路、生物医药、纳米新材料三大产业创新集群。"),
        ("三、开放合作", None, "深度融入长三角一体化，推进G60科创走廊建设。"),
    ],
    "nantong": [
        ("一、主要目标", None, "高新技术企业数量达到3000家，实施高新技术企业培育“小升高”计划。"),
        ("二、产业创新", "专栏：产业创新紫琅专项", "实施产业创新紫琅专项，聚焦海工船舶、高端纺织等产业。"),
        ("三、平台建设", "专栏：光电科学紫琅实验室", "建设光电科学紫琅实验室，围绕先进光电材料开展研究。"),
        ("四、指标", None, "研发投入占GDP比重2.55%；万人发明专利拥有量35件。"),
    ],
}


def make_chunks(texts: dict | None = None, docs: dict | None = None) -> list[Chunk]:
    texts = texts or TEXTS
    docs = docs or DOCS
    chunks = []
    for doc_id, items in texts.items():
        title, level, region = docs[doc_id]
        offset = 0
        for i, (section, column, text) in enumerate(items):
            kind = "column" if column else "text"
            table = None
            if doc_id == "nantong" and section == "四、指标":
                kind = "table"
                table = Table(
                    title="主要指标", header=["指标", "目标"], rows=[["研发投入占GDP比重", "2.55%"]]
                )
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}:{i}",
                    doc_id=doc_id,
                    doc_title=title,
                    section_path=[section],
                    section=section,
                    column=column,
                    kind=kind,
                    text=text,
                    char_start=offset,
                    char_end=offset + len(text),
                    ordinal=i,
                    level=level,
                    region=region,
                    table=table,
                )
            )
            offset += len(text) + 1
    return chunks


class CountingEmbedder(HashEmbedder):
    """A hash embedder that records how many passages and queries it embedded and can fail on demand."""

    def __init__(self, dim: int = 256, fail_after: int | None = None):
        super().__init__(dim)
        self.embedded = 0
        self.queries: list[str] = []
        self.fail_after = fail_after

    def _embed(self, texts, *, query):
        if query:
            self.queries += texts
        else:
            if self.fail_after is not None and self.embedded + len(texts) > self.fail_after:
                raise RuntimeError("embedding server died mid-ingest")
            self.embedded += len(texts)
        return super()._embed(texts, query=query)
