"""`build_report(store, since)`: what the public asked and what the plans could not answer.

The same `Report` feeds `planqa report` (PNG charts and CSV in a folder, see
assistant.logstore.report_files) and the admin page (assistant.api.routes.admin_report).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assistant.logstore.recorder import now_utc
from assistant.logstore.store import LogStore
from assistant.logstore.topics import TopicGroup, group_topics

REFUSED_POOL = 5000  # the latest refused questions grouped into topics: plenty for a week's gaps
TOP = 20

_SINCE = re.compile(r"^\s*(\d{1,4})\s*([dhw])\s*$")
_UNIT_DAYS = {"d": 1, "w": 7, "h": 1 / 24}


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """`7d`, `24h`, `2w` or a date `2026-11-01` → the UTC moment the report starts at."""
    now = now or now_utc()
    if match := _SINCE.match(text):
        return now - timedelta(days=int(match[1]) * _UNIT_DAYS[match[2]])
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--since {text!r}: use a span like 7d, 24h, 2w or a date like 2026-11-01") from None


@dataclass
class DayCount:
    day: str
    answers: int
    refused: int
    by_surface: dict[str, int] = field(default_factory=dict)

    @property
    def refusal_rate(self) -> float:
        return self.refused / self.answers if self.answers else 0.0


@dataclass
class Report:
    since: datetime
    until: datetime
    days: list[DayCount]
    surfaces: dict[str, int]
    frequent: list[dict]  # question, times, refused, answer_id
    refused_topics: list[TopicGroup]
    low_rated: list[dict]  # answer_id, question, condensed_question, comment, citations, created_at
    ratings: dict[str, int]

    @property
    def answers(self) -> int:
        return sum(d.answers for d in self.days)

    @property
    def refused(self) -> int:
        return sum(d.refused for d in self.days)


MAX_FILLED_DAYS = 400  # a longer span shows only the days with answers


def _every_day(days: dict[str, DayCount], since: datetime, until: datetime) -> list[DayCount]:
    """The days with answers, and the quiet days between them as zeros (a chart shows the gap)."""
    span = (until.date() - since.date()).days
    if span > MAX_FILLED_DAYS:
        return [days[d] for d in sorted(days)]
    every = [str(since.date() + timedelta(days=i)) for i in range(span + 1)]
    return [days.get(d) or DayCount(d, 0, 0) for d in sorted(set(every) | set(days))]


def build_report(store: LogStore, since: datetime, *, top: int = TOP) -> Report:
    days: dict[str, DayCount] = {}
    surfaces: dict[str, int] = defaultdict(int)
    for row in store.daily(since):
        day = days.setdefault(row["day"], DayCount(row["day"], 0, 0))
        day.answers += row["answers"]
        day.refused += int(row["refused"] or 0)
        day.by_surface[row["surface"]] = row["answers"]
        surfaces[row["surface"]] += row["answers"]
    refused = store.refused_questions(since, REFUSED_POOL)
    until = now_utc()
    return Report(
        since=since,
        until=until,
        days=_every_day(days, since, until),
        surfaces=dict(sorted(surfaces.items(), key=lambda kv: -kv[1])),
        frequent=store.frequent_questions(since, top),
        # a follow-up is grouped by what it asked with its history: '那苏州呢？' alone has no topic
        refused_topics=group_topics(
            [(r["answer_id"], r["condensed_question"] or r["question"]) for r in refused], limit=top
        ),
        low_rated=store.rated(since, "down", top),
        ratings=store.ratings(since),
    )
