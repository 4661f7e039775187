"""Run the system over the evaluation set: retrieval in three modes and the full answer pipeline.

For each item, on the same question:
- retrieval (answerable items): the hybrid retriever and its two baselines (`keyword_only` = BM25,
  `dense_only`) each return RETRIEVAL_DEPTH chunks for `item.retrieval_query`; we keep the rank of
  the first chunk in an expected place;
- the full system: `runtime.ask(question, history)`, timed; its facts, refusal and citations are
  checked against the item, each quote against the cited chunk's text in `runtime.catalog`.

`runtime` is anything with the `Runtime` surface used here: `load()`, `ask()`, `retriever`
(`with_mode(mode).search(query, k=...)`) and `catalog.get(chunk_id)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evals.dataset import KINDS, EvalItem
from evals.metrics import (
    MODES,
    RETRIEVAL_DEPTH,
    ItemResult,
    at_place,
    failure_reasons,
    first_hit_rank,
    group,
    missing_facts,
    quote_is_verbatim,
    summarise,
)


@dataclass
class EvalRun:
    items: list[EvalItem]
    results: list[ItemResult]
    overall: dict
    per_kind: dict[str, dict]
    per_doc: dict[str, dict]
    modes: tuple[str, ...]
    elapsed_s: float

    @property
    def failing(self) -> dict[str, list[str]]:
        """Item id → reasons, for every item that falls short somewhere."""
        return {r.id: reasons for r in self.results if (reasons := failure_reasons(r))}

    def kinds_in_order(self) -> dict[str, dict]:
        """`per_kind` in the dataset's order of kinds (evals.dataset.KINDS)."""
        return {k: self.per_kind[k] for k in KINDS if k in self.per_kind}

    def to_json(self, gate_failures: Sequence[str] | None = None) -> dict:
        data = {**self.overall, "per_kind": self.per_kind, "per_doc": self.per_doc, "failing": self.failing}
        data["elapsed_s"] = round(self.elapsed_s, 1)
        if gate_failures is not None:
            data["gate"] = {"passed": not gate_failures, "failures": list(gate_failures)}
        return data


def evaluate_item(runtime, retrievers: dict, item: EvalItem, depth: int = RETRIEVAL_DEPTH) -> ItemResult:
    ranks: dict[str, int | None] = {}
    if item.answerable:
        for mode, retriever in retrievers.items():
            hits = retriever.search(item.retrieval_query, k=depth)
            ranks[mode] = first_hit_rank([h.chunk for h in hits], item.expected)

    started = time.perf_counter()
    mode = "reply" if item.kind == "reply" else "answer"  # an official drafting a reply uses 起草答复
    answer = runtime.ask(item.question, history=item.history, mode=mode)
    latency_ms = (time.perf_counter() - started) * 1000

    cited = [(c, runtime.catalog.get(c.chunk_id)) for c in answer.citations]
    invalid = tuple(c.n for c, chunk in cited if chunk is None or not quote_is_verbatim(c.quote, chunk.text))
    graded = item.answerable and not answer.refused
    return ItemResult(
        id=item.id,
        kind=item.kind,
        answerable=item.answerable,
        doc_ids=tuple(item.doc_ids),
        ranks=ranks,
        refused=answer.refused,
        refusal_reason=answer.refusal_reason,
        n_facts=len(item.key_facts),
        missing=tuple(missing_facts(answer.answer, item.key_facts) if graded else item.key_facts),
        citation_hit=any(chunk is not None and at_place(chunk, item.expected) for _, chunk in cited)
        if graded
        else None,
        citations=len(cited),
        invalid_citations=invalid,
        latency_ms=latency_ms,
        answer_chars=len(answer.answer),
    )


def summarise_run(
    items: list[EvalItem], results: list[ItemResult], modes: Sequence[str], elapsed_s: float
) -> EvalRun:
    return EvalRun(
        items=items,
        results=results,
        overall=summarise(results, modes),
        per_kind={k: summarise(rs, modes) for k, rs in group(results, lambda r: r.kind).items()},
        per_doc={d: summarise(rs, modes) for d, rs in sorted(group(results, lambda r: r.doc_ids).items())},
        modes=tuple(modes),
        elapsed_s=elapsed_s,
    )


def run_eval(
    runtime,
    items: Sequence[EvalItem],
    modes: Sequence[str] = MODES,
    depth: int = RETRIEVAL_DEPTH,
    progress: Callable[[EvalItem], None] | None = None,
) -> EvalRun:
    """Evaluate every item; `progress` is called after each one."""
    started = time.perf_counter()
    runtime.load()
    retrievers = {mode: runtime.retriever.with_mode(mode) for mode in modes}
    results = []
    for item in items:
        results.append(evaluate_item(runtime, retrievers, item, depth))
        if progress is not None:
            progress(item)
    return summarise_run(list(items), results, modes, time.perf_counter() - started)


__all__ = ["EvalRun", "evaluate_item", "run_eval", "summarise_run"]
