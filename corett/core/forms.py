"""Form rendering shared by every app: Bootstrap classes, errors at the field, accessible names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class StyledFormMixin:
    """Gives every widget its Bootstrap class and, after validation, its ARIA error state.

    Use it on every form: ``class OrganisationForm(StyledFormMixin, forms.ModelForm)``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = ""
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                bound = self[name]  # type: ignore[index]
                attrs = bound.field.widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{bound.auto_id}_error"
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError at the fields it names (others above the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
    for name in form.errors:
        if name in form.fields:
            bound = form[name]
            attrs = bound.field.widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{bound.auto_id}_error"
            if "is-invalid" not in attrs.get("class", "").split():
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


def submitted(request: Any, form: forms.BaseForm, save: Callable[[dict], Any]) -> Any:
    """What ``save`` returned for a valid POST, or None to show the form again.

    ``save`` calls a service with the form's cleaned data (or the form's ``service_data()``
    when it has one); a ValidationError the service raises lands on the form, at the field it
    names, and nothing has been saved (services write inside one transaction).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.service_data() if hasattr(form, "service_data") else form.cleaned_data
    try:
        return save(data)
    except ValidationError as error:
        add_service_error(form, error)
        return None
