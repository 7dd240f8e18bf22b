"""Statistics over the REST API: released values and validation findings.

``GET /api/v1/statistics/values/`` returns what :func:`corett.statistics.release.released_values`
returns to the same user: the same policy and the same disclosure control as the pages.
``GET /api/v1/statistics/findings/`` lists the findings the user may see (their own country's,
or all for the Secretariat and the Presidency).
``GET /api/v1/statistics/repatriation-caseload/`` returns the repatriation cases in progress as
the page shows them: every released cell of the one controlled table (never a case).
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from corett import policy
from corett.statistics import caseload, release
from corett.statistics.models import Age, Finding, Form, Indicator, IndicatorCode, Sex


class ValuesQuerySerializer(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=IndicatorCode.choices, required=False,
                                        help_text="Indicator code; omitted: every indicator.")
    country = serializers.RegexField(r"^([A-Za-z]{3}|REGION)$", required=False,
                                     help_text="ISO alpha-3 code, or REGION for the coalition's consolidated figure.")
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)
    sex = serializers.ChoiceField(choices=[*Sex.values, "*"], required=False, default="total",
                                  help_text="Default total; * for every category.")
    age = serializers.ChoiceField(choices=[*Age.values, "*"], required=False, default="total")
    form = serializers.ChoiceField(choices=[*Form.values, "*"], required=False, default="total")
    citizenship = serializers.RegexField(r"^([A-Za-z]{3}|\*)$", required=False,
                                         help_text="ISO alpha-3 code, or * for every citizenship.")


class ReleasedValueSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    country = serializers.CharField(help_text="ISO alpha-3, or REGION.")
    year = serializers.IntegerField()
    period = serializers.CharField()
    sex = serializers.CharField()
    age = serializers.CharField()
    form = serializers.CharField()
    citizenship = serializers.CharField(allow_blank=True)
    repatriation = serializers.CharField(allow_blank=True)
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    value = serializers.IntegerField(allow_null=True, help_text="null when suppressed or missing.")
    suppressed = serializers.BooleanField()
    lower_bound = serializers.IntegerField(allow_null=True)
    upper_bound = serializers.IntegerField(allow_null=True, help_text="null: no upper bound (at least lower_bound).")
    source = serializers.CharField()  # type: ignore[assignment]
    release = serializers.CharField()
    status = serializers.CharField(help_text="Approval status.")
    epsilon = serializers.FloatField(allow_null=True, help_text="Differential privacy budget of a noisy value.")
    countries = serializers.ListField(child=serializers.CharField(), help_text="For REGION: the countries summed.")


class FindingQuerySerializer(serializers.Serializer):
    country = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)


class FindingSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_iso3")
    indicator: serializers.SlugRelatedField[Indicator] = serializers.SlugRelatedField(slug_field="code",
                                                                                       read_only=True)
    values = serializers.JSONField(source="involved", help_text="The values involved, as read.")
    source = serializers.CharField(source="batch.source")  # type: ignore[assignment]
    release = serializers.CharField(source="batch.release")

    class Meta:
        model = Finding
        fields = ["id", "kind", "status", "country", "indicator", "year", "cell", "values", "source", "release",
                  "review_comment", "reviewed_at", "created_at"]
        read_only_fields = fields


@extend_schema_view(list=extend_schema(summary="Released statistical values", parameters=[ValuesQuerySerializer],
                                       responses=ReleasedValueSerializer(many=True)))
class ValueViewSet(viewsets.ViewSet):
    policy_actions = {"list": "statistics.view"}

    def list(self, request: Request) -> Response:
        query = ValuesQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        indicators = [data["indicator"]] if data.get("indicator") else list(IndicatorCode.values)
        rows = []
        for indicator in indicators:
            rows.extend(release.released_values(
                request.user, indicator=indicator,
                countries=[data["country"].upper()] if data.get("country") else None,
                years=[data["year"]] if data.get("year") else None,
                sex=data["sex"], age=data["age"], form=data["form"], citizenship=data.get("citizenship"),
            ))
        paginator = self.paginator
        page = paginator.paginate_queryset(rows, request, view=self)
        payload = [dataclasses.asdict(r) for r in page or []]
        return paginator.get_paginated_response(ReleasedValueSerializer(payload, many=True).data)

    @property
    def paginator(self) -> Any:
        from rest_framework.settings import api_settings

        if not hasattr(self, "_paginator"):
            self._paginator = cast(Any, api_settings.DEFAULT_PAGINATION_CLASS)()
        return self._paginator


@extend_schema_view(list=extend_schema(summary="Validation findings", parameters=[FindingQuerySerializer]),
                    retrieve=extend_schema(summary="One validation finding"))
class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FindingSerializer
    policy_actions = {"list": "statistics.view_findings", "retrieve": "statistics.view_finding"}

    def get_queryset(self):
        queryset = policy.scope(self.request.user, "statistics.view_finding",
                                Finding.objects.select_related("indicator", "batch"))
        if self.action == "list":
            query = FindingQuerySerializer(data=self.request.query_params.dict())
            query.is_valid(raise_exception=True)
            if query.validated_data.get("country"):
                queryset = queryset.filter(country_iso3=query.validated_data["country"].upper())
            if query.validated_data.get("year"):
                queryset = queryset.filter(year=query.validated_data["year"])
        return queryset.order_by("status", "country_iso3", "year", "pk")


class CaseloadCellSerializer(serializers.Serializer):
    destination = serializers.CharField(allow_null=True, help_text="ISO alpha-3 of the destination; null: every pair.")
    origin = serializers.CharField(allow_null=True, help_text="ISO alpha-3 of the country of origin; null: every pair.")
    phase = serializers.ChoiceField(choices=[*caseload.PHASE_CODES, caseload.TOTAL],
                                    help_text="Phase of the protocol, or total.")
    stage = serializers.CharField(help_text="Stage of the protocol (within the phase), or total.")
    age = serializers.ChoiceField(choices=[*caseload.AGES, caseload.TOTAL],
                                  help_text="child (people of unverified age included), adult, or total.")
    value = serializers.IntegerField(allow_null=True, help_text="null when suppressed.")
    suppressed = serializers.BooleanField()
    lower_bound = serializers.IntegerField()
    upper_bound = serializers.IntegerField(allow_null=True, help_text="null: no upper bound (at least lower_bound).")


class CaseloadPhaseSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    stages = serializers.ListField(child=serializers.CharField())


class CaseloadSerializer(serializers.Serializer):
    threshold = serializers.IntegerField(help_text="k: counts from 1 to k - 1 are suppressed.")
    computed_at = serializers.DateTimeField()
    phases = CaseloadPhaseSerializer(many=True)
    cells = CaseloadCellSerializer(many=True)


@extend_schema_view(list=extend_schema(
    summary="Repatriation cases in progress (disclosure-controlled counts)", responses=CaseloadSerializer,
    description="Counts of the repatriation cases by country pair and phase, and by phase, stage and child or "
                "adult, after primary (k-anonymity) and secondary suppression; the same table for every "
                "reader. No case, code or name.",
))
class CaseloadViewSet(viewsets.ViewSet):
    policy_actions = {"list": "statistics.view_caseload"}

    def list(self, request: Request) -> Response:
        released = caseload.released_caseload()
        payload = {
            "threshold": released.threshold,
            "computed_at": released.computed_at,
            "phases": [{"code": p.code, "label": str(p.label), "stages": [s.value for s in p.stages]}
                       for p in caseload.PHASES],
            "cells": [{**dataclasses.asdict(c), "destination": c.destination or None, "origin": c.origin or None}
                      for c in released.released()],
        }
        return Response(CaseloadSerializer(payload).data)


def register(router: Any) -> None:
    router.register("statistics/values", ValueViewSet, basename="statistics-value")
    router.register("statistics/findings", FindingViewSet, basename="statistics-finding")
    router.register("statistics/repatriation-caseload", CaseloadViewSet, basename="statistics-repatriation-caseload")


