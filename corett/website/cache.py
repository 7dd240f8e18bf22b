"""The public pages' cache: whole responses, keyed by a generation that every publication bumps.

A public page is the same for every visitor (it reads neither the session nor the user), so its
bytes can be served again until something visitors see changes. Every service that changes what
is public calls ``invalidate()``: the generation moves on and every older entry is simply never
asked for again (it expires on its own). A scheduled article becomes visible without any write,
so no entry lives past the next scheduled moment.

The generation is the modification time of a small file in the data dir, not a cache entry:
every worker process (and every host sharing the data dir) sees a publication at once, for the
price of one ``stat`` per request, whatever cache backend the deployment configures.

Views mark their answers as public pages (``public_page``); ``PublicPageMiddleware``, placed
right after Django's security middleware, stores those answers with the headers the middleware
below it added (content security policy, language, ...) and answers the next anonymous visitor's
GET of the same address (language, host and query included) before sessions, authentication,
CSRF or URL resolution do any work. Visitors with a session (signed-in users, whose idle timer
every request renews) or a pending message always go through the whole stack.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from corett.policy.website import can_public

MAX_AGE = 300  # seconds an entry may live at most (the help lines of a country change rarely)
_NEXT_KEY = "website:next-scheduled"


def _marker() -> Path:
    return Path(settings.DATA_DIR) / "website-published"


def generation() -> int:
    try:
        return _marker().stat().st_mtime_ns
    except FileNotFoundError:
        invalidate()
        return _marker().stat().st_mtime_ns


def invalidate() -> None:
    """Forget every cached public page (call after any change visitors would see)."""
    marker = _marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    # A new content each time: two changes within the clock's resolution still move the mtime
    # forward, because the time is set explicitly past the previous one.
    before = marker.stat().st_mtime_ns if marker.exists() else 0
    marker.write_text(uuid.uuid4().hex)
    now = max(time.time_ns(), before + 1_000)
    os.utime(marker, ns=(now, now))


def _seconds_to_next_scheduled(gen: int) -> int:
    key = f"{_NEXT_KEY}:{gen}"
    nxt = cache.get(key)
    # Once that moment has passed, the next one (without this, nothing would be stored until the
    # remembered moment itself expired).
    if nxt is None or 0 < nxt <= timezone.now().timestamp():
        from corett.website.models import Article, ArticleStatus

        moment = (
            Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at").values_list("published_at", flat=True).first()
        )
        nxt = moment.timestamp() if moment else 0.0
        cache.set(key, nxt, MAX_AGE)
    if not nxt:
        return MAX_AGE
    return max(0, min(MAX_AGE, int(nxt - timezone.now().timestamp())))


PUBLIC = "website_public_page"  # the attribute that marks a response as a public page


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's successful GET answers as public pages (the middleware caches them)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            setattr(response, PUBLIC, True)
            response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapper


def _key(request: HttpRequest, gen: int) -> str:
    # Hashed: a long query string must not make a key the cache backend refuses.
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"website:page:{gen}:{hashlib.sha256(address.encode()).hexdigest()}"


class PublicPageMiddleware:
    """Answers anonymous GETs of cached public pages before the rest of the stack runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
        self.private_cookies = {settings.SESSION_COOKIE_NAME, "messages"}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method not in ("GET", "HEAD")
            or not request.path.startswith(self.prefixes)
            or not self.private_cookies.isdisjoint(request.COOKIES)
            # The same public decision the pages ask for (``website.view``).
            or not can_public(None, "website.view")
        ):
            return self.get_response(request)
        gen = generation()
        key = _key(request, gen)
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if (
            request.method == "GET"
            and getattr(response, PUBLIC, False)
            and response.status_code == 200
            and not response.streaming
            # A page that sets a cookie is someone's own; so is one with a CSRF token in it
            # (Django sends the cookie again whenever a token is used).
            and not response.cookies
            # A policy with a nonce is one response's own: served again, the nonce would no
            # longer be a secret (today's policy has none: ``CONTENT_SECURITY_POLICY``).
            and "'nonce-" not in response.get("Content-Security-Policy", "")
        ):
            ttl = _seconds_to_next_scheduled(gen)
            if ttl > 0:
                if hasattr(response, "render") and callable(response.render):
                    response.render()
                cache.set(key, (response.content, list(response.items())), ttl)
        return response
