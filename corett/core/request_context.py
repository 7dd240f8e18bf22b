"""Who is asking, for code that has no request at hand (the audit trail)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None = None
    user_agent: str = ""


_NONE = RequestMeta()
_current: ContextVar[RequestMeta] = ContextVar("corett_request_meta", default=_NONE)


def current_request_meta() -> RequestMeta:
    return _current.get()


def set_request_meta(meta: RequestMeta):
    return _current.set(meta)


def reset_request_meta(token) -> None:
    _current.reset(token)


def meta_from_request(request) -> RequestMeta:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it,
    # and the proxy in production is configured to set REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return RequestMeta(
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
    )
