"""Forms of the action plan. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from corett.core.forms import StyledFormMixin
from corett.directory.models import Country, Organisation, OrganisationKind
from corett.plans.actors import ActorCodes
from corett.plans.models import (
    PLAN_TRANSITIONS,
    Action,
    ActionStatus,
    Axis,
    ExpectedResult,
    Indicator,
    JointProject,
    Measure,
    Objective,
    Plan,
    PlanState,
    ProgressReport,
)
from corett.plans.services import (
    INDICATOR_FIELDS,
    ActionProgress,
    IndicatorProgress,
    ResponsibleActor,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["code", "title", "start_year", "end_year", "reporting_frequency", "report_due_days"]


class PlanTransitionForm(StyledFormMixin, forms.Form):
    to_state = forms.ChoiceField(label=_("New state"))
    agreement_reference = forms.CharField(
        label=_("Approving agreement"), required=False, max_length=32,
        help_text=_("Needed to approve, e.g. III-2022/C."))
    approved_on = forms.DateField(label=_("Approved on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(PlanState.choices)
        cast(forms.ChoiceField, self.fields["to_state"]).choices = [(s, labels[s]) for s in PLAN_TRANSITIONS[plan.state]]


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NotesForm(StyledFormMixin, forms.Form):
    notes = forms.CharField(label=_("Reviewer's notes"), widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=4000, required=False)


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Plan workbook (.xlsx)"),
                           help_text=_("Fill in the template; the whole file is loaded or nothing."))


class ActionForm(StyledFormMixin, forms.ModelForm):
    lead = forms.MultipleChoiceField(label=_("Lead actors"), required=False)
    support = forms.MultipleChoiceField(label=_("Supporting actors"), required=False)

    class Meta:
        model = Action
        fields = ["result", "code", "description", "planned_start", "planned_end", "actual_start", "actual_end",
                  "budget", "currency", "funding_source"]
        widgets = {name: DateInput() for name in ("planned_start", "planned_end", "actual_start", "actual_end")}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = ActorCodes()
        choices = self.codes.choices()
        cast(forms.ChoiceField, self.fields["lead"]).choices = choices
        cast(forms.ChoiceField, self.fields["support"]).choices = choices
        cast(forms.ModelChoiceField, self.fields["result"]).queryset = ExpectedResult.objects.filter(objective__axis__plan=plan)
        self.fields["description"].widget.attrs["rows"] = 3
        if self.instance.pk:
            for name, involvement in (("lead", "lead"), ("support", "support")):
                self.initial[name] = [self.codes.code(r.actor) for r in self.instance.responsibilities.all()
                                      if r.involvement == involvement]

    def _post_clean(self) -> None:
        # The service validates the model (and its plan) once, with the responsible actors.
        pass

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        responsibles = [ResponsibleActor(self.codes.parse(c), "lead") for c in self.cleaned_data["lead"]]
        responsibles += [ResponsibleActor(self.codes.parse(c), "support") for c in self.cleaned_data["support"]]
        return {"data": data, "responsibles": responsibles}


class TargetForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"))
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.members(), required=False,
                                     to_field_name="iso2", empty_label=_("Regional"))
    value = forms.DecimalField(label=_("Target value"), max_digits=14, decimal_places=2)
    comment = forms.CharField(label=_("Comment"), max_length=255, required=False)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not indicator.by_country:
            del self.fields["country"]


class TargetKeyForm(StyledFormMixin, forms.Form):
    """Which target: a year, and a country (blank: the regional target)."""

    year = forms.IntegerField(label=_("Year"))
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.all(), required=False,
                                     to_field_name="iso2")


class ReportForm(StyledFormMixin, forms.Form):
    """The reporter's page: a summary, then a block of fields per action and per indicator.

    Field names carry the row's id (``action-<id>-percent_complete``) so the service's errors,
    keyed the same way, land at the right field.
    """

    summary = forms.CharField(label=_("Summary of the period"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=8000)

    def __init__(self, *args: Any, report: ProgressReport, **kwargs: Any) -> None:
        super().__init__(*args, initial={"summary": report.summary}, **kwargs)
        self.updates = list(report.action_updates.select_related("action"))
        self.values = list(report.indicator_values.select_related("indicator"))
        for u in self.updates:
            p = f"action-{u.pk}-"
            self.fields[p + "status"] = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices,
                                                          initial=u.status)
            self.fields[p + "percent_complete"] = forms.IntegerField(
                label=_("Percent complete"), min_value=0, initial=u.percent_complete)
            self.fields[p + "achievements"] = forms.CharField(
                label=_("What was done"), required=False, initial=u.achievements, max_length=8000,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[p + "obstacles"] = forms.CharField(
                label=_("Obstacles"), required=False, initial=u.obstacles, max_length=8000,
                widget=forms.Textarea(attrs={"rows": 2}))
        for v in self.values:
            p = f"indicator-{v.pk}-"
            if v.indicator.measure != Measure.QUALITATIVE:
                self.fields[p + "value"] = forms.DecimalField(
                    label=_("Value"), required=False, max_digits=14, decimal_places=2, initial=v.value)
            self.fields[p + "narrative"] = forms.CharField(
                label=_("Narrative"), required=False, initial=v.narrative, max_length=8000,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[p + "evidence"] = forms.FileField(label=_("Evidence file"), required=False)

    def action_blocks(self) -> list[tuple[Any, list[Any]]]:
        return [(u, [self[f"action-{u.pk}-{n}"] for n in ("status", "percent_complete", "achievements",
                                                          "obstacles")]) for u in self.updates]

    def indicator_blocks(self) -> list[tuple[Any, list[Any]]]:
        blocks = []
        for v in self.values:
            names = [n for n in ("value", "narrative", "evidence") if f"indicator-{v.pk}-{n}" in self.fields]
            blocks.append((v, [self[f"indicator-{v.pk}-{n}"] for n in names]))
        return blocks

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        actions = {u.pk: ActionProgress(
            status=data[f"action-{u.pk}-status"], percent_complete=data[f"action-{u.pk}-percent_complete"],
            achievements=data[f"action-{u.pk}-achievements"], obstacles=data[f"action-{u.pk}-obstacles"],
        ) for u in self.updates}
        indicators = {v.pk: IndicatorProgress(
            value=data.get(f"indicator-{v.pk}-value"), narrative=data[f"indicator-{v.pk}-narrative"],
            evidence=data.get(f"indicator-{v.pk}-evidence") or None,
        ) for v in self.values}
        return {"summary": data["summary"], "actions": actions, "indicators": indicators}


class ProjectForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = JointProject
        fields = ["code", "kind", "title", "description", "partners", "actions", "starts_on", "ends_on", "started_by"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(),
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["actions"]).queryset = plan.actions.order_by("code")
        from corett.meetings.models import Agreement

        cast(forms.ModelChoiceField, self.fields["started_by"]).queryset = (
            Agreement.objects.select_related("meeting").order_by("-meeting__starts_on", "letter")
        )
        cast(forms.ModelChoiceField, self.fields["partners"]).queryset = Organisation.objects.exclude(
            kind__in=[OrganisationKind.NATIONAL_COMMISSION, OrganisationKind.GOVERNMENT_INSTITUTION,
                      OrganisationKind.CONSULATE, OrganisationKind.LOCAL_COMMITTEE]).order_by("name")

    def _post_clean(self) -> None:
        # The service validates the project once, with its plan.
        pass

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name not in ("partners", "actions")}
        return {"data": data, "partners": self.cleaned_data["partners"], "actions": self.cleaned_data["actions"]}


class MilestoneForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=255)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    done_on = forms.DateField(label=_("Done on"), widget=DateInput(), required=False)


class DocumentForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    file = forms.FileField(label=_("File"), help_text=_("PDF, image, Word or Excel; at most 10 MB."))


class IndicatorForm(StyledFormMixin, forms.ModelForm):
    responsible = forms.ChoiceField(label=_("Responsible actor"))
    source = forms.ChoiceField(label=_("Computed from"), required=False,
                               help_text=_("Leave blank for an indicator reported in the progress reports."))

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)
        widgets = {"definition": forms.Textarea(attrs={"rows": 2}),
                   "means_of_verification": forms.Textarea(attrs={"rows": 2}),
                   "baseline_comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from corett.plans.sources import source_choices

        self.codes = ActorCodes()
        cast(forms.ChoiceField, self.fields["responsible"]).choices = self.codes.choices()
        sources = [("", "—"), *source_choices(), *[
            (f"statistics:{code}", str(label)) for code, label in _statistics_indicators()]]
        current = self.instance.source if self.instance.pk else ""
        if current and current not in dict(sources):
            sources.append((current, current))  # a source the lists no longer offer stays choosable
        cast(forms.ChoiceField, self.fields["source"]).choices = sources
        cast(forms.ModelChoiceField, self.fields["result"]).queryset = ExpectedResult.objects.filter(
            objective__axis__plan=plan).select_related("objective")
        if self.instance.pk:
            self.initial["responsible"] = self.codes.code(self.instance.actor)

    def _post_clean(self) -> None:
        # The service validates the indicator once, with its plan and its targets.
        pass

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["source"] = data["source"] or ""
        return {"data": data, "responsible": self.codes.parse(self.cleaned_data["responsible"])}


# --- The results tree ------------------------------------------------------------------------------


class _TreeForm(StyledFormMixin, forms.ModelForm):
    """A part of the results tree. The parent's choices are the plan's own."""

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "axis" in self.fields:
            cast(forms.ModelChoiceField, self.fields["axis"]).queryset = plan.axes.all()
        if "objective" in self.fields:
            cast(forms.ModelChoiceField, self.fields["objective"]).queryset = Objective.objects.filter(
                axis__plan=plan).select_related("axis").order_by("axis__code", "code")

    def _post_clean(self) -> None:
        # The service validates the part once, with its plan (codes are unique across the plan).
        pass


class AxisForm(_TreeForm):
    class Meta:
        model = Axis
        fields = ["code", "title"]


class ObjectiveForm(_TreeForm):
    class Meta:
        model = Objective
        fields = ["axis", "code", "title"]


class ResultForm(_TreeForm):
    class Meta:
        model = ExpectedResult
        fields = ["objective", "code", "title", "result_type"]
        help_texts = {"result_type": _("IATI: an output is what the actions deliver; an outcome, the change it "
                                       "brings.")}


class RemoveForm(StyledFormMixin, forms.Form):
    """Removing a part of the plan; for a part of the results tree with actions or indicators
    under it, the expected result they move to."""

    move_to = forms.ModelChoiceField(label=_("Move its actions and indicators to"), required=False,
                                     queryset=ExpectedResult.objects.none(), empty_label="—")

    def __init__(self, *args: Any, results: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if results is None:
            del self.fields["move_to"]
        else:
            cast(forms.ModelChoiceField, self.fields["move_to"]).queryset = results


def _statistics_indicators() -> list[tuple[str, Any]]:
    try:
        from corett.statistics.models import IndicatorCode
    except ImportError:  # the statistics module is optional for the plan
        return []
    return list(IndicatorCode.choices)
