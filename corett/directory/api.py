"""The directory over the REST API (/api/v1/): countries, organisations, people, Presidency terms.

Reads are scoped with ``visible_to`` (an invisible record is a 404, not a 403); writes go through
``corett.directory.services`` like the web forms do, so they are validated, authorised and
audited in one place. Serializers check shapes and types; the model's rules (``full_clean``)
and the policy are the services' job, and their errors come back as 400 and 403
(``corett.api.exceptions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from corett.directory import services
from corett.directory.models import (
    LANGUAGE_CHOICES,
    Country,
    Organisation,
    OrganisationKind,
    Person,
    PresidencyTerm,
)

if TYPE_CHECKING:
    from corett.accounts.models import User

# --- Serializers ------------------------------------------------------------------------------


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["iso2", "iso3", "name_es", "name_en", "official_language", "membership", "member_since"]
        read_only_fields = fields


class VisibleOrganisationField(serializers.PrimaryKeyRelatedField):
    """An organisation id the requesting user may see; any other id "does not exist" (400)."""

    def get_queryset(self):
        request = self.context.get("request")
        return Organisation.objects.visible_to(getattr(request, "user", None))  # type: ignore[arg-type]


def _languages_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), required=False, allow_empty=True
    )


class OrganisationSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(
        slug_field="iso2", queryset=Country.objects.all(), allow_null=True, required=False,
        help_text="ISO alpha-2 code; null for regional and international bodies.",
    )
    # "parent" shadows DRF's Field.parent only for the type checker: the serializer metaclass
    # moves declared fields into _declared_fields.
    parent = VisibleOrganisationField(allow_null=True, required=False)  # type: ignore[assignment]
    languages = _languages_field()

    class Meta:
        model = Organisation
        fields = [
            "id", "name", "acronym", "kind", "country", "parent", "website", "email", "phone",
            "address", "languages", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class PersonSerializer(serializers.ModelSerializer):
    organisation = VisibleOrganisationField()
    country = serializers.CharField(
        source="organisation.country.iso2", read_only=True, allow_null=True,
        help_text="ISO alpha-2 code of the person's organisation; null for regional bodies.",
    )
    languages = _languages_field()

    class Meta:
        model = Person
        fields = [
            "id", "full_name", "position", "organisation", "country", "email", "phone", "languages",
            "is_focal_point", "is_alternate_focal_point", "visibility", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class PresidencyTermSerializer(serializers.ModelSerializer):
    country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="iso2", read_only=True
    )

    class Meta:
        model = PresidencyTerm
        fields = ["id", "country", "started_on", "ended_on"]
        read_only_fields = fields


# --- Query parameters (explicit, validated: a bad filter is a 400, never a silent no-op) --------


class CountryFilterSerializer(serializers.Serializer):
    membership = serializers.ChoiceField(
        choices=["member", "observer"], required=False, help_text="Member or observer states."
    )


class OrganisationFilterSerializer(serializers.Serializer):
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, help_text="ISO alpha-2 code of the country."
    )
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False)
    q = serializers.CharField(required=False, max_length=100, help_text="Name or acronym contains.")


class PersonFilterSerializer(serializers.Serializer):
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, help_text="ISO alpha-2 code of the person's organisation."
    )
    organisation = serializers.IntegerField(required=False, min_value=1)
    q = serializers.CharField(
        required=False, max_length=100, help_text="Name, position or e-mail contains."
    )
    focal_point = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="true: focal points and alternates only; false: everyone else.",
    )


class PresidencyTermFilterSerializer(serializers.Serializer):
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)


def _user(request) -> User:
    """The requesting user. PolicyPermission has refused anonymous requests before any
    queryset is built, and ``policy.scope`` would give an anonymous user nothing anyway."""
    return cast("User", request.user)


def _filters(serializer_class: type[serializers.Serializer], request) -> dict[str, Any]:
    filters = serializer_class(data=request.query_params.dict())
    filters.is_valid(raise_exception=True)
    return {k: v for k, v in filters.validated_data.items() if v not in (None, "")}


# --- Viewsets ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List countries", parameters=[CountryFilterSerializer]),
    retrieve=extend_schema(
        summary="One country",
        parameters=[OpenApiParameter("iso2", str, OpenApiParameter.PATH, description="ISO alpha-2 code.")],
    ),
)
class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CountrySerializer
    lookup_field = "iso2"
    lookup_value_regex = "[A-Za-z]{2}"
    policy_actions = {"list": "directory.view", "retrieve": "directory.view_country"}

    def get_queryset(self):
        queryset = Country.objects.visible_to(_user(self.request)).order_by("iso2")
        if self.action == "list":
            queryset = queryset.filter(**_filters(CountryFilterSerializer, self.request))
        return queryset

    def get_object(self):
        self.kwargs["iso2"] = self.kwargs["iso2"].upper()
        return super().get_object()


@extend_schema_view(
    list=extend_schema(summary="List organisations", parameters=[OrganisationFilterSerializer]),
    retrieve=extend_schema(summary="One organisation"),
    create=extend_schema(summary="Add an organisation"),
    update=extend_schema(summary="Change an organisation"),
    partial_update=extend_schema(summary="Change some fields of an organisation"),
)
class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrganisationSerializer
    policy_actions = {
        "list": "directory.view",
        "retrieve": "directory.view_organisation",
        "create": "directory.add_organisation",
        "update": "directory.change_organisation",
        "partial_update": "directory.change_organisation",
    }

    @staticmethod
    def policy_create_target(request) -> Country | None:
        """The country the new organisation would belong to (None: regional or unknown)."""
        iso2 = request.data.get("country") if hasattr(request.data, "get") else None
        if not isinstance(iso2, str) or not iso2:
            return None
        return Country.objects.filter(iso2=iso2.upper()).first()

    def get_queryset(self):
        queryset = Organisation.objects.visible_to(_user(self.request)).select_related("country")
        if self.action != "list":
            return queryset
        filters = _filters(OrganisationFilterSerializer, self.request)
        if "country" in filters:
            queryset = queryset.filter(country__iso2=filters["country"].upper())
        if "kind" in filters:
            queryset = queryset.filter(kind=filters["kind"])
        return queryset.search(filters.get("q", ""))

    def perform_create(self, serializer) -> None:
        serializer.instance = services.organisation_create(
            actor=self.request.user, data=serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.organisation_update(
            actor=self.request.user, organisation=serializer.instance, data=serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(summary="List people", parameters=[PersonFilterSerializer]),
    retrieve=extend_schema(summary="One person"),
    create=extend_schema(summary="Add a person"),
    update=extend_schema(summary="Change a person"),
    partial_update=extend_schema(summary="Change some fields of a person"),
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PersonSerializer
    policy_actions = {
        "list": "directory.view",
        "retrieve": "directory.view_person",
        "create": "directory.add_person",
        "update": "directory.change_person",
        "partial_update": "directory.change_person",
    }

    @staticmethod
    def policy_create_target(request) -> Organisation | None:
        """The organisation the new person would belong to (None: not given or not visible)."""
        raw = request.data.get("organisation") if hasattr(request.data, "get") else None
        if not isinstance(raw, int | str) or not str(raw).isdigit():
            return None
        pk = int(raw)
        return Organisation.objects.visible_to(_user(request)).filter(pk=pk).first()

    def get_queryset(self):
        queryset = Person.objects.visible_to(_user(self.request)).select_related(
            "organisation", "organisation__country"
        )
        if self.action != "list":
            return queryset
        filters = _filters(PersonFilterSerializer, self.request)
        if "country" in filters:
            queryset = queryset.filter(organisation__country__iso2=filters["country"].upper())
        if "organisation" in filters:
            queryset = queryset.filter(organisation_id=filters["organisation"])
        if filters.get("focal_point") is True:
            queryset = queryset.focal_points()
        elif filters.get("focal_point") is False:
            queryset = queryset.filter(is_focal_point=False, is_alternate_focal_point=False)
        return queryset.search(filters.get("q", ""))

    def perform_create(self, serializer) -> None:
        serializer.instance = services.person_create(
            actor=self.request.user, data=serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.person_update(
            actor=self.request.user, person=serializer.instance, data=serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(summary="List Presidency pro tempore terms", parameters=[PresidencyTermFilterSerializer]),
    retrieve=extend_schema(summary="One Presidency pro tempore term"),
)
class PresidencyTermViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PresidencyTermSerializer
    # Who holds the Presidency is public within the coalition: every role may read the terms.
    policy_actions = {"list": "directory.view", "retrieve": "directory.view"}

    def get_queryset(self):
        queryset = PresidencyTerm.objects.select_related("country")
        if self.action == "list":
            filters = _filters(PresidencyTermFilterSerializer, self.request)
            if "country" in filters:
                queryset = queryset.filter(country__iso2=filters["country"].upper())
        return queryset
