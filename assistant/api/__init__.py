"""The HTTP API: `create_app(settings, service=None)` builds the one FastAPI app."""

from assistant.api.app import create_app

__all__ = ["create_app"]
