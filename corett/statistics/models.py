"""Statistics: indicators, the values countries and public sources report, and where each came from.

A value is one cell: one indicator, one country (ISO alpha-3), one period and one combination of
disaggregations. It is exact, suppressed (the source published only that it is small: "<5" is
kept as suppressed with bounds 1-4, never as 0 or 5) or missing. Every value carries its
provenance (source, release, the batch that wrote it: an import or a national submission, who
and when) and an approval status; only approved values ever leave the owning country, and then
only through :mod:`corett.statistics.release`, which applies disclosure control.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from corett.statistics.periods import parse_period

# ISO alpha-3 used for a citizenship or destination the source names but no country code fits
# ("Abroad", "Other", an unreadable label): ICAO's "unspecified nationality". The source's own
# label is kept beside it in ``Value.label``.
UNSPECIFIED_COUNTRY = "XXX"


class IndicatorCode(models.TextChoices):
    DETECTED_VICTIMS = "detected_victims", _("Detected victims")
    PERSONS_PROSECUTED = "persons_prosecuted", _("Persons prosecuted")
    PERSONS_CONVICTED = "persons_convicted", _("Persons convicted")
    PERSONS_IN_FORMAL_CONTACT = "persons_in_formal_contact", _("Persons brought into formal contact")
    OFFENCES = "offences", _("Offences of trafficking in persons")
    VICTIMS_REPATRIATED = "victims_repatriated", _("Victims repatriated")
    VICTIMS_ASSISTED = "victims_assisted", _("Victims assisted")


class Sex(models.TextChoices):
    TOTAL = "total", _("Total")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Age(models.TextChoices):
    TOTAL = "total", _("Total")
    CHILDREN = "0-17", _("0 to 17 years")
    ADULTS = "18+", _("18 years or over")
    UNKNOWN = "unknown", _("Unknown")


class Form(models.TextChoices):
    TOTAL = "total", _("Total")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    OTHER = "other", _("Other forms of exploitation")


class Source(models.TextChoices):
    NATIONAL = "national", _("National reporting")
    GLOTIP = "glotip", _("UNODC GLOTIP")
    CTDC = "ctdc", _("IOM CTDC")
    CASES = "cases", _("CORETT repatriation cases")


# When several sources hold the same cell, the first in this order is the one released.
SOURCE_PRECEDENCE = (Source.NATIONAL, Source.GLOTIP, Source.CTDC, Source.CASES)
# Sources made of individual cases: released only as aggregates meeting k-anonymity.
CASE_LEVEL_SOURCES = frozenset({Source.CTDC, Source.CASES})


class Kind(models.TextChoices):
    EXACT = "exact", _("Exact")
    SUPPRESSED = "suppressed", _("Suppressed")
    MISSING = "missing", _("Missing")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    HELD = "held", _("Held for review")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def ensure_all(self) -> dict[str, Indicator]:
        """Every indicator of :class:`IndicatorCode`, by code, creating any that is missing.

        Migration 0002 creates them; a database emptied by a transactional test run (flush) has
        lost them, and the importers must not then fail on "unknown indicator".
        """
        from django.utils import translation

        found = {i.code: i for i in self.all()}
        for position, (code, label) in enumerate(IndicatorCode.choices, start=1):
            if code not in found:
                with translation.override("es"):
                    name_es = str(label)
                with translation.override("en"):
                    name_en = str(label)
                found[code] = self.create(code=code, name_en=name_en, name_es=name_es, position=position)
        return found


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, choices=IndicatorCode.choices)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    definition_es = models.TextField(_("definition (Spanish)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_es if (get_language() or "es").startswith("es") else self.name_en


class BatchQuerySet(models.QuerySet["Batch"]):
    def imports(self) -> BatchQuerySet:
        return self.filter(kind=Batch.BatchKind.IMPORT)


class Batch(models.Model):
    """One write of values: a file import (GLOTIP, CTDC) or a national submission.

    Doubles as the progress record of a long import (the web page polls ``rows_done``).
    """

    class BatchKind(models.TextChoices):
        IMPORT = "import", _("Import")
        SUBMISSION = "submission", _("Submission")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=BatchKind.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    release = models.CharField(_("release"), max_length=120, blank=True)
    reference = models.CharField(
        _("reference"), max_length=120, blank=True, help_text=_("The submission or file this batch came from.")
    )
    country_iso3 = models.CharField(_("country"), max_length=3, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.release} #{self.pk}"

    @property
    def progress_percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class ValueQuerySet(models.QuerySet["Value"]):
    def approved(self) -> ValueQuerySet:
        return self.filter(status=Status.APPROVED)

    def totals(self) -> ValueQuerySet:
        """The cells with no disaggregation at all (the headline figure of a country and period)."""
        return self.filter(sex=Sex.TOTAL, age=Age.TOTAL, form=Form.TOTAL, citizenship="", repatriation="", label="")


class Value(models.Model):
    # No index of its own on either foreign key: statistics_value_query begins with the indicator and
    # statistics_value_batch is the batch's (a duplicate index costs every import's inserts).
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, db_index=False)
    country_iso3 = models.CharField(_("country"), max_length=3)
    # DHIS2's ISO period notation: "2022", "2022S1", "2022Q3".
    period = models.CharField(_("period"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.TOTAL)
    age = models.CharField(_("age"), max_length=8, choices=Age.choices, default=Age.TOTAL)
    form = models.CharField(_("form of exploitation"), max_length=20, choices=Form.choices, default=Form.TOTAL)
    citizenship = models.CharField(_("citizenship"), max_length=3, blank=True)
    repatriation = models.CharField(_("country of repatriation"), max_length=3, blank=True)
    # The source's own category label where no code says it all ("Abroad", a garbled name).
    label = models.CharField(_("label in the source"), max_length=120, blank=True)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.PositiveIntegerField(_("value"), null=True, blank=True)
    lower_bound = models.PositiveIntegerField(_("lower bound"), null=True, blank=True)
    upper_bound = models.PositiveIntegerField(_("upper bound"), null=True, blank=True)

    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    release = models.CharField(_("release"), max_length=120, blank=True)
    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="values",
                              db_index=False)
    cell = models.CharField(_("cell"), max_length=60, blank=True, help_text=_("Where in the file it was read."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    objects = ValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        ordering = ["indicator__position", "country_iso3", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "source", "country_iso3", "indicator", "period",
                    "sex", "age", "form", "citizenship", "repatriation", "label",
                ],
                name="statistics_value_one_cell_per_source",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="exact", value__isnull=False, lower_bound=models.F("value"), upper_bound=models.F("value"))
                    | Q(kind="suppressed", value__isnull=True, lower_bound__isnull=False, upper_bound__isnull=False,
                        lower_bound__lte=models.F("upper_bound"))
                    | Q(kind="missing", value__isnull=True, lower_bound__isnull=True, upper_bound__isnull=True)
                ),
                name="statistics_value_kind_matches_bounds",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "status", "year", "country_iso3"], name="statistics_value_query"),
            models.Index(fields=["batch"], name="statistics_value_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.country_iso3} {self.period} {self.display}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            year = parse_period(self.period).year
        except ValueError:
            errors["period"] = str(_("Write the period as 2024, 2024S1 or 2024Q1."))
        else:
            self.year = year
        if self.kind == Kind.EXACT:
            if self.value is None:
                errors["value"] = str(_("An exact value needs a number."))
            self.lower_bound = self.upper_bound = self.value
        elif self.kind == Kind.SUPPRESSED:
            self.value = None
            if self.lower_bound is None or self.upper_bound is None or self.lower_bound > self.upper_bound:
                errors["lower_bound"] = str(_("A suppressed value needs a lower and an upper bound."))
        else:
            self.value = self.lower_bound = self.upper_bound = None
        for name in ("country_iso3", "citizenship", "repatriation"):
            code = getattr(self, name)
            if code and not (len(code) == 3 and code.isalpha() and code.isupper()):
                errors[name] = str(_("Use an ISO 3166 alpha-3 code (e.g. GTM)."))
        if not self.country_iso3:
            errors["country_iso3"] = str(_("Choose a country."))
        if errors:
            raise ValidationError(errors)

    @property
    def display(self) -> str:
        if self.kind == Kind.EXACT:
            return str(self.value)
        if self.kind == Kind.SUPPRESSED:
            return f"{self.lower_bound}\N{EN DASH}{self.upper_bound}"
        return "…"


class Finding(models.Model):
    """Something an import or a submission noticed that a person must look at."""

    class FindingKind(models.TextChoices):
        CONFLICT = "conflict", _("Same cell with different values")
        DUPLICATE = "duplicate", _("Exact duplicate rows")
        EQUALS_YEAR = "equals_year", _("Value equals the year")
        IMPLAUSIBLE = "implausible", _("Implausible value")
        SUM_MISMATCH = "sum_mismatch", _("Disaggregations do not add up to the total")
        GARBLED_LABEL = "garbled_label", _("Garbled label (wrong encoding)")
        MISSING_CODE = "missing_code", _("Missing country code")
        MISSING_CATEGORY = "missing_category", _("Missing category")
        UNKNOWN_LABEL = "unknown_label", _("Label without a country code")
        UNKNOWN_VALUE = "unknown_value", _("Unreadable value")
        OUT_OF_RANGE = "out_of_range", _("Outside the country's usual range")

    class FindingStatus(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted as published")
        CORRECTED = "corrected", _("Corrected")
        DISMISSED = "dismissed", _("Value excluded")
        NOTED = "noted", _("Noted")

    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    country_iso3 = models.CharField(_("country"), max_length=3, blank=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), null=True, blank=True, on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    cell = models.CharField(_("cell"), max_length=200, blank=True)
    # What is involved, as read: [{"cell": "row 812", "value": "2,015", "sex": "total", ...}, ...]
    involved = models.JSONField(_("values involved"), default=list, blank=True)
    value = models.ForeignKey(
        Value, verbose_name=_("value held"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="findings",
    )
    key = models.CharField(_("key"), max_length=255, help_text=_("Identifies the finding across re-imports."))
    review_comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["status", "country_iso3", "year", "pk"]
        constraints = [
            # One finding per problem, however often the same release is imported again.
            models.UniqueConstraint(fields=["key"], name="statistics_finding_once"),
        ]
        indexes = [models.Index(fields=["country_iso3", "year"], name="statistics_finding_country")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.country_iso3} {self.year or ''} {self.cell}"


class PublishedValueQuerySet(models.QuerySet["PublishedValue"]):
    def totals(self) -> PublishedValueQuerySet:
        return self.filter(sex=Sex.TOTAL, age=Age.TOTAL, form=Form.TOTAL, citizenship="", repatriation="", label="")


class PublishedValue(models.Model):
    """A value as it may leave the owning country: approved, after primary and secondary suppression
    (and k-anonymity for case-level sources), one source per country, indicator and period.

    Pre-computed whenever values are approved, imported or reopened
    (:func:`corett.statistics.disclosure.refresh_published`), so that dashboards, the API and
    exports read a small table instead of controlling disclosure on every request.
    """

    # No index of its own: statistics_published_query begins with the indicator.
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, db_index=False)
    country_iso3 = models.CharField(_("country"), max_length=3)
    period = models.CharField(_("period"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    age = models.CharField(_("age"), max_length=8, choices=Age.choices)
    form = models.CharField(_("form of exploitation"), max_length=20, choices=Form.choices)
    citizenship = models.CharField(_("citizenship"), max_length=3, blank=True)
    repatriation = models.CharField(_("country of repatriation"), max_length=3, blank=True)
    label = models.CharField(_("label in the source"), max_length=120, blank=True)
    value = models.PositiveIntegerField(_("value"), null=True, blank=True)
    suppressed = models.BooleanField(_("suppressed"), default=False)
    lower_bound = models.PositiveIntegerField(_("lower bound"), null=True, blank=True)
    upper_bound = models.PositiveIntegerField(_("upper bound"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    release = models.CharField(_("release"), max_length=120, blank=True)
    threshold = models.PositiveSmallIntegerField(_("threshold applied"))
    # Differentially private version of an exact value (None when DP release is off).
    dp_value = models.PositiveIntegerField(_("value with noise"), null=True, blank=True)
    dp_epsilon = models.FloatField(_("epsilon"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    objects = PublishedValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("published value")
        verbose_name_plural = _("published values")
        ordering = ["indicator__position", "country_iso3", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_iso3", "indicator", "period", "sex", "age", "form", "citizenship", "repatriation", "label"],
                name="statistics_published_one_cell",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year", "country_iso3"], name="statistics_published_query")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.country_iso3} {self.period}"


class PublishedGeneration(models.Model):
    """One row whose token changes whenever the published figures are recomputed.

    :func:`corett.statistics.release.refresh_published` (the one writer of
    :class:`PublishedValue`) sets a new random token in the same transaction; each process keeps
    the values it built from the published table under the token it read first, so a dashboard's
    repeated question is answered without reading and rebuilding the same cells. A token is never
    reused (a rolled-back refresh leaves the previous token, whose values are again current), and
    no row means nothing is kept.
    """

    token = models.CharField(max_length=32)  # internal: never shown

    def __str__(self) -> str:
        return self.token
