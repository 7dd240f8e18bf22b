"""Public meetings for the public website's events page and its iCalendar feed.

Only meetings marked public, never drafts or cancelled ones, and only what may be published:
code, titles, dates, place and kind (no delegations, agenda or agreements).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from corett.meetings.models import Meeting, MeetingState


def public_events(start: dt.date | None = None, end: dt.date | None = None) -> list[dict[str, Any]]:
    """Public meetings overlapping [start, end] (either bound optional), earliest first.

    Keys: uid (stable across calls), title_es, title_en, starts_on, ends_on (dates, inclusive),
    place, kind (the meeting's kind code: ordinary, extraordinary, technical, external)."""
    meetings = Meeting.objects.filter(is_public=True).exclude(
        state__in=[MeetingState.DRAFT, MeetingState.CANCELLED]).select_related("host_country")
    if start is not None:
        meetings = meetings.filter(ends_on__gte=start)
    if end is not None:
        meetings = meetings.filter(starts_on__lte=end)
    return [
        {
            "uid": f"corett-meeting-{m.pk}",
            "title_es": f"{m.code} · {m.title_es}",
            "title_en": f"{m.code} · {m.title_en}",
            "starts_on": m.starts_on,
            "ends_on": m.ends_on,
            "place": ", ".join(p for p in (m.venue, m.city, m.host_country.name_es if m.host_country else "") if p),
            "kind": m.kind,
        }
        for m in meetings.order_by("starts_on", "pk")
    ]
