"""Question → search query: pure functions, no index needed.

    raw question ─Thesaurus.normalise─▶ ─normalize_query─▶ core text ─expansions─▶ extra names
                                                            └─────── PreparedQuery ───────┘

With a thesaurus (`retrieval.thesaurus`), the question is first put in the plans' words
(繁→简, a one-character typo of a known term, English terms in Chinese), and the thesaurus's
names of its terms join the alias names below.

`normalize_query` applies NFKC, collapses spaces and strips question boilerplate (请问…、…是多少、
…有哪些、…吗？ and question words inside the sentence) that would only add noise to both searches.
`expand_aliases` finds names of the given alias groups (`retrieval.terms.load_aliases`) in the question and returns the other names
of their groups (SUPER工程 → 卓越工程): BM25 looks for all of them at a lower weight
(`weighted_tokens`), the embedding gets each group's first name (`PreparedQuery.dense_text`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrieval.errors import InvalidInput

if TYPE_CHECKING:
    from retrieval.thesaurus import Thesaurus

EMPTY_QUERY_MESSAGE = "请输入问题"

_PREFIXES = tuple(
    "请问一下 请问 请你 请帮我 帮我 我想知道 我想了解 想了解 想知道 请告诉我 告诉我 请介绍一下 请介绍 "
    "介绍一下 请列出 请说明 请简述 简述".split()
)
_SUFFIXES = tuple(
    "分别是多少 分别是什么 分别有哪些 具体是多少 具体有哪些 是多少 有多少 为多少 有哪些 是哪些 包括哪些 "
    "包含哪些 包括什么 是什么 是怎样的 是怎么样的 怎么样 是啥 吗 呢 么 啊".split()
)
# Question words inside a sentence (SUPER工程有哪些内容) become a space: they are not the plans' wording.
_INFIX = re.compile(
    r"什么是|什么叫|分别是|分别有|有哪些|是哪些|包括哪些|是什么|是多少|有多少|哪些|什么|多少|怎么样|怎样|为什么"
)
_TRAILING_PUNCT = "?？!！。.,，;；:：~ "
_SPACES = re.compile(r"\s+")


def normalize_query(text: str) -> str:
    """NFKC, single spaces and no question boilerplate; the NFKC text itself if nothing else is left."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    core = text
    changed = True
    while changed and core:
        changed = False
        stripped = core.strip(_TRAILING_PUNCT)
        for prefix in _PREFIXES:
            if stripped.startswith(prefix):
                stripped = stripped[len(prefix) :].lstrip(" ,，:：")
                break
        for suffix in _SUFFIXES:
            if stripped.endswith(suffix):
                stripped = stripped[: -len(suffix)]
                break
        if stripped != core:
            core, changed = stripped, True
    core = _SPACES.sub(" ", _INFIX.sub(" ", core)).strip(_TRAILING_PUNCT)
    return core or text


def _mentions(name: str, text: str, words: Sequence[str] | None) -> bool:
    """A name counts when it is a word of the text; names of 4+ characters also as a substring.

    Short names need the word check so that 高企 is not found inside 提高企业.
    """
    name = name.lower()
    if words is not None and name in words:
        return True
    return (len(name) >= 4 or words is None) and name in text


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def matched_groups(
    text: str, groups: Sequence[Sequence[str]], words: Sequence[str] | None = None
) -> list[Sequence[str]]:
    """The alias groups the text mentions, in file order.

    `words` are the text's tokens (lower-cased, e.g. from `retrieval.segment.words`); without
    them every name is matched as a substring.
    """
    folded = _fold(text)
    word_set = None if words is None else {w.lower() for w in words}
    return [g for g in groups if any(_mentions(_fold(n), folded, word_set) for n in g)]


def expand_aliases(
    text: str, groups: Sequence[Sequence[str]], words: Sequence[str] | None = None
) -> list[str]:
    """The other names of every alias group the text mentions, in group order, without repeats."""
    return _other_names(matched_groups(text, groups, words), _fold(text))


def _other_names(matched: Sequence[Sequence[str]], folded: str) -> list[str]:
    extra: list[str] = []
    for group in matched:
        extra.extend(n for n in group if _fold(n) not in folded and n not in extra)
    return extra


@dataclass(frozen=True)
class PreparedQuery:
    """What the two searches look for: the question's core text plus alias names.

    BM25 gets every alias name at a lower weight (`weighted_tokens`); the embedding gets only each
    group's first name (the plans' own wording), because query embedding time grows with its
    length (about 1 ms a token).
    """

    original: str
    text: str
    expansions: list[str] = field(default_factory=list)  # every other name of the matched groups
    canonical: list[str] = field(default_factory=list)  # their first names, when not in the text

    @property
    def search_text(self) -> str:
        """The core text followed by all alias names."""
        return " ".join([self.text, *self.expansions])

    @property
    def dense_text(self) -> str:
        """The core text followed by the plans' own names for what it mentions: embedded."""
        return " ".join([self.text, *self.canonical])


# Alias names widen a query; they should not outvote the user's own words (evals: 0.5 > 1.0 or 0.3).
ALIAS_WEIGHT = 0.5


def weighted_tokens(
    prepared: PreparedQuery, tokenize: Callable[[str], Sequence[str]], alias_weight: float = ALIAS_WEIGHT
) -> dict[str, float]:
    """Keyword-search tokens with weights: 1 for the question's own tokens, `alias_weight` for the rest."""
    weights: dict[str, float] = {}
    for name in prepared.expansions:
        weights.update(dict.fromkeys(tokenize(name), alias_weight))
    weights.update(dict.fromkeys(tokenize(prepared.text), 1.0))
    return weights


def prepare_query(
    question: str,
    groups: Sequence[Sequence[str]],
    segmenter: Callable[[str], Sequence[str]] | None = None,
    thesaurus: Thesaurus | None = None,
) -> PreparedQuery:
    """Normalise and expand a question; an empty or blank one raises InvalidInput (请输入问题).

    `segmenter` splits text into words (`retrieval.segment.words`) for the alias word check;
    `thesaurus` normalises the question first and adds its names of the question's terms
    (BM25 gets them all at the alias weight, the embedding the plans' own names).
    """
    if not isinstance(question, str) or not question.strip():
        raise InvalidInput(EMPTY_QUERY_MESSAGE)
    text = normalize_query(thesaurus.normalise(question) if thesaurus is not None else question)
    words = segmenter(text) if segmenter is not None else None
    matched = matched_groups(text, groups, words)
    folded = _fold(text)
    expansions = _other_names(matched, folded)
    canonical = [g[0] for g in matched if _fold(g[0]) not in folded]
    if thesaurus is not None:
        expansions += thesaurus.expansions(text, words)
        canonical += thesaurus.canonical_names(text, words)
    return PreparedQuery(
        original=question,
        text=text,
        expansions=list(dict.fromkeys(expansions)),
        canonical=list(dict.fromkeys(canonical)),
    )


__all__ = [
    "normalize_query",
    "matched_groups",
    "expand_aliases",
    "prepare_query",
    "weighted_tokens",
    "PreparedQuery",
    "ALIAS_WEIGHT",
    "EMPTY_QUERY_MESSAGE",
]
