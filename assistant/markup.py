"""`inert(text)`: user text made safe to repeat inside an answer that a client may render.

The widget and the chat page escape what they show, but an OpenAI-compatible client (Open WebUI,
Dify, a portal's own page) may render an answer as Markdown or HTML. Plan text is quoted as it
is; the one piece of user text an answer repeats (a reply's subject line) goes through here.
"""

from __future__ import annotations

import re

# `](target)` of a Markdown link or image, and whole HTML tags (a lone `<` goes with the characters).
_MARKUP_TARGET = re.compile(r"\]\([^)]*\)?|<[a-zA-Z/!?][^>]*>")
# URLs and URL-like schemes (javascript:, data:), which Markdown renderers also autolink bare.
_URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]{1,15}:(?://)?|www\.)[^\s，。、；！？]*")
# Characters Markdown or HTML act on; full-width forms (（）【】) are left: renderers ignore them.
_MARKUP_CHARS = re.compile(r"[\[\]()<>`*_~#|\\!{}&\"'=]")


def inert(text: str) -> str:
    """`text` without link targets, tags, URLs or markup characters, its spacing collapsed."""
    text = _MARKUP_TARGET.sub("", text)
    text = _MARKUP_CHARS.sub(" ", _URL.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()


def reply_topic(question: str) -> str:
    """The reply's subject line: the question, inert (no link, tag or URL survives), without its
    question mark and polite lead."""
    topic = inert(question).rstrip("？?。！!")
    for prefix in ("请问", "我想问", "想了解", "咨询"):
        topic = topic.removeprefix(prefix)
    topic = topic[:40].strip()
    return f"“{topic}”" if topic else "来函事项"


__all__ = ["inert", "reply_topic"]
