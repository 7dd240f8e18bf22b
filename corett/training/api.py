"""Training over the REST API, under /api/v1/training/: the same policy and services as the pages.

Reads are scoped (a session the user does not run, a participant they may not see: 404);
writes go through ``corett.training.services`` and ``corett.training.certificates``, whose
ValidationErrors come back as 400 with the field's message and refusals as 403.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from corett.accounts.models import User
from corett.directory.models import Country, Organisation
from corett.training import certificates, figures, services
from corett.training.models import (
    Certificate,
    InstitutionType,
    Language,
    Participant,
    Programme,
    Registration,
    Session,
    SessionState,
    Sex,
    Topic,
)

# --- Serializers ------------------------------------------------------------------------------


class ProgrammeSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", queryset=Topic.objects.all())
    partners = serializers.PrimaryKeyRelatedField(many=True, queryset=Organisation.objects.all(), required=False)

    class Meta:
        model = Programme
        fields = ["id", "title_es", "title_en", "topic", "audiences", "objectives", "partners",
                  "min_attendance_percent", "requires_post_test", "pass_mark_percent"]
        read_only_fields = ["id"]


class SessionSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="iso2", queryset=Country.objects.all())
    trainers = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.filter(is_active=True), required=False)
    target_committees = serializers.PrimaryKeyRelatedField(many=True, queryset=Organisation.objects.all(), required=False)

    class Meta:
        model = Session
        fields = ["id", "programme", "country", "venue", "modality", "starts_on", "ends_on", "language", "capacity",
                  "waiting_list", "state", "trainers", "target_committees"]
        read_only_fields = ["id", "state"]


class TransitionSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=SessionState.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ParticipantInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    institution = serializers.CharField(max_length=200)
    institution_type = serializers.ChoiceField(choices=InstitutionType.choices)
    country = serializers.SlugRelatedField(slug_field="iso2", queryset=Country.objects.all())
    position = serializers.CharField(max_length=150, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices)
    consent_to_contact = serializers.BooleanField(required=False, default=False)


class ParticipantSerializer(serializers.ModelSerializer):
    country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(slug_field="iso2", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "full_name", "email", "institution", "institution_type", "country", "position", "sex",
                  "consent_to_contact"]
        read_only_fields = fields


class RegistrationSerializer(serializers.ModelSerializer):
    participant = ParticipantSerializer(read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "session", "participant", "status", "source", "completed", "created_at"]
        read_only_fields = fields


class AttendanceSerializer(serializers.Serializer):
    day = serializers.DateField()
    present = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True,
                                    help_text="Ids of the registrations present that day (the whole list).")


class LanguageSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices)


class CertificateSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="display_code", read_only=True)
    session = serializers.IntegerField(source="registration.session_id", read_only=True)
    verification_url = serializers.CharField(read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "code", "session", "language", "holder_name", "programme_title", "completed_on", "issuer",
                  "partners", "issued_at", "revoked_at", "revocation_reason", "verification_url"]
        read_only_fields = fields


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


def _user(request: Request) -> User:
    return cast("User", request.user)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- Viewsets ---------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="List training programmes"), retrieve=extend_schema(summary="One programme"),
                    create=extend_schema(summary="Add a programme"))
class ProgrammeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ProgrammeSerializer
    policy_actions = {"list": "training.view", "retrieve": "training.view", "create": "training.manage_programmes"}

    def get_queryset(self):
        return Programme.objects.visible_to(_user(self.request)).select_related("topic").prefetch_related("partners").order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = services.programme_create(actor=self.request.user, data=serializer.validated_data)


@extend_schema_view(list=extend_schema(summary="List training sessions"), retrieve=extend_schema(summary="One session"),
                    create=extend_schema(summary="Add a session"))
class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionSerializer
    policy_actions = {
        "list": "training.view", "retrieve": "training.view", "create": "training.add_session",
        "transition": "training.manage_session", "registrations": "training.manage_session",
        "register": "training.manage_session", "attendance": "training.manage_session",
        "issue_certificates": "training.manage_session",
    }

    @staticmethod
    def policy_create_target(request) -> Country | None:
        return Country.objects.filter(iso2=str(request.data.get("country", "")).upper()).first()

    def get_queryset(self):
        qs = Session.objects.visible_to(_user(self.request)).select_related("programme", "country")
        return qs.prefetch_related("trainers", "target_committees").order_by("-starts_on", "-pk")

    def perform_create(self, serializer):
        serializer.instance = services.session_create(actor=self.request.user, data=serializer.validated_data)

    @extend_schema(summary="Move a session to another state", request=TransitionSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        data = _valid(TransitionSerializer, request)
        services.session_transition(actor=request.user, session=session, state=data["state"], note=data.get("note", ""))
        return Response(SessionSerializer(session).data)

    @extend_schema(summary="The session's registrations", responses=RegistrationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def registrations(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        rows = session.registrations.select_related("participant", "participant__country").order_by("pk")
        return Response(RegistrationSerializer(rows, many=True).data)

    @extend_schema(summary="Register someone (the organiser)", request=ParticipantInputSerializer,
                   responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        registration = services.register_by_organiser(actor=request.user, session=session,
                                                      data=_valid(ParticipantInputSerializer, request))
        return Response(RegistrationSerializer(registration).data, status=201)

    @extend_schema(summary="Record one day's attendance (the whole list)", request=AttendanceSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        data = _valid(AttendanceSerializer, request)
        count = services.attendance_record(actor=request.user, session=session, day=data["day"], present=data["present"])
        return Response({"day": data["day"].isoformat(), "present": count})

    @extend_schema(summary="Issue the certificates of everyone who completed the session", request=LanguageSerializer,
                   responses={201: CertificateSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="issue-certificates")
    def issue_certificates(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        issued = certificates.certificates_issue_batch(actor=request.user, session=session,
                                                        language=_valid(LanguageSerializer, request)["language"])
        return Response(CertificateSerializer(issued, many=True).data, status=201)


@extend_schema_view(list=extend_schema(summary="List participants (those the user may see)"),
                    retrieve=extend_schema(summary="One participant"))
class ParticipantViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ParticipantSerializer
    policy_actions = {"list": "training.view_participant", "retrieve": "training.view_participant"}

    def get_queryset(self):
        return Participant.objects.visible_to(_user(self.request)).select_related("country").order_by("pk")


@extend_schema_view(list=extend_schema(summary="List certificates of the sessions the user runs"),
                    retrieve=extend_schema(summary="One certificate"))
class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CertificateSerializer
    policy_actions = {
        "list": "training.manage_certificate", "retrieve": "training.manage_certificate", "revoke": "training.manage_certificate",
    }

    def get_queryset(self):
        managed = Session.objects.managed_by(_user(self.request))
        return Certificate.objects.filter(registration__session__in=managed).select_related("registration__session").prefetch_related("registration__session__trainers").order_by("pk")

    @extend_schema(summary="Revoke a certificate, with the reason", request=RevokeSerializer, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        certificate = self.get_object()
        certificates.certificate_revoke(actor=request.user, certificate=certificate,
                                        reason=_valid(RevokeSerializer, request)["reason"])
        return Response(CertificateSerializer(certificate).data)


class FigureFilterSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    country = serializers.SlugRelatedField(slug_field="iso2", queryset=Country.objects.all(), required=False)
    topic = serializers.SlugRelatedField(slug_field="code", queryset=Topic.objects.all(), required=False)
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.all(), required=False)


class FiguresViewSet(viewsets.ViewSet):
    """The dashboard's figures (small counts of people suppressed as "<5")."""

    policy_actions = {"list": "training.view_dashboard"}

    @extend_schema(summary="Training figures", parameters=[FigureFilterSerializer], responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        filters = FigureFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        data = figures.dashboard(figures.Filters(**filters.validated_data))
        return Response({
            "people_trained": data["people"],
            "tables": {t.key: [{"group": label, "people": n} for label, n in t.shown()] for t in data["tables"]},
            "sessions_per_partner": [{"partner": name, "sessions": n} for name, n in data["sessions_per_partner"]],
            "committees_reached": data["committees_reached"],
            "knowledge_gain": [{"programme": title, **gain} for title, gain in data["knowledge_gain"]],
        })


def register(router) -> None:
    router.register("training/programmes", ProgrammeViewSet, basename="training-programme")
    router.register("training/sessions", SessionViewSet, basename="training-session")
    router.register("training/participants", ParticipantViewSet, basename="training-participant")
    router.register("training/certificates", CertificateViewSet, basename="training-certificate")
    router.register("training/figures", FiguresViewSet, basename="training-figures")
