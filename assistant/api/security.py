"""Who may call the API and how often: pure logic, wired into routes by `assistant.api.deps`.

Policy (PLANQA_API_KEYS, PLANQA_WIDGET_KEYS, PLANQA_CORS_ORIGINS, PLANQA_RATE_LIMIT_PER_MINUTE):

* No API keys configured: `/api` and `/v1` are open (the default binds to 127.0.0.1 only;
  settings refuse another host without keys).
* API keys configured: `/api/*` and `/v1/*` need `Authorization: Bearer <key>`. A widget key
  is accepted too, but only on `/api/*` and only when the request's `Origin` is one of
  PLANQA_CORS_ORIGINS: it sits in a public page, so the origin is what limits its use.
* `/healthz`, `/docs`, `/openapi.json`, `/widget.js` and `/widget-demo` stay open. The chat
  UI at `/ui` asks for a login when API keys are configured (any user name, a key as password),
  because it calls the service in-process and would otherwise bypass the key check.
* Rate limits count every `/api` and `/v1` request per client IP and, once authenticated, per
  key, over a sliding minute; the answer to an excess request is 429 with `Retry-After`. A
  question counts once per PLANQA_LONG_QUESTION_CHARS characters (`question_cost`), and the chat
  page's answers count in the same per-IP bucket (`assistant.api.chat_guard`).
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

Access = Literal["open", "api", "widget"]


def _contains(secrets: Iterable[str], candidate: str) -> bool:
    """Constant-time membership: compare against every key, never stop early."""
    found = False
    for secret in secrets:
        found |= hmac.compare_digest(secret.encode(), candidate.encode())
    return found


@dataclass(frozen=True)
class KeyPolicy:
    api_keys: tuple[str, ...] = ()
    widget_keys: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return bool(self.api_keys)

    def check(self, key: str | None, *, origin: str | None, widget_allowed: bool) -> Access | None:
        """How the request is allowed in, or None when it is not."""
        if not self.required:
            return "open"
        if not key:
            return None
        if _contains(self.api_keys, key):
            return "api"
        if widget_allowed and origin and origin in self.cors_origins and _contains(self.widget_keys, key):
            return "widget"
        return None


def question_cost(chars: int, per: int) -> int:
    """How many requests a question of `chars` characters counts as: one per `per` characters
    begun. Answering costs grow with the question (more terms to match, more passages to
    weigh), so a client sending long questions reaches the limit sooner."""
    return 1 + max(0, chars - 1) // max(per, 1)


class SlidingWindowLimiter:
    """At most `limit` hits per `window` seconds for each bucket name; thread-safe, in memory."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, cost: int = 1) -> int | None:
        """Record a hit weighing `cost` hits (at most the limit); return None if allowed, else the
        seconds to wait before retrying (a refused hit is not recorded)."""
        if self.limit <= 0:
            return None
        cost = max(1, min(cost, self.limit))
        now = self._clock()
        with self._lock:
            hits = self._current(bucket, now)
            if len(hits) + cost > self.limit:
                return max(1, math.ceil(hits[len(hits) + cost - self.limit - 1] + self.window - now))
            hits.extend([now] * cost)
            if len(self._hits) > 10_000:  # forget idle buckets so memory stays bounded
                self._forget_idle(now)
            return None

    def blocked(self, bucket: str) -> int | None:
        """The seconds to wait if `bucket` is at its limit now, else None; records nothing."""
        if self.limit <= 0:
            return None
        now = self._clock()
        with self._lock:
            hits = self._current(bucket, now)
            return max(1, math.ceil(hits[0] + self.window - now)) if len(hits) >= self.limit else None

    def _current(self, bucket: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(bucket, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _forget_idle(self, now: float) -> None:
        for name in [n for n, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[name]
