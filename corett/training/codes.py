"""Codes people type: certificate verification codes and the daily check-in codes.

A verification code is 11 random characters plus one check character (shown as
``XXXX-XXXX-XXXX``), from Crockford's base32 alphabet without Z: 31 symbols, so that a check
computed modulo the prime 31 tells every symbol from every other. The check character catches a mistyped code before any lookup,
so a reader is told "check the code" rather than "no such certificate"; 54 random bits make a
forged code that happens to exist practically impossible to guess (and guessing is rate-limited).
Crockford's alphabet leaves out I, L, O and U; reading them as 1, 1, 0 and V forgives the usual
misreadings of a printed code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
RANDOM_LENGTH = 11
CODE_LENGTH = RANDOM_LENGTH + 1
_VALUE = {char: n for n, char in enumerate(ALPHABET)}
_MISREAD = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def _check_character(body: str) -> str:
    # A weighted sum modulo 31 (prime) catches every single substitution and every swap of
    # two neighbouring characters.
    total = sum((position + 1) * _VALUE[char] for position, char in enumerate(body))
    return ALPHABET[total % 31]


def new_verification_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _check_character(body)


def normalise(text: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one (mistyped)."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in "- \t").translate(_MISREAD)
    if len(cleaned) != CODE_LENGTH or any(ch not in _VALUE for ch in cleaned):
        return None
    if _check_character(cleaned[:-1]) != cleaned[-1]:
        return None
    return cleaned


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def check_in_code(secret: str, day: dt.date) -> str:
    """Six digits for one session and one day: the trainer shows it, participants type it."""
    digest = hmac.new(secret.encode(), day.isoformat().encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"
