"""``reverse()`` once per URL pattern instead of once per link.

Django's ``reverse()`` costs 30 to 45 µs (namespace lookup, candidate matching, quoting). The
list pages link every row to its record, the layout links every navigation entry, the case page
has two dozen links and form actions: dozens of calls per page, a large part of its rendering
time. ``kept_reverse`` asks ``reverse()`` once per view name, kinds of arguments, URL conf,
script prefix, language (``i18n_patterns``) and current application, with sentinels in place
of the arguments, and later puts the real arguments where the sentinels were.

It only takes arguments that need no quoting and that their sentinel stands for faithfully: a
non-negative int, or a string of ASCII letters, digits, ``-`` and ``_`` (the sentinel of a
string is a string made of those, so a route whose converter refuses it falls back to
``reverse()``, which decides). Anything else goes straight to ``reverse()``. The result is the
same string ``reverse()`` returns. ``{% url %}`` uses it (``corett.core.templatetags.kept_url``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_INT_SENTINEL = 987654321987654000
_STR_SENTINEL = "Zq9-Sentinel_{}-9qZ"
_PLAIN = re.compile(r"[A-Za-z0-9_-]+")
_FALLBACK: tuple[Any, ...] = ()

# key -> the URL's text between the arguments: (text, index of an argument, text, ...), or
# _FALLBACK. Entries never go stale: a URL conf, script prefix or language that changes makes a
# new key.
_shapes: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _kind(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return "i" if value >= 0 else None
    if isinstance(value, str) and value.isascii() and _PLAIN.fullmatch(value):
        return "s"
    return None


def kept_reverse(
    viewname: str, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None, current_app: str | None = None
) -> str:
    """``reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)``, remembered per
    pattern and kinds of arguments."""
    names = tuple(kwargs) if kwargs else ()
    values = [*args, *(kwargs[name] for name in names)] if kwargs else list(args)
    kinds = tuple(_kind(value) for value in values)
    if None in kinds:
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    key = (
        viewname, kinds, names, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language(),
        current_app,
    )
    shape = _shapes.get(key)
    if shape is None:
        shape = _shapes[key] = _shape(viewname, kinds, len(args), names, current_app)
    if shape is _FALLBACK:
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return "".join(part if isinstance(part, str) else str(values[part]) for part in shape)


def _shape(viewname: str, kinds: tuple[Any, ...], positional: int, names: tuple[str, ...], current_app: str | None):
    sentinels = [_INT_SENTINEL + i if kind == "i" else _STR_SENTINEL.format(i) for i, kind in enumerate(kinds)]
    try:
        url = reverse(
            viewname, args=sentinels[:positional], kwargs=dict(zip(names, sentinels[positional:], strict=True)),
            current_app=current_app,
        )
    except NoReverseMatch:
        return _FALLBACK
    found = []
    for index, sentinel in enumerate(sentinels):
        text = str(sentinel)
        if url.count(text) != 1:
            return _FALLBACK
        found.append((url.index(text), len(text), index))
    shape: list[Any] = []
    at = 0
    for start, length, index in sorted(found):
        shape.extend((url[at:start], index))
        at = start + length
    shape.append(url[at:])
    return tuple(part for part in shape if part != "")


def cached_reverse(viewname: str, key: int | str | None = None) -> str:
    """``reverse(viewname)``, or ``reverse(viewname, args=[key])``, remembered per pattern."""
    return kept_reverse(viewname, () if key is None else (key,))


def links(viewname: str) -> Callable[[int | str], str]:
    """``cached_reverse(viewname, key)`` for the many rows of one page: the URL conf, script
    prefix and language (asgiref ``Local`` reads, three a link) are looked up once, when the
    function is made; make it again for another request."""
    context = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language(), None)

    def link(key: int | str) -> str:
        kind = _kind(key)
        if kind is not None:
            shape = _shapes.get((viewname, (kind,), (), *context))
            if shape is None:
                shape = _shapes[(viewname, (kind,), (), *context)] = _shape(viewname, (kind,), 1, (), None)
            if shape is not _FALLBACK:
                return "".join(part if isinstance(part, str) else str(key) for part in shape)
        return reverse(viewname, args=[key])

    return link
