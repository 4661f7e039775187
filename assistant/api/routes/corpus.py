"""`POST /api/search`, `GET /api/documents`, `GET /api/chunks/{chunk_id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request

from assistant.api.deps import ServiceDep, SettingsDep, admit_question
from assistant.api.models import (
    CHUNK_ID_PATTERN,
    DocumentList,
    ErrorBody,
    SearchRequest,
    SearchResponse,
    SearchResult,
)
from retrieval.models import Chunk

router = APIRouter(tags=["corpus"])


@router.post(
    "/search", response_model=SearchResponse, responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}}
)
def search(
    body: SearchRequest, request: Request, service: ServiceDep, settings: SettingsDep
) -> SearchResponse:
    """Ranked passages for a query, without composing an answer."""
    admit_question(request, body.query, settings, field="query")
    hits = service.search(body.query, k=body.k, doc_ids=body.doc_ids)
    return SearchResponse(
        results=[
            SearchResult(
                chunk_id=hit.chunk.chunk_id,
                doc_id=hit.chunk.doc_id,
                doc_title=hit.chunk.doc_title,
                section=hit.chunk.section,
                column=hit.chunk.column,
                text=hit.chunk.text,
                score=hit.score,
            )
            for hit in hits
        ]
    )


@router.get("/documents", response_model=DocumentList, responses={503: {"model": ErrorBody}})
def documents(service: ServiceDep) -> DocumentList:
    """The plans the assistant answers from, with chunk, section, 专栏 and table counts."""
    return DocumentList(documents=service.documents())


@router.get(
    "/chunks/{chunk_id}",
    response_model=Chunk,
    responses={404: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)
def chunk(
    chunk_id: Annotated[
        str, Path(pattern=CHUNK_ID_PATTERN, description="`<doc_id>:<hex>`, as in a citation.")
    ],
    service: ServiceDep,
) -> Chunk:
    """One passage in full, with its section path and 专栏: what a citation points at."""
    found = service.chunk(chunk_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"没有编号为 {chunk_id} 的段落。")
    return found
