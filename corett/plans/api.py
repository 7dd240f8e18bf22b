"""The action plan over the REST API, under /api/v1/plans/: plans (with their dashboard), their
results tree (strategic axes, objectives, expected results: read, and written on a plan still being
written), actions, indicators (with target against actual; created, changed and given targets on
such a plan), and progress reports with their workflow (start, save, submit, return, approve).
Same policy and same services as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from corett.api.permissions import PolicyPermission
from corett.plans import dashboards, services
from corett.plans.actors import ActorCodes
from corett.plans.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ActorKind,
    Axis,
    ExpectedResult,
    Indicator,
    IndicatorValue,
    Objective,
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
    result_id = serializers.IntegerField(read_only=True)
    responsible = serializers.CharField(source="actor_label", read_only=True)
    responsible_code = serializers.SerializerMethodField(
        help_text="The responsible actor as the input takes it: PRESIDENCY, SECRETARIAT, ALL, a country's "
                  "ISO code or an organisation's acronym.")

    class Meta:
        model = Indicator
        fields = ["id", "plan", "code", "result", "result_id", "title", "definition", "measure", "ascending",
                  "cumulative", "baseline_value", "baseline_year", "baseline_comment", "means_of_verification",
                  "responsible", "responsible_code", "is_key", "by_country", "source", "targets"]
        read_only_fields = fields

    def get_responsible_code(self, obj: Indicator) -> str:
        return _actor_code(obj)


def _actor_code(row: Any) -> str:
    """The actor code (``ActorCodes``) of a row naming an actor, from its preloaded country or
    organisation."""
    if row.actor_kind == ActorKind.COUNTRY:
        return row.country.iso2 if row.country else ""
    if row.actor_kind in (ActorKind.OBSERVER, ActorKind.PARTNER):
        return (row.organisation.acronym or row.organisation.name).upper() if row.organisation else ""
    return {ActorKind.PRESIDENCY: "PRESIDENCY", ActorKind.SECRETARIAT: "SECRETARIAT",
            ActorKind.ALL_COUNTRIES: "ALL"}.get(row.actor_kind, "")


class _PlanScoped:
    """Related records a payload may name are those of the plans the user may read."""

    def scoped(self, fields: dict[str, Any]) -> dict[str, Any]:
        plans = Plan.objects.visible_to(self.context["request"].user)  # type: ignore[attr-defined]
        querysets = {"plan": plans, "axis": Axis.objects.filter(plan__in=plans),
                     "objective": Objective.objects.filter(axis__plan__in=plans),
                     "result": ExpectedResult.objects.filter(objective__axis__plan__in=plans)}
        for name, queryset in querysets.items():
            if name in fields and not fields[name].read_only:
                fields[name].queryset = queryset
        return fields


class IndicatorInputSerializer(_PlanScoped, serializers.ModelSerializer):
    """An indicator as written: ``plan`` on creation only; ``responsible`` as an actor code."""

    responsible = serializers.CharField(
        required=False, help_text="PRESIDENCY, SECRETARIAT, ALL, a country's ISO code (GT) or an "
                                  "organisation's acronym (OIM).")

    class Meta:
        model = Indicator
        fields = ["plan", *services.INDICATOR_FIELDS, "responsible"]
        validators: list[Any] = []  # the service checks codes, with a translated message at the field

    def get_fields(self) -> dict[str, Any]:
        return self.scoped(super().get_fields())


class TargetInputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    country = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="A member country's ISO code; blank: the regional target.")
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class AxisSerializer(_PlanScoped, serializers.ModelSerializer):
    class Meta:
        model = Axis
        fields = ["id", "plan", "code", "title"]
        read_only_fields = ["id"]
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        return self.scoped(super().get_fields())


class ObjectiveSerializer(_PlanScoped, serializers.ModelSerializer):
    plan = serializers.IntegerField(source="axis.plan_id", read_only=True)

    class Meta:
        model = Objective
        fields = ["id", "plan", "axis", "code", "title"]
        read_only_fields = ["id"]
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        return self.scoped(super().get_fields())


class ResultSerializer(_PlanScoped, serializers.ModelSerializer):
    plan = serializers.IntegerField(source="objective.axis.plan_id", read_only=True)

    class Meta:
        model = ExpectedResult
        fields = ["id", "plan", "objective", "code", "title", "result_type"]
        read_only_fields = ["id"]
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        return self.scoped(super().get_fields())


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


# Writing the plan's content: the permission layer asks who ("plans.manage"); the service asks
# when (the version must still be a draft or in review) and, if no longer, says so in a 400 that
# names the way (a new version), as the pages do.
CONTENT_WRITES = {"create": "plans.manage", "partial_update": "plans.manage", "destroy": "plans.manage"}


def _plan_filter(request: Request, qs: Any, lookup: str) -> Any:
    plan = request.query_params.get("plan", "")
    return qs.filter(**{lookup: int(plan)}) if plan.isdigit() else qs


class _TreeViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                   viewsets.ReadOnlyModelViewSet):
    """A level of the results tree. Removing a part whose results carry actions or indicators
    needs ``?move_to=<expected result id>``: they move there first (nothing else is removed)."""

    permission_classes = [PolicyPermission]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "plans.view", "retrieve": "plans.view", **CONTENT_WRITES}
    to_plan = ""  # lookup from the model to its plan

    def get_queryset(self) -> Any:
        qs = self.serializer_class.Meta.model.objects.filter(  # type: ignore[union-attr]
            **{f"{self.to_plan}__in": Plan.objects.visible_to(self.request.user)}).order_by("code")
        return _plan_filter(self.request, qs, f"{self.to_plan}_id")

    def plan_of(self, node: Any) -> Plan:
        raise NotImplementedError

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, self.plan_of(obj))

    def save(self, plan: Plan, node: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = self.save(self.new_plan_of(data), None, data)

    def new_plan_of(self, data: dict[str, Any]) -> Plan:
        raise NotImplementedError

    def perform_update(self, serializer: Any) -> None:
        node = serializer.instance
        serializer.instance = self.save(self.plan_of(node), node, dict(serializer.validated_data))

    @extend_schema(parameters=[OpenApiParameter("move_to", int, description="Expected result that receives "
                                                "the actions and indicators under the removed part.")])
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        node = self.get_object()
        move_to = None
        raw = request.query_params.get("move_to", "")
        if raw:
            move_to = ExpectedResult.objects.filter(
                objective__axis__plan=self.plan_of(node), pk=int(raw) if raw.isdigit() else 0).first()
            if move_to is None:
                raise ValidationError({"move_to": _("Choose an expected result of this plan.")})
        services.tree_remove(actor=request.user, node=node, move_to=move_to)
        return Response(status=204)


class AxisViewSet(_TreeViewSet):
    """Strategic axes of the plans (``?plan=<id>``)."""

    serializer_class = AxisSerializer
    to_plan = "plan"

    def plan_of(self, node: Axis) -> Plan:
        return node.plan

    def new_plan_of(self, data: dict[str, Any]) -> Plan:
        return data["plan"]

    def perform_update(self, serializer: Any) -> None:
        if serializer.validated_data.get("plan", serializer.instance.plan) != serializer.instance.plan:
            raise ValidationError({"plan": _("An axis does not move to another plan.")})
        super().perform_update(serializer)

    def save(self, plan: Plan, node: Any, data: dict[str, Any]) -> Any:
        return services.axis_save(actor=self.request.user, plan=plan, axis=node, data=data)


class ObjectiveViewSet(_TreeViewSet):
    """Objectives of the plans (``?plan=<id>``); an objective may move to another axis of its plan."""

    serializer_class = ObjectiveSerializer
    to_plan = "axis__plan"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("axis__plan")

    def plan_of(self, node: Objective) -> Plan:
        return node.axis.plan

    def new_plan_of(self, data: dict[str, Any]) -> Plan:
        return data["axis"].plan

    def save(self, plan: Plan, node: Any, data: dict[str, Any]) -> Any:
        return services.objective_save(actor=self.request.user, plan=plan, objective=node, data=data)


class ResultViewSet(_TreeViewSet):
    """Expected results of the plans, IATI type output or outcome (``?plan=<id>``)."""

    serializer_class = ResultSerializer
    to_plan = "objective__axis__plan"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("objective__axis__plan")

    def plan_of(self, node: ExpectedResult) -> Plan:
        return node.objective.axis.plan

    def new_plan_of(self, data: dict[str, Any]) -> Plan:
        return data["objective"].axis.plan

    def save(self, plan: Plan, node: Any, data: dict[str, Any]) -> Any:
        return services.result_save(actor=self.request.user, plan=plan, result=node, data=data)


class IndicatorViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                       viewsets.ReadOnlyModelViewSet):
    permission_classes = [PolicyPermission]
    serializer_class = IndicatorSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "plans.view", "retrieve": "plans.view", "progress": "plans.view",
                      **CONTENT_WRITES, "targets": "plans.manage", "remove_target": "plans.manage"}

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

    def _written(self, indicator: Indicator, status: int = 200) -> Response:
        return Response(IndicatorSerializer(self.get_queryset().get(pk=indicator.pk)).data, status=status)

    def _input(self, request: Request, *, partial: bool) -> tuple[dict[str, Any], Any]:
        given = IndicatorInputSerializer(data=request.data, partial=partial, context={"request": request})
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        code = data.pop("responsible", None)
        responsible = None
        if code is not None:
            try:
                responsible = ActorCodes().parse(code)
            except ValidationError as exc:
                raise ValidationError({"responsible": exc.messages}) from None
        return data, responsible

    @extend_schema(summary="Add an indicator to a plan still being written", request=IndicatorInputSerializer,
                   responses={201: IndicatorSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data, responsible = self._input(request, partial=False)
        plan = data.pop("plan", None)
        if plan is None:
            raise ValidationError({"plan": _("Name the plan.")})
        indicator = services.indicator_save(actor=request.user, plan=plan, data=data, responsible=responsible)
        return self._written(indicator, 201)

    @extend_schema(summary="Change an indicator of a plan still being written", request=IndicatorInputSerializer,
                   responses={200: IndicatorSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        indicator = self.get_object()
        data, responsible = self._input(request, partial=True)
        if data.pop("plan", indicator.plan) != indicator.plan:
            raise ValidationError({"plan": _("An indicator does not move to another plan.")})
        indicator = services.indicator_save(actor=request.user, plan=indicator.plan, indicator=indicator,
                                            data=data, responsible=responsible)
        return self._written(indicator)

    @extend_schema(summary="Remove an indicator (and its targets) from a plan still being written")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.indicator_remove(actor=request.user, indicator=self.get_object())
        return Response(status=204)

    def _target_key(self, request: Request, indicator: Indicator) -> tuple[dict[str, Any], Any]:
        given = TargetInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        iso2 = data.pop("country", "").strip().upper()
        country = None
        if iso2:
            from corett.directory.models import Country

            country = Country.objects.filter(iso2=iso2).first()
            if country is None:
                raise ValidationError({"country": _("Unknown country code “%(code)s”.") % {"code": iso2}})
        return data, country

    @extend_schema(summary="Set (or replace) the target for a year, regional or for one country",
                   request=TargetInputSerializer, responses={200: IndicatorSerializer})
    @action(detail=True, methods=["post"], url_path="targets", url_name="targets")
    def targets(self, request: Request, pk: str | None = None) -> Response:
        indicator = self.get_object()
        data, country = self._target_key(request, indicator)
        if data.get("value") is None:
            raise ValidationError({"value": _("Give the target value.")})
        services.target_set(actor=request.user, indicator=indicator, year=data["year"], value=data["value"],
                            country=country, comment=data["comment"])
        return self._written(indicator)

    @extend_schema(summary="Remove the target for a year (and country)", request=TargetInputSerializer,
                   responses={200: IndicatorSerializer})
    @action(detail=True, methods=["post"], url_path="targets/remove", url_name="remove-target")
    def remove_target(self, request: Request, pk: str | None = None) -> Response:
        indicator = self.get_object()
        data, country = self._target_key(request, indicator)
        services.target_remove(actor=request.user, indicator=indicator, year=data["year"], country=country)
        return self._written(indicator)


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
    router.register("plans/axes", AxisViewSet, basename="plan-axis")
    router.register("plans/objectives", ObjectiveViewSet, basename="plan-objective")
    router.register("plans/results", ResultViewSet, basename="plan-result")
    router.register("plans/reports", ReportViewSet, basename="plan-report")
    router.register("plans", PlanViewSet, basename="plan")

