"""Coded values in the reader's language, each field's labels translated once per language.

``get_FOO_display()`` makes every choice of the field hashable, builds a dict of them and
translates the label on each call (≈ 0.1 ms; the case page made ~60 such calls, the work list
three a row). The translations do not change while the process runs, so the table of a field
in a language is built once.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import get_language


@functools.lru_cache(maxsize=256)
def _table(model: type[models.Model], name: str, language: str | None) -> dict[Any, str]:
    field = model._meta.get_field(name)
    return {value: str(label) for value, label in field.flatchoices}  # type: ignore[union-attr]


def choice_labels(model: type[models.Model], name: str) -> dict[Any, str]:
    """The labels of the field ``name`` of ``model``, by value, in the active language."""
    return _table(model, name, get_language())


def label(obj: models.Model, name: str) -> Any:
    """What ``obj.get_<name>_display()`` gives: the label of the value, else the value."""
    value = getattr(obj, name)
    return choice_labels(type(obj), name).get(value, value)


# Django's date format characters that are plain zero-padded numbers (no names to translate, no
# "a.m." to spell), as dateformat writes them. A format made of these and punctuation is
# written by str.format at a fraction of dateformat's cost (it parses the format and builds a
# formatter object per value); any other (English's "P") goes to Django.
_NUMBERS = {
    "d": "{0.day:02d}", "m": "{0.month:02d}", "Y": "{0.year:04d}", "y": "{1:02d}",
    "H": "{0.hour:02d}", "i": "{0.minute:02d}", "s": "{0.second:02d}",
}


@functools.lru_cache(maxsize=16)
def _number_pattern(django_format: str) -> str | None:
    pattern = []
    for char in django_format:
        if char in _NUMBERS:
            pattern.append(_NUMBERS[char])
        elif char.isalpha() or char == "\\":
            return None
        else:
            pattern.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(pattern)


def short_datetimes() -> Callable[[dt.datetime | None], str]:
    """``short_datetime`` for the rows of a table: the reader's language, format and time zone
    are looked up once (each lookup reads an asgiref ``Local``; a table of 50 rows made 150)."""
    zone = timezone.get_current_timezone()
    django_format = get_format("SHORT_DATETIME_FORMAT")
    pattern = _number_pattern(django_format)

    def write(value: dt.datetime | None) -> str:
        if value is None:
            return ""
        local = timezone.localtime(value, zone) if timezone.is_aware(value) else value
        return pattern.format(local, local.year % 100) if pattern else date_format(local, django_format)

    return write


def short_datetime(value: dt.datetime | None) -> str:
    """``{{ value|date:"SHORT_DATETIME_FORMAT" }}``: in the reader's language and time zone."""
    return short_datetimes()(value)


@functools.lru_cache(maxsize=4096)
def _date(value: dt.date, language: str | None) -> str:
    return date_format(value)  # in ``language``: the active one, which the key holds


def dates() -> Callable[[dt.date], str]:
    """``date_format(value)`` (``DATE_FORMAT``, month names translated) for the rows of a table:
    a date in a language is written once a process (dateformat parses the format and builds a
    formatter for each value, ~15 µs)."""
    language = get_language()
    return lambda value: _date(value, language)
