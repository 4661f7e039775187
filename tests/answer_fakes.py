"""Fakes for the answering tests: a scripted LangChain chat model and a small pipeline over the real
corpus with a lexical stand-in for search (no embedding model, no index)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from pathlib import Path

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.backends import make_backend
from assistant.extractive import ExtractiveAnswerer
from assistant.pipeline import AnswerPipeline
from assistant.question import content_grams
from assistant.text import GramWeights, grams
from retrieval.catalog import Catalog
from retrieval.corpus import load_chunks, load_manifest
from retrieval.models import SearchHit

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


class ScriptedChatModel(BaseChatModel):
    """A real LangChain chat model that replies from a script and records every request.

    A script entry that is an Exception is raised instead of answered (an endpoint failure); a
    callable gets the request's messages and returns the reply.
    """

    replies: list = Field(default_factory=list)
    requests: list = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def enqueue(self, *replies) -> ScriptedChatModel:
        self.replies.extend(replies)
        return self

    def _next(self, messages: list[BaseMessage]) -> str:
        self.requests.append(messages)
        reply = self.replies.pop(0) if self.replies else "依据不足"
        if isinstance(reply, Exception):
            raise reply
        return reply(messages) if callable(reply) else reply

    def _generate(self, messages, stop=None, run_manager: CallbackManagerForLLMRun | None = None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next(messages)))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        text = self._next(messages)
        for i in range(0, len(text), 4):
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[i : i + 4]))


@functools.cache
def corpus_parts():
    chunks = load_chunks(CORPUS)
    catalog = Catalog(chunks)
    weights = GramWeights(c.search_text for c in chunks)
    index = {c.chunk_id: grams(c.search_text) for c in chunks}
    titles = [e.title for e in load_manifest(CORPUS)]
    return chunks, catalog, weights, index, titles


def lexical_search(query: str, doc_ids: Sequence[str] | None) -> list[SearchHit]:
    chunks, _, weights, index, _ = corpus_parts()
    terms = content_grams(query)
    scored = [(weights.coverage(terms, index[c.chunk_id]), c) for c in chunks if not doc_ids or c.doc_id in doc_ids]
    scored.sort(key=lambda t: -t[0])
    return [SearchHit(chunk=c, score=s) for s, c in scored[:20]]


def pipeline(spec: str = "extractive", chat_model=None) -> AnswerPipeline:
    _, catalog, weights, _, titles = corpus_parts()
    answerer = ExtractiveAnswerer(catalog, weights)
    backend = make_backend(spec, answerer, base_url="http://127.0.0.1:9/v1", timeout=2, chat_model=chat_model)
    return AnswerPipeline(lexical_search, backend, weights, titles)


def cite(fact: str, template: str):
    """A reply that cites whichever numbered passage contains `fact`: template.format(n=…)."""

    def reply(messages) -> str:
        text = "\n".join(str(m.content) for m in messages)
        import re

        for n, body in re.findall(r"\[(\d+)\]《[^\n]*\n([^\[]*)", text):
            if fact in body:
                return template.format(n=n)
        return "依据不足"

    return reply
