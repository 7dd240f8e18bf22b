"""Repatriation cases: a victim's safe return from the destination country to the country of
origin, under the regional protocol.

Identifying data (names, birth date, documents, contacts, addresses, narratives, attachments)
lives only in ``EncryptedField`` columns. Everything else here is what the coalition needs to
coordinate a return, and what statistics may count after disclosure control.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corett.cases import vocabularies as vocab
from corett.lib.fields import EncryptedField, EncryptedModel
from corett.lib.urls import cached_reverse

if TYPE_CHECKING:
    from corett.accounts.models import User


class Stage(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    PROTECTED = "protected", _("Protected")
    CONSULAR_NOTIFICATION = "consular_notification", _("Consular notification")
    ASSESSING = "assessing", _("Assessing")
    RETURN_DECIDED = "return_decided", _("Return decided")
    REQUESTED_TO_ORIGIN = "requested_to_origin", _("Requested to the country of origin")
    ACCEPTED_BY_ORIGIN = "accepted_by_origin", _("Accepted by the country of origin")
    DECLINED_BY_ORIGIN = "declined_by_origin", _("Declined by the country of origin")
    FAMILY_ASSESSED = "family_assessed", _("Family assessed")
    FUNDING_REQUESTED = "funding_requested", _("Funding requested")
    FUNDED = "funded", _("Funded")
    TRAVEL_SCHEDULED = "travel_scheduled", _("Travel scheduled")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    REINTEGRATION = "reintegration", _("Reintegration")
    CLOSED = "closed", _("Closed")
    SUSPENDED = "suspended", _("Suspended")
    ALTERNATIVE_SOLUTION = "alternative_solution", _("Alternative solution")
    CANCELLED = "cancelled", _("Cancelled")


# Stages from which the country of origin takes part (it sees the case from the request on).
ORIGIN_STAGES = frozenset(
    {
        Stage.REQUESTED_TO_ORIGIN, Stage.ACCEPTED_BY_ORIGIN, Stage.DECLINED_BY_ORIGIN,
        Stage.FAMILY_ASSESSED, Stage.FUNDING_REQUESTED, Stage.FUNDED, Stage.TRAVEL_SCHEDULED,
        Stage.IN_TRANSIT, Stage.RECEIVED, Stage.REINTEGRATION, Stage.CLOSED,
    }
)
FINAL_STAGES = frozenset({Stage.CLOSED, Stage.CANCELLED, Stage.ALTERNATIVE_SOLUTION})


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Unknown")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class AlternativeSolution(models.TextChoices):
    ASYLUM = "asylum", _("International protection (asylum)")
    LOCAL_INTEGRATION = "local_integration", _("Local integration")
    THIRD_COUNTRY = "third_country", _("Resettlement in a third country")


# Case codes: unambiguous letters and digits (no 0/O, 1/I), with a check character so that a
# mistyped or tampered code is recognised as such instead of matching another case.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _check_character(body: str) -> str:
    total = sum((i + 1) * CODE_ALPHABET.index(ch) for i, ch in enumerate(body))
    return CODE_ALPHABET[total % len(CODE_ALPHABET)]


def new_case_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"RP-{body[:4]}-{body[4:]}{_check_character(body)}"


def is_valid_case_code(code: str) -> bool:
    if not isinstance(code, str) or len(code) != 13 or not code.startswith("RP-") or code[7] != "-":
        return False
    body, check = code[3:7] + code[8:12], code[12]
    return all(ch in CODE_ALPHABET for ch in body + check) and _check_character(body) == check


# A person is treated as a child unless an age of 18 or more at identification has been verified
# (the protocol: "a person of uncertain age is treated as a child until verified"). The age at
# identification is kept in the clear (``estimated_age``; the services derive it from the sealed
# birth date), so lists, filters and statistics decide it in SQL without decrypting anything.
CHILD = ~Q(age_verified=True, estimated_age__gte=18)


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User) -> CaseQuerySet:
        from corett import policy

        return policy.scope(user, "cases.view", self)

    def owned_by(self, user: User) -> CaseQuerySet:
        """Cases of the user's country as destination (the owners' work list)."""
        return self.visible_to(user).filter(destination_country_id=user.country_id)

    def active(self) -> CaseQuerySet:
        return self.filter(deactivated_at__isnull=True)

    def children(self) -> CaseQuerySet:
        return self.filter(CHILD)

    def adults(self) -> CaseQuerySet:
        return self.exclude(CHILD)

    def counts_for_statistics(self) -> list[dict]:
        """How many cases per destination and origin (ISO alpha-3), stage and child or adult:
        what the statistics module publishes after its own disclosure control. Aggregates only,
        computed in SQL from clear columns; nothing sealed is read."""
        rows = (
            self.order_by()
            .annotate(child=models.Case(models.When(CHILD, then=models.Value(True)), default=models.Value(False)))
            .values("destination_country__iso3", "origin_country__iso3", "stage", "child")
            .annotate(count=models.Count("pk"))
            .order_by("destination_country__iso3", "origin_country__iso3", "stage", "child")
        )
        return [
            {"destination": r["destination_country__iso3"], "origin": r["origin_country__iso3"],
             "stage": r["stage"], "child": bool(r["child"]), "count": r["count"]}
            for r in rows
        ]

    def without_identity(self) -> CaseQuerySet:
        """Lists never need the sealed columns: leave them in the database."""
        return self.defer(*IDENTITY_FIELDS)


class Case(EncryptedModel):
    code = models.CharField(_("case code"), max_length=13, unique=True, default=new_case_code, editable=False)
    destination_country = models.ForeignKey(
        "directory.Country", verbose_name=_("destination country"), on_delete=models.PROTECT,
        related_name="cases_as_destination",
    )
    identifying_organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("identifying organisation"), on_delete=models.PROTECT,
        related_name="identified_cases",
    )
    origin_country = models.ForeignKey(
        "directory.Country", verbose_name=_("country of origin"), on_delete=models.PROTECT,
        related_name="cases_as_origin",
    )
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices, default=Stage.IDENTIFIED)
    # Where a suspended case resumes.
    resume_stage = models.CharField(max_length=32, choices=Stage.choices, blank=True)
    alternative_solution = models.CharField(
        _("alternative solution"), max_length=32, choices=AlternativeSolution.choices, blank=True
    )

    # Identity: encrypted, shown only to those the policy allows.
    given_name = EncryptedField(_("given names"))
    family_name = EncryptedField(_("family names"))
    other_names = EncryptedField(_("other names or aliases"))
    birth_date = EncryptedField(_("birth date"), kind="date")
    gender = EncryptedField(_("gender"))
    documents = EncryptedField(_("identity documents"), kind="json")
    contact = EncryptedField(_("contact details"))
    address = EncryptedField(_("address"))
    narrative = EncryptedField(_("narrative"))

    # What the protocol and statistics need, in clear.
    # The age at identification: entered when estimated, derived from the birth date when known.
    estimated_age = models.PositiveSmallIntegerField(_("age at identification"), null=True, blank=True)
    age_verified = models.BooleanField(_("age verified"), default=False)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    citizenships = models.JSONField(_("citizenships (ISO alpha-3)"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    identified_on = models.DateField(_("identified on"))
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=40, choices=vocab.TraffickingStatus.choices,
        default=vocab.TraffickingStatus.POSSIBLE,
    )
    status_decided_by = models.CharField(
        _("status decided by"), max_length=40, choices=vocab.StatusDecidedBy.choices, blank=True
    )
    forms_of_exploitation = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    methods_of_control = models.JSONField(_("methods of control"), default=list, blank=True)
    recruiter_relationship = models.CharField(
        _("relationship to the recruiter"), max_length=16,
        choices=vocab.RelationshipToTrafficker.choices, blank=True,
    )
    risk_level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)

    # Set by the formal request: from then on the country of origin sees the case.
    shared_with_origin_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The origin's answer to the formal request.
    origin_contact = models.ForeignKey(
        "directory.Person", verbose_name=_("contact in the country of origin"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    origin_alternate = models.ForeignKey(
        "directory.Person", verbose_name=_("alternate contact in the country of origin"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    origin_decline_reason = EncryptedField(_("reasons for declining"))

    # Keyed hash of normalised name, birth date and citizenship: finds the same person in
    # another country's cases without either side revealing anything.
    match_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Records are deactivated, never deleted; identity is erased after the retention period.
    deactivated_at = models.DateTimeField(null=True, blank=True)
    identity_purged_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("repatriation case")
        verbose_name_plural = _("repatriation cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["destination_country", "stage"]),
            models.Index(fields=["origin_country", "stage"]),
            # The work lists (corett.cases.worklist): a country's cases, newest first, each half
            # read and counted from its index alone. Every column the policy's scope tests is in
            # the index (the scope's condition stays in each half's WHERE), and the id breaks
            # ties in the list's order, so neither the count nor the page reads the table.
            models.Index(
                fields=["destination_country", "-created_at", "-id", "origin_country", "shared_with_origin_at"],
                name="case_owned_worklist",
            ),
            models.Index(
                fields=["origin_country", "-created_at", "-id", "destination_country", "shared_with_origin_at"],
                name="case_incoming_worklist",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(destination_country=models.F("origin_country")),
                name="case_origin_differs_from_destination",
            )
        ]

    def __str__(self) -> str:
        # The code, never the name: this string reaches logs, audit entries and e-mails.
        return self.code

    def get_absolute_url(self) -> str:
        return cached_reverse("cases:detail", self.code)  # lists link every row: reversed once

    @property
    def age(self) -> int | None:
        born = self.birth_date
        if born:
            today = timezone.localdate()
            return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return self.estimated_age

    @property
    def is_child(self) -> bool:
        """Treated as a child unless an age of 18 or more at identification was verified (CHILD)."""
        return not (self.age_verified and self.estimated_age is not None and self.estimated_age >= 18)

    def derive_age_at_identification(self) -> None:
        """Keep the clear age at identification in step with the sealed birth date."""
        born, on = self.birth_date, self.identified_on
        # Values not yet validated may still be strings: clean() reports those.
        if isinstance(born, dt.date) and isinstance(on, dt.date) and born <= on:
            self.estimated_age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.destination_country_id and self.destination_country_id == self.origin_country_id:
            errors.setdefault("origin_country", []).append(
                _("The country of origin must differ from the destination country.")
            )
        today = timezone.localdate()
        # A value clean_fields() refused is still a string here: leave it to that error.
        born = self.birth_date if isinstance(self.birth_date, dt.date) else None
        identified = self.identified_on if isinstance(self.identified_on, dt.date) else None
        if born and born > today:
            errors.setdefault("birth_date", []).append(_("The birth date cannot be in the future."))
        if born and born < dt.date(today.year - 120, 1, 1):
            errors.setdefault("birth_date", []).append(_("The birth date is not plausible."))
        if identified and identified > today:
            errors.setdefault("identified_on", []).append(_("The identification date cannot be in the future."))
        if born and identified and identified < born:
            errors.setdefault("identified_on", []).append(_("The person was identified before being born."))
        if self.estimated_age is not None and self.estimated_age > 120:
            errors.setdefault("estimated_age", []).append(_("The estimated age is not plausible."))
        if not born and self.estimated_age is None:
            errors.setdefault("estimated_age", []).append(_("Give the birth date or an estimated age."))
        for field, choices in (
            ("forms_of_exploitation", vocab.FormOfExploitation),
            ("methods_of_control", vocab.MethodOfControl),
        ):
            if any(code not in choices.values for code in getattr(self, field) or []):
                errors.setdefault(field, []).append(_("Unknown value in the list."))
        if errors:
            raise ValidationError(errors)


IDENTITY_FIELDS = (
    "given_name", "family_name", "other_names", "birth_date", "gender", "documents", "contact",
    "address", "narrative", "origin_decline_reason",
)


class StageChange(EncryptedModel):
    """The case's path through the protocol: who moved it, when, from where to where, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=32, choices=Stage.choices)
    to_stage = models.CharField(max_length=32, choices=Stage.choices)
    transition = models.CharField(max_length=64)
    reason = EncryptedField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class RelatedRole(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    CAREGIVER = "caregiver", _("Caregiver")
    ESCORT = "escort", _("Escort")


class RelatedPerson(EncryptedModel):
    """A guardian (for a child), the caregiver who will receive the person, or an escort."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="related_people")
    role = models.CharField(_("role"), max_length=16, choices=RelatedRole.choices)
    full_name = EncryptedField(_("full name"))
    relationship = models.CharField(_("relationship to the person"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    contact = EncryptedField(_("contact details"))
    # Caregiver: agreed to receive the child and assessed as able to care.
    agreed = models.BooleanField(_("has agreed"), default=False)
    able_to_care = models.BooleanField(_("assessed as able to care"), default=False)
    assessment = EncryptedField(_("family assessment"))
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("related person")
        verbose_name_plural = _("related people")

    def __str__(self) -> str:
        return f"{self.case.code} · {self.get_role_display()}"


class ConsentPurpose(models.TextChoices):
    PROCESSING = "processing", _("Processing of personal data")
    SHARE_ORIGIN = "share_origin", _("Sharing with the country of origin")
    SHARE_FUNDER = "share_funder", _("Sharing with a funder")
    RETURN = "return", _("Return to the country of origin")


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", _("The person")
    GUARDIAN = "guardian", _("The guardian")


class Consent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    given_by = models.CharField(_("given by"), max_length=16, choices=ConsentGivenBy.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_given_by_display()})"


# The purposes whose missing consent a case supervisor may override (sharing the case); the
# consent to process the data and to return cannot be replaced by anyone's decision.
SHARING_PURPOSES = (ConsentPurpose.SHARE_ORIGIN, ConsentPurpose.SHARE_FUNDER)
SHARING_PURPOSE_CHOICES = [(p.value, p.label) for p in SHARING_PURPOSES]


class ConsentOverride(EncryptedModel):
    """A case supervisor's decision to share a case although the consent for it is missing (e.g.
    the guardian cannot be reached and the child's safety needs the country of origin now).
    The reason is sealed like a narrative: it may well describe the person."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consent_overrides")
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=[(p.value, p.label) for p in SHARING_PURPOSES]
    )
    reason = EncryptedField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consent override")
        verbose_name_plural = _("consent overrides")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case.code} · {self.get_purpose_display()}"


class ApprovalKind(models.TextChoices):
    RETURN_DECISION = "return_decision", _("Return decision (best-interests determination for a child)")
    TRAVEL_PLAN = "travel_plan", _("Travel plan")
    CLOSURE = "closure", _("Closure")


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Approval(models.Model):
    """A case supervisor's decision on a request; nobody decides their own request."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("kind"), max_length=32, choices=ApprovalKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=ApprovalState.choices, default=ApprovalState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="approval_not_by_requester",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_state_display()}"


class FundingState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    COMMITTED = "committed", _("Committed")
    DISBURSED = "disbursed", _("Disbursed")
    RECONCILED = "reconciled", _("Reconciled")
    DECLINED = "declined", _("Declined")


class FundingRequest(models.Model):
    """What a partner sees of a case: its code, dates, route and costs; never identity."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="funding_requests")
    partner = models.ForeignKey(
        "directory.Organisation", verbose_name=_("partner"), on_delete=models.PROTECT,
        related_name="funding_requests",
    )
    state = models.CharField(_("state"), max_length=16, choices=FundingState.choices, default=FundingState.REQUESTED)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    # [{"description": "...", "amount": "123.45"}]; descriptions name costs, never people.
    items = models.JSONField(_("items"), default=list)
    route = models.CharField(_("route"), max_length=200, blank=True)
    travel_on = models.DateField(_("travel date"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The partner's funding commitment under its memorandum of understanding (e.g. OUR's), when
    # there is one: the MoU's page in the meetings module lists the requests drawn on it.
    mou_commitment = models.ForeignKey(
        "meetings.MouCommitment", verbose_name=_("MoU funding commitment"), on_delete=models.PROTECT,
        related_name="funding_requests", null=True, blank=True,
    )

    class Meta:
        verbose_name = _("funding request")
        verbose_name_plural = _("funding requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.case.code} · {self.partner} · {self.get_state_display()}"

    @property
    def total(self):
        from decimal import Decimal

        return sum((Decimal(str(item.get("amount", "0"))) for item in self.items), Decimal("0"))

    def clean(self) -> None:
        super().clean()
        if self.mou_commitment_id is not None and self.partner_id is not None:
            commitment = self.mou_commitment
            if commitment.party.organisation_id != self.partner_id:  # type: ignore[union-attr]
                raise ValidationError(
                    {"mou_commitment": _("This commitment is another organisation's, not the partner's.")}
                )


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    stage = models.CharField(max_length=32, choices=Stage.choices)
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class FlagKind(models.TextChoices):
    URGENT_CHILD = "urgent_child", _("Urgent: child")
    SECURITY_RISK = "security_risk", _("Security risk")
    HEALTH = "health", _("Health need")
    POSSIBLE_DUPLICATE = "possible_duplicate", _("Possible duplicate in another country")
    OTHER = "other", _("Other")


class Flag(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=32, choices=FlagKind.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=200, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class FollowUp(EncryptedModel):
    """A check on the person's reintegration, reported by the country of origin."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    months_after_return = models.PositiveSmallIntegerField(_("months after return"))
    due_on = models.DateField(_("due"))
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    report = EncryptedField(_("report"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.case.code} · +{self.months_after_return}"


class CountryCaseSettings(models.Model):
    """Per-country deadlines: days allowed per stage, and follow-up months after return."""

    country = models.OneToOneField("directory.Country", on_delete=models.CASCADE, related_name="case_settings")
    stage_days = models.JSONField(_("days allowed per stage"), default=dict, blank=True)
    follow_up_months = models.JSONField(_("follow-ups (months after return)"), default=list, blank=True)

    DEFAULT_STAGE_DAYS = 14
    DEFAULT_FOLLOW_UPS = (3, 6, 12)

    def __str__(self) -> str:
        return str(self.country)

    def days_for(self, stage: str) -> int:
        return int(self.stage_days.get(stage, self.DEFAULT_STAGE_DAYS))

    def follow_ups(self) -> list[int]:
        return [int(m) for m in (self.follow_up_months or self.DEFAULT_FOLLOW_UPS)]


# --- Documents -----------------------------------------------------------------------------------

# The kinds of file a case may hold, recognised by their content (never by their name): the type's
# label for people and the file-name extensions that belong to it (the first one is added to a
# name that has none).
ATTACHMENT_TYPES = {
    "application/pdf": (_("PDF document"), ("pdf",)),
    "image/jpeg": (_("JPEG image"), ("jpg", "jpeg")),
    "image/png": (_("PNG image"), ("png",)),
    "image/webp": (_("WebP image"), ("webp",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        _("Word document (DOCX)"), ("docx",),
    ),
    "application/vnd.oasis.opendocument.text": (_("OpenDocument text (ODT)"), ("odt",)),
}


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def active(self) -> AttachmentQuerySet:
        """Not removed, and not erased at the end of the retention period."""
        return self.filter(deactivated_at__isnull=True, content__isnull=False)

    def listed(self) -> AttachmentQuerySet:
        """What a list shows: everything but the file itself, which stays in the database."""
        return self.active().defer("content").select_related("uploaded_by")


class Attachment(EncryptedModel):
    """A document of a case (an identity document, a medical or social report, a photograph).

    The file's name and bytes are sealed like the person's identity: a scanned passport is
    identity. Only its type, size and a short description are kept in the clear, and the
    description must name no one. Removing an attachment deactivates it; the retention purge
    erases its sealed name and bytes with the rest of the case's identity.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    filename = EncryptedField(_("file name"))
    content = EncryptedField(_("file"), kind="bytes")
    # Detected from the content with ``filetype`` when uploaded; one of ATTACHMENT_TYPES.
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    description = models.CharField(
        _("description"), max_length=120, blank=True,
        help_text=_("What the document is, e.g. “birth certificate” or “medical report”. Never a "
                    "name: the description is not encrypted."),
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("removed"), null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        # Never the file name: it may name the person, and this string reaches logs.
        return f"{self.case.code} · {self.type_label}"

    @property
    def type_label(self) -> str:
        known = ATTACHMENT_TYPES.get(self.content_type)
        return str(known[0]) if known else self.content_type
