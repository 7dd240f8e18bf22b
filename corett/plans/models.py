"""The Operational Action Plan: versioned plans, their results tree (strategic axes → objectives →
expected results), actions with responsible actors, joint projects, IATI-shaped indicators with
baselines and targets, and the progress reports each actor files per reporting period.

Who "an actor" is: the Presidency, the Technical Secretariat, one member country, all member
countries, an observer organisation or a partner organisation. The same ``ActorKind`` says who is
responsible for an action and who files a progress report, so a user's actor (``actor_of``)
decides which actions they owe and which reports they write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corett.lib.urls import cached_reverse
from corett.meetings.models import ActorRole

# --- Vocabularies --------------------------------------------------------------------------------


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    IN_EXECUTION = "in_execution", _("In execution")
    CLOSED = "closed", _("Closed")


# A plan's content changes only while it is being written; afterwards only through a new version.
EDITABLE_STATES = frozenset({PlanState.DRAFT, PlanState.IN_REVIEW})
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanState.DRAFT: frozenset({PlanState.IN_REVIEW}),
    PlanState.IN_REVIEW: frozenset({PlanState.DRAFT, PlanState.APPROVED}),
    PlanState.APPROVED: frozenset({PlanState.IN_EXECUTION}),
    PlanState.IN_EXECUTION: frozenset({PlanState.CLOSED}),
    PlanState.CLOSED: frozenset(),
}


class Frequency(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")
    SEMESTER = "semester", _("Every semester")


class ResultType(models.TextChoices):
    # IATI result types 1 and 2.
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")


class ActorKind(models.TextChoices):
    PRESIDENCY = "presidency", _("Presidency")
    SECRETARIAT = "secretariat", _("Technical Secretariat")
    COUNTRY = "country", _("Member country")
    ALL_COUNTRIES = "all_countries", _("All member countries")
    OBSERVER = "observer", _("Observer")
    PARTNER = "partner", _("Partner")


# Lead or support: the same vocabulary as an agreement's responsible actors.
Involvement = ActorRole


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATUSES = frozenset({ActionStatus.COMPLETED, ActionStatus.CANCELLED})


class TrafficLight(models.TextChoices):
    GREEN = "green", _("On track")
    AMBER = "amber", _("At risk")
    RED = "red", _("Off track")
    GREY = "grey", _("Not applicable")


class Measure(models.TextChoices):
    # IATI indicator measures 1, 2 and 5.
    UNIT = "unit", _("Unit")
    PERCENTAGE = "percentage", _("Percentage")
    QUALITATIVE = "qualitative", _("Qualitative")


class ProjectKind(models.TextChoices):
    PROJECT = "project", _("Joint project")
    STUDY = "study", _("Study")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")


# The reporter may write only while the report is in their hands.
REPORTER_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})


# --- Actors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """One responsible actor: a kind, and the country or organisation it names (if any)."""

    kind: str
    country_id: int | None = None
    organisation_id: int | None = None

    @property
    def key(self) -> str:
        if self.kind == ActorKind.COUNTRY:
            return f"country:{self.country_id}"
        if self.kind in (ActorKind.OBSERVER, ActorKind.PARTNER):
            return f"{self.kind}:{self.organisation_id}"
        return str(self.kind)

    def reporter_lookup(self) -> dict[str, Any]:
        """Filter arguments for this actor's report: an organisation or a country files one report
        per period, whichever of its roles (observer, partner) it acts in."""
        if self.organisation_id is not None:
            return {"organisation_id": self.organisation_id}
        if self.country_id is not None:
            return {"country_id": self.country_id}
        return {"actor_kind": self.kind, "country__isnull": True, "organisation__isnull": True}

    def files_report_of(self, other: Actor) -> bool:
        if self.organisation_id is not None or other.organisation_id is not None:
            return self.organisation_id == other.organisation_id
        if self.country_id is not None or other.country_id is not None:
            return self.country_id == other.country_id
        return self.kind == other.kind

    def lookup(self, prefix: str = "") -> dict[str, Any]:
        """Filter arguments that select the rows naming exactly this actor."""
        return {f"{prefix}actor_kind": self.kind, f"{prefix}country_id": self.country_id,
                f"{prefix}organisation_id": self.organisation_id}


def actor_of(user: Any) -> Actor | None:
    """The actor a user reports for, from their role and organisation (None: they report for none).

    A focal point reports for their country; the Secretariat and the Presidency for themselves;
    observers and partners for their organisation.
    """
    from corett.accounts.roles import Role

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.has_role(Role.SECRETARIAT):
        return Actor(ActorKind.SECRETARIAT)
    if user.has_role(Role.PRESIDENCY):
        return Actor(ActorKind.PRESIDENCY)
    if user.has_role(Role.FOCAL_POINT) and user.country_id is not None:
        return Actor(ActorKind.COUNTRY, country_id=user.country_id)
    if user.has_role(Role.OBSERVER) and user.organisation_id is not None:
        return Actor(ActorKind.OBSERVER, organisation_id=user.organisation_id)
    if user.has_role(Role.PARTNER) and user.organisation_id is not None:
        return Actor(ActorKind.PARTNER, organisation_id=user.organisation_id)
    return None


class ActorFields(models.Model):
    """The three columns that name an actor, and the rules that keep them consistent."""

    actor_kind = models.CharField(_("actor"), max_length=16, choices=ActorKind.choices)
    country = models.ForeignKey(
        "directory.Country", verbose_name=_("country"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def actor(self) -> Actor:
        return Actor(self.actor_kind, self.country_id, self.organisation_id)

    def actor_label(self) -> str:
        if self.actor_kind == ActorKind.COUNTRY and self.country_id:
            return str(self.country)
        if self.actor_kind in (ActorKind.OBSERVER, ActorKind.PARTNER) and self.organisation_id:
            org = self.organisation
            return org.acronym or org.name if org else ""
        return str(ActorKind(self.actor_kind).label) if self.actor_kind in ActorKind.values else ""

    def clean_actor(self, *, allow_all: bool = True) -> None:
        errors: dict[str, Any] = {}
        kind = self.actor_kind
        if kind == ActorKind.ALL_COUNTRIES and not allow_all:
            errors["actor_kind"] = _("A report is filed by one country, not by all of them.")
        if kind == ActorKind.COUNTRY and self.country_id is None:
            errors["country"] = _("Choose the member country.")
        if kind != ActorKind.COUNTRY and self.country_id is not None:
            errors["country"] = _("Only a member country actor names a country.")
        if kind in (ActorKind.OBSERVER, ActorKind.PARTNER) and self.organisation_id is None:
            errors["organisation"] = _("Choose the organisation.")
        if kind not in (ActorKind.OBSERVER, ActorKind.PARTNER) and self.organisation_id is not None:
            errors["organisation"] = _("Only an observer or a partner actor names an organisation.")
        if errors:
            raise ValidationError(errors)


# --- The plan and its results tree -----------------------------------------------------------------


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, user: Any) -> PlanQuerySet:
        from corett import policy

        return policy.scope(user, "plans.view", self)


class Plan(models.Model):
    code = models.CharField(
        _("code"), max_length=32, help_text=_("The same for every version, e.g. POA-2023-2025."),
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9._-]*$",
                                                            _("Capital letters, digits, dots and dashes."))],
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    start_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    end_year = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    state = models.CharField(_("state"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT)
    reporting_frequency = models.CharField(
        _("reporting period"), max_length=16, choices=Frequency.choices, default=Frequency.SEMESTER)
    # Days after a period's end by which its progress reports are due.
    report_due_days = models.PositiveSmallIntegerField(
        _("days to report after a period ends"), default=30, validators=[MaxValueValidator(180)])
    previous = models.OneToOneField(
        "self", verbose_name=_("previous version"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="next_version",
    )
    change_reason = models.TextField(_("reason for the new version"), blank=True)
    agreement_reference = models.CharField(
        _("approving agreement"), max_length=32, blank=True,
        help_text=_("The plenary agreement that approved the plan, e.g. III-2022/C."),
    )
    # The agreement record when the meetings module holds it; the reference above says it either way.
    agreement = models.ForeignKey(
        "meetings.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="plans",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-start_year", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="plan_code_version_unique"),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_years_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return cached_reverse("plans:detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "next_version") or self.next_version is None

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.start_year, 1, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date(self.end_year, 12, 31)

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot be before the first year.")})
        if self.start_year and self.end_year and self.end_year - self.start_year > 10:
            raise ValidationError({"end_year": _("A plan spans at most ten years.")})


class Axis(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="axes")
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=255)

    class Meta:
        verbose_name = _("strategic axis")
        verbose_name_plural = _("strategic axes")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="axis_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Objective(models.Model):
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=255)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["axis", "code"], name="objective_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class ExpectedResult(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="results")
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=255)
    result_type = models.CharField(_("result type"), max_length=8, choices=ResultType.choices)

    class Meta:
        verbose_name = _("expected result")
        verbose_name_plural = _("expected results")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["objective", "code"], name="result_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


# --- Actions ---------------------------------------------------------------------------------------


class Action(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    result = models.ForeignKey(ExpectedResult, verbose_name=_("expected result"), on_delete=models.CASCADE,
                               related_name="actions")
    code = models.CharField(_("code"), max_length=16)
    description = models.TextField(_("description"))
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(_("currency"), max_length=3, default="USD",
                                validators=[RegexValidator(r"^[A-Z]{3}$")])
    funding_source = models.CharField(_("funding source"), max_length=255, blank=True)
    # Kept up to date from the approved progress reports (``services.refresh_actions_progress``).
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices,
                              default=ActionStatus.NOT_STARTED)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="action_code_unique"),
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("planned_start")),
                                   name="action_planned_dates_ordered"),
            models.CheckConstraint(condition=Q(percent_complete__lte=100), name="action_percent_max"),
        ]
        indexes = [models.Index(fields=["plan", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:60]}"

    def get_absolute_url(self) -> str:
        return cached_reverse("plans:action_detail", self.pk)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The planned end cannot be before the planned start.")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("The actual end cannot be before the actual start.")
        plan = self.plan if self.plan_id else None
        if plan and self.planned_start and not (plan.starts_on <= self.planned_start <= plan.ends_on):
            errors["planned_start"] = _("The planned start must fall within the plan's years.")
        if plan and self.planned_end and not (plan.starts_on <= self.planned_end <= plan.ends_on):
            errors["planned_end"] = _("The planned end must fall within the plan's years.")
        if self.result_id and self.plan_id and self.result.objective.axis.plan_id != self.plan_id:
            errors["result"] = _("The expected result belongs to another plan.")
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status not in FINISHED_STATUSES and self.planned_end < today

    def expected_percent(self, today: dt.date | None = None) -> int:
        """How far along the action should be today if work ran evenly from start to end."""
        today = today or timezone.localdate()
        if today <= self.planned_start:
            return 0
        if today >= self.planned_end:
            return 100
        span = (self.planned_end - self.planned_start).days or 1
        return round(100 * (today - self.planned_start).days / span)

    def traffic_light(self, today: dt.date | None = None) -> str:
        """Green on track; amber more than 25 points behind the even pace or not started when it
        should have; red delayed or past its end unfinished; grey cancelled."""
        today = today or timezone.localdate()
        if self.status == ActionStatus.CANCELLED:
            return TrafficLight.GREY
        if self.status == ActionStatus.COMPLETED:
            return TrafficLight.GREEN
        if self.status == ActionStatus.DELAYED or self.is_overdue(today):
            return TrafficLight.RED
        if self.expected_percent(today) - self.percent_complete > 25:
            return TrafficLight.AMBER
        if self.status == ActionStatus.NOT_STARTED and today > self.planned_start:
            return TrafficLight.AMBER
        return TrafficLight.GREEN

    def get_traffic_light_display(self) -> str:
        return str(TrafficLight(self.traffic_light()).label)


class Responsibility(ActorFields):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="responsibilities")
    involvement = models.CharField(_("involvement"), max_length=8, choices=Involvement.choices,
                                   default=Involvement.LEAD)

    class Meta:
        verbose_name = _("responsible actor")
        verbose_name_plural = _("responsible actors")
        ordering = ["involvement", "actor_kind", "id"]

    def __str__(self) -> str:
        return f"{self.actor_label()} ({self.get_involvement_display()})"

    def clean(self) -> None:
        self.clean_actor()


# --- Joint projects and studies --------------------------------------------------------------------


class JointProjectQuerySet(models.QuerySet["JointProject"]):
    def visible_to(self, user: Any) -> JointProjectQuerySet:
        """The projects of the plans ``user`` may read."""
        return self.filter(plan__in=Plan.objects.visible_to(user))


class JointProject(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(_("code"), max_length=16)
    kind = models.CharField(_("kind"), max_length=8, choices=ProjectKind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField("directory.Organisation", verbose_name=_("partners"),
                                      related_name="+", blank=True)
    actions = models.ManyToManyField(Action, verbose_name=_("actions it serves"), related_name="projects",
                                     blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    # The plenary agreement that started it (agreement E's studies): the agreement's page lists it.
    started_by = models.ForeignKey(
        "meetings.Agreement", verbose_name=_("started by agreement"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="projects",
    )

    objects = JointProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint project or study")
        verbose_name_plural = _("joint projects and studies")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="project_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return cached_reverse("plans:project_detail", self.pk)

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot be before the start.")})


class Milestone(models.Model):
    project = models.ForeignKey(JointProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=255)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectDocument(models.Model):
    project = models.ForeignKey(JointProject, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to="plans/projects/%Y/")
    content_type = models.CharField(max_length=100, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


# --- Indicators ------------------------------------------------------------------------------------


class Indicator(ActorFields):
    """An IATI-shaped indicator. ``source`` names a computed source (``corett.plans.sources``):
    its values then come from the platform's own data instead of being typed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    result = models.ForeignKey(ExpectedResult, verbose_name=_("expected result"), on_delete=models.CASCADE,
                               related_name="indicators")
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=255)
    definition = models.TextField(_("definition"), blank=True)
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices, default=Measure.UNIT)
    ascending = models.BooleanField(_("higher is better"), default=True)
    cumulative = models.BooleanField(_("cumulative"), default=False,
                                     help_text=_("Values of successive periods add up."))
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=2,
                                         null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True,
                                                     validators=[MinValueValidator(1990),
                                                                 MaxValueValidator(2100)])
    baseline_comment = models.TextField(_("baseline comment"), blank=True)
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    is_key = models.BooleanField(_("key indicator"), default=False)
    by_country = models.BooleanField(_("disaggregated by country"), default=False)
    source = models.CharField(_("computed from"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return cached_reverse("plans:indicator_detail", self.pk)

    @property
    def is_computed(self) -> bool:
        return bool(self.source)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        try:
            self.clean_actor()
        except ValidationError as exc:
            errors.update(exc.error_dict)
        if self.baseline_value is not None and self.baseline_value < 0:
            errors["baseline_value"] = _("The value cannot be negative.")
        elif self.measure == Measure.PERCENTAGE and self.baseline_value is not None and self.baseline_value > 100:
            errors["baseline_value"] = _("A percentage lies between 0 and 100.")
        if self.measure == Measure.QUALITATIVE and self.source:
            errors["source"] = _("A qualitative indicator cannot be computed.")
        if self.source:
            from corett.plans.sources import is_known_source

            if not is_known_source(self.source):
                errors["source"] = _("Unknown source of computed values.")
        if self.result_id and self.plan_id and self.result.objective.axis.plan_id != self.plan_id:
            errors["result"] = _("The expected result belongs to another plan.")
        if errors:
            raise ValidationError(errors)


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    # Blank: the regional target; a country: that country's share of it.
    country = models.ForeignKey("directory.Country", verbose_name=_("country"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "country__iso2"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "country"], name="target_unique"),
            models.UniqueConstraint(fields=["indicator", "year"], condition=Q(country__isnull=True),
                                    name="target_regional_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        indicator = self.indicator if self.indicator_id else None
        if indicator is not None and self.year and self.year not in indicator.plan.years:
            errors["year"] = _("The year %(year)s is outside the plan's period (%(start)s–%(end)s).") % {  # noqa: RUF001
                "year": self.year, "start": indicator.plan.start_year, "end": indicator.plan.end_year}
        if self.value is not None and self.value < 0:
            errors["value"] = _("The value cannot be negative.")
        elif indicator is not None and indicator.measure == Measure.PERCENTAGE and self.value is not None and (
            self.value > 100
        ):
            errors["value"] = _("A percentage lies between 0 and 100.")
        if indicator is not None and self.country_id and not indicator.by_country:
            errors["country"] = _("This indicator is not disaggregated by country.")
        if errors:
            raise ValidationError(errors)


# --- Reporting periods and progress reports --------------------------------------------------------


class ReportingPeriod(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(_("period"), max_length=16)  # "2024-S1", "2024-Q3": also a Reference code
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    due_on = models.DateField(_("reports due on"))
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["starts_on"]
        constraints = [models.UniqueConstraint(fields=["plan", "label"], name="period_label_unique")]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return cached_reverse("plans:period_detail", self.pk)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def year(self) -> int:
        return self.starts_on.year


class PeriodReopening(models.Model):
    """Each time a locked period or an approved report was opened again, by whom and why."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reopenings")
    report = models.ForeignKey("ProgressReport", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="reopenings")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.period.label} · {self.at:%Y-%m-%d}"


class ProgressReportQuerySet(models.QuerySet["ProgressReport"]):
    def visible_to(self, user: Any) -> ProgressReportQuerySet:
        from corett import policy

        return policy.scope(user, "plans.view_report", self)


class ProgressReport(ActorFields):
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    reviewer_notes = models.TextField(_("reviewer's notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["period__starts_on", "actor_kind", "id"]
        constraints = [
            # One report per actor and period (nulls are distinct in unique constraints, hence three).
            models.UniqueConstraint(fields=["period", "actor_kind"], name="report_regional_actor_unique",
                                    condition=Q(country__isnull=True, organisation__isnull=True)),
            models.UniqueConstraint(fields=["period", "country"], name="report_country_unique",
                                    condition=Q(country__isnull=False)),
            models.UniqueConstraint(fields=["period", "organisation"], name="report_organisation_unique",
                                    condition=Q(organisation__isnull=False)),
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.period.label} · {self.actor_label()}"

    def get_absolute_url(self) -> str:
        return cached_reverse("plans:report_detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.state in REPORTER_STATES and not self.period.is_locked

    def clean(self) -> None:
        self.clean_actor(allow_all=False)


class ActionUpdate(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="action_updates")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MaxValueValidator(100, _("A percentage cannot exceed 100."))])
    achievements = models.TextField(_("what was done"), blank=True)
    obstacles = models.TextField(_("obstacles"), blank=True)

    class Meta:
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")
        ordering = ["action__code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "action"], name="action_update_unique"),
            models.CheckConstraint(condition=Q(percent_complete__lte=100), name="action_update_percent_max"),
        ]

    def __str__(self) -> str:
        return f"{self.action.code}: {self.percent_complete}%"

    def clean(self) -> None:
        if self.status == ActionStatus.COMPLETED and self.percent_complete != 100:
            raise ValidationError({"percent_complete": _("A completed action needs a percent complete of 100.")})


class IndicatorValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="plans/evidence/%Y/", blank=True)
    evidence_type = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator__code"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.value}"

    def clean(self) -> None:
        indicator = self.indicator
        if indicator.measure == Measure.QUALITATIVE:
            if self.value is not None:
                raise ValidationError({"value": _("A qualitative indicator is reported as a narrative.")})
        elif self.value is None and not self.narrative:
            raise ValidationError({"value": _("Give a value or explain in the narrative why there is none.")})
        if indicator.measure == Measure.PERCENTAGE and self.value is not None and not 0 <= self.value <= 100:
            raise ValidationError({"value": _("A percentage lies between 0 and 100.")})
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("The value cannot be negative.")})
