"""`require_admin`: the admin pages (/admin/…) need one of PLANQA_ADMIN_KEYS.

A browser logs in with HTTP Basic (any user name, the key as password); a script may send
`Authorization: Bearer <key>`. Without PLANQA_ADMIN_KEYS the admin pages do not exist (404).
Failed attempts count against the client's IP in the API's rate limit.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from fastapi import HTTPException, Request

from assistant.api.deps import client_ip


def presented_key(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            _user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return password or None
    return None


def require_admin(request: Request) -> None:
    settings = request.app.state.settings
    if not settings.admin_keys:
        raise HTTPException(status_code=404, detail="管理页面未开启：请设置 PLANQA_ADMIN_KEYS。")
    key = presented_key(request)
    if key is not None and any(hmac.compare_digest(key.encode(), k.encode()) for k in settings.admin_keys):
        return
    if (wait := request.app.state.limiter.hit(f"admin:{client_ip(request)}")) is not None:
        raise HTTPException(
            status_code=429, detail=f"请求过于频繁，请 {wait} 秒后再试。", headers={"Retry-After": str(wait)}
        )
    raise HTTPException(
        status_code=401,
        detail="需要管理密钥（PLANQA_ADMIN_KEYS）：用户名任意，密钥作为密码。",
        headers={"WWW-Authenticate": 'Basic realm="planqa admin", charset="UTF-8"'},
    )
