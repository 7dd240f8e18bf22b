"""National reporting over the REST API (/api/v1/reporting/…): data sets, and the reports a user
may see with their values, review history and state. Read-only: the same policy as the pages
(a country's focal point sees its own reports; the Secretariat all; nobody else an unapproved
one). Entering, uploading and reviewing happen in the web pages, which run the same services.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from corett.reporting.models import DataSet, Submission
from corett.reporting.validation import Finding


class DataSetSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text='The period: "2025", "2025-S1", "2025-Q3".')
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True)

    class Meta:
        model = DataSet
        fields = ["id", "code", "period_type", "year", "number", "starts_on", "ends_on", "deadline", "indicators"]
        read_only_fields = fields


class ValueSerializer(serializers.Serializer):
    element = serializers.CharField(help_text='indicator.dimension.category, e.g. "detected_victims.sex.female".')
    value = serializers.IntegerField(allow_null=True)
    not_available = serializers.BooleanField()


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    comment = serializers.CharField()


class SubmissionSerializer(serializers.ModelSerializer):
    data_set = serializers.CharField(source="data_set.code", read_only=True)
    country = serializers.CharField(source="country.iso2", read_only=True)
    on_time = serializers.SerializerMethodField()
    values = ValueSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = ["id", "data_set", "country", "state", "first_submitted_at", "submitted_at", "approved_at",
                  "on_time", "source", "values", "warnings", "events"]
        read_only_fields = fields

    def get_on_time(self, obj: Submission) -> bool | None:
        return obj.on_time()

    def get_warnings(self, obj: Submission) -> list[str]:
        return [str(Finding.from_dict(w)) for w in obj.warnings]


class SubmissionFilterSerializer(serializers.Serializer):
    data_set = serializers.RegexField(r"^[0-9]{4}(-[SQ][1-4])?$", required=False, help_text="e.g. 2025-S1")
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, help_text="ISO alpha-2 code.")
    state = serializers.ChoiceField(choices=["draft", "submitted", "returned", "approved", "reopened"], required=False)


@extend_schema_view(list=extend_schema(summary="List reporting data sets"),
                    retrieve=extend_schema(summary="One reporting data set"))
class DataSetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DataSetSerializer
    policy_actions = {"list": "reporting.view", "retrieve": "reporting.view"}

    def get_queryset(self) -> Any:
        return DataSet.objects.visible_to(self.request.user)  # type: ignore[arg-type]


@extend_schema_view(list=extend_schema(summary="List national reports", parameters=[SubmissionFilterSerializer]),
                    retrieve=extend_schema(summary="One national report, with its values"))
class SubmissionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SubmissionSerializer
    policy_actions = {"list": "reporting.view_submission", "retrieve": "reporting.view_submission"}

    def get_queryset(self) -> Any:
        queryset = (
            Submission.objects.visible_to(self.request.user)  # type: ignore[arg-type]
            .select_related("data_set", "country")
            .prefetch_related("values", "events")
            .order_by("data_set__year", "data_set__number", "country__iso2")
        )
        if self.action != "list":
            return queryset
        filters = SubmissionFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if data.get("data_set"):
            year, _sep, part = data["data_set"].partition("-")
            queryset = queryset.filter(data_set__year=int(year))
            queryset = queryset.filter(data_set__number=int(part[1])) if part else queryset.filter(
                data_set__period_type="year")
            if part:
                queryset = queryset.filter(data_set__period_type="semester" if part[0] == "S" else "quarter")
        if data.get("country"):
            queryset = queryset.filter(country__iso2=data["country"].upper())
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        return queryset


def register(router: Any) -> None:
    router.register("reporting/data-sets", DataSetViewSet, basename="reporting-data-set")
    router.register("reporting/submissions", SubmissionViewSet, basename="reporting-submission")
