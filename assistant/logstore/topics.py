"""Refused questions grouped by their key terms: the gaps the next plan or FAQ should fill.

Greedy and explainable: the term shared by the most refused questions names the first group
(with the terms most often beside it), its questions leave the pool, and so on. A term is a jieba
word (retrieval.segment, with the plans' own dictionary) of two characters or more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Words nearly every question to this assistant contains: as group names they would say nothing.
GENERIC_TERMS = frozenset(
    "规划 政策 江苏 江苏省 我们 我们公司 公司 可以 能够 能否 需要 有没有 相关 关于 方面 具体 内容 问题 "
    "情况 要求 目标 支持 措施 哪里 怎么办 谁 一下 了解 知道 告诉".split()
)
MIN_TERM_CHARS = 2


@dataclass
class TopicGroup:
    key_terms: list[str]
    count: int
    questions: list[str] = field(default_factory=list)  # up to a few examples, most frequent first
    answer_ids: list[str] = field(default_factory=list)


def key_terms(question: str) -> set[str]:
    from retrieval.segment import words

    return {w for w in words(question) if len(w) >= MIN_TERM_CHARS and w not in GENERIC_TERMS}


def group_topics(items: list[tuple[str, str]], *, limit: int = 20, examples: int = 3) -> list[TopicGroup]:
    """`items` are (answer_id, question) of refused answers; returns at most `limit` groups,
    largest first. Questions without a key term are left out."""
    pool = [(answer_id, question, key_terms(question)) for answer_id, question in items]
    pool = [item for item in pool if item[2]]
    groups: list[TopicGroup] = []
    while pool and len(groups) < limit:
        df = Counter(term for _, _, terms in pool for term in terms)
        term, _ = max(df.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))
        members = [item for item in pool if term in item[2]]
        beside = Counter(t for _, _, terms in members for t in terms if term not in t and t not in term)
        label = [term, *(t for t, n in beside.most_common(2) if n >= 2)]
        by_text = Counter(question for _, question, _ in members)
        groups.append(
            TopicGroup(
                key_terms=label,
                count=len(members),
                questions=[q for q, _ in by_text.most_common(examples)],
                answer_ids=[answer_id for answer_id, _, _ in members[:examples]],
            )
        )
        pool = [item for item in pool if term not in item[2]]
    return groups
