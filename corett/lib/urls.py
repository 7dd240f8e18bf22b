"""``reverse()`` once per URL pattern instead of once per link.

Django's ``reverse()`` costs about 30 µs (namespace lookup, candidate matching, quoting). The
directory's list pages link every row to its record and the layout links every navigation
entry: dozens of calls per page, a large part of its rendering time. ``cached_reverse`` asks
``reverse()`` once per view name, URL conf and script prefix, with a sentinel in place of the
key, and later puts the real key where the sentinel was.

It only takes keys that need no quoting and that the sentinel stands for faithfully: a
non-negative int, or a string of ASCII letters and digits (the sentinel of a string is a string,
so a route whose converter refuses it falls back to ``reverse()``, which decides). Anything else
goes straight to ``reverse()``. The result is the same string ``reverse()`` returns.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_INT_SENTINEL = 987654321987654321
_STR_SENTINEL = "Zq9Sentinel9qZ"
_FALLBACK = ("", "")

# (view name, sentinel, URL conf, script prefix) -> (text before the key, text after it).
# Entries never go stale: a URL conf or script prefix that changes makes a new key.
_shapes: dict[tuple[str, object, str, str], tuple[str, str]] = {}


def cached_reverse(viewname: str, key: int | str | None = None) -> str:
    """``reverse(viewname)``, or ``reverse(viewname, args=[key])``, remembered per pattern."""
    if key is None:
        sentinel: object = None
    elif isinstance(key, int) and not isinstance(key, bool) and key >= 0:
        sentinel = _INT_SENTINEL
    elif isinstance(key, str) and key.isascii() and key.isalnum():
        sentinel = _STR_SENTINEL
    else:
        return reverse(viewname, args=[key])

    cache_key = (viewname, sentinel, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    shape = _shapes.get(cache_key)
    if shape is None:
        shape = _shape(viewname, sentinel)
        _shapes[cache_key] = shape
    if shape is _FALLBACK:
        return reverse(viewname, args=[] if key is None else [key])
    before, after = shape
    return before if key is None else f"{before}{key}{after}"


def _shape(viewname: str, sentinel: object) -> tuple[str, str]:
    if sentinel is None:
        return (reverse(viewname), "")
    try:
        url = reverse(viewname, args=[sentinel])
    except NoReverseMatch:
        return _FALLBACK
    parts = url.split(str(sentinel))
    return (parts[0], parts[1]) if len(parts) == 2 else _FALLBACK
