"""A fixed-window limit on what anonymous visitors may do (register for a training, check in,
verify a certificate, write to the Secretariat).

Counted in the cache per action and client address (hashed: the cache holds no address in
clear). The default cache is shared by the processes of one host; several hosts need a shared
one (settings: CACHE_BACKEND) for the limit to hold across them.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest


def _client_key(request: HttpRequest) -> str:
    # REMOTE_ADDR only, as the audit trail does: X-Forwarded-For is the client's to forge.
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def hit(request: HttpRequest, action: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while the client stays within ``limit`` per ``window`` seconds."""
    bucket = int(time.time() // window)
    key = f"rl:{action}:{_client_key(request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        return True
    return count <= limit
