"""What the meetings module may tell someone: agreement codes ("III-2022/A"), MoU references,
states and dates; never a name or a narrative (the kinds' parameters cannot carry one)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from corett.notifications.kinds import Choice, Day, Kind, Reference

SUBJECT = _("CORETT Hub: an agreement needs your attention")

KINDS = (
    Kind(
        "meetings.agreement_overdue",
        {"agreement": Reference(), "due_on": Day()},
        _("Agreement %(agreement)s is overdue: it was due on %(due_on)s. Please report on its follow-up."),
        subject=SUBJECT,
    ),
    Kind(
        "meetings.update_submitted",
        {"agreement": Reference()},
        _("A follow-up update on agreement %(agreement)s awaits your review."),
        subject=SUBJECT,
    ),
    Kind(
        "meetings.update_reviewed",
        {"agreement": Reference(), "decision": Choice({"accepted": _("accepted"), "returned": _("returned")})},
        {
            "accepted": _("The Secretariat accepted your follow-up update on agreement %(agreement)s."),
            "returned": _("The Secretariat returned your follow-up update on agreement %(agreement)s for revision."),
        },
        by="decision",
        subject=SUBJECT,
    ),
    Kind(
        "meetings.mou_expiring",
        {"mou": Reference(), "valid_until": Day()},
        _("Memorandum of understanding %(mou)s expires on %(valid_until)s: decide on its renewal."),
        subject=_("CORETT Hub: a memorandum of understanding expires soon"),
    ),
)
