"""BM25 keyword index over pre-tokenised passages (tokens from `retrieval.segment.tokenize`).

    score(d, q) = Σ_{t ∈ q}  idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
    idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))

Query tokens count once each (our tokens repeat a term as a word and as bigrams on purpose), or
with a weight each when the query is a mapping.
The index is saved as JSON (ids, lengths, postings) and rebuilt whenever the passages change.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1
# Chunks are section-sized on purpose, so length says little about relevance: a milder length
# normalisation than the textbook b=0.75 ranked the expected section first more often (evals/).
K1 = 1.2
B = 0.5


class KeywordIndex:
    def __init__(
        self,
        ids: Sequence[str],
        doc_len: Sequence[int],
        postings: dict[str, tuple[Sequence[int], Sequence[int]]],
        *,
        k1: float = K1,
        b: float = B,
        signature: str = "",
    ):
        self.ids = list(ids)
        self.k1, self.b, self.signature = k1, b, signature
        self._doc_len = np.asarray(doc_len, dtype=np.float32)
        self._postings = postings
        n = len(self.ids)
        avgdl = float(self._doc_len.mean()) if n else 1.0
        norm = k1 * (1 - b + b * self._doc_len / max(avgdl, 1e-9))
        # Per token: the documents it occurs in and its full BM25 contribution there.
        self._weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for token, (docs, tfs) in postings.items():
            docs_arr = np.asarray(docs, dtype=np.int32)
            tf = np.asarray(tfs, dtype=np.float32)
            idf = math.log(1 + (n - len(docs_arr) + 0.5) / (len(docs_arr) + 0.5))
            self._weights[token] = (
                docs_arr,
                (idf * tf * (k1 + 1) / (tf + norm[docs_arr])).astype(np.float32),
            )

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
            hit = self._weights.get(token)
            if hit is not None and weight:
                out[hit[0]] += weight * hit[1]
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
        return {
            "format": FORMAT_VERSION,
            "k1": self.k1,
            "b": self.b,
            "signature": self.signature,
            "ids": self.ids,
            "doc_len": [int(x) for x in self._doc_len],
            "postings": {t: [list(map(int, d)), list(map(int, f))] for t, (d, f) in self._postings.items()},
        }

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(
            json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> KeywordIndex:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(
                f"{path}: keyword index format {data.get('format')!r}, expected {FORMAT_VERSION}"
            )
        postings = {t: (d, f) for t, (d, f) in data["postings"].items()}
        return cls(
            data["ids"], data["doc_len"], postings, k1=data["k1"], b=data["b"], signature=data["signature"]
        )


__all__ = ["KeywordIndex"]
