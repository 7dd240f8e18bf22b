"""Machine-readable exports of meetings: the agenda, delegations and agreements as CSV/XLSX (the
one exporter base), the whole meeting as JSON, and an iCalendar feed of meetings and agreement
deadlines (the ``icalendar`` library)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

import icalendar
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corett.lib.exports import Cell, Exporter
from corett.meetings.models import Agreement, Meeting, ResponsibleActor

CALENDAR_SALT = "corett.meetings.calendar"


def _actors(agreement: Agreement) -> str:
    return "; ".join(f"{a} ({a.role}{', ' + a.due_on.isoformat() if a.due_on else ''})" for a in agreement.actors.all())


class AgendaExporter(Exporter):
    name = "agenda"
    title = _("Agenda")
    columns = (_("Meeting"), _("Number"), _("Title (Spanish)"), _("Title (English)"), _("Public"), _("Presenter"),
               _("Duration (minutes)"), _("Outcome"))

    def __init__(self, meeting: Meeting, *, internal: bool) -> None:
        self.meeting, self.internal = meeting, internal

    def filename(self, fmt: str) -> str:
        return f"corett-{self.meeting.code}-agenda.{fmt}"

    def rows(self) -> Iterable[Sequence[Cell]]:
        for item in self.meeting.agenda_items.order_by("path"):
            if item.is_public or self.internal:
                yield (self.meeting.code, item.number, item.title_es, item.title_en, item.is_public, item.presenter,
                       item.duration_minutes, item.outcome)


class DelegationExporter(Exporter):
    name = "delegations"
    title = _("Delegations")
    columns = (_("Meeting"), _("Organisation"), _("Country"), _("Capacity"), _("Participants present"),
               _("Participants invited"))

    def __init__(self, meeting: Meeting, *, internal: bool) -> None:
        self.meeting = meeting

    def filename(self, fmt: str) -> str:
        return f"corett-{self.meeting.code}-delegations.{fmt}"

    def rows(self) -> Iterable[Sequence[Cell]]:
        # Counts, not names: the list of participants with names is its own PDF for members.
        for d in self.meeting.delegations.select_related("organisation__country").prefetch_related("participants"):
            people = list(d.participants.all())
            yield (self.meeting.code, d.organisation.name, d.organisation.country.iso2 if d.organisation.country else "",
                   d.capacity, sum(1 for p in people if p.attendance == "present"), len(people))


class AgreementExporter(Exporter):
    name = "agreements"
    title = _("Agreements")
    columns = (_("Code"), _("Meeting"), _("Letter"), _("Title (Spanish)"), _("Title (English)"), _("Text (Spanish)"),
               _("Text (English)"), _("Adoption"), _("Adopted by"), _("Votes for"), _("Votes against"),
               _("Abstentions"), _("Implementation"), _("Responsible actors"))

    def __init__(self, agreements: Any) -> None:
        self.agreements = agreements

    def rows(self) -> Iterable[Sequence[Cell]]:
        for a in self.agreements:
            yield (a.code, a.meeting.code, a.letter, a.title_es, a.title_en, a.text_es, a.text_en, a.adoption_state,
                   a.adoption_method, a.votes_for, a.votes_against, a.abstentions, a.implementation_state, _actors(a))


def _agreements_of(meeting: Meeting) -> QuerySet[Agreement]:
    return meeting.agreements.select_related("meeting").prefetch_related(
        Prefetch("actors", queryset=ResponsibleActor.objects.select_related("country", "organisation")))


def exporter_for(kind: str, meeting: Meeting, *, internal: bool) -> Exporter:
    if kind == "agenda":
        return AgendaExporter(meeting, internal=internal)
    if kind == "delegations":
        return DelegationExporter(meeting, internal=internal)
    if kind == "agreements":
        exporter = AgreementExporter(_agreements_of(meeting))
        exporter.filename = lambda fmt: f"corett-{meeting.code}-agreements.{fmt}"  # type: ignore[method-assign]
        return exporter
    raise Http404


def _agreement_dict(a: Agreement) -> dict[str, Any]:
    return {
        "code": a.code, "letter": a.letter, "title": {"es": a.title_es, "en": a.title_en},
        "text": {"es": a.text_es, "en": a.text_en}, "adoption_state": a.adoption_state,
        "adoption_method": a.adoption_method,
        "votes": {"for": a.votes_for, "against": a.votes_against, "abstentions": a.abstentions},
        "implementation_state": a.implementation_state,
        "agenda_item": a.agenda_item.number if a.agenda_item_id and a.agenda_item else None,
        "responsible": [
            {"kind": r.kind, "country": r.country.iso2 if r.country else None,
             "organisation": r.organisation.name if r.organisation else None, "role": r.role,
             "due_on": r.due_on.isoformat() if r.due_on else None, "reporting": r.reporting}
            for r in a.actors.all()
        ],
    }


def meeting_json(meeting: Meeting, *, internal: bool) -> bytes:
    data = {
        "code": meeting.code, "kind": meeting.kind, "title": {"es": meeting.title_es, "en": meeting.title_en},
        "modality": meeting.modality, "state": meeting.state,
        "host_country": meeting.host_country.iso2 if meeting.host_country else None,
        "city": meeting.city, "venue": meeting.venue,
        "starts_on": meeting.starts_on.isoformat(), "ends_on": meeting.ends_on.isoformat(),
        "presidency": meeting.presidency.country.iso2 if meeting.presidency else None,
        "agenda": [
            {"number": i.number, "title": {"es": i.title_es, "en": i.title_en}, "public": i.is_public,
             "presenter": i.presenter, "duration_minutes": i.duration_minutes, "outcome": i.outcome, "kind": i.kind}
            for i in meeting.agenda_items.order_by("path") if i.is_public or internal
        ],
        "delegations": [
            {"organisation": d.organisation.name, "country": d.organisation.country.iso2 if d.organisation.country else None,
             "capacity": d.capacity}
            for d in meeting.delegations.select_related("organisation__country")
        ],
        "agreements": [_agreement_dict(a) for a in _agreements_of(meeting)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def agreements_json(agreements: Any) -> bytes:
    return json.dumps([{"meeting": a.meeting.code, **_agreement_dict(a)} for a in agreements],
                      ensure_ascii=False, indent=2).encode()


# --- iCalendar -----------------------------------------------------------------------------------


def _host() -> str:
    hosts = [h for h in getattr(settings, "ALLOWED_HOSTS", []) if h and h not in ("*",) and not h.startswith(".")]
    return hosts[0] if hosts else "corett.invalid"


def calendar_ics(user: Any) -> bytes:
    """Meetings (all-day events spanning their days) and the due dates of open agreements."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//CORETT Hub//meetings//ES")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "CORETT")
    stamp = timezone.now()
    host = _host()
    for meeting in Meeting.objects.visible_to(user).exclude(state="cancelled").select_related("host_country"):
        event = icalendar.Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{meeting.code} · {meeting.title_es}")
        event.add("dtstart", meeting.starts_on)
        event.add("dtend", meeting.ends_on + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
        if meeting.place:
            event.add("location", meeting.place)
        event.add("status", "CONFIRMED" if meeting.state != "draft" else "TENTATIVE")
        cal.add_component(event)
    agreements = Agreement.objects.visible_to(user).open().select_related("meeting").prefetch_related("actors")
    for agreement in agreements:
        dates = sorted({a.due_on for a in agreement.actors.all() if a.due_on})
        for due in dates:
            event = icalendar.Event()
            event.add("uid", f"agreement-{agreement.pk}-{due.isoformat()}@{host}")
            event.add("dtstamp", stamp)
            event.add("summary", f"{agreement.code}: {agreement.title_es}")
            event.add("dtstart", due)
            event.add("dtend", due + dt.timedelta(days=1))
            cal.add_component(event)
    return cal.to_ical()
