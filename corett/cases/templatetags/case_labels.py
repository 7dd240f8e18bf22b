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
