"""Answer backends behind one small interface, chosen by a spec string (`PLANQA_LLM`):

    extractive        offline, no model (the default)
    openai:<model>    any OpenAI-compatible chat endpoint (vLLM, Ollama, Xinference, DeepSeek, DashScope)

A backend's `draft(state, search)` returns (Draft, backend name actually used).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from assistant.answering import ExtractiveAnswerer
from assistant.text import split_parts
from retrieval.errors import ConfigError

if TYPE_CHECKING:
    from assistant.pipeline import QAState, Search

SPECS = ("extractive", "openai:<model>")
log = logging.getLogger("planqa.llm")


class ExtractiveBackend:
    name = "extractive"

    def __init__(self, answerer: ExtractiveAnswerer):
        self.answerer = answerer

    def draft(self, state: QAState, search: Search):
        parts = split_parts(state.parsed.text) if not state.parsed.followup else []
        if len(parts) < 2:
            return self.answerer.answer(state.parsed, state.hits, search), self.name
        # a question in several parts ('……是多少？还要新增几家？'): answer each part, keep the order
        from assistant.question import analyse

        merged = None
        for i, part in enumerate(parts):
            q = analyse(
                part, parts[:i][-1:], plans=self.answerer.plans
            )  # a later part without a subject leans on the first
            if not q.doc_hints:
                q.doc_hints, q.plan_scopes = state.parsed.doc_hints, state.parsed.plan_scopes
            q.must_have = q.must_have or []
            if (
                state.parsed.intent == "eligibility"
            ):  # '……能拿到所有权吗？经费上有什么松绑？' asks for support throughout
                q.intent = "eligibility"
            scope = state.doc_ids or (q.doc_hints[:1] if len(q.doc_hints) == 1 else None)
            hits = search(q.standalone, scope)
            if q.followup and q.own_terms:
                # the part asks something new about the same subject: its own words lead
                q.own_weight = self.answerer.thresholds.part_own_weight
                seen = {h.chunk.chunk_id for h in hits}
                hits += [h for h in search(part, scope) if h.chunk.chunk_id not in seen]
            draft = self.answerer.answer(q, hits, search)
            if merged is None:
                merged = draft
            else:
                seen = {(s.chunk.chunk_id, s.start) for s in merged.segments}
                merged.segments += [s for s in draft.segments if (s.chunk.chunk_id, s.start) not in seen]
        return merged, self.name


def llm_options(settings) -> dict:
    """The make_backend arguments that settings decide (PLANQA_LLM_*)."""
    return {
        "base_url": settings.llm_base_url,
        "api_key": settings.llm_api_key,
        "timeout": settings.llm_timeout,
        "passages": settings.llm_passages,
        "max_tokens": settings.llm_max_tokens,
        "prompt": settings.llm_prompt,
    }


def make_backend(
    spec: str,
    answerer: ExtractiveAnswerer,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float = 20.0,
    chat_model=None,
    **options,
):
    """Build the backend a spec names; `chat_model` lets tests pass a scripted LangChain chat model.

    A model endpoint that is missing or malformed does not stop the service: the extractive backend
    answers, named "extractive (fallback: <the setting to fix>)", and a warning says what to set. An
    endpoint that does not answer now is reported the same way, and tried again later."""
    if spec == "extractive":
        return ExtractiveBackend(answerer)
    if spec.startswith("openai:") and len(spec) > len("openai:"):
        from assistant.llm import OpenAIBackend, endpoint_problem

        problem = None if chat_model is not None else endpoint_problem(spec, base_url)
        if problem is not None and problem.fatal:
            log.warning("%s; answering with the extractive backend", problem.message)
            backend = ExtractiveBackend(answerer)
            backend.name = f"extractive (fallback: {problem.setting} {problem.short})"
            return backend
        backend = OpenAIBackend(
            spec,
            ExtractiveBackend(answerer),
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            chat_model=chat_model,
            **options,
        )
        if problem is not None:
            log.warning("%s; answering with the extractive backend until it does", problem.message)
            backend.rest()
        return backend
    raise ConfigError(f"PLANQA_LLM={spec!r} is not a known backend; valid: {', '.join(SPECS)}")
