"""What national reporting tells people: a data set opened, a report submitted, returned,
approved or reopened, a deadline near or passed. Codes and dates only: a period ("2025-S1") and
a country (its ISO code, shown as its name)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from corett.notifications.kinds import Day, Kind, Param, Reference

SUBJECT = _("CORETT Hub: national reporting")


class CountryCode(Param):
    """A member country's ISO alpha-2 code, shown as its name in the reader's language."""

    def clean(self, value: Any) -> str:
        from corett.directory.models import Country

        if not isinstance(value, str) or not Country.objects.filter(iso2=value).exists():
            raise ValidationError(_("Not a country code."))
        return value

    def display(self, stored: Any) -> str:
        from corett.directory.models import Country

        country = Country.objects.filter(iso2=str(stored)).first()
        return country.name if country else str(stored)


PERIOD = Reference(max_length=10)

KINDS = (
    Kind("reporting.data_set_opened", {"data_set": PERIOD, "due_on": Day()},
         _("National reporting for %(data_set)s is open; the report is due on %(due_on)s."), subject=SUBJECT),
    Kind("reporting.submitted", {"country": CountryCode(), "data_set": PERIOD},
         _("%(country)s submitted its report for %(data_set)s: it awaits your review."), subject=SUBJECT),
    Kind("reporting.returned", {"data_set": PERIOD},
         _("Your country's report for %(data_set)s was returned for correction: see the Secretariat's comments."),
         subject=SUBJECT),
    Kind("reporting.approved", {"data_set": PERIOD},
         _("Your country's report for %(data_set)s was approved."), subject=SUBJECT),
    Kind("reporting.reopened", {"data_set": PERIOD},
         _("Your country's approved report for %(data_set)s was reopened for correction: see the reason given."),
         subject=SUBJECT),
    Kind("reporting.deadline_near", {"data_set": PERIOD, "due_on": Day()},
         _("Your country's report for %(data_set)s is due on %(due_on)s and has not been submitted yet."),
         subject=SUBJECT),
    Kind("reporting.overdue", {"data_set": PERIOD, "due_on": Day()},
         _("Your country's report for %(data_set)s was due on %(due_on)s and has not been submitted."),
         subject=SUBJECT),
)
