"""National reporting: data sets per reporting period, each country's submission, its values and
its review history (DHIS2's data sets, data entry and data approval, in the coalition's words).

A submission moves draft → submitted → approved, or back to returned (with the Secretariat's
comments) and, once approved, only through a reopening with a reason. Approved values are
locked here and copied into the statistics module, which uses approved data only.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from corett.lib.urls import cached_reverse
from corett.reporting.elements import DEFAULT_INDICATORS, INDICATORS, Element, elements_for

if TYPE_CHECKING:
    from corett.accounts.models import User


class PeriodType(models.TextChoices):
    YEAR = "year", _("Year")
    SEMESTER = "semester", _("Semester")
    QUARTER = "quarter", _("Quarter")


PERIODS_PER_YEAR = {PeriodType.YEAR: 1, PeriodType.SEMESTER: 2, PeriodType.QUARTER: 4}


class DataSetQuerySet(models.QuerySet["DataSet"]):
    def visible_to(self, user: User) -> DataSetQuerySet:
        from corett import policy

        return policy.scope(user, "reporting.view", self)


class DataSet(models.Model):
    """What the countries report for one period, and by when."""

    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(
        _("period number"), default=1, help_text=_("1 for a year; 1-2 for a semester; 1-4 for a quarter.")
    )
    deadline = models.DateField(_("deadline"), help_text=_("The last day on which a report counts as on time."))
    indicators = models.JSONField(_("indicators"), default=list)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+",
    )

    objects = DataSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")
        ordering = ["-year", "-number", "period_type"]
        constraints = [
            models.UniqueConstraint(fields=["period_type", "year", "number"], name="reporting_dataset_one_per_period"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=4), name="reporting_dataset_number_range"),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return cached_reverse("reporting:data_set_detail", self.code)

    @property
    def code(self) -> str:
        """"2025", "2025-S1" or "2025-Q3": the period's name, in templates, links and notices."""
        if self.period_type == PeriodType.SEMESTER:
            return f"{self.year}-S{self.number}"
        if self.period_type == PeriodType.QUARTER:
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def starts_on(self) -> dt.date:
        months = 12 // PERIODS_PER_YEAR[PeriodType(self.period_type)]
        return dt.date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def ends_on(self) -> dt.date:
        months = 12 // PERIODS_PER_YEAR[PeriodType(self.period_type)]
        month = self.number * months
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def has_ended(self, today: dt.date | None = None) -> bool:
        """Data is reported for a period that is over: a period still running (or to come)
        cannot have complete figures, so it takes none (DHIS2 refuses future periods too)."""
        return (today or timezone.localdate()) > self.ends_on

    def elements(self) -> list[Element]:
        return elements_for(self.indicators)

    def indicator_labels(self) -> list[str]:
        return [str(INDICATORS[code]) for code in INDICATORS if code in self.indicators]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.period_type in PERIODS_PER_YEAR and not 1 <= (self.number or 0) <= PERIODS_PER_YEAR[
            PeriodType(self.period_type)
        ]:
            errors["number"] = _("A %(type)s has periods 1 to %(n)s.") % {
                "type": PeriodType(self.period_type).label.lower(),
                "n": PERIODS_PER_YEAR[PeriodType(self.period_type)],
            }
        if self.year is not None and not 2000 <= self.year <= 2100:
            errors["year"] = _("Give a year between 2000 and 2100.")
        if not self.indicators:
            errors["indicators"] = _("Choose at least one indicator.")
        elif not isinstance(self.indicators, list) or set(self.indicators) - set(INDICATORS):
            errors["indicators"] = _("Unknown indicator.")
        if not errors and self.deadline is not None and self.deadline <= self.ends_on:
            errors["deadline"] = _("The deadline must come after the end of the period (%(end)s).") % {
                "end": self.ends_on.isoformat()
            }
        if errors:
            raise ValidationError(errors)
        self.indicators = [code for code in DEFAULT_INDICATORS if code in self.indicators]


# The states are a report's (un informe: masculine in Spanish), hence their own context: the same
# English words of other modules translate otherwise.
class SubmissionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report state", "Submitted for review")
    RETURNED = "returned", pgettext_lazy("report state", "Returned for correction")
    APPROVED = "approved", pgettext_lazy("report state", "Approved")
    REOPENED = "reopened", pgettext_lazy("report state", "Reopened")


# States in which the country's focal point may change the values.
EDITABLE_STATES = frozenset({SubmissionState.DRAFT, SubmissionState.RETURNED, SubmissionState.REOPENED})


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: User) -> SubmissionQuerySet:
        from corett import policy

        return policy.scope(user, "reporting.view_submission", self)


class Submission(models.Model):
    """One country's report for one data set."""

    data_set = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="submissions")
    country = models.ForeignKey("directory.Country", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=10, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    # When it was first sent for review: timeliness is judged on the first submission, so a
    # report returned for correction after an on-time submission stays on time.
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # Where the values came from last: "entry" (the web form) or an uploaded file.
    source = models.CharField(_("source"), max_length=10, blank=True, default="")
    source_file_name = models.CharField(_("file"), max_length=200, blank=True, default="")
    source_sha256 = models.CharField(max_length=64, blank=True, default="")
    # Range findings (values outside the country's usual range): they do not block a report,
    # the reviewer reads them. Stored as codes and numbers, worded when shown.
    warnings = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["data_set", "country__name_es"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "country"], name="reporting_submission_one_per_country"),
        ]
        indexes = [models.Index(fields=["country", "state"], name="reporting_sub_country_state")]

    def __str__(self) -> str:
        return f"{self.data_set.code} {self.country.iso3}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:submission_detail", args=[self.data_set.code, self.country.iso2])

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_locked(self) -> bool:
        return self.state == SubmissionState.APPROVED

    def on_time(self) -> bool | None:
        """True or False once submitted; None while not yet submitted and the deadline has not
        passed (it may still be on time)."""
        if self.first_submitted_at is not None:
            return timezone.localdate(self.first_submitted_at) <= self.data_set.deadline
        if timezone.localdate() > self.data_set.deadline:
            return False
        return None


class Value(models.Model):
    """One reported number, or a cell marked as not available (``value`` empty)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    element = models.CharField(max_length=80)
    value = models.PositiveIntegerField(null=True, blank=True)
    not_available = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "element"], name="reporting_value_one_per_element"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(not_available=False), name="reporting_value_or_not_available"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element}={self.value if self.value is not None else 'n/a'}"


class EventKind(models.TextChoices):
    SAVED = "saved", _("Values entered")
    UPLOADED = "uploaded", _("Template uploaded")
    SUBMITTED = "submitted", pgettext_lazy("report state", "Submitted for review")
    RETURNED = "returned", pgettext_lazy("report state", "Returned for correction")
    APPROVED = "approved", pgettext_lazy("report state", "Approved")
    REOPENED = "reopened", pgettext_lazy("report state", "Reopened")


class Event(models.Model):
    """The submission's history as its country and the Secretariat see it: who did what, when,
    and the Secretariat's comments or the reason for reopening. (The audit trail keeps its own,
    tamper-evident record of the same steps.)"""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"
