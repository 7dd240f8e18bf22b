"""The choices a reader makes: which country or the region, which years, which breakdown."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corett.core.forms import StyledFormMixin
from corett.infographics.content import INDICATOR_LABELS
from corett.infographics.names import MEMBERS, REGION, country_name

FIRST_YEAR = 2000
DIMENSIONS = (
    ("", _("No breakdown (totals)")),
    ("sex", _("Sex")),
    ("age", _("Age")),
    ("form", _("Form of exploitation")),
    ("citizenship", _("Citizenship")),
    ("repatriation", _("Country of repatriation")),
)
ALL_MEMBERS = "ALL"


def scope_choices() -> list[tuple[str, str]]:
    members = sorted(((iso3, country_name(iso3)) for iso3 in MEMBERS), key=lambda c: c[1])
    return [(REGION, str(_("The region (nine members)"))), *members]


def year_choices() -> list[tuple[int, int]]:
    return [(y, y) for y in range(timezone.localdate().year, FIRST_YEAR - 1, -1)]


class PeriodForm(StyledFormMixin, forms.Form):
    """A year or a range of years; both default to the latest year with figures."""

    year_from = forms.TypedChoiceField(label=_("From"), coerce=int)
    year_to = forms.TypedChoiceField(label=_("To"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("year_from", "year_to"):
            cast(forms.ChoiceField, self.fields[name]).choices = year_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", _("The last year cannot come before the first."))
        return data


class ExplorerForm(PeriodForm):
    country = forms.ChoiceField(label=_("Country"))
    indicator = forms.ChoiceField(
        label=_("Indicator"), choices=[(code, label) for code, label in INDICATOR_LABELS.items()]
    )
    dimension = forms.ChoiceField(label=_("Breakdown"), choices=DIMENSIONS, required=False)

    field_order = ["country", "indicator", "dimension", "year_from", "year_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            (ALL_MEMBERS, _("All member countries")), *scope_choices()
        ]
