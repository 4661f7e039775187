"""Lists at the asked level: '苏南规划有哪几项工程' asks for the sibling sections whose titles name
工程, '有哪些专栏' for the plan's 专栏 titles; the contents of one item only when the question names it.
"""

from __future__ import annotations

import re

from retrieval.catalog import Catalog

# the thing a list question counts: '哪几项工程' → 工程, '哪些专栏' → 专栏, '几大行动' → 行动
_COUNTED_NOUN = re.compile(
    r"(?:哪几|哪些|几)[项个大类条块]?\s*(?:重点|主要|重大)?([\u4e00-\u9fff]{2})(?:[？?，,。呢吗]|$|分别|都|包括|是)"
)
_NUMBERING = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])\s*")
# nouns that are not the kind of thing a plan's headings are ('哪些方面', '哪些内容')
_NOT_HEADING_NOUNS = frozenset(
    {"方面", "内容", "地方", "城市", "企业", "单位", "项目", "领域", "政策", "支持", "举措", "措施"}
)


def counted_noun(question: str) -> str | None:
    """The noun a list question counts, or None ('南通有哪几项工程？' → '工程')."""
    m = _COUNTED_NOUN.search(question)
    if not m or m.group(1) in _NOT_HEADING_NOUNS:
        return None
    return m.group(1)


def heading_name(title: str) -> str:
    return _NUMBERING.sub("", title).strip()


def sibling_sections(catalog: Catalog, doc_id: str, noun: str) -> list[tuple[str, ...]]:
    """The largest group of sibling sections whose titles end with the noun, in plan order."""
    groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in catalog.paths(doc_id):
        if heading_name(path[-1]).endswith(noun):
            groups.setdefault(path[:-1], []).append(path)
    best = max(groups.values(), key=len, default=[])
    return best if len(best) >= 2 else []


__all__ = ["counted_noun", "heading_name", "sibling_sections"]
