"""Forms of national reporting: data sets, the entry form, the upload, the review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from corett.core.forms import StyledFormMixin
from corett.reporting.elements import DEFAULT_INDICATORS, INDICATORS, Element
from corett.reporting.models import DataSet, Submission, Value
from corett.reporting.validation import NOT_AVAILABLE, REPORTED, Location, RawEntry


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


class EntryForm(forms.Form):
    """One value field and one status field per data element, in the data set's order.

    The fields take text: the report's own checks (``corett.reporting.validation``) read it, so
    that the web form and the Excel template say the same thing about the same mistake.
    """

    def __init__(self, *args: Any, submission: Submission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.elements: list[Element] = submission.data_set.elements()
        stored = {v.element: v for v in submission.values.all()} if submission.pk else {}
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
