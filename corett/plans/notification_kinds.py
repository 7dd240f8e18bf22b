"""What the action plan tells people: a period's code and a date, never a narrative or a name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from corett.notifications.kinds import Day, Kind, Reference

PERIOD = Reference(max_length=16)
SUBJECT = _("CORETT Hub: the action plan needs your attention")

KINDS = (
    Kind("plans.report_due", {"period": PERIOD, "due_on": Day()},
         _("Your progress report for period %(period)s of the action plan is due on %(due_on)s."),
         subject=SUBJECT),
    Kind("plans.report_overdue", {"period": PERIOD, "due_on": Day()},
         _("Your progress report for period %(period)s of the action plan was due on %(due_on)s "
           "and has not been submitted."),
         subject=SUBJECT),
    Kind("plans.report_submitted", {"period": PERIOD},
         _("A progress report for period %(period)s was submitted and awaits your review."),
         subject=SUBJECT),
    Kind("plans.report_returned", {"period": PERIOD},
         _("Your progress report for period %(period)s was returned for revision. See the reviewer's notes."),
         subject=SUBJECT),
    Kind("plans.report_approved", {"period": PERIOD},
         _("Your progress report for period %(period)s was approved."),
         subject=SUBJECT),
)
