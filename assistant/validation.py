"""Input checks shared by every surface: each failure is an InvalidInput with a message the user can act on.

`normalise_text` is the one place user text is cleaned (the API models, the OpenAI endpoint, the
chat page, the widget's calls and the CLI all reach it, through `Runtime` or the request models):
code points that are not characters (lone surrogates, noncharacters) are dropped, control and
invisible format characters become spaces. Nothing behind it sees them: a lone surrogate used
to fail the query embedding (UnicodeEncodeError) and looked like a broken index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from pydantic import ValidationError

from assistant.schemas import Turn
from retrieval.errors import InvalidInput, UnknownDocument

MAX_HISTORY_TURNS = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
# Not characters at all: UTF-16 surrogates (valid only in pairs, never in a Python str from valid
# UTF-8) and the 66 noncharacters. They cannot be encoded as UTF-8, so they are dropped, not spaced.
_NOT_CHARACTERS = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
    + "]"
)


def normalise_text(text: str) -> str:
    """User text as the rest of the system may see it: no surrogates or noncharacters, control and
    invisible format characters turned into spaces, composed (NFC). Spacing is left alone."""
    text = _NOT_CHARACTERS.sub("", text)
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text))


def clean_question(text, max_chars: int, what: str = "问题") -> str:
    """Strip control characters and white space; refuse empty or over-long input."""
    if not isinstance(text, str):
        raise InvalidInput(f"{what}必须是文本")
    text = normalise_text(text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InvalidInput(f"{what}不能为空，请输入{what}")
    if len(text) > max_chars:
        raise InvalidInput(f"{what}过长（{len(text)} 字），请控制在 {max_chars} 字以内")
    return text


def validate_history(history, max_chars: int) -> list[Turn]:
    """A list of {role: user|assistant, content: str}; only the last turns are kept."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise InvalidInput('history 必须是对话列表：[{"role": "user"|"assistant", "content": "…"}]')
    turns = []
    for i, item in enumerate(history):
        try:
            turn = item if isinstance(item, Turn) else Turn.model_validate(item)
        except ValidationError:
            raise InvalidInput(
                f"history 第 {i + 1} 条无效：role 只能是 user 或 assistant，content 必须是文本"
            ) from None
        content = normalise_text(turn.content).strip()[: max_chars * 2]
        turns.append(Turn(role=turn.role, content=content))
    return turns[-MAX_HISTORY_TURNS:]


def validate_doc_ids(doc_ids, valid: Sequence[str]) -> list[str] | None:
    if doc_ids is None or doc_ids == []:
        return None
    if isinstance(doc_ids, str):
        doc_ids = [doc_ids]
    if not isinstance(doc_ids, (list, tuple)) or not all(isinstance(d, str) for d in doc_ids):
        raise InvalidInput("doc_ids 必须是文档 id 列表")
    unknown = [d for d in doc_ids if d not in valid]
    if unknown:
        raise UnknownDocument(unknown, list(valid))
    return list(dict.fromkeys(doc_ids))


def validate_mode(mode) -> str:
    if mode not in ("answer", "reply"):
        raise InvalidInput("mode 只能是 answer（回答）或 reply（起草答复）")
    return mode
