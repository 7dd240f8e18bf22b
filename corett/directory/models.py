"""The coalition's directory: countries, organisations, people and the coalition's offices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from corett.lib.urls import cached_reverse

if TYPE_CHECKING:
    from corett.accounts.models import User

LANGUAGE_CHOICES = [
    ("es", _("Spanish")),
    ("en", _("English")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
]


def language_names(codes: list[str] | None) -> list[str]:
    """The translated names of language codes, in the order given (unknown codes as they are)."""
    names = dict(LANGUAGE_CHOICES)
    return [str(names.get(code, code)) for code in codes or []]


class Membership(models.TextChoices):
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")
    PARTNER = "partner", _("Partner")


class CountryQuerySet(models.QuerySet["Country"]):
    def visible_to(self, user: User) -> CountryQuerySet:
        from corett import policy

        return policy.scope(user, "directory.view_country", self)

    def members(self) -> CountryQuerySet:
        return self.filter(membership=Membership.MEMBER)


class Country(models.Model):
    iso2 = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    official_language = models.CharField(_("official language"), max_length=5, choices=LANGUAGE_CHOICES)
    membership = models.CharField(
        _("membership"),
        max_length=16,
        choices=[(Membership.MEMBER, _("Member state")), (Membership.OBSERVER, _("Observer state"))],
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)

    objects = CountryQuerySet.as_manager()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_es"]
        constraints = [
            models.CheckConstraint(condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_format"),
            models.CheckConstraint(condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_format"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("directory:country_detail", self.iso2)

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "es").startswith("en") else self.name_es

    def clean(self) -> None:
        self.iso2 = (self.iso2 or "").upper()
        self.iso3 = (self.iso3 or "").upper()


class OrganisationKind(models.TextChoices):
    NATIONAL_COMMISSION = "national_commission", _("National commission")
    GOVERNMENT_INSTITUTION = "government_institution", _("Government institution")
    CONSULATE = "consulate", _("Consulate")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental body")
    NGO_OBSERVER = "ngo_observer", _("NGO observer")
    PARTNER_NGO = "partner_ngo", _("Partner NGO")
    DONOR = "donor", _("Donor")
    LOCAL_COMMITTEE = "local_committee", _("Local committee")
    COALITION_OFFICE = "coalition_office", _("Coalition office")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: User) -> OrganisationQuerySet:
        from corett import policy

        return policy.scope(user, "directory.view_organisation", self)

    def search(self, text: str) -> OrganisationQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(acronym__icontains=text))

    def with_membership_status(self, status: str | None, on=None) -> OrganisationQuerySet:
        """Organisations whose membership on ``on`` (today) has ``status``; None: no membership."""
        current = _memberships_current_on(on or timezone.localdate())
        if status is None:
            return self.filter(~Exists(current))
        return self.filter(Exists(current.filter(status=status)))

    def with_current_membership(self, on=None) -> OrganisationQuerySet:
        """Annotate ``current_membership_status``: the status on ``on`` (today), or None.

        One correlated subquery instead of prefetching every membership and choosing in Python:
        a list page's query count and its per-row work stay constant. It is written in SQL
        because the ORM's ``Subquery`` took ~0.6 ms to build and compile on every request of
        the organisation list (a sixth of the page). It names the outer table by its name, so
        the annotated queryset must be the outer query of its statement (a list, a count), not
        nested in another (Django renames the tables of a nested query; ``RawSQL`` is not
        renamed). The rule is ``_memberships_current_on``'s: started on or before the day, not
        ended before it; the latest start, then the latest record, wins.
        """
        day = on or timezone.localdate()
        # The day is the only parameter; the statement is a constant.
        status = RawSQL(_CURRENT_STATUS_SQL, (day, day))  # noqa: S611
        return self.annotate(current_membership_status=status)


_CURRENT_STATUS_SQL = (
    'SELECT m."status" FROM "directory_coalitionmembership" m '
    'WHERE m."organisation_id" = "directory_organisation"."id" '
    'AND m."started_on" <= %s AND (m."ended_on" IS NULL OR m."ended_on" >= %s) '
    'ORDER BY m."started_on" DESC, m."id" DESC LIMIT 1'
)


def _memberships_current_on(day) -> models.QuerySet[CoalitionMembership]:
    """The memberships, of the organisation in the outer query, that hold on ``day``."""
    return CoalitionMembership.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        organisation=OuterRef("pk"),
        started_on__lte=day,
    )


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    # Regional and international bodies have no country.
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="organisations",
        null=True, blank=True,
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organisation"), on_delete=models.PROTECT,
        related_name="children", null=True, blank=True,
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["country", "kind"]),
            # The list's default order: a page of 25 reads 25 index entries, not a sort of all.
            models.Index(fields=["name", "id"], name="organisation_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("directory:organisation_detail", self.pk)

    def get_kind_display(self) -> str:  # type: ignore[no-redef]  # Django lets models override it
        # Django's generated method rebuilds a dict of every choice on each call; list pages
        # call it once per row. Same label, straight from the enum (unknown values as stored).
        try:
            return str(OrganisationKind(self.kind).label)
        except ValueError:
            return str(self.kind)

    def get_languages_display(self) -> list[str]:
        return language_names(self.languages)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        kinds_with_country = {
            OrganisationKind.NATIONAL_COMMISSION, OrganisationKind.GOVERNMENT_INSTITUTION,
            OrganisationKind.CONSULATE, OrganisationKind.LOCAL_COMMITTEE,
        }
        if self.kind in kinds_with_country and self.country_id is None:
            errors.setdefault("country", []).append(str(_("This kind of organisation belongs to a country.")))
        if self.parent_id is not None and self.pk is not None:
            ancestor, seen = self.parent, set()
            while ancestor is not None and ancestor.pk not in seen:
                if ancestor.pk == self.pk:
                    errors.setdefault("parent", []).append(
                        str(_("An organisation cannot be its own parent or ancestor."))
                    )
                    break
                seen.add(ancestor.pk)
                ancestor = ancestor.parent
        bad = [code for code in self.languages or [] if code not in dict(LANGUAGE_CHOICES)]
        if bad:
            errors.setdefault("languages", []).append(str(_("Unknown language code.")))
        if errors:
            raise ValidationError(errors)

    @property
    def current_membership_label(self) -> str:
        """The translated status annotated by ``with_current_membership()`` ("" without one)."""
        status = self.current_membership_status  # type: ignore[attr-defined]
        return str(Membership(status).label) if status else ""

    def current_membership(self) -> CoalitionMembership | None:
        today = timezone.localdate()
        for m in self.memberships.all():
            if m.started_on <= today and (m.ended_on is None or m.ended_on >= today):
                return m
        return None


class CoalitionMembership(models.Model):
    """An organisation's standing in the coalition over a span of time."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(_("status"), max_length=16, choices=Membership.choices)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("coalition membership")
        verbose_name_plural = _("coalition memberships")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_status_display()}"

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})


class Visibility(models.TextChoices):
    COALITION = "coalition", _("Whole coalition")
    COUNTRY = "country", _("Own country and the Secretariat only")


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: User) -> PersonQuerySet:
        from corett import policy

        return policy.scope(user, "directory.view_person", self)

    def focal_points(self) -> PersonQuerySet:
        return self.filter(Q(is_focal_point=True) | Q(is_alternate_focal_point=True))

    def search(self, text: str) -> PersonQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(full_name__icontains=text) | Q(position__icontains=text) | Q(email__icontains=text)
        )


class Person(models.Model):
    """A contact in the directory (not necessarily a user of the platform)."""

    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="people"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    is_focal_point = models.BooleanField(_("focal point"), default=False)
    is_alternate_focal_point = models.BooleanField(_("alternate focal point"), default=False)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.COUNTRY
    )
    user = models.OneToOneField(
        "accounts.User", verbose_name=_("platform account"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="person",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]
        # The list's orders (focal points first by default, or by name): a page reads its
        # rows in index order instead of sorting every visible person.
        indexes = [
            models.Index(
                fields=["-is_focal_point", "-is_alternate_focal_point", "full_name", "id"],
                name="person_focal_first_idx",
            ),
            models.Index(fields=["full_name", "id"], name="person_name_idx"),
            # Counting the people a national user may see reads this index, not the table.
            models.Index(fields=["organisation", "visibility"], name="person_scope_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return cached_reverse("directory:person_detail", self.pk)

    def get_languages_display(self) -> list[str]:
        return language_names(self.languages)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        bad = [code for code in self.languages or [] if code not in dict(LANGUAGE_CHOICES)]
        if bad:
            errors["languages"] = _("Unknown language code.")
        # One role or the other: an alternate stands in for the focal point, not for themselves.
        if self.is_focal_point and self.is_alternate_focal_point:
            errors["is_alternate_focal_point"] = _(
                "A person is either the focal point or the alternate, not both."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def country_id(self) -> int | None:
        return self.organisation.country_id


class PresidencyTerm(models.Model):
    """The Presidency pro tempore: one member country at a time, for a term."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="presidency_terms"
    )
    started_on = models.DateField(_("start"))
    ended_on = models.DateField(_("end"))

    class Meta:
        verbose_name = _("Presidency pro tempore term")
        verbose_name_plural = _("Presidency pro tempore terms")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__gte=models.F("started_on")), name="presidency_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} ({self.started_on:%Y-%m-%d} – {self.ended_on:%Y-%m-%d})"  # noqa: RUF001

    def clean(self) -> None:
        if self.started_on and self.ended_on:
            if self.ended_on < self.started_on:
                raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
            overlapping = PresidencyTerm.objects.filter(
                started_on__lte=self.ended_on, ended_on__gte=self.started_on
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    {"started_on": _("Another Presidency term overlaps these dates: there is one Presidency at a time.")}
                )
        if self.country_id and self.country.membership != Membership.MEMBER:
            raise ValidationError({"country": _("Only a member country can hold the Presidency.")})

    @classmethod
    def current(cls, on=None) -> PresidencyTerm | None:
        day = on or timezone.localdate()
        return cls.objects.select_related("country").filter(started_on__lte=day, ended_on__gte=day).first()


class SecretariatTerm(models.Model):
    """Which organisation hosts the Technical Secretariat, and who heads it, over a span of time."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="secretariat_terms"
    )
    head = models.ForeignKey(
        Person, verbose_name=_("head of the Secretariat"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    started_on = models.DateField(_("start"))
    ended_on = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("Technical Secretariat term")
        verbose_name_plural = _("Technical Secretariat terms")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return str(self.organisation)

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})

    @classmethod
    def current(cls, on=None) -> SecretariatTerm | None:
        day = on or timezone.localdate()
        return (
            cls.objects.select_related("organisation", "head")
            .filter(started_on__lte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
            .first()
        )
