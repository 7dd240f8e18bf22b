"""Training of national commissions and local committees (agreement F of plenary III-2022).

Programmes (what is taught, to whom, with which partners) have sessions (when, where, by whom);
participants register for sessions, attend days, take tests and a survey, and receive a
certificate that anyone can verify at /verify/<code>. Participants are people outside the
platform: their records hold only what the figures and the certificate need.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from corett.directory.models import Country, Organisation, OrganisationKind
from corett.lib.urls import cached_reverse
from corett.training import codes

if TYPE_CHECKING:
    from corett.accounts.models import User


def _localised(obj: object, stem: str) -> str:
    english = (get_language() or "es").startswith("en")
    first, second = (f"{stem}_en", f"{stem}_es") if english else (f"{stem}_es", f"{stem}_en")
    return str(getattr(obj, first) or getattr(obj, second))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


class Audience(models.TextChoices):
    NATIONAL_COMMISSIONS = "national_commissions", _("National commissions")
    LOCAL_COMMITTEES = "local_committees", _("Local committees")
    CONSULAR_STAFF = "consular_staff", _("Consular staff")
    POLICE = "police", _("Police")
    PROSECUTORS = "prosecutors", _("Prosecutors")
    LABOUR_INSPECTORS = "labour_inspectors", _("Labour inspectors")
    JOURNALISTS = "journalists", _("Journalists")


class Topic(models.Model):
    """What a programme teaches; the Secretariat adds topics beyond the ones the platform ships."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name_es"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def visible_to(self, user: User | Any) -> ProgrammeQuerySet:
        from corett import policy

        return policy.scope(user, "training.view", self)


class Programme(models.Model):
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="programmes")
    audiences = models.JSONField(_("target audiences"), default=list, blank=True)
    objectives = models.TextField(_("learning objectives"), blank=True)
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partner organisations"), blank=True, related_name="training_programmes",
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=80, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    requires_post_test = models.BooleanField(_("a passed post-test is required"), default=True)
    pass_mark_percent = models.PositiveSmallIntegerField(
        _("pass mark of the post-test (%)"), default=70, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["title_es"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return cached_reverse("training:programme_detail", self.pk)

    @property
    def title(self) -> str:
        return _localised(self, "title")

    def get_audiences_display(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels.get(code, code)) for code in self.audiences or []]

    def clean(self) -> None:
        if any(code not in Audience.values for code in self.audiences or []):
            raise ValidationError({"audiences": _("Unknown audience.")})


class Material(models.Model):
    """A file or a link (e.g. to a publication) that a programme's participants use."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to="training/materials/", blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.SPANISH)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if bool(self.url) == bool(self.file):
            raise ValidationError({"url": _("Give either a link or a file.")})


class Question(models.Model):
    """One multiple-choice question of a programme's bank, in one language.

    The pre- and post-test ask the same bank, so that the difference in score is the gain.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questions")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    position = models.PositiveSmallIntegerField(pgettext_lazy("question", "position"), default=0)
    text = models.TextField(_("question"))
    choices = models.JSONField(_("answers"), default=list)
    correct_choice = models.PositiveSmallIntegerField(_("correct answer (number)"))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["programme", "language", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        choices = [c for c in self.choices or [] if isinstance(c, str) and c.strip()]
        if len(choices) < 2 or len(choices) != len(self.choices or []):
            raise ValidationError({"choices": _("Give at least two answers, none of them empty.")})
        if not 0 <= self.correct_choice < len(choices):
            raise ValidationError({"correct_choice": _("The correct answer must be one of the answers given.")})


class CommitteeProfile(models.Model):
    """What training needs to know of a local committee beyond the directory: where it works."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("local committee"), on_delete=models.CASCADE, related_name="committee_profile",
        limit_choices_to={"kind": OrganisationKind.LOCAL_COMMITTEE},
    )
    municipality = models.CharField(_("municipality"), max_length=150)
    department = models.CharField(_("department or province"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("local committee profile")
        verbose_name_plural = _("local committee profiles")

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.municipality}"

    def clean(self) -> None:
        if self.organisation_id and self.organisation.kind != OrganisationKind.LOCAL_COMMITTEE:
            raise ValidationError({"organisation": _("Only a local committee has a committee profile.")})


class CommitteeMember(models.Model):
    committee = models.ForeignKey(CommitteeProfile, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=200)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class SessionState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("training session", "Planned")
    OPEN = "open", pgettext_lazy("training session", "Open for registration")
    RUNNING = "running", pgettext_lazy("training session", "Running")
    COMPLETED = "completed", pgettext_lazy("training session", "Completed")
    REPORTED = "reported", pgettext_lazy("training session", "Reported")
    CANCELLED = "cancelled", pgettext_lazy("training session", "Cancelled")


SESSION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SessionState.PLANNED: (SessionState.OPEN, SessionState.CANCELLED),
    SessionState.OPEN: (SessionState.RUNNING, SessionState.CANCELLED),
    SessionState.RUNNING: (SessionState.COMPLETED, SessionState.CANCELLED),
    SessionState.COMPLETED: (SessionState.REPORTED,),
    SessionState.REPORTED: (),
    SessionState.CANCELLED: (),
}
# States whose sessions the public may see (the website's events, a registration link).
PUBLIC_STATES = (SessionState.OPEN, SessionState.RUNNING, SessionState.COMPLETED, SessionState.REPORTED)
FINISHED_STATES = (SessionState.COMPLETED, SessionState.REPORTED)


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user: User | Any) -> SessionQuerySet:
        from corett import policy

        return policy.scope(user, "training.view", self)

    def managed_by(self, user: User | Any) -> SessionQuerySet:
        from corett import policy

        return policy.scope(user, "training.manage_session", self)


class Session(models.Model):
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="sessions")
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="training_sessions")
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices, default=Modality.IN_PERSON)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.SPANISH)
    capacity = models.PositiveIntegerField(pgettext_lazy("training session", "capacity"), validators=[MinValueValidator(1), MaxValueValidator(5000)])
    waiting_list = models.BooleanField(_("keep a waiting list when full"), default=True)
    state = models.CharField(_("state"), max_length=16, choices=SessionState.choices, default=SessionState.PLANNED)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers"), blank=True, related_name="training_sessions",
    )
    target_committees = models.ManyToManyField(
        Organisation, verbose_name=_("local committees targeted"), blank=True, related_name="training_sessions",
        limit_choices_to={"kind": OrganisationKind.LOCAL_COMMITTEE},
    )
    report = models.TextField(_("report"), blank=True)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # The public registration link; a new token withdraws the old link.
    registration_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # Seeds each day's check-in code (see codes.check_in_code); never shown itself.
    check_in_secret = models.CharField(max_length=64, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["country", "state"]), models.Index(fields=["starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="training_session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.title} · {self.country.name} · {self.starts_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return cached_reverse("training:session_detail", self.pk)

    @property
    def days(self) -> list[dt.date]:
        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + dt.timedelta(days=n) for n in range(count)]

    def can_move_to(self, state: str) -> bool:
        return state in SESSION_TRANSITIONS.get(self.state, ())

    def check_in_code(self, day: dt.date) -> str:
        return codes.check_in_code(self.check_in_secret, day)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                errors["ends_on"] = str(_("The last day cannot be before the first day."))
            elif (self.ends_on - self.starts_on).days > 60:
                errors["ends_on"] = str(_("A session lasts at most 61 days."))
        if self.modality != Modality.VIRTUAL and not self.venue:
            errors["venue"] = str(_("Give the venue of a session held in person."))
        if errors:
            raise ValidationError(errors)


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    NOT_STATED = "not_stated", _("Prefers not to say")


class InstitutionType(models.TextChoices):
    NATIONAL_COMMISSION = "national_commission", _("National commission")
    LOCAL_COMMITTEE = "local_committee", _("Local committee")
    GOVERNMENT = "government", _("Government institution")
    CONSULATE = "consulate", _("Consulate")
    POLICE = "police", _("Police")
    PROSECUTION = "prosecution", _("Public prosecution")
    JUDICIARY = "judiciary", _("Judiciary")
    LABOUR = "labour", _("Labour inspection")
    NGO = "ngo", _("Civil society organisation")
    INTERNATIONAL = "international", _("International organisation")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def visible_to(self, user: User | Any) -> ParticipantQuerySet:
        from corett import policy

        return policy.scope(user, "training.view_participant", self)


class Participant(models.Model):
    """One person, however many sessions they attend (deduplicated by e-mail or a confirmed match).

    Only what the figures and the certificate need: no birth date, no identity document.
    """

    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    institution = models.CharField(_("institution"), max_length=200)
    institution_type = models.CharField(_("type of institution"), max_length=32, choices=InstitutionType.choices)
    # A directory organisation when the institution is one (a local committee, a commission).
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation in the directory"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="training_participants",
    )
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="training_participants")
    position = models.CharField(_("position"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices)
    consent_to_contact = models.BooleanField(_("agrees to be contacted about future training"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["full_name", "id"]
        constraints = [
            # The deduplication key: one participant per e-mail (stored lower-cased).
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="training_participant_email_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return cached_reverse("training:participant_detail", self.pk)

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()
        self.full_name = " ".join((self.full_name or "").split())


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    REJECTED = "rejected", _("Not accepted")
    CANCELLED = "cancelled", pgettext_lazy("training session", "Cancelled")


class RegistrationSource(models.TextChoices):
    ORGANISER = "organiser", _("Registered by the organiser")
    LINK = "link", _("Registered through the link")


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def holding_place(self) -> RegistrationQuerySet:
        return self.filter(status=RegistrationStatus.CONFIRMED)


class Registration(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus.choices)
    source = models.CharField(pgettext_lazy("registration", "source"), max_length=16, choices=RegistrationSource.choices)
    # The participant's own link (tests, survey, check-in, certificate); they have no account.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(pgettext_lazy("registration", "registered"), auto_now_add=True)
    # Decided when the session is completed, by the programme's completion rules.
    completed = models.BooleanField(_("completed"), default=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="training_registration_once"),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.participant} · {self.session_id}"

    def get_personal_url(self) -> str:
        return cached_reverse("training:participant_home", self.token)


class Attendance(models.Model):
    class Method(models.TextChoices):
        LIST = "list", _("Ticked by the organiser")
        CODE = "code", _("Checked in with the day's code")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendances")
    day = models.DateField(_("day"))
    method = models.CharField(_("how"), max_length=8, choices=Method.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["registration", "day"], name="training_attendance_once_a_day")]

    def __str__(self) -> str:
        return f"{self.registration_id} · {self.day:%Y-%m-%d}"


class TestKind(models.TextChoices):
    __test__ = False  # not a pytest test class, whatever its name

    PRE = "pre", _("Pre-test")
    POST = "post", _("Post-test")


class TestAttempt(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="test_attempts")
    kind = models.CharField(_("test"), max_length=4, choices=TestKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    answers = models.JSONField(default=dict)  # question id (text) -> chosen answer index
    score = models.PositiveSmallIntegerField(_("correct answers"))
    total = models.PositiveSmallIntegerField(_("questions"))
    percent = models.PositiveSmallIntegerField(_("score (%)"))
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("test attempt")
        verbose_name_plural = _("test attempts")
        constraints = [models.UniqueConstraint(fields=["registration", "kind"], name="training_one_attempt_per_test")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.percent} %"


RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class SurveyResponse(models.Model):
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="survey")
    overall = models.PositiveSmallIntegerField(_("overall satisfaction"), validators=RATING_VALIDATORS)
    relevance = models.PositiveSmallIntegerField(_("relevance to your work"), validators=RATING_VALIDATORS)
    trainers = models.PositiveSmallIntegerField(_("the trainers"), validators=RATING_VALIDATORS)
    comments = models.TextField(_("comments"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction survey answer")
        verbose_name_plural = _("satisfaction survey answers")

    def __str__(self) -> str:
        return f"{self.registration_id} · {self.overall}/5"


class Certificate(models.Model):
    """Proof that a participant completed a session; what it states is fixed when issued.

    The verification page shows the holder's name, the programme, the date and the issuer
    stored here, and nothing more: a later change of the participant or programme records does
    not rewrite a certificate already in someone's hands.
    """

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    holder_name = models.CharField(_("holder"), max_length=200)
    programme_title = models.CharField(_("programme"), max_length=200)
    completed_on = models.DateField(_("date"))
    issuer = models.CharField(_("issuer"), max_length=300)
    partners = models.JSONField(_("partners"), default=list)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return codes.display(self.code)

    @property
    def display_code(self) -> str:
        return codes.display(self.code)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def verification_url(self) -> str:
        return settings.SITE_ROOT.rstrip("/") + cached_reverse("verify:certificate", self.display_code)
