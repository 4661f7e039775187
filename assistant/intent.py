"""What kind of answer a question asks for (`Question.intent`, decided by assistant.question).

A `StrEnum`: its members equal the strings assistant.question has always produced ("number", …),
so code that compares with either keeps working while callers move to the members.
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    NUMBER = "number"  # a figure: '……研发投入占比达到多少？'
    LIST = "list"  # the items of a 专栏, section or enumeration: '……有哪些重点工程？'
    COMPARE = "compare"  # the same thing across plans or places: '……和……相比'
    ELIGIBILITY = "eligibility"  # what support an asker can get: '我们是小微企业，能享受什么……'
    DEFINITION = "definition"  # what a named thing is: '……是什么意思？'
    GENERAL = "general"  # anything else about the plans' content


__all__ = ["Intent"]
