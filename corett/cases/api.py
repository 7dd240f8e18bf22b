"""Repatriation cases over the REST API (/api/v1/cases/, /api/v1/funding-requests/).

The same policy as the web pages, through the same functions:

- Reads are scoped with ``Case.objects.visible_to``: a case the user may not see (another
  country's, or not yet shared with the origin) is a 404, never a 403, so its existence does not
  leak. A tampered case code (wrong check character) is a 404 before any query.
- Identity fields (names, birth date, documents, contacts, narratives) appear in a response only
  when ``policy.can(user, "cases.view_identity", case)``; otherwise the keys are absent. Lists
  never load them (``without_identity()``). Every read of one case is audited
  (``services.case_read``).
- Writes go through ``corett.cases.services`` (validated, authorised, audited in one place);
  their ``ValidationError`` and ``PermissionDenied`` come back as 400 and 403
  (``corett.api.exceptions``). A transition the protocol refuses is a 409 naming every guard
  that failed, translated per ``Accept-Language``.
- Each protocol transition is its own POST action (``/cases/{code}/request-origin/``),
  generated from ``protocol.TRANSITIONS`` so that the API cannot drift from the protocol.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from corett import policy
from corett.api.permissions import PolicyPermission
from corett.cases import protocol, services
from corett.cases import vocabularies as vocab
from corett.cases.forms import CURRENCIES, DOCUMENT_KINDS, LANGUAGES
from corett.cases.models import (
    IDENTITY_FIELDS,
    SHARING_PURPOSE_CHOICES,
    AlternativeSolution,
    Approval,
    ApprovalKind,
    Case,
    CaseQuerySet,
    Consent,
    ConsentGivenBy,
    ConsentOverride,
    ConsentPurpose,
    FlagKind,
    FollowUp,
    FundingRequest,
    FundingState,
    RelatedPerson,
    RelatedRole,
    RiskLevel,
    Sex,
    Stage,
    StageChange,
    Task,
    is_valid_case_code,
)
from corett.directory.api import VisibleOrganisationField
from corett.directory.models import Country, Organisation, OrganisationKind, Person
from corett.lib.iso3166 import is_alpha3

if TYPE_CHECKING:
    from corett.accounts.models import User


def _user(request: Request) -> User:
    """The requesting user (the permission class has refused anonymous requests already)."""
    return cast("User", request.user)


def _in_english(text: Promise | str) -> Promise:
    """A schema text kept in English (as the rest of the schema is), whatever the request's
    language: the protocol's labels are translated for people, the schema is for developers."""

    def english() -> str:
        with translation.override("en"):
            return str(text)

    return cast(Promise, lazy(english, str)())


# --- Fields -----------------------------------------------------------------------------------


class CountryCodeField(serializers.SlugRelatedField):
    """One of the coalition's countries (``directory.Country``) by ISO alpha-3 code, any case.
    ``members=True``: member states only (a return goes from one member to another)."""

    default_error_messages = {
        "does_not_exist": _("Unknown country code “{value}”: give the ISO alpha-3 code of a coalition country."),
        "invalid": _("Give an ISO alpha-3 country code, e.g. GTM."),
    }

    def __init__(self, *, members: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO alpha-3 code, e.g. GTM.")
        queryset = Country.objects.members() if members else Country.objects.all()
        super().__init__(slug_field="iso3", queryset=queryset, **kwargs)

    def to_internal_value(self, data: Any) -> Country:
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)


# ICAO Doc 9303's codes for a stateless person and for a nationality not (yet) known, as the
# case forms offer them.
NOT_A_COUNTRY = frozenset({"XXA", "XXX"})


class CitizenshipField(serializers.CharField):
    """Any ISO 3166-1 alpha-3 code (citizenships reach beyond the coalition), any case; or
    XXA (stateless) or XXX (not known)."""

    default_error_messages = {
        "unknown": _("Unknown country code “{value}”: give an ISO 3166-1 alpha-3 code, e.g. HND."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-3 code, e.g. HND; XXA: stateless; XXX: not known.")
        super().__init__(min_length=3, max_length=3, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data).upper()
        if not (is_alpha3(value) or value in NOT_A_COUNTRY):
            self.fail("unknown", value=value)
        return value


@extend_schema_field(OpenApiTypes.INT)
class PartnerField(serializers.PrimaryKeyRelatedField):
    """An organisation that may fund a return: a partner NGO, a donor or an intergovernmental body."""

    KINDS = (OrganisationKind.PARTNER_NGO, OrganisationKind.DONOR, OrganisationKind.INTERGOVERNMENTAL)

    def get_queryset(self) -> QuerySet[Organisation]:
        request = self.context.get("request")
        return Organisation.objects.visible_to(getattr(request, "user", None)).filter(  # type: ignore[arg-type]
            kind__in=self.KINDS
        )


@extend_schema_field(OpenApiTypes.INT)
class OwnOrganisationField(serializers.PrimaryKeyRelatedField):
    """An organisation of the requesting user's country (where the person was identified)."""

    def get_queryset(self) -> QuerySet[Organisation]:
        request = self.context.get("request")
        country_id = getattr(getattr(request, "user", None), "country_id", None)
        return Organisation.objects.filter(country_id=country_id) if country_id else Organisation.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class OriginPersonField(serializers.PrimaryKeyRelatedField):
    """A person in the directory whom the requesting user may see."""

    def get_queryset(self) -> QuerySet[Person]:
        request = self.context.get("request")
        return Person.objects.visible_to(getattr(request, "user", None)).select_related(  # type: ignore[arg-type]
            "organisation"
        )


@extend_schema_field(OpenApiTypes.INT)
class OrganisationIdField(VisibleOrganisationField):
    """An organisation id the requesting user may see."""


def _text(max_length: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, help_text=help_text)


# --- Errors (for the schema) ------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class FailedGuardSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The guard's name, e.g. consent_processing; 'stage' when the "
                                 "step is not possible from the case's current stage.")
    message = serializers.CharField(help_text="What is missing, in the request's language.")


class TransitionRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    transition = serializers.CharField()
    failed_guards = FailedGuardSerializer(many=True)


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such case, or not one you may see.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="You see the case but may not do this.")


# --- Cases: output ----------------------------------------------------------------------------


class DocumentSerializer(serializers.Serializer):
    """One identity or travel document of the person (stored encrypted with the case, in the
    shape the case forms use: ``{"type", "number", "issuer"}``)."""

    type = serializers.ChoiceField(choices=DOCUMENT_KINDS)
    number = _text(64)
    issuer = _text(120, "Who issued it, e.g. the consulate of Honduras in Guatemala.")


def _without_identity(
    serializer: serializers.BaseSerializer, fields: dict[str, serializers.Field], names: Any
) -> dict[str, serializers.Field]:
    """The serializer's fields, less the identity fields unless the context allows them.

    Deny by default: identity only when the view has asked the policy and it said yes (the
    ``identity`` key of the context), or when drf-spectacular describes the response, so
    that the schema documents those keys (as optional).
    """
    view = serializer.context.get("view")
    if serializer.context.get("identity") is True or getattr(view, "swagger_fake_view", False):
        return fields
    return {name: field for name, field in fields.items() if name not in names}


class CaseSerializer(serializers.ModelSerializer):
    """What a case list shows: the pseudonymous code and the clear protocol fields, no identity."""

    destination_country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="iso3", read_only=True, help_text="ISO alpha-3 code."
    )
    origin_country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="iso3", read_only=True, help_text="ISO alpha-3 code."
    )
    is_child = serializers.SerializerMethodField(
        help_text="Treated as a child unless an age of 18 or more has been verified."
    )

    class Meta:
        model = Case
        fields = [
            "code", "stage", "destination_country", "origin_country", "identifying_organisation",
            "sex", "is_child", "estimated_age", "age_verified", "citizenships", "identified_on",
            "trafficking_status", "risk_level", "shared_with_origin_at", "created_at", "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_is_child(self, case: Case) -> bool:
        return case.is_child


class NextStepSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The transition, e.g. request_origin.")
    action = serializers.CharField(help_text="The last segment of its URL, e.g. request-origin.")
    # "label" shadows DRF's Field.label only for the type checker: the serializer metaclass moves
    # declared fields into _declared_fields.
    label = serializers.CharField()  # type: ignore[assignment]
    side = serializers.ChoiceField(choices=[protocol.DESTINATION, protocol.ORIGIN])
    failed_guards = FailedGuardSerializer(many=True)


class FlagSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    raised_at = serializers.DateTimeField()


class CaseDetailSerializer(CaseSerializer):
    """One case. The identity fields are present only for those allowed to see identity.

    They are declared optional (not read-only) so that the schema does not promise them; the
    serializer is used for responses only.
    """

    side = serializers.SerializerMethodField(help_text="Your side of this case: destination or origin.")
    next_steps = serializers.SerializerMethodField(
        help_text="The transitions possible from the current stage, and what each still needs."
    )
    open_flags = serializers.SerializerMethodField()

    given_name = serializers.CharField(required=False)
    family_name = serializers.CharField(required=False)
    other_names = serializers.CharField(required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    gender = serializers.CharField(required=False, help_text="HTCDS 2.0 gender code.")
    documents = DocumentSerializer(many=True, required=False)
    contact = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    narrative = serializers.CharField(required=False)
    origin_decline_reason = serializers.CharField(required=False)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields, "resume_stage", "alternative_solution", "languages",
            "status_decided_by", "forms_of_exploitation", "methods_of_control", "recruiter_relationship",
            "origin_contact", "origin_alternate", "side", "next_steps", "open_flags", *IDENTITY_FIELDS,
        ]
        read_only_fields = [f for f in fields if f not in IDENTITY_FIELDS]

    def get_fields(self) -> dict[str, serializers.Field]:
        return _without_identity(self, super().get_fields(), IDENTITY_FIELDS)

    def get_side(self, case: Case) -> str | None:
        request = self.context.get("request")
        return protocol.side_of(request.user, case) if request is not None else None

    @extend_schema_field(NextStepSerializer(many=True))
    def get_next_steps(self, case: Case) -> list[dict[str, Any]]:
        return [
            {
                "name": t.name,
                "action": t.name.replace("_", "-"),
                "label": str(t.label),
                "side": t.side,
                "failed_guards": [
                    {"code": g.code, "message": str(g.message)} for g in protocol.failed_guards(case, t)
                ],
            }
            for t in protocol.from_stage(case)
        ]

    @extend_schema_field(FlagSerializer(many=True))
    def get_open_flags(self, case: Case) -> list[dict[str, Any]]:
        return [
            {"kind": f.kind, "raised_at": serializers.DateTimeField().to_representation(f.raised_at)}
            for f in case.flags.all()
            if f.resolved_at is None
        ]


# --- Cases: input -----------------------------------------------------------------------------


class CaseInputSerializer(serializers.Serializer):
    """A new case. Only the country of origin is required, and a birth date or an estimated age
    (the model's rules, such as dates not in the future, answer as field errors too)."""

    destination_country = CountryCodeField(
        required=False,
        help_text="ISO alpha-3 code; must be your own country (the default).",
    )
    origin_country = CountryCodeField(members=True)
    identifying_organisation = OwnOrganisationField(
        required=False, help_text="Id of an organisation of your country; default: yours."
    )
    given_name = _text(200)
    family_name = _text(200)
    other_names = _text(500, "Other names or aliases.")
    birth_date = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    age_verified = serializers.BooleanField(required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    gender = serializers.ChoiceField(choices=vocab.Gender.choices, required=False, allow_blank=True)
    citizenship = CitizenshipField(required=False, help_text="One citizenship (ISO 3166-1 alpha-3).")
    citizenships = serializers.ListField(
        child=CitizenshipField(), required=False, max_length=5,
        help_text="All citizenships (ISO 3166-1 alpha-3); merged with `citizenship`.",
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGES), required=False, max_length=10,
        help_text="Languages the person speaks (ISO 639 codes).",
    )
    identified_on = serializers.DateField(required=False, help_text="Default: today.")
    trafficking_status = serializers.ChoiceField(choices=vocab.TraffickingStatus.choices, required=False)
    status_decided_by = serializers.ChoiceField(
        choices=vocab.StatusDecidedBy.choices, required=False, allow_blank=True
    )
    forms_of_exploitation = serializers.ListField(
        child=serializers.ChoiceField(choices=vocab.FormOfExploitation.choices), required=False
    )
    methods_of_control = serializers.ListField(
        child=serializers.ChoiceField(choices=vocab.MethodOfControl.choices), required=False
    )
    recruiter_relationship = serializers.ChoiceField(
        choices=vocab.RelationshipToTrafficker.choices, required=False, allow_blank=True
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    documents = DocumentSerializer(many=True, required=False)
    contact = _text(1000, "Contact details.")
    address = _text(1000)
    narrative = _text(20000)

    def to_case_data(self, case: Case | None = None) -> dict[str, Any]:
        """The validated input in the shape ``services.case_open`` / ``case_update`` take."""
        data = dict(self.validated_data)
        data.pop("destination_country", None)
        single = data.pop("citizenship", None)
        if single or "citizenships" in data:
            data["citizenships"] = list(dict.fromkeys([*([single] if single else []), *data.get("citizenships", [])]))
        if "documents" in data:
            data["documents"] = [
                {key: value for key, value in document.items() if value} for document in data["documents"]
            ]
        for name in IDENTITY_FIELDS:
            # An empty sealed field is stored as NULL, not as an encrypted empty string.
            if name in data and data[name] in ("", []):
                data[name] = None
        # The age at identification (clear) is derived from the birth date by the services.
        return data


class CaseUpdateSerializer(CaseInputSerializer):
    """Changes to a case, by its owners (the destination country)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        del fields["destination_country"]
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "destination_country" in self.initial_data:
            raise serializers.ValidationError(
                {"destination_country": [_("The destination country of a case cannot change.")]}
            )
        return attrs

    def validate_origin_country(self, value: Country) -> Country:
        case: Case = self.context["case"]
        if case.shared_with_origin_at is not None and value.pk != case.origin_country_id:
            raise serializers.ValidationError(
                _("The country of origin cannot change once the case has been shared with it.")
            )
        return value


# --- Transitions: input -----------------------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000, required=False, allow_blank=True,
        help_text="Required by the protocol: without it the step is refused (409, guard 'reason').",
    )


class AlternativeSerializer(serializers.Serializer):
    alternative = serializers.ChoiceField(choices=AlternativeSolution.choices, required=False)


class AcceptSerializer(serializers.Serializer):
    """The origin accepts, naming its contact and an alternate (unless named before)."""

    contact = OriginPersonField(required=False, help_text="Person id in the country of origin.")
    alternate = OriginPersonField(required=False, help_text="Another person id in the country of origin.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        contact, alternate = attrs.get("contact"), attrs.get("alternate")
        if (contact is None) != (alternate is None):
            missing = "alternate" if alternate is None else "contact"
            raise serializers.ValidationError({missing: [_("Name both a contact and an alternate.")]})
        if contact is not None and contact == alternate:
            raise serializers.ValidationError({"alternate": [_("The alternate must be another person.")]})
        return attrs


TRANSITION_INPUT: dict[str, type[serializers.Serializer]] = {
    name: ReasonSerializer
    for name, transition in protocol.TRANSITIONS.items()
    if "reason" in transition.needs
}
TRANSITION_INPUT |= {
    name: AlternativeSerializer for name, t in protocol.TRANSITIONS.items() if "alternative" in t.needs
}
TRANSITION_INPUT["accept"] = AcceptSerializer


# --- Sub-resources ----------------------------------------------------------------------------


def _name_of(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "purpose", "given_by", "recorded_at", "withdrawn_at"]
        read_only_fields = fields


class ConsentOverrideSerializer(serializers.ModelSerializer):
    # The reason is sealed and shown on the case page to those who may see identity; the API
    # answers what was decided, by whom and when.
    by = serializers.SerializerMethodField()

    class Meta:
        model = ConsentOverride
        fields = ["id", "purpose", "by", "at"]
        read_only_fields = fields

    def get_by(self, override: ConsentOverride) -> str:
        return _name_of(override.by)


class ConsentOverrideInputSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=SHARING_PURPOSE_CHOICES)
    reason = serializers.CharField(
        max_length=2000, help_text="Why the case must be shared without the consent (sealed; at least 20 characters)."
    )


class ConsentInputSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    given_by = serializers.ChoiceField(
        choices=ConsentGivenBy.choices, help_text="For a child, only the guardian's consent counts."
    )


class RelatedPersonSerializer(serializers.ModelSerializer):
    """A guardian, caregiver or escort; names, contacts and assessment only with identity."""

    IDENTITY = ("full_name", "contact", "assessment")

    full_name = serializers.CharField(required=False)
    contact = serializers.CharField(required=False)
    assessment = serializers.CharField(required=False)

    class Meta:
        model = RelatedPerson
        fields = [
            "id", "role", "relationship", "organisation", "agreed", "able_to_care", "appointed_on",
            "full_name", "contact", "assessment",
        ]
        read_only_fields = ["id", "role", "relationship", "organisation", "agreed", "able_to_care", "appointed_on"]

    def get_fields(self) -> dict[str, serializers.Field]:
        return _without_identity(self, super().get_fields(), self.IDENTITY)


class RelatedPersonInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=RelatedRole.choices)
    full_name = serializers.CharField(max_length=300)
    relationship = _text(100, "Relationship to the person, e.g. aunt, social worker.")
    organisation = OrganisationIdField(required=False, allow_null=True)
    contact = _text(1000)
    agreed = serializers.BooleanField(required=False, help_text="Caregiver: has agreed to receive the child.")
    able_to_care = serializers.BooleanField(required=False, help_text="Caregiver: assessed as able to care.")
    assessment = _text(20000, "Family assessment.")
    appointed_on = serializers.DateField(required=False, allow_null=True)


class ApprovalSerializer(serializers.ModelSerializer):
    requested_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = ["id", "kind", "state", "requested_by", "requested_at", "decided_by", "decided_at"]
        read_only_fields = fields

    def get_requested_by(self, approval: Approval) -> str:
        return _name_of(approval.requested_by)

    def get_decided_by(self, approval: Approval) -> str:
        return _name_of(approval.decided_by)


class ApprovalInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApprovalKind.choices)


class ApprovalDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true approves, false rejects.")


class FundingItemSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200, help_text="A cost (e.g. air fare), never a person's name.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class FundingRequestSerializer(serializers.ModelSerializer):
    """What a partner sees: the case code, countries, dates, route and costs; never identity."""

    case: serializers.SlugRelatedField[Case] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    destination_country = serializers.CharField(source="case.destination_country.iso3", read_only=True)
    origin_country = serializers.CharField(source="case.origin_country.iso3", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    items = FundingItemSerializer(many=True, read_only=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = FundingRequest
        fields = [
            "id", "case", "destination_country", "origin_country", "partner", "partner_name", "state",
            "currency", "items", "total", "route", "travel_on", "requested_at", "updated_at",
        ]
        read_only_fields = fields


class FundingRequestInputSerializer(serializers.Serializer):
    partner = PartnerField(help_text="Organisation id of the partner asked to fund the return.")
    currency = serializers.ChoiceField(choices=CURRENCIES, default="USD", help_text="ISO 4217 code.")
    items = FundingItemSerializer(many=True, allow_empty=False)
    route = _text(200, "e.g. Ciudad de Guatemala to San Pedro Sula, by road.")
    travel_on = serializers.DateField(required=False, allow_null=True)

    def to_service_data(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data.pop("partner")
        data["items"] = [{"description": i["description"], "amount": str(i["amount"])} for i in data["items"]]
        return data


class FundingAdvanceSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[(s, label) for s, label in FundingState.choices if s != FundingState.REQUESTED],
        help_text="committed or declined (from requested), disbursed (from committed), "
        "reconciled (from disbursed).",
    )


class StageChangeSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "transition", "by", "at"]
        read_only_fields = fields

    def get_by(self, change: StageChange) -> str:
        return _name_of(change.by)


class TaskSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "stage", "title", "due_on", "done_at", "is_overdue"]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    """A follow-up after return; the report itself only with identity."""

    report = serializers.CharField(required=False)

    class Meta:
        model = FollowUp
        fields = ["id", "months_after_return", "due_on", "reported_on", "report"]
        read_only_fields = ["id", "months_after_return", "due_on", "reported_on"]

    def get_fields(self) -> dict[str, serializers.Field]:
        return _without_identity(self, super().get_fields(), ("report",))


class FollowUpReportSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=20000)
    reported_on = serializers.DateField()

    def validate_reported_on(self, value: dt.date) -> dt.date:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The date cannot be in the future."))
        return value


class CaseFilterSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    origin = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, help_text="ISO alpha-3 code of the country of origin.")
    destination = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, help_text="ISO alpha-3 code of the destination.")
    child = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="true: children (and people of unverified age); false: adults of verified age.",
    )


# --- Children: decided in SQL where the clear columns suffice ---------------------------------

# --- Permission -------------------------------------------------------------------------------


class ObjectPolicyPermission(PolicyPermission):
    """``PolicyPermission``, with every action on one case or funding request decided on it.

    The case rules cannot answer without the object (which side? whose funding?), and asking
    them would refuse with a 403 someone who must rather be told the case does not exist. So a
    detail action only needs API access here; the view then fetches the object through the
    user's scope (404 when invisible) and ``has_object_permission`` asks the policy about it
    (403 when visible but not allowed). Every detail action fetches through ``get_object``.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "detail", False) and self._action(view) is not None:
            return policy.can(request.user, "accounts.use_api")
        return super().has_permission(request, view)


# --- Views ------------------------------------------------------------------------------------


CODE_PARAMETER = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="The case code, e.g. RP-7KQ3-MX4PZ."
)


def _transition_action(transition: protocol.Transition):
    """The POST action for one protocol transition (``/cases/{code}/<name-with-hyphens>/``)."""
    name = transition.name
    input_class = TRANSITION_INPUT.get(name)

    def handler(self: CaseViewSet, request: Request, code: str | None = None) -> Response:
        return self.apply_transition(request, name)

    handler.__name__ = name
    handler.__qualname__ = f"CaseViewSet.{name}"
    side = "the country of origin" if transition.side == protocol.ORIGIN else "the destination country"
    guards = ", ".join(g.code for g in transition.guards) or "none"
    handler.__doc__ = f"Taken by {side}. Guards: {guards}."
    url = name.replace("_", "-")
    routed = action(detail=True, methods=["post"], url_path=url, url_name=url)(handler)
    # After @action, which would otherwise replace the schema extend_schema attaches.
    return extend_schema(
        summary=_in_english(transition.label),
        request=input_class,
        responses={
            200: OpenApiResponse(CaseSerializer, description="The case at its new stage."),
            400: OpenApiResponse(description="Invalid input."),
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(TransitionRefusedSerializer, description="Refused by the protocol: what is missing."),
        },
        parameters=[CODE_PARAMETER],
    )(routed)


def _sub_list(summary: str, serializer: Any) -> Any:
    return extend_schema(
        summary=summary, responses={200: serializer(many=True), 404: NOT_FOUND}, parameters=[CODE_PARAMETER]
    )


def _sub_create(summary: str, request: Any, response: Any, status_code: int = 201, extra: list | None = None) -> Any:
    return extend_schema(
        summary=summary,
        request=request,
        responses={status_code: response, 400: OpenApiResponse(description="Invalid input."), 403: FORBIDDEN,
                   404: NOT_FOUND},
        parameters=[CODE_PARAMETER, *(extra or [])],
    )


# Transitions: the side's own rule, decided on the case (a wrong side is a 403, an invisible
# case a 404). The service asks the same rule again before it writes.
_TRANSITION_POLICY = {
    name: "cases.transition_origin" if t.side == protocol.ORIGIN else "cases.transition_destination"
    for name, t in protocol.TRANSITIONS.items()
}


@extend_schema_view(
    list=extend_schema(summary="List the cases you may see", parameters=[CaseFilterSerializer]),
    retrieve=extend_schema(
        summary="One case (identity only if you may see it; the read is audited)",
        parameters=[CODE_PARAMETER], responses={200: CaseDetailSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Open a case in your country",
        request=CaseInputSerializer,
        responses={201: CaseDetailSerializer, 400: OpenApiResponse(description="Invalid input."), 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change a case (its owners, the destination country)",
        request=CaseUpdateSerializer,
        parameters=[CODE_PARAMETER],
        responses={200: CaseDetailSerializer, 400: OpenApiResponse(description="Invalid input."),
                   403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class CaseViewSet(viewsets.GenericViewSet):
    permission_classes = [ObjectPolicyPermission]
    lookup_field = "code"
    # Anything up to the next slash reaches the view, so that a malformed code is a JSON 404.
    lookup_value_regex = "[^/]+"
    serializer_class = CaseSerializer
    policy_actions = {
        # Everyone who may use the API may ask; the scope gives anyone but the case workers and
        # supervisors of the two countries an empty list (the existence of cases never leaks).
        "list": "accounts.use_api",
        "create": "cases.create",
        "retrieve": "cases.view",
        "partial_update": "cases.change",
        **_TRANSITION_POLICY,
        "consents": "cases.view",
        "consent_create": "cases.change",
        "consent_withdraw": "cases.change",
        "consent_override": "cases.override_consent",
        "related_people": "cases.view",
        # The owners record anyone; the country of origin the caregiver it assessed (the
        # service asks cases.change for the other roles).
        "related_person_create": "cases.record_caregiver",
        "approvals": "cases.view",
        "approval_create": "cases.change",
        "approval_decide": "cases.view",  # then cases.approve on the approval itself, in the view
        "funding_requests": "cases.view",
        "funding_request_create": "cases.change",
        "stage_history": "cases.view",
        "tasks": "cases.view",
        "follow_ups": "cases.view",
        "follow_up_report": "cases.report_follow_up",
    }

    @staticmethod
    def policy_create_target(request: Request) -> Country | None:
        """The destination named in the payload (None: not given, or unknown and so a 400)."""
        raw = request.data.get("destination_country") if hasattr(request.data, "get") else None
        if not isinstance(raw, str) or not raw.strip():
            return None
        return Country.objects.filter(iso3=raw.strip().upper()).first()

    # --- Fetching -------------------------------------------------------------------------

    def get_queryset(self) -> CaseQuerySet:
        queryset = Case.objects.visible_to(_user(self.request)).select_related(
            "destination_country", "origin_country"
        )
        if self.action == "retrieve":
            return queryset.prefetch_related(
                "consents", "consent_overrides", "approvals", "related_people", "funding_requests", "flags"
            )
        if self.action == "partial_update":
            return queryset
        return queryset.without_identity()

    def get_object(self) -> Case:
        code = str(self.kwargs.get("code", "")).upper()
        if not is_valid_case_code(code):
            raise NotFound()
        case = get_object_or_404(self.get_queryset(), code=code)
        self.check_object_permissions(self.request, case)
        return case

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        return context

    def _detail(self, case: Case, *, audit: bool) -> dict[str, Any]:
        user = _user(self.request)
        identity = policy.can(user, "cases.view_identity", case)
        if audit:
            services.case_read(actor=user, case=case, identity=identity)
        context = {**self.get_serializer_context(), "identity": identity}
        return CaseDetailSerializer(case, context=context).data

    def _sub_context(self, case: Case, *, identity: bool = False) -> dict[str, Any]:
        return {**self.get_serializer_context(), "identity": identity, "case": case}

    # --- The case -------------------------------------------------------------------------

    def list(self, request: Request) -> Response:
        filters = CaseFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        queryset: CaseQuerySet = self.get_queryset().active().order_by("-created_at", "-pk")
        if wanted.get("stage"):
            queryset = queryset.filter(stage=wanted["stage"])
        if wanted.get("origin"):
            queryset = queryset.filter(origin_country__iso3=wanted["origin"].upper())
        if wanted.get("destination"):
            queryset = queryset.filter(destination_country__iso3=wanted["destination"].upper())
        if wanted.get("child") is not None:
            queryset = queryset.children() if wanted["child"] else queryset.adults()
        page = cast("list[Case]", self.paginate_queryset(queryset))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        user = _user(request)
        serializer = CaseInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        destination = serializer.validated_data.get("destination_country") or user.country
        data = serializer.to_case_data()
        data.setdefault("identified_on", timezone.localdate())
        data.setdefault("identifying_organisation", user.organisation)
        case = services.case_open(actor=user, destination_country=destination, data=data)
        location = reverse("api:case-detail", kwargs={"code": case.code})
        # The creator has just typed the identity in: echoing it back is not a new disclosure.
        return Response(self._detail(case, audit=False), status=status.HTTP_201_CREATED, headers={"Location": location})

    def retrieve(self, request: Request, code: str | None = None) -> Response:
        return Response(self._detail(self.get_object(), audit=True))

    def partial_update(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        serializer = CaseUpdateSerializer(
            data=request.data, partial=True, context={**self.get_serializer_context(), "case": case}
        )
        serializer.is_valid(raise_exception=True)
        case = services.case_update(actor=_user(request), case=case, data=serializer.to_case_data(case))
        # The answer shows the whole case, more than what was sent: a read, audited as one.
        return Response(self._detail(case, audit=True))

    # --- Transitions ----------------------------------------------------------------------

    def apply_transition(self, request: Request, name: str) -> Response:
        case = self.get_object()
        transition = protocol.TRANSITIONS[name]
        data: dict[str, Any] = {}
        input_class = TRANSITION_INPUT.get(name)
        if input_class is not None:
            serializer = input_class(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        user = _user(request)
        try:
            if name == "accept":
                case = services.case_accept(
                    actor=user, case=case, contact=data.get("contact"), alternate=data.get("alternate")
                )
            else:
                case = services.case_transition(actor=user, case=case, name=name, data=data)
        except protocol.TransitionRefused as refused:
            return Response(self._refusal(case, transition, refused), status=status.HTTP_409_CONFLICT)
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)

    @staticmethod
    def _refusal(case: Case, transition: protocol.Transition, refused: protocol.TransitionRefused) -> dict:
        # The reasons are the guards' messages in the active language, in the guards' order;
        # the only other reason ``protocol.check`` gives is the wrong stage.
        codes = {str(guard.message): guard.code for guard in transition.guards}
        return {
            "detail": gettext("This step of the protocol cannot be taken now."),
            "transition": transition.name,
            "failed_guards": [
                {"code": codes.get(reason, "stage"), "message": reason} for reason in refused.reasons
            ],
        }

    # --- Consents -------------------------------------------------------------------------

    @_sub_list("Consents recorded for the case", ConsentSerializer)
    @action(detail=True, methods=["get"], url_path="consents", url_name="consents",
            pagination_class=None)
    def consents(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        services.case_read(actor=_user(request), case=case, identity=False)
        return Response(ConsentSerializer(case.consents.all(), many=True).data)

    @_sub_create("Record a consent", ConsentInputSerializer, ConsentSerializer)
    @consents.mapping.post
    def consent_create(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        serializer = ConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_record(actor=_user(request), case=case, **serializer.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @_sub_create(
        "Withdraw a consent", None, ConsentSerializer, status_code=200,
        extra=[OpenApiParameter("consent_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True, methods=["post"], url_path=r"consents/(?P<consent_id>[0-9]+)/withdraw",
        url_name="consent-withdraw",
    )
    def consent_withdraw(self, request: Request, code: str | None = None, consent_id: str | None = None) -> Response:
        case = self.get_object()
        consent = get_object_or_404(Consent, case=case, pk=consent_id)
        consent.case = case
        if consent.withdrawn_at is not None:
            raise serializers.ValidationError({"detail": _("This consent has already been withdrawn.")})
        consent = services.consent_withdraw(actor=_user(request), consent=consent)
        return Response(ConsentSerializer(consent).data)

    @_sub_create(
        "Share without the consent (case supervisors of the owning country; a reason is required, "
        "sealed and audited)",
        ConsentOverrideInputSerializer, ConsentOverrideSerializer,
    )
    @action(detail=True, methods=["post"], url_path="consents/override", url_name="consent-override")
    def consent_override(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        serializer = ConsentOverrideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = services.consent_override(actor=_user(request), case=case, **serializer.validated_data)
        return Response(ConsentOverrideSerializer(override).data, status=status.HTTP_201_CREATED)

    # --- Related people -------------------------------------------------------------------

    @_sub_list("Guardian, caregiver and escort (names only if you may see identity; audited)", RelatedPersonSerializer)
    @action(detail=True, methods=["get"], url_path="related-people", url_name="related-people",
            pagination_class=None)
    def related_people(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        user = _user(request)
        identity = policy.can(user, "cases.view_identity", case)
        services.case_read(actor=user, case=case, identity=identity)
        people = case.related_people.order_by("role", "pk")
        return Response(RelatedPersonSerializer(people, many=True, context=self._sub_context(case, identity=identity)).data)

    @_sub_create("Add a guardian, caregiver or escort", RelatedPersonInputSerializer, RelatedPersonSerializer)
    @related_people.mapping.post
    def related_person_create(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        user = _user(request)
        serializer = RelatedPersonInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if v is not None}
        person = services.related_person_add(actor=user, case=case, data=data)
        identity = policy.can(user, "cases.view_identity", case)
        return Response(
            RelatedPersonSerializer(person, context=self._sub_context(case, identity=identity)).data,
            status=status.HTTP_201_CREATED,
        )

    # --- Approvals ------------------------------------------------------------------------

    @_sub_list("Approvals requested for the case", ApprovalSerializer)
    @action(detail=True, methods=["get"], url_path="approvals", url_name="approvals",
            pagination_class=None)
    def approvals(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        services.case_read(actor=_user(request), case=case, identity=False)
        approvals = case.approvals.select_related("requested_by", "decided_by")
        return Response(ApprovalSerializer(approvals, many=True).data)

    @_sub_create("Ask a case supervisor for an approval", ApprovalInputSerializer, ApprovalSerializer)
    @approvals.mapping.post
    def approval_create(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        serializer = ApprovalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = services.approval_request(actor=_user(request), case=case, kind=serializer.validated_data["kind"])
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)

    @_sub_create(
        "Approve or reject (case supervisors of the owning country; never one's own request)",
        ApprovalDecisionSerializer, ApprovalSerializer, status_code=200,
        extra=[OpenApiParameter("approval_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True, methods=["post"], url_path=r"approvals/(?P<approval_id>[0-9]+)/decide",
        url_name="approval-decide",
    )
    def approval_decide(self, request: Request, code: str | None = None, approval_id: str | None = None) -> Response:
        case = self.get_object()
        approval = get_object_or_404(Approval.objects.select_related("requested_by"), case=case, pk=approval_id)
        approval.case = case
        # Who may decide is answered before the input is read (a refusal is a 403, never a 400).
        policy.authorize(_user(request), "cases.approve", approval)
        serializer = ApprovalDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = services.approval_decide(
            actor=_user(request), approval=approval, approve=serializer.validated_data["approve"]
        )
        approval = Approval.objects.select_related("requested_by", "decided_by").get(pk=approval.pk)
        return Response(ApprovalSerializer(approval).data)

    # --- Funding --------------------------------------------------------------------------

    @_sub_list("Funding requests of the case", FundingRequestSerializer)
    @action(detail=True, methods=["get"], url_path="funding-requests", url_name="funding-requests",
            pagination_class=None)
    def funding_requests(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        services.case_read(actor=_user(request), case=case, identity=False)
        requests = case.funding_requests.select_related("partner")
        for funding in requests:
            funding.case = case
        return Response(FundingRequestSerializer(requests, many=True).data)

    @_sub_create("Ask a partner to fund the return", FundingRequestInputSerializer, FundingRequestSerializer)
    @funding_requests.mapping.post
    def funding_request_create(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        serializer = FundingRequestInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        funding = services.funding_request_create(
            actor=_user(request), case=case, partner=serializer.validated_data["partner"],
            data=serializer.to_service_data(),
        )
        return Response(FundingRequestSerializer(funding).data, status=status.HTTP_201_CREATED)

    # --- History, tasks, follow-ups -------------------------------------------------------

    @_sub_list("The case's path through the protocol", StageChangeSerializer)
    @action(detail=True, methods=["get"], url_path="stage-history", url_name="stage-history",
            pagination_class=None)
    def stage_history(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        services.case_read(actor=_user(request), case=case, identity=False)
        return Response(StageChangeSerializer(case.stage_changes.select_related("by"), many=True).data)

    @_sub_list("Tasks of the case, with their due dates", TaskSerializer)
    @action(detail=True, methods=["get"], url_path="tasks", url_name="tasks",
            pagination_class=None)
    def tasks(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        services.case_read(actor=_user(request), case=case, identity=False)
        return Response(TaskSerializer(case.tasks.all(), many=True).data)

    @_sub_list("Follow-ups after return (reports only if you may see identity; audited)", FollowUpSerializer)
    @action(detail=True, methods=["get"], url_path="follow-ups", url_name="follow-ups",
            pagination_class=None)
    def follow_ups(self, request: Request, code: str | None = None) -> Response:
        case = self.get_object()
        user = _user(request)
        identity = policy.can(user, "cases.view_identity", case)
        services.case_read(actor=user, case=case, identity=identity)
        return Response(
            FollowUpSerializer(case.follow_ups.all(), many=True, context=self._sub_context(case, identity=identity)).data
        )

    @_sub_create(
        "Report a follow-up (the country of origin)", FollowUpReportSerializer, FollowUpSerializer, status_code=200,
        extra=[OpenApiParameter("follow_up_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True, methods=["post"], url_path=r"follow-ups/(?P<follow_up_id>[0-9]+)/report",
        url_name="follow-up-report",
    )
    def follow_up_report(self, request: Request, code: str | None = None, follow_up_id: str | None = None) -> Response:
        case = self.get_object()
        follow_up = get_object_or_404(FollowUp, case=case, pk=follow_up_id)
        follow_up.case = case
        serializer = FollowUpReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = services.follow_up_report(actor=_user(request), follow_up=follow_up, **serializer.validated_data)
        identity = policy.can(_user(request), "cases.view_identity", case)
        return Response(FollowUpSerializer(follow_up, context=self._sub_context(case, identity=identity)).data)


for _transition in protocol.TRANSITIONS.values():
    setattr(CaseViewSet, _transition.name, _transition_action(_transition))
del _transition


@extend_schema_view(
    list=extend_schema(summary="Your organisation's funding requests (partners' inbox)"),
    retrieve=extend_schema(summary="One funding request", responses={200: FundingRequestSerializer, 404: NOT_FOUND}),
)
class FundingRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Funding requests as their partner sees them: case code, dates, route and costs, never
    who the person is. Case workers see their cases' requests under each case."""

    permission_classes = [ObjectPolicyPermission]
    serializer_class = FundingRequestSerializer
    policy_actions = {
        "list": "cases.view_funding",
        "retrieve": "cases.view_funding",
        # Who may take which step (the partner commits, declines, disburses; the owners
        # reconcile) is decided by the service, per requested state.
        "advance": "cases.view_funding",
    }

    def get_queryset(self) -> QuerySet[FundingRequest]:
        return (
            policy.scope(_user(self.request), "cases.view_funding", FundingRequest.objects.all())
            .select_related("partner", "case", "case__destination_country", "case__origin_country")
            # The case row comes along for its code and countries; its sealed columns stay behind.
            .defer(*(f"case__{name}" for name in IDENTITY_FIELDS))
            .order_by("-requested_at", "-pk")
        )

    @extend_schema(
        summary="Move a funding request on (its partner: commit, decline, disburse; the case's owners: reconcile)",
        request=FundingAdvanceSerializer,
        responses={200: FundingRequestSerializer, 400: OpenApiResponse(description="Not a possible step."),
                   403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="advance", url_name="advance")
    def advance(self, request: Request, pk: str | None = None) -> Response:
        funding = self.get_object()
        serializer = FundingAdvanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.funding_request_advance(actor=_user(request), funding=funding, state=serializer.validated_data["state"])
        return Response(FundingRequestSerializer(self.get_queryset().get(pk=funding.pk)).data)
