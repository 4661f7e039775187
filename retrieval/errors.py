"""Errors a user can act on, shared by every stage (retrieval is the lowest, so they live here).

    PlanqaError
    ├── InvalidInput          bad question, history, filter or option (HTTP 422)
    │   └── UnknownDocument   a doc_id that is not in the corpus; names the valid ids
    ├── ConfigError           unsafe or incomplete settings; names the variable
    └── IndexUnavailable      the index is missing, corrupt or built with another model (HTTP 503)

Every message says what went wrong and what to do; none carries a stack trace.
"""

from __future__ import annotations


class PlanqaError(Exception):
    """Base class: `str(error)` is a one-line message for the user."""


class InvalidInput(PlanqaError, ValueError):
    pass


class UnknownDocument(InvalidInput):
    def __init__(self, unknown: list[str] | str, valid: list[str]):
        unknown = [unknown] if isinstance(unknown, str) else list(unknown)
        self.unknown = unknown
        self.valid = list(valid)
        super().__init__(f"未知的文档 {', '.join(unknown)}；可用的 doc_id: {', '.join(self.valid)}")


class ConfigError(PlanqaError):
    pass


class IndexUnavailable(PlanqaError):
    pass
