"""The hand-written evaluation set (`evals/dataset.yaml`): one validated `EvalItem` per question.

`load_dataset` refuses a malformed file with one line naming the item and the field, so a typo in
the data fails loudly instead of quietly changing the figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.schemas import Turn
from retrieval.errors import PlanqaError

DATASET_PATH = Path(__file__).resolve().parent / "dataset.yaml"
# The suites the gate runs: the project's own set (fitted on) and one written independently from the
# plan texts alone (reported on; its failures are read by kind, never fixed item by item).
SUITES: dict[str, Path] = {
    "own": DATASET_PATH,
    "users": Path(__file__).resolve().parent / "users.yaml",
}

Kind = Literal[
    "number", "list", "table", "compare", "eligibility", "definition", "followup", "reply", "refuse"
]
KINDS: tuple[str, ...] = (
    "number",
    "list",
    "table",
    "compare",
    "eligibility",
    "definition",
    "followup",
    "reply",
    "refuse",
)


class DatasetError(PlanqaError):
    """The evaluation set cannot be used; the message names the item and the problem."""


class ExpectedPlace(BaseModel):
    """Where a correct answer is found: a document and a substring of the section heading path,
    专栏 label or table title ("" = anywhere in the document)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str
    section: str = ""


class EvalItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    kind: Kind
    question: str = Field(min_length=1)
    answerable: bool
    reference_answer: str
    key_facts: list[str] = Field(default_factory=list)
    expected: list[ExpectedPlace] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> EvalItem:
        if self.answerable and not (self.key_facts and self.expected):
            raise ValueError("an answerable item needs key_facts and expected places")
        if not self.answerable and (self.key_facts or self.expected):
            raise ValueError("an unanswerable item has no key_facts or expected places")
        if self.kind == "followup" and not any(t.role == "user" for t in self.history):
            raise ValueError("a follow-up needs a history with an earlier user question")
        if any(not f.strip() for f in self.key_facts):
            raise ValueError("empty key fact")
        return self

    @property
    def doc_ids(self) -> list[str]:
        """The documents the item counts for (each expected document once)."""
        return list(dict.fromkeys(p.doc_id for p in self.expected))

    @property
    def retrieval_query(self) -> str:
        """What retrieval is scored on: the question, prefixed by the previous user question for a
        follow-up (as the assistant condenses one)."""
        earlier = [t.content for t in self.history if t.role == "user"]
        return f"{earlier[-1]} {self.question}" if earlier else self.question


def parse_dataset(data) -> list[EvalItem]:
    """Validate already-loaded YAML data; raise DatasetError naming the first bad item."""
    if not isinstance(data, list):
        raise DatasetError("the evaluation set must be a YAML list of items")
    items: list[EvalItem] = []
    seen: set[str] = set()
    for i, raw in enumerate(data):
        name = raw.get("id", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"
        try:
            item = EvalItem.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise DatasetError(
                f"item {name}: {where + ': ' if where else ''}{err['msg'].removeprefix('Value error, ')}"
            ) from None
        if item.id in seen:
            raise DatasetError(f"item {item.id}: duplicate id")
        seen.add(item.id)
        items.append(item)
    return items


def load_dataset(path: Path | str = DATASET_PATH) -> list[EvalItem]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the evaluation set ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise DatasetError(f"{path}: malformed YAML ({exc})") from None
    try:
        return parse_dataset(data)
    except DatasetError as exc:
        raise DatasetError(f"{path.name}: {exc}") from None


__all__ = [
    "DATASET_PATH",
    "KINDS",
    "SUITES",
    "DatasetError",
    "EvalItem",
    "ExpectedPlace",
    "load_dataset",
    "parse_dataset",
]
