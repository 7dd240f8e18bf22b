"""The meeting's documents as files: minutes drafted from the meeting's data (Markdown, in Spanish
and English), rendered to PDF through WeasyPrint; excerpts per agreement; invitation letters and
the list of participants.

Nothing here decides who may have what: the services and views authorise, then call these.
"""

from __future__ import annotations

from typing import Any

import markdown
import nh3
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from corett.meetings.models import (
    AdoptionState,
    Agreement,
    Attendance,
    Delegation,
    Meeting,
    Minutes,
)

PDF = "application/pdf"


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    """The documents load nothing from anywhere: no text in a meeting can make the server fetch."""
    raise ValueError("Meeting documents load no external resources.")


def markdown_html(text: str) -> SafeString:
    """Minutes are Markdown written by the Secretariat; shown as sanitised HTML."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return mark_safe(nh3.clean(html))  # noqa: S308  (sanitised by nh3 just above)


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    css = render_to_string("meetings/pdf/document.css")
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url="about:blank")
    return document.write_pdf(stylesheets=[CSS(string=css, url_fetcher=_refuse_fetch)])


# --- Minutes --------------------------------------------------------------------------------------


def _attendance_lines(meeting: Meeting) -> list[str]:
    lines = []
    delegations = meeting.delegations.select_related("organisation", "organisation__country").prefetch_related("participants")
    for delegation in delegations:
        everyone = list(delegation.participants.all())
        present = [p for p in everyone if p.attendance == Attendance.PRESENT]
        head = _("head of delegation")
        names = ", ".join(f"{p.full_name} ({head})" if p.is_head else p.full_name for p in present)
        if not everyone:
            names = _("participants not recorded")
        elif not present:
            names = _("no one present")
        lines.append(f"- **{delegation.organisation}** ({delegation.get_capacity_display()}): {names}")
    return lines


def draft_bodies(meeting: Meeting) -> tuple[str, str]:
    with translation.override("es"):
        body_es = _draft(meeting)
    with translation.override("en"):
        body_en = _draft(meeting)
    return body_es, body_en


def _draft(meeting: Meeting) -> str:
    heading = _("Minutes of meeting %(code)s") % {"code": meeting.code}
    attendance, agenda, adopted_heading = _("Attendance"), _("Agenda"), _("Agreements adopted")
    lines = [
        f"# {heading}",
        "",
        f"**{meeting.title}**",
        "",
        _("Held from %(start)s to %(end)s at %(place)s (%(modality)s).") % {
            "start": meeting.starts_on.isoformat(), "end": meeting.ends_on.isoformat(),
            "place": meeting.place or "-", "modality": meeting.get_modality_display().lower(),
        },
        "",
    ]
    if meeting.presidency is not None:
        lines += [_("Presidency pro tempore: %(country)s.") % {"country": meeting.presidency.country.name}, ""]
    lines += [f"## {attendance}", "", *(_attendance_lines(meeting) or [_("No delegation was recorded.")]), ""]
    lines += [f"## {agenda}", ""]
    for item in meeting.agenda_items.all():
        indent = "  " * item.depth
        # The escaped period keeps Markdown from reading "1. " as a numbered list of its own.
        lines.append(f"{indent}- {item.number}\\. {item.title} — {item.get_outcome_display()}")
    lines += ["", f"## {adopted_heading}", ""]
    adopted = meeting.agreements.filter(adoption_state=AdoptionState.ADOPTED).prefetch_related(
        "actors__country", "actors__organisation"
    )
    for agreement in adopted:
        label = _("Agreement %(code)s") % {"code": agreement.code}
        lines.append(f"### {label}: {agreement.title}")
        lines.append("")
        lines.append(agreement.text)
        lines.append("")
        lines.append(_adoption_sentence(agreement))
        actors = ", ".join(f"{a} ({a.get_role_display().lower()})" for a in agreement.actors.all())
        if actors:
            lines.append("")
            lines.append(_("Responsible: %(actors)s.") % {"actors": actors})
        lines.append("")
    if not adopted:
        lines += [_("No agreement was adopted."), ""]
    return "\n".join(lines)


def _adoption_sentence(agreement: Agreement) -> str:
    if agreement.adoption_method == "vote":
        return _("Adopted by vote: %(for)s for, %(against)s against, %(abstain)s abstentions.") % {
            "for": agreement.votes_for, "against": agreement.votes_against, "abstain": agreement.abstentions,
        }
    return _("Adopted by consensus.")


def snapshot(meeting: Meeting) -> dict[str, Any]:
    """The agreements as adopted, kept with the frozen minutes: excerpts are made from this, so
    they say what the approved minutes say even if an agreement's record changes later."""
    agreements = {}
    for agreement in meeting.agreements.filter(adoption_state=AdoptionState.ADOPTED):
        with translation.override("es"):
            sentence_es = _adoption_sentence(agreement)
        with translation.override("en"):
            sentence_en = _adoption_sentence(agreement)
        agreements[agreement.letter] = {
            "code": agreement.code,
            "title": {"es": agreement.title_es, "en": agreement.title_en},
            "text": {"es": agreement.text_es, "en": agreement.text_en},
            "adoption": {"es": sentence_es, "en": sentence_en},
        }
    return {"meeting": {"code": meeting.code, "title": {"es": meeting.title_es, "en": meeting.title_en},
                        "starts_on": meeting.starts_on.isoformat(), "ends_on": meeting.ends_on.isoformat(),
                        "place": meeting.place},
            "agreements": agreements}


def render_pdf(minutes: Minutes, language: str, *, draft: bool = False) -> bytes:
    with translation.override(language):
        body = minutes.body_es if language == "es" else minutes.body_en
        return _pdf("meetings/pdf/minutes.html", {
            "minutes": minutes, "meeting": minutes.meeting, "body": markdown_html(body), "draft": draft,
            "generated": timezone.localtime(),
        })


def render_excerpt(minutes: Minutes, letter: str, language: str) -> bytes:
    """The certified excerpt of one agreement, from the frozen minutes' snapshot."""
    data = minutes.frozen_snapshot["agreements"][letter]
    meeting = minutes.frozen_snapshot["meeting"]
    with translation.override(language):
        return _pdf("meetings/pdf/excerpt.html", {
            "minutes": minutes, "meeting_code": meeting["code"], "meeting_title": meeting["title"][language],
            "starts_on": meeting["starts_on"], "ends_on": meeting["ends_on"], "place": meeting["place"],
            "code": data["code"], "title": data["title"][language], "text": data["text"][language],
            "adoption": data["adoption"][language],
            "sha256": minutes.sha256_es if language == "es" else minutes.sha256_en,
        })


# --- Invitations and participants --------------------------------------------------------------------


def render_invitation(delegation: Delegation, language: str, registration_links: dict[int, str]) -> bytes:
    meeting = delegation.meeting
    with translation.override(language):
        return _pdf("meetings/pdf/invitation.html", {
            "meeting": meeting, "delegation": delegation, "participants": list(delegation.participants.all()),
            "links": registration_links, "today": timezone.localdate(),
            "agenda": [i for i in meeting.agenda_items.all() if i.is_public],
        })


def render_participants(meeting: Meeting, language: str) -> bytes:
    with translation.override(language):
        delegations = meeting.delegations.select_related("organisation").prefetch_related("participants")
        return _pdf("meetings/pdf/participants.html", {"meeting": meeting, "delegations": delegations,
                                                        "generated": timezone.localtime()})
