"""Case forms: they read and type the input; the services validate the record and write it.

Choices offered here are what the user may pick (own-country organisations, member countries
other than their own, the origin's directory contacts). The record's own rules (dates, the
country of origin differing from the destination, an age or a birth date) live in the model's
``clean()``, run by the service inside its transaction; the view hands its errors back to the
form with ``add_service_error`` so that they appear at the field.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corett import policy
from corett.cases import vocabularies as vocab
from corett.cases.models import (
    IDENTITY_FIELDS,
    AlternativeSolution,
    Approval,
    ApprovalKind,
    ApprovalState,
    Case,
    ConsentGivenBy,
    ConsentPurpose,
    FundingState,
    RelatedRole,
    RiskLevel,
    Sex,
    Stage,
)
from corett.core.forms import StyledFormMixin
from corett.directory.models import Country, Organisation, OrganisationKind, Person

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ISO3 = re.compile(r"^[A-Z]{3}$")
CENT = Decimal("0.01")

# ISO 3166-1 alpha-3 codes offered for citizenship: the coalition's nine members first, then the
# countries its cases most often involve. Countries in the directory are added to these.
CITIZENSHIPS: list[tuple[str, Any]] = [
    ("BLZ", _("Belize")),
    ("CRI", _("Costa Rica")),
    ("DOM", _("Dominican Republic")),
    ("SLV", _("El Salvador")),
    ("GTM", _("Guatemala")),
    ("HND", _("Honduras")),
    ("MEX", _("Mexico")),
    ("NIC", _("Nicaragua")),
    ("PAN", _("Panama")),
    ("ARG", _("Argentina")),
    ("BOL", _("Bolivia")),
    ("BRA", _("Brazil")),
    ("CAN", _("Canada")),
    ("CHL", _("Chile")),
    ("CHN", _("China")),
    ("COL", _("Colombia")),
    ("CUB", _("Cuba")),
    ("ECU", _("Ecuador")),
    ("ESP", _("Spain")),
    ("HTI", _("Haiti")),
    ("IND", _("India")),
    ("JAM", _("Jamaica")),
    ("PER", _("Peru")),
    ("PRY", _("Paraguay")),
    ("USA", _("United States")),
    ("VEN", _("Venezuela")),
]

# Languages a person may speak, by ISO 639 code: the region's official languages and the
# indigenous and creole languages its case workers meet most.
LANGUAGES: list[tuple[str, Any]] = [
    ("es", _("Spanish")),
    ("en", _("English")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("ht", _("Haitian Creole")),
    ("cab", _("Garifuna")),
    ("miq", _("Miskito")),
    ("quc", _("K'iche'")),
    ("mam", _("Mam")),
    ("cak", _("Kaqchikel")),
    ("kek", _("Q'eqchi'")),
    ("zh", _("Chinese")),
    ("hi", _("Hindi")),
]

# ISO 4217 codes of the currencies a return is usually paid in.
CURRENCIES: list[tuple[str, str]] = [
    (code, code)
    for code in ("USD", "EUR", "CAD", "BZD", "CRC", "DOP", "GTQ", "HNL", "MXN", "NIO", "PAB")
]

DOCUMENT_KINDS: list[tuple[str, Any]] = [
    ("passport", _("Passport")),
    ("national_id", _("National identity document")),
    ("birth_certificate", _("Birth certificate")),
    ("travel_document", _("Travel document or safe-conduct")),
    ("consular_id", _("Consular identity document")),
    ("other", _("Other")),
]

# Help texts shared by the open and edit forms.
NO_NAMES_HELP = _("Describe the outcome without naming anyone: this text is not encrypted.")


def _today() -> dt.date:
    return timezone.localdate()


class Iso3MultipleChoiceField(forms.MultipleChoiceField):
    """ISO alpha-3 country codes: three capital letters, each among the choices."""

    default_error_messages = {
        "invalid_code": _("“%(value)s” is not an ISO alpha-3 country code (three capital letters)."),
    }

    def validate(self, value: Any) -> None:
        for code in value or []:
            if not ISO3.match(str(code)):
                raise ValidationError(self.error_messages["invalid_code"], code="invalid_code",
                                      params={"value": code})
        super().validate(value)


def citizenship_choices() -> list[tuple[str, Any]]:
    """The fixed list, plus any country in the directory it lacks (one query)."""
    known = {code for code, _label in CITIZENSHIPS}
    extra = [
        (c.iso3, c.name)
        for c in Country.objects.only("iso3", "name_es", "name_en").order_by("iso3")
        if c.iso3 not in known
    ]
    return CITIZENSHIPS + extra


# --- Opening and editing a case ---------------------------------------------------------------


class CaseForm(StyledFormMixin, forms.Form):
    """The person, the identification, the HTCDS classification; documents come in a formset."""

    # Identity (sealed field by field in the database).
    given_name = forms.CharField(label=_("Given names"), max_length=200)
    family_name = forms.CharField(label=_("Family names"), max_length=200, required=False)
    other_names = forms.CharField(label=_("Other names or aliases"), max_length=200, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_WIDGET)
    estimated_age = forms.IntegerField(
        label=_("Age (estimated)"), required=False, min_value=0, max_value=120,
        help_text=_("Age at identification. Left empty with a birth date, it is worked out from it."),
    )
    age_verified = forms.BooleanField(
        label=_("Age verified"), required=False,
        help_text=_("Until the age is verified, the person is treated as a child."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *vocab.Gender.choices], required=False)
    citizenships = Iso3MultipleChoiceField(
        label=_("Citizenships"), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple
    )
    contact = forms.CharField(
        label=_("Contact details"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    # Identification.
    origin_country = forms.ModelChoiceField(label=_("Country of origin"), queryset=Country.objects.none())
    identifying_organisation = forms.ModelChoiceField(
        label=_("Identifying organisation"), queryset=Organisation.objects.none()
    )
    identified_on = forms.DateField(label=_("Identified on"), widget=DATE_WIDGET)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)

    # Trafficking (IOM HTCDS 2.0 vocabularies).
    trafficking_status = forms.ChoiceField(
        label=_("Trafficking status"), choices=vocab.TraffickingStatus.choices,
        initial=vocab.TraffickingStatus.POSSIBLE,
    )
    status_decided_by = forms.ChoiceField(
        label=_("Status decided by"), choices=[("", "—"), *vocab.StatusDecidedBy.choices], required=False
    )
    forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation"), choices=vocab.FormOfExploitation.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    methods_of_control = forms.MultipleChoiceField(
        label=_("Means of control"), choices=vocab.MethodOfControl.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recruiter_relationship = forms.ChoiceField(
        label=_("Relationship to the recruiter"),
        choices=[("", "—"), *vocab.RelationshipToTrafficker.choices], required=False,
    )
    narrative = forms.CharField(
        label=_("Narrative"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )

    FIELDSETS = (
        (_("The person"), ("given_name", "family_name", "other_names", "birth_date", "estimated_age",
                           "age_verified", "sex", "gender", "citizenships", "languages")),
        (_("Identification"), ("identifying_organisation", "identified_on", "origin_country", "risk_level")),
        (_("Trafficking (HTCDS)"), ("trafficking_status", "status_decided_by", "forms_of_exploitation",
                                    "methods_of_control", "recruiter_relationship")),
        (_("Contact and account"), ("contact", "address", "narrative")),
    )

    def __init__(self, *args: Any, user: Any, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        country_id = case.destination_country_id if case else user.country_id
        origin = self.fields["origin_country"]
        organisation = self.fields["identifying_organisation"]
        citizenships = self.fields["citizenships"]
        assert isinstance(origin, forms.ModelChoiceField)
        assert isinstance(organisation, forms.ModelChoiceField)
        assert isinstance(citizenships, forms.MultipleChoiceField)
        # A return goes from the destination to another member country.
        origin.queryset = Country.objects.members().exclude(pk=country_id)
        organisation.queryset = Organisation.objects.filter(country_id=country_id).select_related("country")
        citizenships.choices = citizenship_choices()
        if case is not None and case.shared_with_origin_at is not None:
            # The country of origin has seen the case: moving it elsewhere would share it again.
            origin.disabled = True
            origin.help_text = _("Fixed once the formal request has been sent to the country of origin.")

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def service_data(self, *, only_changed: bool = False) -> dict[str, Any]:
        names = [n for n in self.fields if not self.fields[n].disabled]
        if only_changed:
            names = [n for n in names if n in self.changed_data]
        data = {name: self.cleaned_data.get(name) for name in names}
        for name in IDENTITY_FIELDS:
            # An empty sealed field is stored as NULL, not as an encrypted empty string.
            if name in data and data[name] in ("", [], None):
                data[name] = None
        return data


class DocumentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Document type"), choices=[("", "—"), *DOCUMENT_KINDS], required=False)
    number = forms.CharField(label=_("Number"), max_length=64, required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=120, required=False)

    def __init__(self, *args: Any, known_kinds: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A type recorded elsewhere (an import, an older list) stays selectable, so that saving
        # the case does not silently drop the document.
        extra = [(k, k) for k in known_kinds if k not in dict(DOCUMENT_KINDS)]
        if extra:
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = [("", "—"), *DOCUMENT_KINDS, *extra]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [data.get(n) for n in ("kind", "number", "issuer")]
        if any(filled) and not data.get("kind"):
            self.add_error("kind", _("Choose the type of this document."))
        return data

    @property
    def entry(self) -> dict[str, str] | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("kind") or data.get("DELETE"):
            return None
        return {"type": data["kind"], "number": data.get("number", ""), "issuer": data.get("issuer", "")}


class BaseDocumentFormSet(forms.BaseFormSet):
    def documents(self) -> list[dict[str, str]]:
        return [entry for form in self.forms if (entry := form.entry) is not None]


DocumentFormSet = forms.formset_factory(
    DocumentForm, formset=BaseDocumentFormSet, extra=2, max_num=10, validate_max=True, can_delete=True
)


def document_formset(data: Any = None, *, case: Case | None = None) -> BaseDocumentFormSet:
    initial = [
        {
            "kind": str(d.get("type", "")), "number": str(d.get("number", "")),
            "issuer": str(d.get("issuer") or d.get("issued_by") or ""),
        }
        for d in (case.documents or [] if case else [])
        if isinstance(d, dict)
    ]
    known = tuple(entry["kind"] for entry in initial if entry["kind"])
    return DocumentFormSet(  # type: ignore[return-value]
        data, initial=initial or None, prefix="documents", form_kwargs={"known_kinds": known}
    )


# --- The case's lists -------------------------------------------------------------------------


class CaseFilterForm(StyledFormMixin, forms.Form):
    """The work list's filters, from the query string; an invalid value is reported and ignored."""

    ALL, OWNED, INCOMING = "", "owned", "incoming"

    q = forms.CharField(label=_("Case code"), required=False, max_length=20, widget=forms.SearchInput)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices])
    side = forms.ChoiceField(
        label=_("Cases"), required=False,
        choices=[(ALL, _("Owned and incoming")), (OWNED, _("Owned by my country")),
                 (INCOMING, _("Incoming: my country is the origin"))],
    )
    child = forms.BooleanField(label=_("Children only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue tasks only"), required=False)
    flagged = forms.BooleanField(label=_("Open flags only"), required=False)

    def value(self, name: str) -> Any:
        self.is_valid()
        return self.cleaned_data.get(name) or None

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in self.fields)


# --- Steps of the protocol --------------------------------------------------------------------


class TransitionForm(StyledFormMixin, forms.Form):
    """What a step may need from the user: a reason, or the alternative solution chosen."""

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    alternative = forms.ChoiceField(
        label=_("Alternative solution"), required=False, choices=[("", "—"), *AlternativeSolution.choices]
    )

    def __init__(self, *args: Any, needs: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in needs:
                del self.fields[name]

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class ConsentForm(StyledFormMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    given_by = forms.ChoiceField(
        label=_("Given by"), choices=ConsentGivenBy.choices,
        help_text=_("For a child, only the guardian's consent counts."),
    )


class DeadlinesForm(StyledFormMixin, forms.Form):
    """A country's deadlines: one field per stage that opens a task, and the follow-up months."""

    follow_up_months = forms.CharField(
        label=_("Follow-ups after return (months)"), max_length=60,
        help_text=_("Numbers of months after the return, separated by commas, e.g. 3, 6, 12."),
    )

    # Stages that open a task (the final ones and a suspension do not).
    STAGES = [s for s in Stage if s not in (Stage.CLOSED, Stage.CANCELLED, Stage.ALTERNATIVE_SOLUTION, Stage.SUSPENDED)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stage in self.STAGES:
            self.fields[f"days_{stage.value}"] = forms.IntegerField(
                label=stage.label, min_value=1, max_value=365,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            )

    def clean_follow_up_months(self) -> list[int]:
        text = self.cleaned_data["follow_up_months"]
        parts = [p.strip() for p in re.split(r"[,;\s]+", text) if p.strip()]
        if not parts or not all(p.isdigit() for p in parts):
            raise ValidationError(_("Give one or more numbers of months between 1 and 60, e.g. 3, 6, 12."))
        return [int(p) for p in parts]

    def stage_fields(self) -> list[Any]:
        return [self[f"days_{stage.value}"] for stage in self.STAGES]

    def service_data(self) -> dict[str, Any]:
        return {
            "stage_days": {stage.value: self.cleaned_data[f"days_{stage.value}"] for stage in self.STAGES},
            "follow_up_months": self.cleaned_data["follow_up_months"],
        }


class ConsentOverrideForm(StyledFormMixin, forms.Form):
    """A supervisor's decision to share without the consent: the purposes still missing one."""

    purpose = forms.ChoiceField(label=_("Share without the consent for"))
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the case must be shared now, and why the consent cannot be obtained. "
                    "Sealed like the case's narrative; the audit trail records that you decided it."),
    )

    def __init__(self, *args: Any, purposes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ConsentPurpose.choices)
        field = self.fields["purpose"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p, labels[p]) for p in purposes]


class RelatedPersonForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=RelatedRole.choices)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    relationship = forms.CharField(label=_("Relationship to the person"), max_length=100, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    contact = forms.CharField(label=_("Contact details"), max_length=500, required=False)
    appointed_on = forms.DateField(label=_("Appointed on"), required=False, widget=DATE_WIDGET)
    agreed = forms.BooleanField(label=_("Has agreed to receive the person"), required=False)
    able_to_care = forms.BooleanField(label=_("Assessed as able to care"), required=False)
    assessment = forms.CharField(
        label=_("Family assessment"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, case: Case, roles: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if roles is not None:
            # Only the roles the user may record (the country of origin: the caregiver it assessed).
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)
            role.choices = [(value, label) for value, label in RelatedRole.choices if value in roles]
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        # Guardians, caregivers and escorts work in one of the two countries (or regionally).
        field.queryset = Organisation.objects.filter(
            Q(country_id__in=[case.destination_country_id, case.origin_country_id]) | Q(country__isnull=True)
        ).only("name", "acronym")

    def clean_appointed_on(self) -> dt.date | None:
        day = self.cleaned_data.get("appointed_on")
        if day and day > _today():
            raise ValidationError(_("The appointment date cannot be in the future."))
        return day

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("full_name", "contact", "assessment"):  # sealed: empty is NULL
            data[name] = data.get(name) or None
        return data


class ApprovalRequestForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Approval"), choices=ApprovalKind.choices)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        pending = any(a.kind == kind and a.state == ApprovalState.PENDING for a in self.case.approvals.all())
        if pending:
            raise ValidationError(_("A request for this approval is already waiting for a decision."))
        return kind


class ApprovalDecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} · {obj.organisation}"


class OriginContactsForm(StyledFormMixin, forms.Form):
    contact = PersonChoiceField(label=_("Contact"), queryset=Person.objects.none())
    alternate = PersonChoiceField(label=_("Alternate"), queryset=Person.objects.none())

    def __init__(self, *args: Any, user: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = (
            Person.objects.visible_to(user)
            .filter(organisation__country_id=case.origin_country_id)
            .select_related("organisation", "organisation__country")
            .order_by("-is_focal_point", "-is_alternate_focal_point", "full_name")
        )
        for name in ("contact", "alternate"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = people
        if case.origin_contact_id:
            self.initial.setdefault("contact", case.origin_contact_id)
            self.initial.setdefault("alternate", case.origin_alternate_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contact") and data.get("contact") == data.get("alternate"):
            self.add_error("alternate", _("The alternate must be someone other than the contact."))
        return data


class FundingRequestForm(StyledFormMixin, forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Organisation.objects.none())
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="USD")
    route = forms.CharField(
        label=_("Route"), max_length=200, required=False,
        help_text=_("Places only, for example: Guatemala City to Tegucigalpa."),
    )
    travel_on = forms.DateField(label=_("Travel date"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(
            kind__in=[OrganisationKind.PARTNER_NGO, OrganisationKind.DONOR]
        ).only("name", "acronym")

    def clean_travel_on(self) -> dt.date | None:
        day = self.cleaned_data.get("travel_on")
        if day and day < _today():
            raise ValidationError(_("The travel date cannot be in the past."))
        return day


class FundingItemForm(StyledFormMixin, forms.Form):
    description = forms.CharField(
        label=_("Item"), max_length=200, required=False,
        help_text=_("A cost, never a person: for example, air ticket or escort's meals."),
    )
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("description") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this item."))
        if data.get("amount") is not None and not data.get("description"):
            self.add_error("description", _("Say what this amount pays for."))
        return data


class BaseFundingItemFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if not any(self.errors) and not self.items():
            raise ValidationError(_("List at least one item with its amount."))

    def items(self) -> list[dict[str, str]]:
        return [
            {"description": f.cleaned_data["description"], "amount": str(f.cleaned_data["amount"].quantize(CENT))}
            for f in self.forms
            if getattr(f, "cleaned_data", None) and f.cleaned_data.get("description")
            and f.cleaned_data.get("amount") is not None
        ]


FundingItemFormSet = forms.formset_factory(
    FundingItemForm, formset=BaseFundingItemFormSet, extra=3, max_num=20, validate_max=True
)


def funding_item_formset(data: Any = None) -> BaseFundingItemFormSet:
    return FundingItemFormSet(data, prefix="items")  # type: ignore[return-value]


class FundingAdvanceForm(StyledFormMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("New state"),
        choices=[(s, label) for s, label in FundingState.choices if s != FundingState.REQUESTED],
    )


class FollowUpReportForm(StyledFormMixin, forms.Form):
    reported_on = forms.DateField(label=_("Visit or contact on"), widget=DATE_WIDGET)
    report = forms.CharField(label=_("Report"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_reported_on(self) -> dt.date:
        day = self.cleaned_data["reported_on"]
        if day > _today():
            raise ValidationError(_("The date of the follow-up cannot be in the future."))
        return day


class FlagResolveForm(StyledFormMixin, forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=200, help_text=NO_NAMES_HELP)


def may_decide(user: Any, approval: Approval) -> bool:
    return approval.state == ApprovalState.PENDING and policy.can(user, "cases.approve", approval)
