"""Forms of national reporting: data sets, the entry form, the upload, the review."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corett.core.forms import StyledFormMixin
from corett.reporting import countries
from corett.reporting.elements import (
    DEFAULT_INDICATORS,
    INDICATORS,
    Element,
    country_block_label,
    country_blocks,
    element_by_key,
)
from corett.reporting.models import DataSet, Submission, Value
from corett.reporting.validation import (
    NOT_AVAILABLE,
    REPORTED,
    Finding,
    Location,
    RawCountryEntry,
    RawEntry,
)


class DataSetForm(StyledFormMixin, forms.ModelForm):
    indicators = forms.MultipleChoiceField(
        label=_("Indicators"), choices=list(INDICATORS.items()), widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_INDICATORS),
    )

    class Meta:
        model = DataSet
        fields = ["period_type", "year", "number", "deadline", "indicators"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("period_type", "year", "number"):
                self.fields[name].disabled = True

    def service_data(self) -> dict[str, Any]:
        if self.instance.pk:
            return {"deadline": self.cleaned_data["deadline"], "indicators": self.cleaned_data["indicators"]}
        return dict(self.cleaned_data)


STATUS_CHOICES = [(REPORTED, _("Reported")), (NOT_AVAILABLE, _("Not available"))]


# Rows of a breakdown by country in the entry form: the countries stored and a few empty ones
# (at least COUNTRY_MIN_ROWS); a form sent back with more rows keeps them, up to COUNTRY_MAX_ROWS.
COUNTRY_BLANK_ROWS = 5
COUNTRY_MIN_ROWS = 8
COUNTRY_MAX_ROWS = 200


class EntryForm(forms.Form):
    """One value field and one status field per data element, in the data set's order; then, per
    breakdown by country (citizenship, country of repatriation), rows of a country and a count.

    The fields take text: the report's own checks (``corett.reporting.validation``) read it, so
    that the web form and the Excel template say the same thing about the same mistake. A
    country is typed or picked from a list (``countries.choice_label``) and read by
    ``countries.country_code``, as the template's cells are.
    """

    def __init__(self, *args: Any, submission: Submission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.elements: list[Element] = submission.data_set.elements()
        stored = {v.element: v for v in submission.values.all()} if submission.pk else {}
        self._add_value_fields(stored)
        self.blocks: list[dict[str, Any]] = []
        for dimension, indicator in country_blocks(submission.data_set.indicators):
            self._add_country_block(dimension, indicator, stored)

    def _add_value_fields(self, stored: dict[str, Value]) -> None:
        for index, element in enumerate(self.elements):
            value = stored.get(element.key)
            self.fields[f"v_{index}"] = forms.CharField(
                label=f"{element.indicator_label}, {element.label}", required=False, max_length=20,
                initial=value.value if value and value.value is not None else "",
                widget=forms.TextInput(attrs={
                    "inputmode": "numeric", "autocomplete": "off", "class": "form-control form-control-sm text-end",
                }),
            )
            self.fields[f"s_{index}"] = forms.ChoiceField(
                label=_("Status: %(element)s") % {"element": f"{element.indicator_label}, {element.label}"},
                choices=STATUS_CHOICES, required=False,
                initial=NOT_AVAILABLE if value and value.not_available else REPORTED,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def _add_country_block(self, dimension: str, indicator: str, stored: dict[str, Value]) -> None:
        listed = sorted(
            (element.category, value.value)
            for key, value in stored.items()
            if (element := element_by_key(key)) is not None and element.is_country and element.dimension == dimension
        )
        count = min(COUNTRY_MAX_ROWS, max(len(listed) + COUNTRY_BLANK_ROWS, COUNTRY_MIN_ROWS, self._sent_rows(dimension)))
        label = country_block_label(dimension)
        for index in range(count):
            code, number = listed[index] if index < len(listed) else ("", None)
            self.fields[f"{dimension}_country_{index}"] = forms.CharField(
                label=_("%(block)s, row %(row)s: country") % {"block": label, "row": index + 1},
                required=False, max_length=120, initial=countries.choice_label(code) if code else "",
                widget=forms.TextInput(attrs={
                    "list": "reporting-countries", "autocomplete": "off", "class": "form-control form-control-sm",
                }),
            )
            self.fields[f"{dimension}_count_{index}"] = forms.CharField(
                label=_("%(block)s, row %(row)s: number of victims") % {"block": label, "row": index + 1},
                required=False, max_length=20, initial="" if number is None else number,
                widget=forms.TextInput(attrs={
                    "inputmode": "numeric", "autocomplete": "off", "class": "form-control form-control-sm text-end",
                }),
            )
        self.blocks.append({"dimension": dimension, "indicator": indicator, "label": label, "count": count})

    def _sent_rows(self, dimension: str) -> int:
        pattern = re.compile(rf"^{dimension}_(?:country|count)_(\d{{1,4}})$")
        found = [int(m.group(1)) for name in (self.data or {}) if (m := pattern.match(name))]
        return max(found) + 1 if found else 0

    def country_rows(self) -> list[dict[str, Any]]:
        """Per breakdown by country: its label and its rows of bound fields."""
        return [
            {**block, "rows": [
                (self[f"{block['dimension']}_country_{i}"], self[f"{block['dimension']}_count_{i}"])
                for i in range(block["count"])
            ]}
            for block in self.blocks
        ]

    def country_options(self) -> list[str]:
        return [countries.choice_label(code) for code, _es, _en in countries.choices()]

    def country_entries(self) -> list[RawCountryEntry]:
        entries = []
        for block in self.blocks:
            dimension, where = block["dimension"], f"{block['indicator']}.{block['dimension']}"
            for index in range(block["count"]):
                entries.append(RawCountryEntry(
                    dimension, self.cleaned_data.get(f"{dimension}_country_{index}") or None,
                    self.cleaned_data.get(f"{dimension}_count_{index}") or None,
                    country_location=Location(element=where, row=index + 1, part="country"),
                    location=Location(element=where, row=index + 1),
                ))
        return entries

    def field_for(self, finding: Finding) -> str | None:
        """The field a finding is about (None: the form as a whole)."""
        location = finding.location
        if location.row and location.element:
            dimension = location.element.partition(".")[2]
            part = "country" if location.part == "country" else "count"
            name = f"{dimension}_{part}_{location.row - 1}"
            return name if name in self.fields else None
        return self.field_of(finding.element)

    def rows(self) -> list[dict[str, Any]]:
        """The fields per element, for the table the template draws."""
        return [
            {"element": element, "value": self[f"v_{i}"], "status": self[f"s_{i}"]}
            for i, element in enumerate(self.elements)
        ]

    def entries(self) -> list[RawEntry]:
        return [
            RawEntry(element, self.cleaned_data.get(f"v_{i}") or None, self.cleaned_data.get(f"s_{i}") or REPORTED,
                     location=Location(element=element.key))
            for i, element in enumerate(self.elements)
        ]

    def field_of(self, element_key: str) -> str | None:
        for index, element in enumerate(self.elements):
            if element.key == element_key:
                return f"v_{index}"
        return None


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Filled template (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class ReturnForm(StyledFormMixin, forms.Form):
    # Several review forms share the page: each its own element ids.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_return_%s")
        super().__init__(*args, **kwargs)

    comment = forms.CharField(
        label=_("What must the country correct?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ApproveForm(StyledFormMixin, forms.Form):
    # Several review forms share the page: each its own element ids.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_approve_%s")
        super().__init__(*args, **kwargs)

    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ReopenForm(StyledFormMixin, forms.Form):
    # Several review forms share the page: each its own element ids.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_reopen_%s")
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("Recorded in the report's history and the audit trail."),
    )


def stored_values(submission: Submission) -> dict[str, Value]:
    return {v.element: v for v in submission.values.all()} if submission.pk else {}
