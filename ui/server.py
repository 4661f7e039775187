"""`serve(settings)`: run the app under uvicorn (one worker; the runtime is built in the lifespan)."""

from __future__ import annotations

import copy

from assistant.settings import Settings


def _log_config() -> dict:
    """uvicorn's logging plus our access log; uvicorn's own access log is off (ours replaces it)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["planqa"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(settings: Settings) -> None:
    """Serve the API, the chat at /ui and the widget on settings.host:settings.port until stopped."""
    import uvicorn

    from assistant.api import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        workers=1,
        access_log=False,
        log_config=_log_config(),
        timeout_graceful_shutdown=5,
    )
