"""BM25 keyword index over pre-tokenised passages (tokens from `retrieval.segment.tokenize`).

    score(d, q) = Σ_{t ∈ q}  idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
    idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))

Query tokens count once each (our tokens repeat a term as a word and as bigrams on purpose), or
with a weight each when the query is a mapping.
The index is saved as JSON (ids, lengths, tokens) with the postings as three base64-packed int32
arrays (format 2: at 500 plans a JSON list per token took most of the time to open the index);
format 1, a list of documents and one of frequencies per token, is still read.
"""

from __future__ import annotations

import base64
import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path

import numpy as np

FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)
# Chunks are section-sized on purpose, so length says little about relevance: a milder length
# normalisation than the textbook b=0.75 ranked the expected section first more often (evals/).
K1 = 1.2
B = 0.5


class KeywordIndex:
    """Postings are held in three flat arrays (one slice per token: its documents, term
    frequencies and BM25 contributions) and a token → slice table: at 500 plans a pair of Python
    lists per token held several hundred MB more and took seconds to convert at open."""

    def __init__(
        self,
        ids: Sequence[str],
        doc_len: Sequence[int],
        postings: Mapping[str, tuple[Sequence[int], Sequence[int]]],
        *,
        k1: float = K1,
        b: float = B,
        signature: str = "",
    ):
        tokens = list(postings)
        sizes = np.fromiter((len(postings[t][0]) for t in tokens), dtype=np.int64, count=len(tokens))
        total = int(sizes.sum())
        docs = np.fromiter(chain.from_iterable(postings[t][0] for t in tokens), dtype=np.int32, count=total)
        tfs = np.fromiter(chain.from_iterable(postings[t][1] for t in tokens), dtype=np.int32, count=total)
        self._init_arrays(
            ids, np.asarray(doc_len, dtype=np.float32), tokens, sizes, docs, tfs, k1, b, signature
        )

    def _init_arrays(self, ids, doc_len, tokens, sizes, docs, tfs, k1, b, signature) -> None:
        self.ids = list(ids)
        self.k1, self.b, self.signature = k1, b, signature
        self._doc_len = doc_len
        n = len(self.ids)
        avgdl = float(self._doc_len.mean()) if n else 1.0
        norm = k1 * (1 - b + b * self._doc_len / max(avgdl, 1e-9))
        ends = np.cumsum(sizes)
        starts = ends - sizes
        self._docs, self._tfs = docs, tfs
        # idf per token (math.log, as it always was), spread over the token's postings
        idf = np.array([math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in sizes.tolist()], dtype=np.float32)
        tf = tfs.astype(np.float32)
        self._contrib = (np.repeat(idf, sizes) * tf * np.float32(k1 + 1) / (tf + norm[docs])).astype(
            np.float32
        )
        self._slices: dict[str, tuple[int, int]] = {
            t: (int(a), int(e)) for t, a, e in zip(tokens, starts.tolist(), ends.tolist(), strict=True)
        }

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        token_lists: Iterable[Sequence[str]],
        *,
        k1: float = K1,
        b: float = B,
        signature: str = "",
    ) -> KeywordIndex:
        postings: dict[str, tuple[list[int], list[int]]] = {}
        doc_len = []
        for i, tokens in enumerate(token_lists):
            doc_len.append(len(tokens))
            for token, tf in Counter(tokens).items():
                docs, tfs = postings.setdefault(token, ([], []))
                docs.append(i)
                tfs.append(tf)
        if len(doc_len) != len(ids):
            raise ValueError("one token list per id is needed")
        return cls(ids, doc_len, postings, k1=k1, b=b, signature=signature)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: Mapping[str, float] | Iterable[str]) -> np.ndarray:
        """BM25 score of every document (0 where no query token occurs).

        `query` is tokens (each counts once) or a mapping token → weight (alias names weigh less).
        """
        weights = query if isinstance(query, Mapping) else dict.fromkeys(query, 1.0)
        out = np.zeros(len(self.ids), dtype=np.float32)
        for token, weight in weights.items():
            where = self._slices.get(token)
            if where is not None and weight:
                start, end = where
                out[self._docs[start:end]] += weight * self._contrib[start:end]
        return out

    def search(
        self, query: Mapping[str, float] | Iterable[str], k: int, mask: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with a positive score, among documents where `mask` is true."""
        scores = self.scores(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        # stable: equal scores keep document order
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        return [(self.ids[i], float(scores[i])) for i in order]

    def to_json(self) -> dict:
        sizes = np.array([e - a for a, e in self._slices.values()], dtype=np.int32)
        return {
            "format": FORMAT_VERSION,
            "k1": self.k1,
            "b": self.b,
            "signature": self.signature,
            "ids": self.ids,
            "doc_len": [int(x) for x in self._doc_len],
            "tokens": list(self._slices),
            "sizes": _pack(sizes),
            "docs": _pack(self._docs),
            "tfs": _pack(self._tfs),
        }

    def postings(self) -> dict[str, tuple[list[int], list[int]]]:
        """token → (documents, term frequencies), as `build` takes them."""
        return {t: (self._docs[a:e].tolist(), self._tfs[a:e].tolist()) for t, (a, e) in self._slices.items()}

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(
            json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> KeywordIndex:
        data = json.loads(Path(path).read_bytes())  # bytes: a text read of 95 MB took 0.6 s more
        if data.get("format") not in READABLE_FORMATS:
            raise ValueError(
                f"{path}: keyword index format {data.get('format')!r}, expected one of {READABLE_FORMATS}"
            )
        options = {"k1": data["k1"], "b": data["b"], "signature": data["signature"]}
        if data["format"] == 1:
            postings = {t: (d, f) for t, (d, f) in data["postings"].items()}
            return cls(data["ids"], data["doc_len"], postings, **options)
        tokens, sizes = data["tokens"], _unpack(data["sizes"])
        docs, tfs = _unpack(data["docs"]), _unpack(data["tfs"])
        ids = data["ids"]
        if len(tokens) != len(sizes) or int(sizes.sum()) != len(docs) or len(docs) != len(tfs):
            raise ValueError(f"{path}: keyword index postings do not add up")
        if len(docs) and (int(docs.min()) < 0 or int(docs.max()) >= len(ids)):
            raise ValueError(f"{path}: keyword index names a passage it does not have")
        index = cls.__new__(cls)
        index._init_arrays(
            ids,
            np.asarray(data["doc_len"], dtype=np.float32),
            tokens,
            sizes.astype(np.int64),
            docs,
            tfs,
            options["k1"],
            options["b"],
            options["signature"],
        )
        return index


def _pack(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<i4").tobytes()).decode("ascii")


def _unpack(text: str) -> np.ndarray:
    raw = base64.b64decode(text, validate=True)
    if len(raw) % 4:
        raise ValueError("a packed int32 array of the keyword index is cut short")
    return np.frombuffer(raw, dtype="<i4").astype(np.int32)


__all__ = ["KeywordIndex"]
