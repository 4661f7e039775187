"""The portal widget script (`/widget.js`) and a page that shows it (`/widget-demo`)."""

from __future__ import annotations

import html
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from assistant.api.deps import SettingsDep

router = APIRouter(tags=["widget"], include_in_schema=False)

_STATIC = files("ui") / "static"

# The demo loads only our own script; the widget injects its own <style>, hence 'unsafe-inline'.
_DEMO_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'"


@router.get("/widget.js")
def widget_js() -> Response:
    script = (_STATIC / "widget.js").read_text(encoding="utf-8")
    return Response(
        script,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/widget-demo", response_class=HTMLResponse)
def widget_demo(request: Request, settings: SettingsDep) -> HTMLResponse:
    """A stand-in portal page; it uses the first widget key, which a portal page would show anyway."""
    page = (_STATIC / "widget-demo.html").read_text(encoding="utf-8")
    key = settings.widget_keys[0] if settings.widget_keys else ""
    page = page.replace("{{WIDGET_KEY}}", html.escape(key, quote=True))
    return HTMLResponse(page, headers={"Content-Security-Policy": _DEMO_CSP, "Cache-Control": "no-cache"})
