"""`create_app(settings, service=None)`: the served app, the HTTP API (assistant.api) with the
Gradio chat page (ui.chat) mounted at /ui. The API does not import the UI; it is composed here."""

from __future__ import annotations

from fastapi import FastAPI

from assistant.api import create_app as create_api
from assistant.service import AssistantService
from assistant.settings import Settings
from ui.chat import GRADIO_CHAT


def create_app(settings: Settings, service: AssistantService | None = None) -> FastAPI:
    return create_api(settings, service, chat=GRADIO_CHAT)


__all__ = ["create_app"]
