"""The public pages' cache: whole responses, keyed by a generation that every publication bumps.

A public page is the same for every visitor (it reads neither the session nor the user), so its
bytes can be served again until something visitors see changes. Every service that changes what
is public calls ``invalidate()``: the generation moves on and every older entry is simply never
asked for again (it expires on its own). A scheduled article becomes visible without any write,
so no entry lives past the next scheduled moment.

The generation is the modification time of a small file in the data dir, not a cache entry:
every worker process (and every host sharing the data dir) sees a publication at once, for the
price of one ``stat`` per request, whatever cache backend the deployment configures.
"""

from __future__ import annotations

import functools
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
    if nxt is None:
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


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a GET of a public page from the cache; store successful answers."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        gen = generation()
        key = f"website:page:{gen}:{request.get_full_path()}"
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render") and callable(response.render):
                    response.render()
                ttl = _seconds_to_next_scheduled(gen)
                if ttl > 0:
                    cache.set(key, (response.content, response["Content-Type"]), ttl)
        response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapper
