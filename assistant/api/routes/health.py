"""`GET /healthz`: 200 when answers can be given, 503 while the index is missing or loading.

`log_store` says whether the conversation log is written ("degraded" while its database is down:
the status is then "degraded" too, but answers go on and the code stays 200)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assistant.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    if state.service is None:
        health = Health(
            status="degraded",
            index_loaded=False,
            chunks=0,
            backend="-",
            embeddings="-",
            detail=state.service_error or "服务正在启动。",
        )
    else:
        health = state.service.health()
    log = getattr(state, "conversation_log", None)
    if log is not None:  # answers go on while the log is down, so the status code stays
        logged = log.health()
        health = health.model_copy(
            update={
                "log_store": logged.status,
                "log_store_detail": logged.detail
                and f"{logged.detail}; {logged.queued} rows waiting, {logged.dropped} dropped",
                "status": "degraded" if logged.status == "degraded" else health.status,
            }
        )
    return JSONResponse(health.model_dump(mode="json"), status_code=200 if health.index_loaded else 503)
