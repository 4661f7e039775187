"""The policy thesaurus at work: a question in the plans' words, and the other names of its terms.

    question ─NFKC─▶ 繁→简 (OpenCC t2s) ─▶ one-character typos fixed ─▶ English → Chinese
             └──────────────────────── normalise ───────────────────────────────┘
    text ─expansions─▶ the canonical and other names of every term it uses (BM25 at a lower weight)
         ─canonical_names─▶ the plans' own name of each (the embedding)

A typo is corrected only when it is safe: a run of CJK characters of the same length as a known
term of at least TYPO_MIN_CHARS characters (thesaurus names and `data/policy_terms.txt`), differing
in one character, matching exactly one such term, and itself neither in the corpus text, a jieba
dictionary word, nor holding a place name at the changed character (泰州实验室 is not 苏州实验室).
Without corpus text (`with_corpus`) only the other checks apply.

`Thesaurus.load()` reads the data once; `default_thesaurus()` is the shared instance the module
functions use; the retriever owns one with its corpus (`HybridRetriever.thesaurus`).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from retrieval.dictionary import load_policy_terms
from retrieval.thesaurus_file import Entry, Kind, load_entries

# Terms this long or longer may be corrected for a one-character typo: two-character words differ
# from other real words by one character far too often (南通 / 南京). Policy terms are extracted,
# not reviewed, and many three-character ones end in a common word (负责任, 高风险): they need 4.
TYPO_MIN_CHARS = 3
# typo repair serves typed questions; an unbroken run longer than this is pasted text, where the
# window search would cost far more than the repair is worth (a bound on per-request cost)
TYPO_MAX_RUN = 120
TYPO_MIN_POLICY_CHARS = 4
# A window whose changed character is at its edge and whose other characters are a word this common
# in jieba's dictionary is a neighbour plus that word (的规划, 有风险), not a typo of 省规划, 高风险.
COMMON_WORD_FREQ = 100
# a character this frequent on its own is a function word written on purpose ('……规划说要……' is
# no typo of ……规划纲要): such a character is never the one a typo changed
FUNCTION_CHAR_FREQ = 150_000  # 说, 要, 了, 都; not 去 (自创去 → 自创区 is a homophone typo)
# Kinds whose names widen a query both ways; a period word only adds its canonical (十四五末 → 2025年).
# A place variant only adds its canonical too: 苏南地区 → 苏南, but 苏南 does not search 苏南地区.
TWO_WAY = frozenset({Kind.ABBREVIATION, Kind.SYNONYM})
# English function words dropped from a question once its terms are translated ("target of
# Jiangsu by 2025" → "目标 江苏 到2025年"): they match nothing in the plans.
ENGLISH_STOPWORDS = frozenset(
    "a an the of in on for to by at is are was what which how many much does do did and or with "
    "its it s this that be will there".split()
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_SPACES = re.compile(r"\s+")


_QUOTE_MARKS = "“”\"'‘’「」『』《》"


def fold(text: str) -> str:
    """The matching form: NFKC, lower case, no quote marks (“十四五”末 and 十四五末 match)."""
    out = unicodedata.normalize("NFKC", text).lower()
    for mark in _QUOTE_MARKS:  # str.replace: str.translate took 0.8 s over a 500-plan corpus
        if mark in out:
            out = out.replace(mark, "")
    return out


def _is_english(term: str) -> bool:
    return not _CJK.search(term) and bool(_LATIN_WORD.search(term))


def _english_pattern(term: str) -> str:
    """Case-insensitive, whole words, any run of spaces or hyphens between words, a plural -s/-es."""
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", term.strip()) if p]
    body = r"[\s\-]*".join(parts)
    plural = "(?:s|es)?" if term[-1].isalpha() else ""
    return rf"(?<![A-Za-z0-9]){body}{plural}(?![A-Za-z0-9])"


@dataclass(frozen=True)
class _Group:
    canonical: str
    two_way: tuple[str, ...]  # other names that search each other and the canonical
    one_way: tuple[str, ...]  # names that only add the canonical


class Thesaurus:
    """Entries by canonical name, an English replacer and a typo index, built once."""

    def __init__(
        self,
        entries: Sequence[Entry],
        policy_terms: Iterable[str] = (),
        corpus: str = "",
        folded: bool = False,
    ):
        """`corpus`: the corpus text for the typo check, already `fold`ed when `folded`."""
        self.entries = tuple(entries)
        self._policy_terms = tuple(policy_terms)
        self._corpus = corpus if folded else fold(corpus)
        self._in_corpus_memo: dict[str, bool] = {}
        groups: dict[str, tuple[list[str], list[str]]] = {}
        english: dict[str, str] = {}
        for e in self.entries:
            if e.kind in (Kind.ENGLISH, Kind.PLACE) and _is_english(e.term):
                english.setdefault(e.term, e.canonical)
                continue
            two, one = groups.setdefault(e.canonical, ([], []))
            names = two if e.kind in TWO_WAY else one
            if e.term != e.canonical and e.term not in names:
                names.append(e.term)
        self._groups = [_Group(c, tuple(t), tuple(o)) for c, (t, o) in groups.items()]
        self._periods = {e.canonical for e in self.entries if e.kind is Kind.PERIOD}
        # folded name → (group index, role): role "canonical", "two_way" or "one_way"
        self._names: dict[str, list[tuple[int, str]]] = {}
        for i, g in enumerate(self._groups):
            self._names.setdefault(fold(g.canonical), []).append((i, "canonical"))
            for role, names in (("two_way", g.two_way), ("one_way", g.one_way)):
                for name in names:
                    self._names.setdefault(fold(name), []).append((i, role))
        # Longest English names first, so "R&D intensity" wins over "R&D".
        ordered = sorted(english, key=len, reverse=True)
        self._english_canonical = {fold(t): english[t] for t in ordered}
        self._english = (
            re.compile("|".join(f"({_english_pattern(t)})" for t in ordered), re.I) if ordered else None
        )
        self._english_order = [fold(t) for t in ordered]
        self._places = sorted(
            {
                fold(e.canonical)
                for e in self.entries
                if e.kind is Kind.PLACE and _CJK_RUN.fullmatch(e.canonical)
            }
            | {fold(e.term) for e in self.entries if e.kind is Kind.PLACE and _CJK_RUN.fullmatch(e.term)},
            key=len,
            reverse=True,
        )
        self._known = self._known_terms()
        self._typo_index: dict[str, set[str]] = {}
        for term in self._known:
            for i in range(len(term)):
                self._typo_index.setdefault(term[:i] + "\0" + term[i + 1 :], set()).add(term)
        self._known_set = frozenset(self._known)
        self._known_chars = frozenset("".join(self._known))
        self._lengths = sorted({len(t) for t in self._known}, reverse=True)
        self._t2s_lock = threading.Lock()
        self._t2s = None

    @classmethod
    def load(cls, corpus_texts: Iterable[str] = ()) -> Thesaurus:
        """The shipped thesaurus and policy terms, with the corpus text for the typo check."""
        return cls(load_entries(), load_policy_terms(), "\n".join(corpus_texts))

    def with_corpus(self, texts: Iterable[str]) -> Thesaurus:
        """The same data with another corpus text for the typo check."""
        return Thesaurus(self.entries, self._policy_terms, "\n".join(texts))

    def with_folded_corpus(self, folded: str, names: dict[str, bool] | None = None) -> Thesaurus:
        """The same data with a corpus text already folded (`corpus_text`, stored by ingest), and
        what `names_in_corpus` found in it when ingest stored that too."""
        thesaurus = Thesaurus(self.entries, self._policy_terms, folded, folded=True)
        thesaurus._in_corpus_memo.update(names or {})
        return thesaurus

    # -- names ------------------------------------------------------------------------------------
    def groups(self) -> list[tuple[str, ...]]:
        """Chinese name groups, the canonical first (English names are left out)."""
        return [(g.canonical, *g.two_way, *g.one_way) for g in self._groups if g.two_way or g.one_way]

    def canonical(self, term: str) -> str:
        """The plans' name for a term (its first canonical); the term itself when it is unknown."""
        folded = fold(term)
        if folded in self._english_canonical:
            return self._english_canonical[folded]
        for i, role in self._names.get(folded, []):
            return term if role == "canonical" else self._groups[i].canonical
        return term

    def synonyms(self, term: str) -> list[str]:
        """Every other Chinese name of the term's groups, canonicals first; [] when it is unknown."""
        folded = fold(term)
        if folded in self._english_canonical:
            folded = fold(self._english_canonical[folded])
            names = [self._english_canonical[fold(term)]]
        else:
            names = []
        for i, _ in self._names.get(folded, []):
            g = self._groups[i]
            names.extend([g.canonical, *g.two_way, *g.one_way])
        return [n for n in dict.fromkeys(names) if fold(n) != fold(term)]

    # -- normalisation ----------------------------------------------------------------------------
    def normalise(self, text: str) -> str:
        """NFKC, traditional → simplified, one-character typos of known terms fixed, English terms
        replaced by the plans' Chinese names (the question's other words are kept)."""
        text = unicodedata.normalize("NFKC", text)
        text = self.simplified(text)
        text = self.correct_typos(text)
        return self.translate_english(text)

    def simplified(self, text: str) -> str:
        """Traditional characters as simplified ones (OpenCC's t2s tables; simplified text is kept)."""
        if text.isascii():
            return text
        with self._t2s_lock:  # OpenCC loads its tables on first use and is not thread-safe then
            if self._t2s is None:
                from opencc import OpenCC

                self._t2s = OpenCC("t2s")
            return self._t2s.convert(text)

    def translate_english(self, text: str) -> str:
        """English terms and places (whole words, any case) replaced by their Chinese canonical;
        once one is, English function words are dropped."""
        if self._english is None or not _LATIN_WORD.search(text):
            return text
        replaced = False

        def to_chinese(match: re.Match) -> str:
            nonlocal replaced
            replaced = True
            chinese = self._english_canonical[self._english_order[match.lastindex - 1]]
            before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
            # a space only where the neighbour is Latin or a digit: 占GDP比重 stays one phrase
            return f"{' ' if before.isascii() and before.isalnum() else ''}{chinese}" + (
                " " if after.isascii() and after.isalnum() else ""
            )

        out = self._english.sub(to_chinese, text)
        if replaced:
            out = re.sub(
                r"(?<![A-Za-z0-9])[A-Za-z]+(?![A-Za-z0-9])",
                lambda m: "" if m.group(0).lower() in ENGLISH_STOPWORDS else m.group(0),
                out,
            )
        return _SPACES.sub(" ", out).strip()

    def correct_typos(self, text: str) -> str:
        """Each run of CJK characters with a one-character typo of exactly one known term fixed."""
        return _CJK_RUN.sub(lambda m: self._correct_run(m.group(0)), text)

    def typo_candidates(self, run: str) -> list[tuple[int, str]]:
        """(start, term) of every safe correction in a run of CJK characters, longest terms first."""
        known = self._known_set
        exact = [
            (start, start + length)
            for length in self._lengths
            for start in range(len(run) - length + 1)
            if run[start : start + length] in known
        ]
        out: list[tuple[int, str]] = []
        taken = bytearray(len(run))  # characters already inside a known term or a correction
        for s, e in exact:
            taken[s:e] = b"\x01" * (e - s)
        word_spans: list[tuple[int, int]] | None = None  # the run's dictionary words, when needed
        for length in self._lengths:
            for start in range(len(run) - length + 1):
                end = start + length
                if any(taken[start:end]):
                    continue
                window = run[start:end]
                if sum(ch not in self._known_chars for ch in window) > 1:
                    continue  # two characters no known term has: no term is one character away
                terms = {
                    t
                    for i in range(length)
                    for t in self._typo_index.get(window[:i] + "\0" + window[i + 1 :], ())
                }
                terms.discard(window)
                if len(terms) != 1:
                    continue
                (term,) = terms
                if self._real_word(window, term):
                    continue
                if word_spans is None:
                    word_spans = _word_spans(run)
                changed = start + _first_difference(window, term)
                if any(s <= changed < e for s, e in word_spans):
                    continue  # 时 of 当时规划, 定 of 省规定: the character is part of a real word
                out.append((start, term))
                taken[start:end] = b"\x01" * (end - start)
        return sorted(out)

    def _correct_run(self, run: str) -> str:
        if len(run) < TYPO_MIN_CHARS or len(run) > TYPO_MAX_RUN:
            return run
        for start, term in reversed(self.typo_candidates(run)):
            run = run[:start] + term + run[start + len(term) :]
        return run

    def _real_word(self, window: str, term: str) -> bool:
        """Whether a window one character off a known term is a word in its own right. The corpus
        is searched last: a scan of 500 plans' text takes 9 ms, the other checks microseconds."""
        changed = _first_difference(window, term)
        if segment_frequency(window[changed]) >= FUNCTION_CHAR_FREQ:
            return True
        for place in self._places:
            for i in _find_all(window, place):
                if i <= changed < i + len(place):
                    return True
        from retrieval import segment

        if changed in (0, len(window) - 1):
            rest = window[1:] if changed == 0 else window[:-1]
            if segment.word_frequency(rest) >= COMMON_WORD_FREQ:
                return True
        return segment.word_frequency(window) > 0 or bool(self._corpus and window in self._corpus)

    def _known_terms(self) -> list[str]:
        # period words are a period name and a suffix (十四五末): 十四五要, 十四五的 are no typos of them
        names = {
            fold(n)
            for g in self._groups
            if g.canonical not in self._periods
            for n in (g.canonical, *g.two_way)
        }
        names = {n for n in names if len(n) >= TYPO_MIN_CHARS}
        names |= {fold(t) for t in self._policy_terms if len(t) >= TYPO_MIN_POLICY_CHARS}
        return sorted(n for n in names if _CJK_RUN.fullmatch(n))

    # -- expansion --------------------------------------------------------------------------------
    def mentioned(self, text: str, words: Sequence[str] | None = None) -> list[tuple[int, str, str]]:
        """(group index, name, role) of each thesaurus name the text uses, in group order.

        Names of 4+ characters count as substrings; shorter ones must be one of `words` (the text's
        jieba words; computed when not given), so 高企 is not found inside 提高企业.
        """
        folded = fold(text)
        if words is None:
            from retrieval import segment

            words = segment.words(text)
        word_set = {fold(w) for w in words}
        found = [n for n in self._names if n in word_set or (len(n) >= 4 and n in folded)]
        # a name inside a longer one found (研发投入 in 研发投入占地区生产总值比重) is that one's part
        found = [n for n in found if not any(n != m and n in m for m in found)]
        return sorted((i, name, role) for name in found for i, role in self._names[name])

    def expansions(self, text: str, words: Sequence[str] | None = None) -> list[str]:
        """The canonical and other names of the terms the text uses, none already in it.

        With corpus text, other names the plans never use are left out: they could only match
        passages through their parts.
        """
        folded = fold(text)
        out: list[str] = []
        for i, _, role in self.mentioned(text, words):
            g = self._groups[i]
            others = [] if role == "one_way" else [n for n in g.two_way if self._in_corpus(n)]
            out.extend(n for n in (g.canonical, *others) if fold(n) not in folded)
        return list(dict.fromkeys(out))

    def _in_corpus(self, name: str) -> bool:
        return not self._corpus or self.in_corpus(name)

    def in_corpus(self, name: str) -> bool:
        """Whether the corpus text holds the name (False without corpus text). Remembered per name
        and, for the thesaurus's own names, stored by ingest (`names_in_corpus`): a scan of 500
        plans' text takes up to 9 ms."""
        key = fold(name)
        found = self._in_corpus_memo.get(key)
        if found is None:
            found = self._in_corpus_memo[key] = bool(self._corpus) and key in self._corpus
        return found

    def names_in_corpus(self) -> dict[str, bool]:
        """Each of the thesaurus's names (folded) → whether the corpus text holds it."""
        names = set(self._names) | {fold(n) for g in self._groups for n in (g.canonical, *g.two_way)}
        return {n: self.in_corpus(n) for n in sorted(names)}

    def canonical_names(self, text: str, words: Sequence[str] | None = None) -> list[str]:
        """The plans' own name of each term the text uses by another name (for the embedding)."""
        folded = fold(text)
        names = [
            self._groups[i].canonical for i, _, role in self.mentioned(text, words) if role != "canonical"
        ]
        return [n for n in dict.fromkeys(names) if fold(n) not in folded]


def segment_frequency(word: str) -> int:
    from retrieval import segment

    return segment.word_frequency(word)


def _first_difference(a: str, b: str) -> int:
    return next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)


def _word_spans(run: str) -> list[tuple[int, int]]:
    """(start, end) of each word of two or more characters in the run's dictionary cut."""
    from retrieval import segment

    spans, pos = [], 0
    for word in segment.dictionary_cut(run):
        if len(word) > 1:
            spans.append((pos, pos + len(word)))
        pos += len(word)
    return spans


def _find_all(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


# the files a build stores its folded corpus text in, and which thesaurus names that text holds;
# the names change when `fold` does
CORPUS_TEXT_FILE = "corpus.folded-1.txt"
CORPUS_NAMES_FILE = "corpus.names-1.json"


def corpus_text(texts: Iterable[str]) -> str:
    """The folded corpus text of the typo check (`Thesaurus.with_folded_corpus`)."""
    return fold("\n".join(texts))


@functools.cache
def default_thesaurus() -> Thesaurus:
    """The shipped thesaurus, loaded once per process (no corpus text: see `Thesaurus.with_corpus`)."""
    return Thesaurus.load()


def normalise_question(text: str) -> str:
    """NFKC, 繁→简, a one-character typo of a known term fixed, English terms in Chinese."""
    return default_thesaurus().normalise(text)


def expansions(text: str) -> list[str]:
    """The canonical and other names of the terms the text uses (for query expansion)."""
    return default_thesaurus().expansions(text)


def canonical(term: str) -> str:
    """The plans' name for a term (高企 → 高新技术企业); the term itself when unknown."""
    return default_thesaurus().canonical(term)


def synonyms(term: str) -> list[str]:
    """The other names of a term, canonicals first (for matching table headers)."""
    return default_thesaurus().synonyms(term)


__all__ = [
    "Thesaurus",
    "CORPUS_NAMES_FILE",
    "CORPUS_TEXT_FILE",
    "corpus_text",
    "default_thesaurus",
    "normalise_question",
    "expansions",
    "canonical",
    "synonyms",
    "fold",
    "TYPO_MIN_CHARS",
    "TYPO_MIN_POLICY_CHARS",
    "COMMON_WORD_FREQ",
    "TWO_WAY",
]
