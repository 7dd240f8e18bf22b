"""Plenaries and other meetings of the coalition, what they decide, who must do it and how it is
going; and the memoranda of understanding the coalition signs with partners.

Writes go through ``corett.meetings.services`` (validated, authorised, audited); the models hold
the vocabularies, the per-record rules (``clean``) and a few read helpers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from corett.lib.urls import cached_reverse

if TYPE_CHECKING:
    from corett.accounts.models import User


def _in_english() -> bool:
    return (get_language() or "es").startswith("en")


ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    """Meetings are numbered in Roman numerals within their year ("III-2022")."""
    out = []
    for value, letters in ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


# --- Meetings -----------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary plenary")
    EXTRAORDINARY = "extraordinary", _("Extraordinary plenary")
    TECHNICAL = "technical", _("Technical meeting")
    EXTERNAL = "external", _("Meeting with an external body")


# Plenaries (ordinary and extraordinary) share one numbering per year: "III-2022" is the third
# plenary of 2022. The other kinds carry a prefix so that their codes never collide with it.
CODE_PREFIX = {
    MeetingKind.ORDINARY: "",
    MeetingKind.EXTRAORDINARY: "",
    MeetingKind.TECHNICAL: "RT-",
    MeetingKind.EXTERNAL: "RE-",
}
PLENARY_KINDS = (MeetingKind.ORDINARY, MeetingKind.EXTRAORDINARY)


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class MeetingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONVENED = "convened", _("Convened")
    HELD = "held", _("Held")
    CLOSED = "closed", pgettext_lazy("meeting", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")


MEETING_TRANSITIONS = {
    MeetingState.DRAFT: (MeetingState.CONVENED, MeetingState.CANCELLED),
    MeetingState.CONVENED: (MeetingState.HELD, MeetingState.CANCELLED),
    MeetingState.HELD: (MeetingState.CLOSED,),
    MeetingState.CLOSED: (),
    MeetingState.CANCELLED: (),
}


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: User) -> MeetingQuerySet:
        from corett import policy

        return policy.scope(user, "meetings.view", self)


class Meeting(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.ORDINARY)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number in the year"))
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices, default=Modality.IN_PERSON)
    host_country = models.ForeignKey(
        "directory.Country", verbose_name=_("host country"), on_delete=models.PROTECT,
        related_name="hosted_meetings", null=True, blank=True,
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    presidency = models.ForeignKey(
        "directory.PresidencyTerm", verbose_name=_("Presidency in office"), on_delete=models.PROTECT,
        related_name="meetings", null=True, blank=True,
    )
    external_body = models.ForeignKey(
        "directory.Organisation", verbose_name=_("external body"), on_delete=models.PROTECT,
        related_name="joint_meetings", null=True, blank=True,
        help_text=_("For a meeting with an external body such as SICA."),
    )
    is_public = models.BooleanField(
        _("public"), default=False,
        help_text=_("Shown on the public website's events page and calendar (dates, title and place only)."),
    )
    state = models.CharField(_("state"), max_length=16, choices=MeetingState.choices, default=MeetingState.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(number__gte=1), name="meeting_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"

    def get_absolute_url(self) -> str:
        return cached_reverse("meetings:meeting_detail", self.pk)

    @property
    def title(self) -> str:
        return self.title_en if _in_english() else self.title_es

    @property
    def is_plenary(self) -> bool:
        return self.kind in PLENARY_KINDS

    @property
    def place(self) -> str:
        parts = [self.venue, self.city, self.host_country.name if self.host_country else ""]
        return ", ".join(p for p in parts if p)

    def make_code(self) -> str:
        return f"{CODE_PREFIX[MeetingKind(self.kind)]}{roman(self.number)}-{self.year}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day cannot be before the first day.")
        if self.starts_on and self.year and self.starts_on.year != self.year:
            errors["year"] = _("The meeting's year must be the year of its first day.")
        if self.number is not None and not 1 <= self.number <= 39:
            errors["number"] = _("The number in the year must be between 1 and 39.")
        if self.kind == MeetingKind.EXTERNAL and self.external_body_id is None:
            errors["external_body"] = _("Name the external body this meeting is held with.")
        if self.modality != Modality.VIRTUAL and self.host_country_id is None:
            errors["host_country"] = _("A meeting held in person or hybrid needs a host country.")
        if self.presidency_id and self.starts_on:
            term = self.presidency
            if term is not None and not term.started_on <= self.starts_on <= term.ended_on:
                errors["presidency"] = _("This Presidency term was not in office on the meeting's first day.")
        if errors:
            raise ValidationError(errors)
        if self.number and self.year and self.kind:
            self.code = self.make_code()
            clash = Meeting.objects.filter(code=self.code).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"number": _("Meeting %(code)s already exists.") % {"code": self.code}})

    def undecided(self) -> list[str]:
        """What keeps the meeting from closing: each undecided agenda item and agreement, named."""
        pending = []
        for item in self.agenda_items.filter(outcome=ItemOutcome.PENDING).order_by("path"):
            pending.append(str(_("Agenda item %(number)s: %(title)s") % {"number": item.number, "title": item.title}))
        for agreement in self.agreements.filter(adoption_state=AdoptionState.PROPOSED).order_by("letter"):
            pending.append(str(_("Agreement %(code)s") % {"code": agreement.code}))
        return pending


class DelegationCapacity(models.TextChoices):
    MEMBER = "member", _("Member country")
    OBSERVER = "observer", _("Observer")
    PARTNER = "partner", _("Partner")
    GUEST = "guest", _("Guest")


class Delegation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="delegations")
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="delegations",
    )
    capacity = models.CharField(_("capacity"), max_length=16, choices=DelegationCapacity.choices)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["capacity", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organisation"], name="one_delegation_per_organisation"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    def clean(self) -> None:
        if self.capacity == DelegationCapacity.MEMBER and self.organisation_id and self.organisation.country_id is None:
            raise ValidationError({"organisation": _("A member country's delegation is its national commission.")})


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    REGISTERED = "registered", _("Registered")
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class Participant(models.Model):
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="participants")
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_head = models.BooleanField(_("head of delegation"), default=False)
    attendance = models.CharField(_("attendance"), max_length=16, choices=Attendance.choices, default=Attendance.INVITED)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["-is_head", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation"], condition=Q(is_head=True), name="one_head_per_delegation"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        if self.is_head and self.delegation_id:
            heads = Participant.objects.filter(delegation_id=self.delegation_id, is_head=True).exclude(pk=self.pk)
            if heads.exists():
                raise ValidationError({"is_head": _("This delegation already has a head.")})


# --- Agenda -------------------------------------------------------------------------------------


class ItemOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    DEALT_WITH = "dealt_with", _("Dealt with")
    DEFERRED = "deferred", _("Deferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ItemKind(models.TextChoices):
    ORDINARY = "ordinary", _("Item")
    FOLLOW_UP = "follow_up", _("Follow-up of agreements")


FOLLOW_UP_TITLE_ES = "Seguimiento de acuerdos"
FOLLOW_UP_TITLE_EN = "Follow-up of agreements"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    parent = models.ForeignKey(
        "self", verbose_name=_("under item"), on_delete=models.CASCADE, related_name="children", null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    # "0001.0002": positions, zero-padded, from the root; orders the tree in one ORDER BY.
    path = models.CharField(max_length=60, editable=False, default="")
    kind = models.CharField(max_length=16, choices=ItemKind.choices, default=ItemKind.ORDINARY, editable=False)
    title_es = models.CharField(_("title (Spanish)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    is_public = models.BooleanField(_("public"), default=True, help_text=_("Internal items are shown to the coalition's members and the Secretariat only."))
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ItemOutcome.choices, default=ItemOutcome.PENDING)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "path"], name="agenda_item_unique_path"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if _in_english() else self.title_es

    @property
    def number(self) -> str:
        return ".".join(str(int(p)) for p in self.path.split(".") if p)

    @property
    def depth(self) -> int:
        return self.path.count(".")

    def clean(self) -> None:
        parent = self.parent if self.parent_id is not None else None
        if parent is not None:
            if parent.meeting_id != self.meeting_id:
                raise ValidationError({"parent": _("The parent item belongs to another meeting.")})
            if parent.depth >= 2:
                raise ValidationError({"parent": _("The agenda has at most three levels.")})
        if self.duration_minutes is not None and self.duration_minutes > 600:
            raise ValidationError({"duration_minutes": _("An item lasts at most 600 minutes.")})


# --- Stored documents ---------------------------------------------------------------------------


class StoredDocument(models.Model):
    """A file kept in the database: never under a name a user chose on the server's disk, never
    served as anything but a download of the type read from its content."""

    filename = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.filename


class AgendaDocument(StoredDocument):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="documents")

    class Meta:
        verbose_name = _("agenda document")
        verbose_name_plural = _("agenda documents")
        ordering = ["uploaded_at"]


# --- Agreements ---------------------------------------------------------------------------------


class AdoptionMethod(models.TextChoices):
    CONSENSUS = "consensus", _("Consensus")
    VOTE = "vote", _("Vote")


class AdoptionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")
    DEFERRED = "deferred", _("Deferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ImplementationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_IMPLEMENTATION = (ImplementationState.PENDING, ImplementationState.IN_PROGRESS, ImplementationState.OVERDUE)

# The graph the platform starts with; the Secretariat changes it (ImplementationTransition).
DEFAULT_TRANSITIONS = (
    ("pending", "in_progress"), ("pending", "fulfilled"), ("pending", "cancelled"), ("pending", "superseded"),
    ("in_progress", "fulfilled"), ("in_progress", "cancelled"), ("in_progress", "superseded"),
    ("overdue", "in_progress"), ("overdue", "fulfilled"), ("overdue", "cancelled"), ("overdue", "superseded"),
)


class ImplementationTransition(models.Model):
    """One allowed step of an agreement's implementation state (OpenSlides' configurable workflow).

    Turning overdue is the platform's own step (the daily sweep) and is not configured here."""

    from_state = models.CharField(_("from"), max_length=16, choices=ImplementationState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=ImplementationState.choices)

    class Meta:
        verbose_name = _("implementation step")
        verbose_name_plural = _("implementation steps")
        constraints = [
            models.UniqueConstraint(fields=["from_state", "to_state"], name="one_transition_per_pair"),
            models.CheckConstraint(condition=~Q(from_state=models.F("to_state")), name="transition_changes_state"),
        ]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def visible_to(self, user: User) -> AgreementQuerySet:
        from corett import policy

        return policy.scope(user, "meetings.view_agreement", self)

    def open(self) -> AgreementQuerySet:
        return self.filter(adoption_state=AdoptionState.ADOPTED, implementation_state__in=OPEN_IMPLEMENTATION)

    def owed_by_country(self, country_id: int) -> AgreementQuerySet:
        return self.filter(actors__country_id=country_id).distinct()


class Agreement(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agreements")
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.SET_NULL, related_name="agreements",
        null=True, blank=True,
    )
    letter = models.CharField(
        _("letter or number"), max_length=6,
        help_text=_("Unique within the meeting, e.g. A, B, C or 1, 2, 3."),
    )
    code = models.CharField(_("code"), max_length=32, unique=True, editable=False)
    title_es = models.CharField(_("short title (Spanish)"), max_length=200)
    title_en = models.CharField(_("short title (English)"), max_length=200)
    text_es = models.TextField(_("text (Spanish)"))
    text_en = models.TextField(_("text (English)"))
    adoption_method = models.CharField(_("adopted by"), max_length=16, choices=AdoptionMethod.choices, default=AdoptionMethod.CONSENSUS)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    adoption_state = models.CharField(_("adoption"), max_length=16, choices=AdoptionState.choices, default=AdoptionState.PROPOSED)
    implementation_state = models.CharField(
        _("implementation"), max_length=16, choices=ImplementationState.choices, default=ImplementationState.PENDING
    )
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("superseded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    project = models.CharField(
        _("project started"), max_length=200, blank=True,
        help_text=_("The name or reference of a project this agreement starts, if any."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["meeting__starts_on", "meeting_id", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "letter"], name="agreement_letter_unique_in_meeting"),
        ]
        indexes = [models.Index(fields=["implementation_state", "adoption_state"], name="agreement_state_idx")]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"

    def get_absolute_url(self) -> str:
        return cached_reverse("meetings:agreement_detail", self.pk)

    @property
    def title(self) -> str:
        return self.title_en if _in_english() else self.title_es

    @property
    def text(self) -> str:
        return self.text_en if _in_english() else self.text_es

    @property
    def is_open(self) -> bool:
        return self.adoption_state == AdoptionState.ADOPTED and self.implementation_state in OPEN_IMPLEMENTATION

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self.letter = (self.letter or "").strip().upper()
        if self.letter and not self.letter.replace("-", "").isalnum():
            errors["letter"] = _("Use letters and digits only, e.g. A or 12.")
        if self.meeting_id and self.letter:
            clash = Agreement.objects.filter(meeting_id=self.meeting_id, letter=self.letter).exclude(pk=self.pk)
            if clash.exists():
                errors["letter"] = _("Agreement %(letter)s already exists in this meeting: each letter is used once.") % {
                    "letter": self.letter
                }
            self.code = f"{self.meeting.code}/{self.letter}"
        if self.agenda_item is not None and self.agenda_item.meeting_id != self.meeting_id:
            errors["agenda_item"] = _("This agenda item belongs to another meeting.")
        if self.adoption_method == AdoptionMethod.VOTE and self.adoption_state in (
            AdoptionState.ADOPTED, AdoptionState.NOT_ADOPTED
        ) and self.votes_for is None:
            errors["votes_for"] = _("A vote needs its counts: for, against and abstentions.")
        if self.adoption_method == AdoptionMethod.CONSENSUS and any(
            v is not None for v in (self.votes_for, self.votes_against, self.abstentions)
        ):
            errors["adoption_method"] = _("An agreement adopted by consensus has no vote counts.")
        if errors:
            raise ValidationError(errors)

    def lead_due_on(self) -> dt.date | None:
        dates = [a.due_on for a in self.actors.all() if a.due_on]
        return min(dates) if dates else None

    def latest_accepted_update(self) -> FollowUpUpdate | None:
        return self.updates.filter(state=UpdateState.ACCEPTED).order_by("-reviewed_at").first()


class ActorKind(models.TextChoices):
    PRESIDENCY = "presidency", _("The Presidency pro tempore")
    SECRETARIAT = "secretariat", _("The Technical Secretariat")
    COUNTRY = "country", _("A member country")
    ORGANISATION = "organisation", _("An observer or partner")


class ActorRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORT = "support", _("Support")


class ReportingFrequency(models.TextChoices):
    NONE = "none", _("When done")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")


class ResponsibleActor(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="actors")
    kind = models.CharField(_("who"), max_length=16, choices=ActorKind.choices)
    country = models.ForeignKey(
        "directory.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="agreement_duties",
        null=True, blank=True,
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="agreement_duties", null=True, blank=True,
    )
    role = models.CharField(_("role"), max_length=16, choices=ActorRole.choices, default=ActorRole.LEAD)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    reporting = models.CharField(
        _("reporting frequency"), max_length=16, choices=ReportingFrequency.choices, default=ReportingFrequency.QUARTERLY
    )

    class Meta:
        verbose_name = _("responsible actor")
        verbose_name_plural = _("responsible actors")
        ordering = ["role", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="country", country__isnull=False, organisation__isnull=True)
                    | Q(kind="organisation", country__isnull=True, organisation__isnull=False)
                    | Q(kind__in=["presidency", "secretariat"], country__isnull=True, organisation__isnull=True)
                ),
                name="actor_names_whom",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ActorKind.COUNTRY and self.country is not None:
            return self.country.name
        if self.kind == ActorKind.ORGANISATION and self.organisation_id:
            return str(self.organisation)
        return str(ActorKind(self.kind).label)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.kind == ActorKind.COUNTRY:
            self.organisation = None
            if self.country_id is None:
                errors["country"] = _("Choose the country responsible.")
        elif self.kind == ActorKind.ORGANISATION:
            self.country = None
            if self.organisation_id is None:
                errors["organisation"] = _("Choose the organisation responsible.")
        else:
            self.country = None
            self.organisation = None
        if self.due_on and self.agreement_id and self.due_on < self.agreement.meeting.starts_on:
            errors["due_on"] = _("The due date cannot be before the meeting that adopted the agreement (%(date)s).") % {
                "date": self.agreement.meeting.starts_on.isoformat()
            }
        if not errors and self.agreement_id:
            same = ResponsibleActor.objects.filter(
                agreement_id=self.agreement_id, kind=self.kind,
                country=self.country_id, organisation=self.organisation_id,
            ).exclude(pk=self.pk)
            if same.exists():
                errors["kind"] = _("This actor is already responsible for the agreement.")
        if errors:
            raise ValidationError(errors)

    def represented_by(self, user: Any) -> bool:
        """Whether ``user`` speaks for this actor (and so may report on its work)."""
        from corett.accounts.roles import Role

        if self.kind == ActorKind.PRESIDENCY:
            return user.has_role(Role.PRESIDENCY)
        if self.kind == ActorKind.SECRETARIAT:
            return user.has_role(Role.SECRETARIAT)
        if self.kind == ActorKind.COUNTRY:
            return user.has_role(Role.FOCAL_POINT) and user.country_id == self.country_id
        return user.has_role(Role.PARTNER, Role.OBSERVER) and user.organisation_id == self.organisation_id


class UpdateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")


class FollowUpUpdate(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="updates")
    actor = models.ForeignKey(ResponsibleActor, verbose_name=_("reporting for"), on_delete=models.PROTECT, related_name="updates")
    narrative = models.TextField(_("what was done"))
    percent_done = models.PositiveSmallIntegerField(_("percent done"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=UpdateState.choices, default=UpdateState.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("comment of the Secretariat"), blank=True)

    class Meta:
        verbose_name = _("follow-up update")
        verbose_name_plural = _("follow-up updates")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(percent_done__lte=100), name="update_percent_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.code} · {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return cached_reverse("meetings:update_detail", self.pk)

    def clean(self) -> None:
        if self.percent_done is not None and self.percent_done > 100:
            raise ValidationError({"percent_done": _("The percentage is between 0 and 100.")})
        if self.actor_id and self.agreement_id and self.actor.agreement_id != self.agreement_id:
            raise ValidationError({"actor": _("This actor is not responsible for this agreement.")})


class Evidence(StoredDocument):
    update = models.ForeignKey(FollowUpUpdate, on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]


# --- Minutes ------------------------------------------------------------------------------------


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CIRCULATED = "circulated", _("Circulated for comments")
    APPROVED = "approved", _("Approved")
    FROZEN = "frozen", _("Frozen")


class Minutes(models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    state = models.CharField(_("state"), max_length=16, choices=MinutesState.choices, default=MinutesState.DRAFT)
    body_es = models.TextField(_("minutes (Spanish)"))
    body_en = models.TextField(_("minutes (English)"))
    approved_at_meeting = models.ForeignKey(
        Meeting, verbose_name=_("approved at"), on_delete=models.PROTECT, related_name="approved_minutes",
        null=True, blank=True,
    )
    # What the frozen PDFs were made of (agreements' texts as adopted): the excerpts read it.
    frozen_snapshot = models.JSONField(default=dict, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    pdf_es = models.BinaryField(null=True, blank=True)
    pdf_en = models.BinaryField(null=True, blank=True)
    sha256_es = models.CharField(max_length=64, blank=True)
    sha256_en = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"{self.meeting.code} · {self.get_state_display()}"

    @property
    def is_frozen(self) -> bool:
        return self.state == MinutesState.FROZEN

    def clean(self) -> None:
        if self.approved_at_meeting is not None and self.approved_at_meeting.starts_on <= self.meeting.ends_on:
            raise ValidationError({"approved_at_meeting": _("Minutes are approved at a later meeting.")})


class MinutesComment(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.minutes} · {self.created_at:%Y-%m-%d}"


# --- Memoranda of understanding -----------------------------------------------------------------


class MouState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("Negotiation")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    APPROVED = "approved", _("Approved for signature")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    RENEWED = "renewed", _("Renewed")


MOU_TRANSITIONS = {
    MouState.DRAFT: (MouState.NEGOTIATION,),
    MouState.NEGOTIATION: (MouState.LEGAL_REVIEW, MouState.DRAFT),
    MouState.LEGAL_REVIEW: (MouState.APPROVED, MouState.NEGOTIATION),
    MouState.APPROVED: (MouState.IN_FORCE, MouState.NEGOTIATION),
    MouState.IN_FORCE: (MouState.EXPIRED, MouState.TERMINATED, MouState.RENEWED),
    MouState.EXPIRED: (MouState.RENEWED,),
    MouState.RENEWED: (MouState.EXPIRED, MouState.TERMINATED),
    MouState.TERMINATED: (),
}
MOU_ACTIVE = (MouState.IN_FORCE, MouState.RENEWED)


class MouQuerySet(models.QuerySet["Mou"]):
    def visible_to(self, user: User) -> MouQuerySet:
        from corett import policy

        return policy.scope(user, "meetings.view_mou", self)


class Mou(models.Model):
    code = models.CharField(_("reference"), max_length=20, unique=True, help_text=_("For example MDE-2022-01."))
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    purpose = models.TextField(_("purpose"))
    themes = models.CharField(_("themes"), max_length=300, blank=True, help_text=_("Separated by commas."))
    authorised_by = models.ForeignKey(
        Agreement, verbose_name=_("authorised by agreement"), on_delete=models.PROTECT, related_name="mous",
        null=True, blank=True,
    )
    state = models.CharField(_("state"), max_length=16, choices=MouState.choices, default=MouState.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    renewal_terms = models.TextField(_("renewal terms"), blank=True)
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=90)
    alert_days = models.PositiveSmallIntegerField(
        _("alert before expiry (days)"), default=90,
        help_text=_("The Secretariat is told this many days before the memorandum expires."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MouQuerySet.as_manager()

    class Meta:
        verbose_name = _("memorandum of understanding")
        verbose_name_plural = _("memoranda of understanding")
        ordering = ["-signed_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="mou_validity_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"

    def get_absolute_url(self) -> str:
        return cached_reverse("meetings:mou_detail", self.pk)

    @property
    def title(self) -> str:
        return self.title_en if _in_english() else self.title_es

    def theme_list(self) -> list[str]:
        return [t.strip() for t in self.themes.split(",") if t.strip()]

    def days_to_expiry(self, today: dt.date | None = None) -> int | None:
        if self.valid_until is None:
            return None
        return (self.valid_until - (today or timezone.localdate())).days

    def expires_soon(self, today: dt.date | None = None) -> bool:
        days = self.days_to_expiry(today)
        return self.state in MOU_ACTIVE and days is not None and 0 <= days <= self.alert_days

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self.code = (self.code or "").strip().upper()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end of validity cannot be before its start.")
        if self.signed_on and self.authorised_by is not None and self.signed_on < self.authorised_by.meeting.starts_on:
            errors["signed_on"] = _("A memorandum is signed after the agreement that authorised it.")
        if self.state in (MouState.IN_FORCE, MouState.RENEWED) and not (self.signed_on and self.valid_from):
            errors["signed_on"] = _("A memorandum in force needs its signature date and the start of its validity.")
        if errors:
            raise ValidationError(errors)


class MouParty(models.Model):
    mou = models.ForeignKey(Mou, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey("directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="mou_parties")
    signatory = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_position = models.CharField(_("signatory's position"), max_length=200, blank=True)
    focal_point = models.ForeignKey(
        "directory.Person", verbose_name=_("focal point"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["mou", "organisation"], name="mou_party_once")]

    def __str__(self) -> str:
        return str(self.organisation)

    def clean(self) -> None:
        if self.focal_point is not None and self.organisation_id and self.focal_point.organisation_id != self.organisation_id:
            raise ValidationError({"focal_point": _("The focal point must belong to the party's organisation.")})
        others = MouParty.objects.filter(mou_id=self.mou_id, organisation_id=self.organisation_id).exclude(pk=self.pk)
        if self.mou_id and self.organisation_id and others.exists():
            raise ValidationError({"organisation": _("This organisation is already a party.")})


class MouVersion(models.Model):
    """A version of the memorandum's text. Versions are never changed: a change is a new one."""

    mou = models.ForeignKey(Mou, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    reason = models.CharField(_("reason for the change"), max_length=300)
    sha256 = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("version of the text")
        verbose_name_plural = _("versions of the text")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["mou", "number"], name="mou_version_number_once")]

    def __str__(self) -> str:
        return f"{self.mou.code} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Immutability is the point of a version: refuse to overwrite one, whoever asks.
        if self.pk is not None:
            raise ValueError("A version of an MoU's text is never changed; add a new version.")
        self.sha256 = hashlib.sha256(self.text.encode()).hexdigest()
        super().save(*args, **kwargs)


class CommitmentKind(models.TextChoices):
    GENERAL = "general", _("General")
    FUNDING = "funding", _("Funding")


class CommitmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    CANCELLED = "cancelled", _("Cancelled")


class MouCommitmentQuerySet(models.QuerySet["MouCommitment"]):
    def funding(self) -> MouCommitmentQuerySet:
        return self.filter(kind=CommitmentKind.FUNDING)


class MouCommitment(models.Model):
    mou = models.ForeignKey(Mou, on_delete=models.CASCADE, related_name="commitments")
    party = models.ForeignKey(MouParty, verbose_name=_("party"), on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(_("kind"), max_length=16, choices=CommitmentKind.choices, default=CommitmentKind.GENERAL)
    description = models.CharField(_("commitment"), max_length=300)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.PENDING)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)

    objects = MouCommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.mou.code} · {self.party} · {self.description}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.party_id and self.mou_id and self.party.mou_id != self.mou_id:
            errors["party"] = _("This party signed another memorandum.")
        if self.kind == CommitmentKind.FUNDING:
            self.currency = (self.currency or "").upper()
            if len(self.currency) != 3 or not self.currency.isalpha():
                errors["currency"] = _("A funding commitment needs its currency (ISO code, e.g. USD).")
        if self.amount is not None and self.amount < 0:
            errors["amount"] = _("The amount cannot be negative.")
        if errors:
            raise ValidationError(errors)
