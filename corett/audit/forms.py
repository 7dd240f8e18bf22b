from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corett.audit.models import AuditEntry
from corett.core.forms import StyledFormMixin
from corett.directory.models import Country

# An action choice ending in this selects every action under the prefix ("auth.*").
PREFIX_MARK = ".*"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class EntryFilterForm(StyledFormMixin, forms.Form):
    """The audit viewer's filters (GET). Every choice list comes from the trail itself."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        actions = sorted(
            AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
        )
        prefixes = sorted({a.split(".", 1)[0] for a in actions if "." in a})
        self._set_choices("action", [
            *everything,
            (
                _("Groups"),
                [(p + PREFIX_MARK, _("%(prefix)s (all)") % {"prefix": p + PREFIX_MARK}) for p in prefixes],
            ),
            (_("Actions"), [(a, a) for a in actions]),
        ])
        object_types = sorted(
            t for t in AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct() if t
        )
        self._set_choices("object_type", [*everything, *((t, t) for t in object_types)])
        self._set_choices("country", [
            *everything,
            *((c.iso2, f"{c.name} ({c.iso2})") for c in Country.objects.order_by("iso2")),
        ])

    def _set_choices(self, name: str, choices: list) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data

    def used(self) -> list[str]:
        """Names (never values) of the filters in use: what the audit of the viewing records."""
        return sorted(name for name, value in self.cleaned_data.items() if value not in (None, ""))

    def filter(self, qs):
        """Apply the valid filters; an invalid one is shown at its field and ignored."""
        data = getattr(self, "cleaned_data", None) or {}
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(created_at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tz))
        if data.get("date_to"):
            day_after = data["date_to"] + dt.timedelta(days=1)
            qs = qs.filter(created_at__lt=dt.datetime.combine(day_after, dt.time.min, tz))
        if data.get("actor"):
            qs = qs.filter(actor_username__iexact=data["actor"].strip())
        action = data.get("action")
        if action and action.endswith(PREFIX_MARK):
            qs = qs.filter(action__startswith=action[: -len(PREFIX_MARK)] + ".")
        elif action:
            qs = qs.filter(action=action)
        if data.get("object_type"):
            qs = qs.filter(object_type=data["object_type"])
        if data.get("object_id"):
            qs = qs.filter(object_id=data["object_id"].strip())
        if data.get("country"):
            qs = qs.filter(country=data["country"])
        return qs
