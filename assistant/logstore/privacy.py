"""What the conversation log may keep of a person: questions with contact and identity numbers
masked, and client addresses only as a salted hash.

The patterns serve privacy, not validation: a number that merely looks like a phone or ID-card
number is masked too, because a false mask costs a report a digit string while a missed one
keeps a person's number. Full-width digits and letters (１３８…, ｂｏｓｓ＠…), as Chinese input
methods type them, are read as their ASCII forms first; other text is left as typed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path

# (pattern, mask) in the order they apply: e-mails first (their local part may be a phone
# number), then 18/15-digit resident ID numbers (birth date inside), then phones.
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"), "[邮箱]"),
    # 6-digit area, birth date (YYYYMMDD), 3-digit order, check digit or X
    (
        re.compile(
            r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dXx])"
        ),
        "[身份证号]",
    ),
    # the old 15-digit form: 6-digit area, YYMMDD, 3-digit order
    (re.compile(r"(?<!\d)[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)"), "[身份证号]"),
    # mainland mobiles, with an optional +86 and separators: 138-1234-5678, +86 138 1234 5678
    (re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}(?!\d)"), "[电话]"),
    # landlines with their area code: 0512-6523 4567, (025)83331234, 02583331234
    (re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s\-]?\d{3,4}[\s\-]?\d{4}(?!\d)"), "[电话]"),
)


# full-width digits, letters and the characters of addresses and numbers: ０-９ Ａ-Ｚ ａ-ｚ ＠ ＋ － ． ＿
_HALF_WIDTH = {
    c: c - 0xFEE0
    for c in [
        *range(0xFF10, 0xFF1A),
        *range(0xFF21, 0xFF3B),
        *range(0xFF41, 0xFF5B),
        0xFF20,
        0xFF0B,
        0xFF0D,
        0xFF0E,
        0xFF3F,
    ]
}


def mask_personal_data(text: str) -> str:
    """`text` with e-mail addresses, resident ID-card numbers and phone numbers replaced by a
    bracketed label; invalid code points and control characters removed (a database cannot store
    a lone surrogate, and one row must not stop the writer); everything else as it was."""
    from assistant.validation import normalise_text

    text = normalise_text(text).translate(_HALF_WIDTH)
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return text


def hash_client(address: str | None, salt: bytes) -> str | None:
    """A keyed hash of a client address: the same address counts as the same client, but the
    address cannot be read back without the salt (which never goes into the database)."""
    if not address:
        return None
    return hmac.new(salt, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def load_salt(configured: str | None, salt_file: Path) -> bytes:
    """The configured salt, else the one kept in `salt_file` (created, mode 600, on first use)."""
    if configured:
        return configured.encode("utf-8")
    try:
        return bytes.fromhex(salt_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        pass
    salt = secrets.token_bytes(32)
    try:
        salt_file.parent.mkdir(parents=True, exist_ok=True)
        salt_file.touch(mode=0o600)
        salt_file.write_text(salt.hex(), encoding="utf-8")
    except OSError:  # a read-only folder: hashes are then comparable within this run only
        pass
    return salt
