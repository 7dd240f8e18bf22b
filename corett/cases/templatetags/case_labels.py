"""``{{ case|label:"stage" }}``: ``case.get_stage_display``, translated once per field and language
(``corett.cases.labels``)."""

from __future__ import annotations

from typing import Any

from django import template

from corett.cases import labels

register = template.Library()


@register.filter
def label(obj: Any, name: str) -> Any:
    return labels.label(obj, name)


@register.filter
def short_datetime(value: Any) -> str:
    """``value|date:"SHORT_DATETIME_FORMAT"``, written by strftime where the format allows."""
    return labels.short_datetime(value) if value else ""
