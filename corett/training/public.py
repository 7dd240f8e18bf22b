"""What the public website may show of training: the sessions, as events (no participant data)."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from corett.training.models import PUBLIC_STATES, Session


def public_events(start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Sessions open for registration, running or held, overlapping [start, end] (inclusive).

    Planned sessions are not announced yet and cancelled ones are left out.
    """
    sessions = Session.objects.filter(state__in=PUBLIC_STATES).select_related("programme", "country")
    if start:
        sessions = sessions.filter(ends_on__gte=start)
    if end:
        sessions = sessions.filter(starts_on__lte=end)
    events = []
    for session in sessions.order_by("starts_on", "pk"):
        with translation.override("es"):
            place_es = ", ".join(p for p in (session.venue, session.country.name) if p)
        events.append({
            "uid": f"training-session-{session.pk}@corett",
            "title_es": session.programme.title_es,
            "title_en": session.programme.title_en or session.programme.title_es,
            "starts_on": session.starts_on,
            "ends_on": session.ends_on,
            "place": place_es,
            "kind": "training",
        })
    return events
