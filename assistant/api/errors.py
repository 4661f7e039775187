"""Exception handlers: every failure is a JSON `detail`, never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.api.middleware import INTERNAL_ERROR
from retrieval.errors import IndexUnavailable, InvalidInput

logger = logging.getLogger("planqa.api")


def _invalid_input(request: Request, exc: InvalidInput) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


def _index_unavailable(request: Request, exc: IndexUnavailable) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "30"})


def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # The default handler echoes the offending input back; a location and a message suffice.
    errors = [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=422)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(IndexUnavailable, _index_unavailable)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
