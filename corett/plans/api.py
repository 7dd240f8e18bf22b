"""The action plan over the REST API, under /api/v1/plans/: plans (with their dashboard), actions,
indicators (with target against actual), and progress reports with their workflow (start, save,
submit, return, approve). Same policy and same services as the pages."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from corett.api.permissions import PolicyPermission
from corett.plans import dashboards, services
from corett.plans.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Indicator,
    IndicatorValue,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Responsibility,
    Target,
)

# --- Serializers ---------------------------------------------------------------------------------


class ResponsibilitySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)
    country = serializers.CharField(source="country.iso2", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Responsibility
        fields = ["actor_kind", "actor", "country", "organisation", "involvement"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    responsible = ResponsibilitySerializer(source="responsibilities", many=True, read_only=True)
    result = serializers.CharField(source="result.code", read_only=True)
    traffic_light = serializers.CharField(read_only=True)

    class Meta:
        model = Action
        fields = ["id", "plan", "code", "result", "description", "planned_start", "planned_end", "actual_start",
                  "actual_end", "budget", "currency", "funding_source", "status", "percent_complete",
                  "traffic_light", "responsible"]
        read_only_fields = fields

    def to_representation(self, instance: Action) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["traffic_light"] = instance.traffic_light()
        return data


class PeriodSerializer(serializers.ModelSerializer):
    locked = serializers.BooleanField(source="is_locked", read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = ["id", "label", "starts_on", "ends_on", "due_on", "locked"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    periods = PeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "code", "version", "title", "start_year", "end_year", "state", "reporting_frequency",
                  "agreement_reference", "approved_on", "previous", "change_reason", "periods"]
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso2", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Target
        fields = ["year", "country", "value", "comment"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    targets = TargetSerializer(many=True, read_only=True)
    result = serializers.CharField(source="result.code", read_only=True)
    responsible = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "plan", "code", "result", "title", "definition", "measure", "ascending", "cumulative",
                  "baseline_value", "baseline_year", "baseline_comment", "means_of_verification", "responsible",
                  "is_key", "by_country", "source", "targets"]
        read_only_fields = fields


class ActionUpdateSerializer(serializers.ModelSerializer):
    action = serializers.CharField(source="action.code", read_only=True)

    class Meta:
        model = ActionUpdate
        fields = ["id", "action", "status", "percent_complete", "achievements", "obstacles"]
        read_only_fields = ["id", "action"]


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "value", "narrative", "has_evidence"]
        read_only_fields = ["id", "indicator", "has_evidence"]

    def get_has_evidence(self, obj: IndicatorValue) -> bool:
        return bool(obj.evidence)


class ReportSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.label", read_only=True)
    plan = serializers.IntegerField(source="period.plan_id", read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)
    actions = ActionUpdateSerializer(source="action_updates", many=True, read_only=True)
    indicators = IndicatorValueSerializer(source="indicator_values", many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "plan", "period", "actor_kind", "actor", "state", "summary", "reviewer_notes",
                  "submitted_at", "decided_at", "actions", "indicators"]
        read_only_fields = fields


class ReportStartSerializer(serializers.Serializer):
    period = serializers.IntegerField(help_text="Id of the reporting period.")


class ActionProgressInput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    percent_complete = serializers.IntegerField(min_value=0)
    achievements = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    obstacles = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)


class IndicatorProgressInput(serializers.Serializer):
    id = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    narrative = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)


class ReportSaveSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    actions = ActionProgressInput(many=True, required=False, default=list)
    indicators = IndicatorProgressInput(many=True, required=False, default=list)


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


# --- Views ---------------------------------------------------------------------------------------


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [PolicyPermission]
    serializer_class = PlanSerializer
    lookup_value_regex = r"\d+"
    policy_actions = {"list": "plans.view", "retrieve": "plans.view", "dashboard": "plans.view"}

    def get_queryset(self) -> Any:
        return Plan.objects.visible_to(self.request.user).prefetch_related("periods").order_by("code", "version")

    @extend_schema(summary="Execution of the plan: by objective, actor and country; overdue actions; key indicators")
    @action(detail=True, methods=["get"], url_path="dashboard", url_name="dashboard")
    def dashboard(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = dashboards.plan_dashboard(plan)

        def rows(items: list[dashboards.Execution]) -> list[dict[str, Any]]:
            return [{"label": e.label, "actions": e.actions, "percent": e.percent, "lights": e.lights,
                     "overdue": e.overdue} for e in items]

        return Response({
            "overall": rows([data["overall"]])[0],
            "by_objective": rows(data["by_objective"]), "by_actor": rows(data["by_actor"]),
            "by_country": rows(data["by_country"]),
            "overdue": [a.code for a in data["overdue"]],
            "indicators": [_progress(p) for p in data["indicators"]],
        })


def _progress(progress: dashboards.IndicatorProgress) -> dict[str, Any]:
    return {
        "indicator": progress.indicator.code, "source": progress.source_label,
        "rows": [{"where": row.label, "years": {
            str(year): {"target": cell.target, "actual": cell.actual, "note": cell.note}
            for year, cell in row.cells.items()}} for row in progress.rows],
    }


class ActionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [PolicyPermission]
    serializer_class = ActionSerializer
    policy_actions = {"list": "plans.view", "retrieve": "plans.view"}

    def get_queryset(self) -> Any:
        qs = Action.objects.filter(plan__in=Plan.objects.visible_to(self.request.user)).select_related(
            "result").prefetch_related("responsibilities__country", "responsibilities__organisation").order_by(
            "plan_id", "code")
        plan = self.request.query_params.get("plan", "")
        return qs.filter(plan_id=int(plan)) if plan.isdigit() else qs

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj.plan)


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [PolicyPermission]
    serializer_class = IndicatorSerializer
    policy_actions = {"list": "plans.view", "retrieve": "plans.view", "progress": "plans.view"}

    def get_queryset(self) -> Any:
        qs = Indicator.objects.filter(plan__in=Plan.objects.visible_to(self.request.user)).select_related(
            "result", "country", "organisation", "plan").prefetch_related("targets__country").order_by(
            "plan_id", "code")
        plan = self.request.query_params.get("plan", "")
        return qs.filter(plan_id=int(plan)) if plan.isdigit() else qs

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj.plan)

    @extend_schema(summary="Target against actual per year (and per country where disaggregated)")
    @action(detail=True, methods=["get"], url_path="progress", url_name="progress")
    def progress(self, request: Request, pk: str | None = None) -> Response:
        return Response(_progress(dashboards.indicator_progress(self.get_object())))


class ReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Progress reports: a reporter sees and writes their own; the Secretariat and Presidency see
    all; the Secretariat returns or approves."""

    permission_classes = [PolicyPermission]
    serializer_class = ReportSerializer
    policy_actions = {
        "list": "plans.view_report", "retrieve": "plans.view_report", "create": "plans.report",
        "partial_update": "plans.report", "submit": "plans.report",
        "approve": "plans.review", "return_report": "plans.review",
    }

    def get_queryset(self) -> Any:
        return ProgressReport.objects.visible_to(self.request.user).select_related(
            "period", "country", "organisation").prefetch_related(
            "action_updates__action", "indicator_values__indicator").order_by("-period__starts_on", "pk")

    @extend_schema(summary="Start (or fetch) your report for a period", request=ReportStartSerializer,
                   responses={201: ReportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = ReportStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        period = get_object_or_404(
            ReportingPeriod.objects.filter(plan__in=Plan.objects.visible_to(request.user)),
            pk=given.validated_data["period"])
        report = services.report_start(actor=request.user, period=period)
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data, status=201)

    @extend_schema(summary="Save progress (all of it or nothing)", request=ReportSaveSerializer,
                   responses={200: ReportSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        given = ReportSaveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        services.report_save(
            actor=request.user, report=report, summary=data["summary"],
            actions={row["id"]: services.ActionProgress(row["status"], row["percent_complete"], row["achievements"],
                                                        row["obstacles"]) for row in data["actions"]},
            indicators={row["id"]: services.IndicatorProgress(row["value"], row["narrative"])
                        for row in data["indicators"]},
        )
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(summary="Submit the report for review", request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], url_path="submit", url_name="submit")
    def submit(self, request: Request, pk: str | None = None) -> Response:
        report = services.report_submit(actor=request.user, report=self.get_object())
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(summary="Approve a submitted report", request=NotesSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], url_path="approve", url_name="approve")
    def approve(self, request: Request, pk: str | None = None) -> Response:
        given = NotesSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        report = services.report_approve(actor=request.user, report=self.get_object(),
                                         notes=given.validated_data["notes"])
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(summary="Return a submitted report for revision, with notes", request=NotesSerializer,
                   responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request: Request, pk: str | None = None) -> Response:
        given = NotesSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        report = services.report_return(actor=request.user, report=self.get_object(),
                                        notes=given.validated_data["notes"])
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data)


def register(router: Any) -> None:
    # The longer prefixes first: "plans/<pk>/" would otherwise also match "plans/actions/".
    router.register("plans/actions", ActionViewSet, basename="plan-action")
    router.register("plans/indicators", IndicatorViewSet, basename="plan-indicator")
    router.register("plans/reports", ReportViewSet, basename="plan-report")
    router.register("plans", PlanViewSet, basename="plan")

