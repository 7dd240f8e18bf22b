"""National reporting over the REST API (/api/v1/reporting/…): data sets, and the reports a user
may see with their values, review history and state, with the same policy as the pages (a
country's focal point sees its own reports; the Secretariat all; nobody else an unapproved one).

A country's own system may also send its figures (``POST submissions/entry/``, DHIS2's
dataValueSets habit) and submit them (``POST submissions/{id}/submit/``): the same services,
checks and all-or-nothing storage as the web form, findings named by element. The breakdowns by
citizenship and by country of repatriation come as rows (``citizenship``/``repatriation``: a
country as a code or as people write it, and a count; a row naming no country is a finding at
its row) or as elements ("detected_victims.citizenship.HND", as a report's values list them).

The Secretariat reviews through the same functions as its pages: ``POST submissions/{id}/return/``
(with the comments), ``approve/`` (locks and publishes to the statistics) and ``reopen/`` (with
the reason), each audited by the service. A step the report's state does not allow (approving a
draft, reopening a report that is not approved, a report changed meanwhile) is a 409 with the
reason in the reader's language (``Accept-Language``); bad input (a comment too short) a 400 at
its field; a user without the right a 403; a report they may not see a 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from corett import policy
from corett.directory.models import Country
from corett.reporting import services
from corett.reporting.elements import country_blocks, element_by_key
from corett.reporting.models import DataSet, Submission
from corett.reporting.validation import (
    NOT_AVAILABLE,
    REPORTED,
    Finding,
    Location,
    RawCountryEntry,
    RawEntry,
)


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


class EntryValueSerializer(serializers.Serializer):
    element = serializers.CharField(max_length=80, help_text='e.g. "detected_victims.sex.female".')
    value = serializers.JSONField(allow_null=True, required=False,
                                  help_text="A whole number of 0 or more; null or absent: empty.")
    not_available = serializers.BooleanField(default=False)

    def validate_element(self, key: str) -> str:
        if element_by_key(key) is None:
            raise serializers.ValidationError(_("Unknown element."))
        return key


class EntryTargetSerializer(serializers.Serializer):
    data_set = serializers.RegexField(r"^[0-9]{4}(-[SQ][1-4])?$", help_text="e.g. 2025-S1")
    country = serializers.RegexField(r"^[A-Za-z]{2}$", help_text="ISO alpha-2 code.")


class EntryCountrySerializer(serializers.Serializer):
    country = serializers.CharField(
        max_length=120, help_text="ISO alpha-3 code (XXX: not known). A name or demonym in Spanish or English, "
                                  "or an alpha-2 code, is read too; one that names no country is a finding.")
    value = serializers.JSONField(allow_null=True, required=False, help_text="The number of victims.")


class EntrySerializer(EntryTargetSerializer):
    values = EntryValueSerializer(many=True, help_text=(
        "The data set's elements. A breakdown by country may be given here too, as "
        '"detected_victims.citizenship.HND" or "victims_repatriated.repatriation.GTM" (as a report lists them).'))
    citizenship = EntryCountrySerializer(many=True, required=False,
                                         help_text="Detected victims by citizenship: one row per country.")
    repatriation = EntryCountrySerializer(many=True, required=False,
                                          help_text="Victims repatriated by country of repatriation: one row per "
                                                    "country.")
    submit = serializers.BooleanField(default=False, help_text="Submit the report for review once stored.")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="",
        help_text="What the country must correct (required: at least 5 characters).",
    )


class ApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                    help_text="Optional; kept in the report's history.")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="",
        help_text="Why the approved report is reopened (required: at least 5 characters); kept in the "
                  "report's history, its digest in the audit trail.",
    )


class StateRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the report's state does not allow the step, translated.")
    state = serializers.CharField(help_text="The report's state now: draft, submitted, returned, approved or "
                                            "reopened.")


class ReportFindingSerializer(serializers.Serializer):
    element = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField(help_text="Where and what, translated.")
    location = serializers.DictField(help_text='{"element": ...}, with "row" (from 1) for a row of "citizenship" '
                                               'or "repatriation", and "part": "country" for its country.')


class ReportFindingsSerializer(serializers.Serializer):
    findings = ReportFindingSerializer(many=True)


FORBIDDEN = OpenApiResponse(description="The user may not take this step (audited).")
NOT_FOUND = OpenApiResponse(description="No such report, or one the user may not see.")
INVALID = OpenApiResponse(description="Invalid input: the messages at their fields, translated.")
CONFLICT = OpenApiResponse(StateRefusalSerializer,
                           description="The report's state does not allow this step; nothing changed.")


def _review_schema(summary: str, request: Any) -> Any:
    return extend_schema(summary=summary, request=request, responses={
        200: OpenApiResponse(SubmissionSerializer, description="The report in its new state."),
        400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT,
    })


def _state_refusal(submission: Submission, refused: services.StateRefused) -> Response:
    state = Submission.objects.filter(pk=submission.pk).values_list("state", flat=True).first()
    return Response({"detail": " ".join(str(m) for m in refused.messages), "state": state or submission.state},
                    status=status.HTTP_409_CONFLICT)


def _data_set(code: str) -> DataSet:
    year, _sep, part = code.partition("-")
    lookup: dict[str, Any] = {"year": int(year), "period_type": "year", "number": 1}
    if part:
        lookup.update(period_type="semester" if part[0] == "S" else "quarter", number=int(part[1]))
    return get_object_or_404(DataSet.objects.all(), **lookup)


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
    policy_actions = {"list": "reporting.view_submission", "retrieve": "reporting.view_submission",
                      "entry": "reporting.report", "submit": "reporting.report",
                      "return_for_correction": "reporting.review", "approve": "reporting.review",
                      "reopen": "reporting.review"}

    @extend_schema(summary="Store (and optionally submit) a country's figures for a data set",
                   request=EntrySerializer, responses={
                       200: SubmissionSerializer,
                       400: OpenApiResponse(ReportFindingsSerializer, description="Findings: nothing was stored."),
                       403: FORBIDDEN, 404: OpenApiResponse(description="No such data set or country."),
                       409: CONFLICT,
                   })
    @action(detail=False, methods=["post"])
    def entry(self, request: Any) -> Response:
        # Whose report first: another country's is refused before its values are even read.
        target = EntryTargetSerializer(data=request.data)
        target.is_valid(raise_exception=True)
        data_set = _data_set(target.validated_data["data_set"])
        country = get_object_or_404(Country.objects.members(), iso2=target.validated_data["country"].upper())
        submission = Submission.objects.filter(data_set=data_set, country=country).first() or Submission(
            data_set=data_set, country=country)
        policy.authorize(request.user, "reporting.report", submission)
        payload = EntrySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        given = {row["element"]: row for row in data["values"]}
        blocks = {f"{indicator}.{dimension}": dimension for dimension, indicator in country_blocks(data_set.indicators)}
        countries: list[RawCountryEntry] = []
        for key, row in given.items():
            element = element_by_key(key)
            if element is not None and element.is_country and f"{element.indicator}.{element.dimension}" in blocks:
                countries.append(RawCountryEntry(element.dimension, element.category, row.get("value"),
                                                 Location(element=key), Location(element=key)))
        for block, dimension in blocks.items():
            for number, row in enumerate(data.get(dimension, []), start=1):
                countries.append(RawCountryEntry(
                    dimension, row["country"], row.get("value"),
                    Location(element=block, row=number, part="country"), Location(element=block, row=number),
                ))
        entries = [
            RawEntry(element, given.get(element.key, {}).get("value"),
                     NOT_AVAILABLE if given.get(element.key, {}).get("not_available") else REPORTED,
                     location=Location(element=element.key))
            for element in data_set.elements()
        ]
        unknown = sorted(set(given) - {e.key for e in data_set.elements()} - {c.location.element for c in countries})
        unknown += [dimension for dimension in ("citizenship", "repatriation")
                    if data.get(dimension) and dimension not in blocks.values()]
        if unknown:
            return Response({"values": [_("Not in this data set: %(key)s") % {"key": key} for key in unknown]},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            # Stored and submitted together, or neither (a refused submission keeps no values).
            with transaction.atomic():
                result = services.submission_save(actor=request.user, submission=submission, entries=entries,
                                                  countries=countries)
                if data["submit"]:
                    services.submission_submit(actor=request.user, submission=result.submission)
        except services.ReportRejected as rejected:
            return Response({"findings": [
                {"element": f.element, "code": f.code, "message": str(f), "location": f.location.as_dict()}
                for f in rejected.findings
            ]}, status=status.HTTP_400_BAD_REQUEST)
        except services.StateRefused as refused:
            return _state_refusal(submission, refused)
        return self._fresh(result.submission)

    def _fresh(self, submission: Submission) -> Response:
        return Response(SubmissionSerializer(self.get_queryset().get(pk=submission.pk)).data)

    def _step(self, request: Any, payload_class: type[serializers.Serializer], act: Any) -> Response:
        """One workflow step on the report: its service authorises (again), checks the state,
        writes and audits; a state that does not allow the step is a 409."""
        submission = self.get_object()
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            act(request.user, submission, payload.validated_data)
        except services.StateRefused as refused:
            return _state_refusal(submission, refused)
        return self._fresh(submission)

    @_review_schema("Submit the country's report for review", None)
    @action(detail=True, methods=["post"])
    def submit(self, request: Any, pk: str | None = None) -> Response:
        return self._step(request, serializers.Serializer, lambda user, s, data: services.submission_submit(
            actor=user, submission=s))

    @_review_schema("Return a submitted report to its country, with comments", ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_correction(self, request: Any, pk: str | None = None) -> Response:
        return self._step(request, ReturnSerializer, lambda user, s, data: services.submission_return(
            actor=user, submission=s, comment=data["comment"]))

    @_review_schema("Approve a submitted report (locks it; its figures go to the statistics)", ApproveSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Any, pk: str | None = None) -> Response:
        return self._step(request, ApproveSerializer, lambda user, s, data: services.submission_approve(
            actor=user, submission=s, comment=data["comment"]))

    @_review_schema("Reopen an approved report, with the reason", ReopenSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Any, pk: str | None = None) -> Response:
        return self._step(request, ReopenSerializer, lambda user, s, data: services.submission_reopen(
            actor=user, submission=s, reason=data["reason"]))

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
