"""`serve(settings)`: run the app under uvicorn.

One HTTP process (uvicorn, one worker): the chat page keeps its sessions in this process's memory
(Gradio cannot share them between processes), and the rate limits count here. The runtime is
built in the lifespan; answers are composed in PLANQA_WORKERS worker processes it starts
(assistant.workers), so every core answers.
"""

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
