"""Meetings over the REST API (/api/v1/meetings/, /api/v1/agreements/, /api/v1/mous/).

Same policy as the pages: reads go through the scoped querysets (an invisible record is a 404),
and the one write here, a follow-up update on an agreement, goes through the same service as the
form, which refuses an actor the user does not speak for (400, at the ``actor`` field).
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from corett import policy
from corett.api.permissions import PolicyPermission
from corett.meetings import services
from corett.meetings.models import (
    AgendaItem,
    Agreement,
    FollowUpUpdate,
    ImplementationState,
    Meeting,
    MeetingState,
    Mou,
    MouCommitment,
    MouParty,
    ResponsibleActor,
)


class ActorSerializer(serializers.ModelSerializer):
    country: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="iso2", read_only=True)
    organisation = serializers.StringRelatedField()  # type: ignore[var-annotated]

    class Meta:
        model = ResponsibleActor
        fields = ["id", "kind", "country", "organisation", "role", "due_on", "reporting"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    meeting: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    actors = ActorSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = ["id", "code", "meeting", "letter", "title_es", "title_en", "text_es", "text_en",
                  "adoption_method", "votes_for", "votes_against", "abstentions", "adoption_state",
                  "implementation_state", "project", "actors"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["number", "kind", "title_es", "title_en", "is_public", "presenter", "duration_minutes", "outcome"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    host_country: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="iso2", read_only=True)
    agenda = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "code", "kind", "title_es", "title_en", "modality", "host_country", "city", "venue",
                  "starts_on", "ends_on", "state", "is_public", "agenda"]
        read_only_fields = fields

    def get_agenda(self, meeting: Meeting) -> list[dict[str, Any]]:
        request = self.context.get("request")
        internal = request is not None and policy.can(request.user, "meetings.view_internal", meeting)
        items = [i for i in meeting.agenda_items.all() if i.is_public or internal]
        return cast(list[dict[str, Any]], AgendaItemSerializer(items, many=True).data)


class PartySerializer(serializers.ModelSerializer):
    organisation = serializers.StringRelatedField()  # type: ignore[var-annotated]

    class Meta:
        model = MouParty
        fields = ["organisation", "signatory", "signatory_position"]
        read_only_fields = fields


class CommitmentSerializer(serializers.ModelSerializer):
    party = serializers.StringRelatedField()  # type: ignore[var-annotated]

    class Meta:
        model = MouCommitment
        fields = ["id", "party", "kind", "description", "due_on", "status", "amount", "currency"]
        read_only_fields = fields


class MouSerializer(serializers.ModelSerializer):
    authorised_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)
    version = serializers.SerializerMethodField()

    class Meta:
        model = Mou
        fields = ["id", "code", "title_es", "title_en", "purpose", "themes", "authorised_by", "state", "signed_on",
                  "valid_from", "valid_until", "renewal_terms", "notice_days", "parties", "commitments", "version"]
        read_only_fields = fields

    def get_version(self, mou: Mou) -> int | None:
        versions = sorted((v.number for v in mou.versions.all()), reverse=True)
        return versions[0] if versions else None


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpUpdate
        fields = ["id", "actor", "narrative", "percent_done", "state", "submitted_at"]
        read_only_fields = ["id", "state", "submitted_at"]

    def __init__(self, *args: Any, agreement: Agreement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agreement is not None:
            self.fields["actor"].queryset = agreement.actors.all()  # type: ignore[attr-defined]

    def validate_percent_done(self, value: int) -> int:
        if not 0 <= value <= 100:
            raise serializers.ValidationError("The percentage is between 0 and 100.")
        return value


class MeetingFilters(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    state = serializers.ChoiceField(choices=MeetingState.choices, required=False)


class AgreementFilters(serializers.Serializer):
    meeting = serializers.CharField(required=False, max_length=20, help_text="Meeting code, e.g. III-2022.")
    state = serializers.ChoiceField(choices=ImplementationState.choices, required=False)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, help_text="A responsible country (ISO alpha-2).")


def _filters(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    filters = serializer_class(data=request.query_params.dict())
    filters.is_valid(raise_exception=True)
    return {k: v for k, v in filters.validated_data.items() if v not in (None, "")}


@extend_schema_view(list=extend_schema(summary="List meetings", parameters=[MeetingFilters]),
                    retrieve=extend_schema(summary="One meeting, with its agenda"))
class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "meetings.view", "retrieve": "meetings.view"}

    def get_queryset(self):
        qs = Meeting.objects.visible_to(self.request.user).select_related("host_country").prefetch_related(  # type: ignore[arg-type]
            "agenda_items")
        if self.action == "list":
            filters = _filters(MeetingFilters, self.request)
            qs = qs.filter(**filters)
        return qs


@extend_schema_view(list=extend_schema(summary="List agreements", parameters=[AgreementFilters]),
                    retrieve=extend_schema(summary="One agreement, with its responsible actors"))
class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgreementSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "meetings.view_agreement", "retrieve": "meetings.view_agreement",
                      "updates": "meetings.report"}

    def get_queryset(self):
        qs = Agreement.objects.visible_to(self.request.user).select_related("meeting").prefetch_related(  # type: ignore[arg-type]
            Prefetch("actors", queryset=ResponsibleActor.objects.select_related("country", "organisation")))
        if self.action == "list":
            filters = _filters(AgreementFilters, self.request)
            if "meeting" in filters:
                qs = qs.filter(meeting__code=filters["meeting"].upper())
            if "state" in filters:
                qs = qs.filter(implementation_state=filters["state"])
            if "country" in filters:
                qs = qs.filter(actors__country__iso2=filters["country"].upper()).distinct()
        return qs

    @extend_schema(summary="Report on an agreement (a draft follow-up update)", request=UpdateSerializer,
                   responses={201: UpdateSerializer})
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, pk: str | None = None) -> Response:
        agreement = self.get_object()
        serializer = UpdateSerializer(data=request.data, agreement=agreement)
        serializer.is_valid(raise_exception=True)
        update = services.update_create(actor=request.user, agreement=agreement, data=serializer.validated_data)
        return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="List memoranda of understanding"),
                    retrieve=extend_schema(summary="One memorandum, with parties and commitments"))
class MouViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MouSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "meetings.view_mou", "retrieve": "meetings.view_mou"}

    def get_queryset(self):
        return Mou.objects.visible_to(self.request.user).select_related("authorised_by").prefetch_related(  # type: ignore[arg-type]
            "parties__organisation", "commitments__party__organisation", "versions")


def register(router: Any) -> None:
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("mous", MouViewSet, basename="mou")
