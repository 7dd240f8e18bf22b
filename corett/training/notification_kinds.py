"""What training may tell its organisers: a session's reference and dates, never a participant."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from corett.notifications.kinds import Count, Day, Kind, Reference

KINDS = (
    Kind(
        "training.registrations_pending",
        {"session": Reference(), "starts_on": Day(), "pending": Count()},
        _("Registrations through the link await your approval for training session %(session)s (first day "
          "%(starts_on)s); %(pending)s pending so far."),
        subject=_("CORETT Hub: registrations await your approval"),
    ),
)
