"""The timeline of a plan's actions as an SVG drawn on the server (no script, no CDN).

Each action is a row: a pale bar from planned start to planned end, filled from the left as far as
its percent complete, in the colour of its traffic light; a line marks today. Text is escaped: an
action's description is data typed by people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from django.utils import formats
from django.utils.translation import gettext as _

from corett.plans.models import Action, Plan, TrafficLight

COLOURS: dict[str, str] = {
    TrafficLight.GREEN: "#198754",
    TrafficLight.AMBER: "#cc8a00",
    TrafficLight.RED: "#dc3545",
    TrafficLight.GREY: "#6c757d",
}
LABEL_WIDTH = 330
CHART_WIDTH = 720
ROW = 24
TOP = 40


def _x(day: dt.date, start: dt.date, end: dt.date) -> float:
    span = (end - start).days or 1
    clamped = min(max(day, start), end)
    return LABEL_WIDTH + CHART_WIDTH * (clamped - start).days / span


def render_gantt(plan: Plan, actions: Sequence[Action], *, today: dt.date) -> str:
    start, end = plan.starts_on, plan.ends_on
    height = TOP + ROW * max(len(actions), 1) + 20
    width = LABEL_WIDTH + CHART_WIDTH + 10
    title = _("Timeline of the actions of %(plan)s") % {"plan": plan}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} '
        'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for year in plan.years:
        for quarter in range(4):
            day = dt.date(year, 1 + 3 * quarter, 1)
            x = _x(day, start, end)
            stroke = "#adb5bd" if quarter == 0 else "#e9ecef"
            parts.append(f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - 16}" stroke="{stroke}"/>')
            label = str(year) if quarter == 0 else _("Q%(number)s") % {"number": quarter + 1}
            weight = ' font-weight="bold"' if quarter == 0 else ""
            parts.append(f'<text x="{x + 3:.1f}" y="{TOP - 14}"{weight}>{escape(label)}</text>')
    for index, action in enumerate(actions):
        y = TOP + index * ROW
        light = action.traffic_light(today)
        x1, x2 = _x(action.planned_start, start, end), _x(action.planned_end, start, end)
        done = x1 + (x2 - x1) * action.percent_complete / 100
        text = f"{action.code} {action.description}"
        short = text if len(text) <= 48 else text[:47] + "…"
        tooltip = _("%(code)s: %(start)s – %(end)s, %(percent)s%% (%(status)s)") % {  # noqa: RUF001
            "code": action.code, "start": formats.date_format(action.planned_start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(action.planned_end, "SHORT_DATE_FORMAT"),
            "percent": action.percent_complete, "status": action.get_status_display()}
        parts += [
            f'<g><title>{escape(tooltip)}</title>',
            f'<text x="4" y="{y + 15}">{escape(short)}</text>',
            f'<rect x="{x1:.1f}" y="{y + 5}" width="{max(x2 - x1, 2):.1f}" height="14" rx="2" '
            f'fill="{COLOURS[light]}" fill-opacity="0.25"/>',
            f'<rect x="{x1:.1f}" y="{y + 5}" width="{max(done - x1, 0):.1f}" height="14" rx="2" '
            f'fill="{COLOURS[light]}"/>',
            "</g>",
        ]
    if start <= today <= end:
        x = _x(today, start, end)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - 16}" stroke="#0d6efd" '
                     'stroke-width="2" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x + 3:.1f}" y="{height - 4}" fill="#0d6efd">{escape(_("Today"))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
