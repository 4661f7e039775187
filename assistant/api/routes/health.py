"""`GET /healthz`: 200 when answers can be given, 503 while the index is missing or loading."""

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
    return JSONResponse(health.model_dump(mode="json"), status_code=200 if health.index_loaded else 503)
