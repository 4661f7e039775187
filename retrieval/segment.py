"""Chinese tokenisation for keyword search: jieba words plus CJK character bigrams.

Words come from jieba's search mode (long dictionary words also yield their sub-words) with a user
dictionary of policy terms (`data/policy_terms.txt`) and thesaurus names (`data/thesaurus.tsv`), so
“揭榜挂帅” or “1+3+10+N” stay whole. Bigrams of every run of CJK characters are added so that a
term jieba splits differently in the question and in the plan still matches.

Text is NFKC-normalised and lower-cased first, so “ＳＵＰＥＲ工程” and “super工程” are the same token.
jieba is initialised once per process (about a second); its cache goes to a writable folder.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import tempfile
import threading
import unicodedata
from pathlib import Path

import jieba

from retrieval.dictionary import dictionary_terms

log = logging.getLogger("planqa.segment")

# Bump when the tokenisation rules change: a keyword index built with other rules is rebuilt.
RULES_VERSION = "1"

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_HAS_WORD_CHAR = re.compile(r"\w")
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 是 为 对 以 将 把 被 从 由 于 其 之 而 并 也 都 就 这 那 有 个 中 上 下 "
    "请问 什么 哪些 多少 怎么 怎样 如何 是否 吗 呢 吧".split()
)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_cache_dir: Path | None = None


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width, compatibility forms) and lower case: the form matching uses."""
    return unicodedata.normalize("NFKC", text).lower()


def configure(cache_dir: Path | str) -> None:
    """Choose where jieba writes its prefix-dictionary cache (call before the first tokenisation)."""
    global _cache_dir
    _cache_dir = Path(cache_dir)


def _get_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            # jieba's own logger prints "Building prefix dict..." at DEBUG to stderr on every start.
            jieba.setLogLevel(logging.WARNING)
            cache_dir = _cache_dir or Path(tempfile.gettempdir()) / "planqa-jieba"
            cache_dir.mkdir(parents=True, exist_ok=True)
            tokenizer = jieba.Tokenizer()
            tokenizer.tmp_dir = str(cache_dir)
            tokenizer.initialize()
            for term in dictionary_terms():
                tokenizer.add_word(normalize_text(term))
            _tokenizer = tokenizer
    return _tokenizer


def words(text: str) -> list[str]:
    """jieba words (search mode) of normalised text, without punctuation, spaces and stop words."""
    return list(_words(text))


@functools.lru_cache(maxsize=16384)  # a question is cut many times while it is answered
def _words(text: str) -> tuple[str, ...]:
    tokenizer = _get_tokenizer()
    out = []
    for word in tokenizer.cut_for_search(normalize_text(text)):
        word = word.strip()
        if word and word not in STOPWORDS and _HAS_WORD_CHAR.search(word):
            out.append(word)
    return tuple(out)


def dictionary_cut(text: str) -> list[str]:
    """jieba's plain cut of normalised text by its dictionary alone (no HMM guesses), every
    character kept: the words a run of text is made of."""
    return list(_get_tokenizer().cut(normalize_text(text), HMM=False))


def word_frequency(word: str) -> int:
    """How often jieba's dictionary counts the word (0 when it is no word of its own)."""
    return int(_get_tokenizer().FREQ.get(normalize_text(word)) or 0)


def bigrams(text: str) -> list[str]:
    """Character bigrams of each run of CJK characters: 卓越工程 → 卓越 越工 工程."""
    out = []
    for run in _CJK_RUN.findall(normalize_text(text)):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def tokenize(text: str) -> list[str]:
    """The tokens the keyword index sees: words, then bigrams (a term may appear in both)."""
    return words(text) + bigrams(text)


def signature() -> str:
    """Changes whenever tokenisation would: the rules version and the dictionary contents."""
    digest = hashlib.sha1(RULES_VERSION.encode())
    for term in dictionary_terms():
        digest.update(term.encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]


__all__ = [
    "normalize_text",
    "configure",
    "words",
    "word_frequency",
    "dictionary_cut",
    "bigrams",
    "tokenize",
    "signature",
    "STOPWORDS",
]
