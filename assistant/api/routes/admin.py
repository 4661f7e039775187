"""`/api/admin/…` (JSON for scripts and the admin page) and `/admin` (the page).

    GET    /api/admin/documents              every document with its parse summary and `live`
    POST   /api/admin/documents              multipart `files` (one or more) + optional metadata
    DELETE /api/admin/documents/{doc_id}
    POST   /api/admin/rebuild
    GET    /api/admin/status                 the background build: step, progress, outcome

Every call needs an admin key (PLANQA_ADMIN_KEYS) as `Authorization: Bearer <key>`: none → 401,
another key → 403; with no admin keys set administration is off (403 saying which variable).
A bad file is a 422 whose detail names it; the manifest and the live index stay as they were.
"""

from __future__ import annotations

import hmac
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.admin import AdminBusy, DocumentAdmin
from assistant.api.deps import get_service
from retrieval.errors import PlanqaError, UnknownDocument

STATIC = Path(__file__).resolve().parents[3] / "ui" / "static"
_bearer = HTTPBearer(auto_error=False, description="An admin key (PLANQA_ADMIN_KEYS).")
# Out of the public schema (/docs): operators script it from docs/OPERATIONS.md, and the fuzzed surface
# stays the public API.
router = APIRouter(tags=["admin"], include_in_schema=False)
page = APIRouter()


def require_admin(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    keys = request.app.state.settings.admin_keys
    if not keys:
        raise HTTPException(403, detail="文档管理未开启：请设置 PLANQA_ADMIN_KEYS 后重启服务。")
    if credentials is None:
        raise HTTPException(
            401,
            detail="需要管理员密钥：Authorization: Bearer <key>。",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not any(hmac.compare_digest(credentials.credentials.encode(), k.encode()) for k in keys):
        raise HTTPException(403, detail="管理员密钥无效。")


def get_admin(request: Request) -> DocumentAdmin:
    state = request.app.state
    admin = getattr(state, "admin", None)
    service = get_service(request)
    if admin is None or admin.service is not service:
        admin = state.admin = DocumentAdmin(state.settings, service)
    return admin


AdminDep = Annotated[DocumentAdmin, Depends(get_admin)]


def _refusal(exc: PlanqaError) -> HTTPException:
    if isinstance(exc, AdminBusy):
        return HTTPException(409, detail=str(exc))
    if isinstance(exc, UnknownDocument):
        return HTTPException(404, detail=str(exc))
    return HTTPException(422, detail=str(exc))


@router.get("/documents")
def list_documents(admin: AdminDep) -> dict:
    try:
        return {"documents": admin.documents(), **admin.status()}
    except PlanqaError as exc:
        raise _refusal(exc) from None


def _save(upload: UploadFile, folder: Path, limit: int) -> tuple[str, Path]:
    """Stream an upload to disk, refusing it (413, naming the file) past `limit` bytes."""
    name = Path(upload.filename or "upload").name
    target = folder / f"upload-{len(list(folder.iterdir()))}"
    written = 0
    with open(target, "wb") as out:
        while block := upload.file.read(1 << 20):
            written += len(block)
            if written > limit:
                raise HTTPException(
                    413,
                    detail=f"{name}: 超过上限 {limit >> 20} MB（PLANQA_MAX_UPLOAD_MB）；请拆分或压缩后再上传",
                )
            out.write(block)
    return name, target


@router.post("/documents", status_code=202)
def add_documents(
    request: Request,
    admin: AdminDep,
    files: Annotated[list[UploadFile], File(description="PDF, DOCX, Markdown or text plans")],
    doc_id: Annotated[str | None, Form()] = None,
    title: Annotated[str | None, Form()] = None,
    issuer: Annotated[str | None, Form()] = None,
    doc_number: Annotated[str | None, Form()] = None,
    published: Annotated[str | None, Form()] = None,
    region: Annotated[str | None, Form()] = None,
    level: Annotated[str | None, Form()] = None,
    kind: Annotated[str | None, Form()] = None,
    period: Annotated[str | None, Form()] = None,
) -> dict:
    """Check every file, add them to the manifest and start the build; answers switch over when it is live."""
    limit = request.app.state.settings.max_upload_mb << 20
    overrides = {
        "doc_id": doc_id,
        "title": title,
        "issuer": issuer,
        "doc_number": doc_number,
        "published": published,
        "region": region,
        "level": level,
        "kind": kind,
        "period": period,
    }
    overrides = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in overrides.items()}
    folder = Path(tempfile.mkdtemp(prefix="planqa-upload-"))
    try:
        saved = []
        for upload in files:
            sub = folder / str(len(saved))
            sub.mkdir()
            saved.append(_save(upload, sub, limit))
        added = admin.add(saved, overrides)
    except PlanqaError as exc:
        raise _refusal(exc) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"added": added, **admin.status()}


@router.delete("/documents/{doc_id}", status_code=202)
def delete_document(doc_id: str, admin: AdminDep) -> dict:
    try:
        return {"removed": admin.remove(doc_id), **admin.status()}
    except PlanqaError as exc:
        raise _refusal(exc) from None


@router.post("/rebuild", status_code=202)
def rebuild(admin: AdminDep) -> dict:
    try:
        return {"rebuild": admin.rebuild(), **admin.status()}
    except PlanqaError as exc:
        raise _refusal(exc) from None


@router.get("/status")
def status(admin: AdminDep) -> dict:
    return admin.status()


@page.get("/admin", include_in_schema=False)
def admin_page() -> HTMLResponse:
    """The page holds no data: it asks for the admin key and then calls /api/admin with it."""
    return HTMLResponse((STATIC / "admin.html").read_text(encoding="utf-8"))
