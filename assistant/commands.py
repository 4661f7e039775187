"""Subcommands for ingest, search, ask, serve and eval (registered into `planqa`)."""

from __future__ import annotations

REGISTRY: list = []
