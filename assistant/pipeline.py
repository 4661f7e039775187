"""The answer chain, composed from LangChain runnables:

condense (follow-up + history → standalone question)
→ retrieve (hybrid search, preferring the plan the question names)
→ generate (the answer backend drafts segments tied to chunk spans)
→ verify (drop any segment its chunk does not support)
→ decide (refuse when out of scope or support is weak) → render (markers and citations)
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answering.matching import scope_free
from assistant.answering.thresholds import DEFAULT_THRESHOLDS, AnswerThresholds
from assistant.citations import verify
from assistant.draft import Draft, render, section_label
from assistant.markup import reply_topic
from assistant.plans import PlanDirectory
from assistant.question import Question, analyse
from assistant.schemas import Answer, Generation, Mode, Turn
from assistant.text import GramWeights, grams, split_parts
from retrieval.models import SearchHit

# when to answer and when to refuse: AnswerThresholds.min_coverage, known_terms_min,
# detail_focus_min and figure_focus_min (the defaults, kept here under their old names)
MIN_COVERAGE = DEFAULT_THRESHOLDS.min_coverage
DETAIL_FOCUS_MIN = DEFAULT_THRESHOLDS.detail_focus_min
FIGURE_FOCUS_MIN = DEFAULT_THRESHOLDS.figure_focus_min
CACHE_SIZE = 2048  # answers kept per index build (a portal sees the same questions again and again)
Search = Callable[[str, Sequence[str] | None], list[SearchHit]]


@dataclass
class QAState:
    question: str
    history: list[Turn] = field(default_factory=list)
    doc_ids: list[str] | None = None
    mode: Mode = "answer"
    started: float = field(default_factory=time.perf_counter)
    parsed: Question | None = None
    hits: list[SearchHit] = field(default_factory=list)
    draft: Draft | None = None
    backend: str = ""
    answer: Answer | None = None
    generation: Generation | None = None  # set by a model backend: prompt version, what verification kept


def history_questions(history: Sequence[Turn]) -> list[str]:
    return [t.content for t in history if t.role == "user"]


def refusal_message(reason: str, closest: SearchHit | None, titles: list[str]) -> str:
    lines = [f"抱歉，根据现有规划文本无法回答这个问题：{reason}。"]
    lines.append("本助手只依据以下文件作答：" + "、".join(f"《{t}》" for t in titles) + "。")
    if closest is not None:
        c = closest.chunk
        lines.append(f"与问题最接近的内容在《{c.doc_title}》“{section_label(c)}”部分，可换个问法或直接查阅。")
    return "\n".join(lines)


def reply_letter(draft: Draft, topic: str) -> Draft:
    """Draft-reply mode: a formal reply in which every factual line is a cited quote."""
    draft.preface = f"关于{topic}有关情况的答复\n\n经查，相关规划对此有如下表述："
    for i, seg in enumerate(draft.segments, 1):
        seg.lead = f"{i}. 《{seg.chunk.doc_title}》“{section_label(seg.chunk)}”提出：“"
        seg.display = f"{seg.shown}”"
    draft.notes = [*draft.notes, "", "以上内容均摘自规划原文，供参考。", "特此答复。"]
    return draft


_ASKS_FIGURE = re.compile(r"多少|(?<!哪)几[家个项所名人条]|百分之|比重|占比")  # not 哪几个: a list


class AnswerPipeline:
    """Holds the pieces the steps need; `chain` is the runnable the surfaces invoke."""

    def __init__(
        self,
        search: Search,
        backend,
        weights: GramWeights,
        titles: list[str],
        top_k: int = 6,
        cache_size: int = CACHE_SIZE,
        known_docs: Sequence[str] | None = None,
        plans: PlanDirectory | None = None,
        thresholds: AnswerThresholds = DEFAULT_THRESHOLDS,
    ):
        self.search = search
        self.backend = backend
        self.weights = weights
        self.titles = titles
        self.top_k = top_k
        self.cache_size = cache_size
        self.known_docs = set(known_docs) if known_docs is not None else None
        self.plans = plans or getattr(backend, "plans", None)
        self.thresholds = thresholds  # when to refuse (the answerer has its own reference to the same)
        self.cache_ok: Callable[[], bool] = lambda: True  # the runtime says no while search is degraded
        self._cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()
        self.chain: Runnable = (
            RunnableLambda(self.condense, name="condense")
            | RunnableLambda(self.retrieve, name="retrieve")
            | RunnableLambda(self.generate, name="generate")
            | RunnableLambda(self.verify, name="verify")
            | RunnableLambda(self.decide, name="decide")
            | RunnableLambda(self.annotate, name="annotate")
        )

    def use_thresholds(self, thresholds: AnswerThresholds) -> None:
        """Refuse by other thresholds from now on; cached answers, made with the old ones, go."""
        self.thresholds = thresholds
        with self._cache_lock:
            self._cache.clear()

    # each step takes and returns the state
    def condense(self, state: QAState) -> QAState:
        state.parsed = analyse(state.question, history_questions(state.history), plans=self.plans)
        if self.known_docs is not None:  # plan hints name the shipped corpus; another corpus may lack them
            known = self.known_docs
            state.parsed.doc_hints = [d for d in state.parsed.doc_hints if d in known]
            scopes = (tuple(d for d in scope if d in known) for scope in state.parsed.plan_scopes)
            state.parsed.plan_scopes = [scope for scope in scopes if scope]
        return state

    def retrieve(self, state: QAState) -> QAState:
        q = state.parsed
        if q.out_of_scope:
            return state
        doc_ids = state.doc_ids
        if not doc_ids and len(q.doc_hints) == 1 and q.intent != "compare":
            preferred = self.search(q.standalone, q.doc_hints)
            others = self.search(q.standalone, None)
            seen = {h.chunk.chunk_id for h in preferred}
            # the answerer re-ranks by coverage, so it gets a generous pool
            state.hits = preferred + [h for h in others if h.chunk.chunk_id not in seen][: self.top_k]
        else:
            state.hits = self.search(q.standalone, doc_ids)
        return state

    def generate(self, state: QAState) -> QAState:
        if state.parsed.out_of_scope:
            state.draft, state.backend = Draft(), self.backend.name
            return state
        state.draft, state.backend = self.backend.draft(state, self._search_within(state))
        return state

    def _search_within(self, state: QAState) -> Search:
        def search(query: str, doc_ids: Sequence[str] | None) -> list[SearchHit]:
            if state.doc_ids and doc_ids:
                doc_ids = [d for d in doc_ids if d in state.doc_ids] or state.doc_ids
            return self.search(query, doc_ids or state.doc_ids)

        return search

    def verify(self, state: QAState) -> QAState:
        if state.draft is not None and not state.draft.refused:
            verify(state.draft)
        return state

    def support(self, state: QAState) -> float:
        """How much of the question the cited passages cover (0..1).

        Words the plans never use ('人大代表', '追责') cannot be covered by any passage: they are the
        asker's framing, so they are left out, unless they are most of the question (then it is
        about something the plans do not discuss, and support is 0)."""
        q = state.parsed
        if state.draft.support is not None:
            return state.draft.support
        chunks = {seg.chunk.chunk_id: seg.chunk for seg in state.draft.segments}
        if not chunks or not q.terms:
            return 0.0  # nothing found, or nothing asked ('第九十九个是什么？' names no list)
        # the whole question, or only its asking clause after the asker's description of themselves
        asked = [scope_free(t, self.plans) for t in (q.terms, q.asked_terms) if t]
        best = 0.0
        for terms in asked:  # an author's or a city's plan name: where to look, not what is asked
            known = {g for g in terms if self.weights.df.get(g)}
            if not known or self.weights.coverage(terms, known) < self.thresholds.known_terms_min:
                continue
            for c in chunks.values():
                have = grams(c.search_text)
                for name, others in q.aliases.items():
                    if any(o in c.search_text for o in others):
                        have |= grams(name)
                best = max(best, self.weights.coverage(known, have))
        return best

    def decide(self, state: QAState) -> QAState:
        q, draft = state.parsed, state.draft
        closest = state.hits[0] if state.hits else None
        reason = None
        if q.out_of_scope:
            reason, closest = (
                q.out_of_scope,
                None if "指令" in q.out_of_scope or "无关" in q.out_of_scope else closest,
            )
        elif draft.refused:
            reason = draft.reason or "所给段落不足以回答"
        elif not draft.segments:
            reason = "没有找到能支持回答的规划原文"
        elif self.support(state) < self.thresholds.min_coverage:
            reason = "规划原文与问题的关键内容不相符"
        mention = []
        # a figure asked for, alone or side by side ('……分别是多少'), needs a figure about it
        asks_figure = q.intent == "number" or (
            q.intent == "compare" and _ASKS_FIGURE.search(q.text) is not None
        )
        if reason is None and asks_figure and not q.details:
            from assistant.answerability import figure_share
            from assistant.question import content_grams

            parts = [content_grams(p) for p in split_parts(q.text)] or None
            if (
                figure_share(q, draft.segments, self.weights, lambda t: scope_free(t, self.plans), parts)
                < self.thresholds.figure_focus_min
            ):
                reason = "规划中没有找到与问题所问内容对应的数字"
        if reason is None and q.details:
            from assistant.answerability import check_details, detail_refusal

            minimum = self.thresholds.detail_focus_min
            missing, mention, topic = check_details(
                q, draft.segments, self.weights, minimum, lambda t: scope_free(t, self.plans)
            )
            if missing and len(missing) == len(q.details):
                reason = detail_refusal(topic, "、".join(m.missing for m in missing))
                closest = None if mention else closest
            elif missing:
                draft.notes.append(f"（{detail_refusal(None, '、'.join(m.missing for m in missing))}。）")
        if reason:
            state.draft = Draft(
                segments=mention if reason.startswith("规划提到") else [],
                refused=True,
                reason=reason,
                message=refusal_message(reason, closest, self.titles),
            )
        elif state.mode == "reply":
            state.draft = reply_letter(draft, reply_topic(q.text))
        latency = (time.perf_counter() - state.started) * 1000
        state.answer = render(state.draft, state.backend or self.backend.name, latency)
        return state

    def annotate(self, state: QAState) -> QAState:
        """Record on the answer how a model wrote it (refusals too: the model may have written
        sentences that verification dropped) and, for a follow-up, the standalone question it was
        read as (the conversation log keeps it: '那苏州呢？' alone says nothing)."""
        if state.answer is None:
            return state
        update = {}
        if state.generation is not None:
            update["generation"] = state.generation
        if state.parsed is not None and state.parsed.followup:
            update["condensed_question"] = state.parsed.standalone
        if update:
            state.answer = state.answer.model_copy(update=update)
        return state

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "answer",
    ):
        """Text deltas, then the final Answer. A backend that streams tokens (an LLM) shows them as
        they come; the final Answer is the verified one and replaces what was streamed."""
        state = QAState(
            question=question, history=list(history), doc_ids=list(doc_ids) if doc_ids else None, mode=mode
        )
        state = self.retrieve(self.condense(state))
        streamer = getattr(self.backend, "stream_draft", None)
        streamed = False
        if streamer is not None and not state.parsed.out_of_scope:
            result = {}
            for delta in streamer(state, self._search_within(state), result):
                streamed = streamed or bool(delta.strip())
                yield delta
            state.draft, state.backend = result["draft"], result["backend"]
        else:
            state = self.generate(state)
        state = self.annotate(self.decide(self.verify(state)))
        if not streamed:  # nothing shown yet (extractive, or a model answer that became a refusal)
            yield from state.answer.answer.splitlines(keepends=True)
        elif state.answer.refused:  # what was streamed did not make an answer: a client keeps the last word
            yield "\n\n"
            yield from state.answer.answer.splitlines(keepends=True)
        yield state.answer

    def invoke(
        self,
        question: str,
        history: Sequence[Turn] = (),
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> Answer:
        """Answer through the chain. Answers are deterministic for one build of the index, so the
        same question (same history, filter and mode) is served from a small LRU cache; a new build
        makes a new pipeline and so a new cache. LLM answers are not cached (a model may improve)."""
        hit = self.cached(question, history, doc_ids, mode)
        if hit is not None:
            return hit
        started = time.perf_counter()
        state = QAState(
            question=question,
            history=list(history),
            doc_ids=list(doc_ids) if doc_ids else None,
            mode=mode,
            started=started,
        )
        answer = self.chain.invoke(state).answer
        self.remember(question, history, doc_ids, mode, answer)
        return answer

    def _cacheable(self) -> bool:
        return self.backend.name == "extractive" and self.cache_size > 0 and self.cache_ok()

    @staticmethod
    def _key(question: str, history: Sequence[Turn], doc_ids: Sequence[str] | None, mode: Mode) -> tuple:
        return (question, tuple((t.role, t.content) for t in history), tuple(doc_ids or ()), mode)

    def cached(
        self, question: str, history: Sequence[Turn], doc_ids: Sequence[str] | None, mode: Mode
    ) -> Answer | None:
        """The cached answer to this question, or None (also when answers are not cached now)."""
        if not self._cacheable():
            return None
        key = self._key(question, history, doc_ids, mode)
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit.model_copy(update={"latency_ms": 0.0})
        return None

    def remember(
        self,
        question: str,
        history: Sequence[Turn],
        doc_ids: Sequence[str] | None,
        mode: Mode,
        answer: Answer,
    ) -> None:
        """Keep an answer of this build for the same question, unless it is a fallback or degraded one
        (`backend` says so: "extractive (…)")."""
        if not self._cacheable() or answer.backend.startswith("extractive ("):
            return
        with self._cache_lock:
            self._cache[self._key(question, history, doc_ids, mode)] = answer
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
