from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from corett.plans.models import ReportState, TrafficLight

register = template.Library()

LIGHT_CLASSES: dict[str, str] = {
    TrafficLight.GREEN: "text-bg-success",
    TrafficLight.AMBER: "text-bg-warning",
    TrafficLight.RED: "text-bg-danger",
    TrafficLight.GREY: "text-bg-secondary",
}
STATE_CLASSES: dict[str, str] = {
    ReportState.DRAFT: "text-bg-light border",
    ReportState.SUBMITTED: "text-bg-info",
    ReportState.RETURNED: "text-bg-warning",
    ReportState.APPROVED: "text-bg-success",
}


@register.simple_tag
def light(action: Any, today: Any = None) -> str:
    """The action's traffic light as a badge (colour and words: colour alone says nothing to some)."""
    value = action.traffic_light(today) if today else action.traffic_light()
    return format_html('<span class="badge {}" data-light="{}">{}</span>', LIGHT_CLASSES[value], value,
                       TrafficLight(value).label)


@register.filter
def light_class(value: str) -> str:
    return LIGHT_CLASSES.get(value, "text-bg-secondary")


@register.simple_tag
def report_state(report: Any) -> str:
    return format_html('<span class="badge {}" data-state="{}">{}</span>',
                       STATE_CLASSES.get(report.state, "text-bg-light"), report.state, report.get_state_display())


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping is not None else None
