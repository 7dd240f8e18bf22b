"""Template helpers of the public site: addresses in the other language, canonical addresses."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def in_language(context: Any, code: str) -> str:
    """This page's address in the language ``code`` (its own address when it has no twin)."""
    request = context["request"]
    return translate_url(request.path, code)


@register.simple_tag(takes_context=True)
def absolute(context: Any, path: str | None = None) -> str:
    """``path`` (this page's by default) on the site's configured root: canonical addresses do
    not depend on the host a request happened to name."""
    if path is None:
        path = context["request"].path
    return settings.SITE_ROOT.rstrip("/") + path


@register.filter
def value_of(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, "")
    return getattr(obj, key, "")
