"""Directory forms: the edit forms the services consume, and the list filters.

Edit forms only check the input (types, choices, formats). The record itself is validated by the
service (``full_clean()`` inside its transaction), whose errors the view hands back with
``add_service_error`` so that they appear at the field. The forms never save: the services do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from corett import policy
from corett.core.forms import StyledFormMixin, add_service_error
from corett.directory.models import (
    LANGUAGE_CHOICES,
    CoalitionMembership,
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    PresidencyTerm,
    SecretariatTerm,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- Widgets ----------------------------------------------------------------------------------


class FastSelect(forms.Select):
    """A ``<select>`` with Django's markup, rendered in Python instead of through templates.

    Django's ``select.html`` includes one template per option, and that one another for its
    attributes: about 50 µs an option. The list filters render on every list request, and the
    organisation pickers offer hundreds of organisations. Same attributes (ARIA state, htmx,
    classes: all set on ``widget.attrs`` as usual), same options, optgroups and ``selected``.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "\n",
                '<option value="{}"{}>{}</option>',
                (
                    # An option's attributes are usually none, or just "selected".
                    (option["value"], flatatt(option["attrs"]) if option["attrs"] else "", option["label"])
                    for option in options
                ),
            )
            if group_name:
                rendered = format_html('<optgroup label="{}">\n{}\n</optgroup>', group_name, rendered)
            groups.append(rendered)
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(widget["attrs"]),
            format_html_join("\n", "{}", ((group,) for group in groups)),
        )


# --- Choice fields that offer what the policy allows ------------------------------------------


class _OfferedChoiceIterator(ModelChoiceIterator):
    field: OfferedModelChoiceField

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.offered:
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self.field.offered) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.field.offered)


class OfferedModelChoiceField(forms.ModelChoiceField):
    """Offers only the records the policy lets the user pick; accepts any record they can see.

    The narrower offer is a convenience, not the decision. A forged value that the user can see
    but may not use passes the form and reaches the service, whose ``policy.authorize`` refuses
    it with 403 and audits the attempt: tampering is answered as what it is, by the one module
    that decides, instead of being mistaken for a typing error.

    The offer may be read with fewer columns than ``queryset`` (just what the labels show):
    the directory offers thousands of records, while validation fetches the one chosen, whole.
    """

    iterator = _OfferedChoiceIterator

    def __init__(self, queryset: QuerySet, **kwargs: Any) -> None:
        kwargs.setdefault("widget", FastSelect)
        self.offered: list[Any] = []
        super().__init__(queryset, **kwargs)

    def offer(self, objects: Iterable[Any]) -> None:
        self.offered = list(objects)
        self.widget.choices = self.choices


class OrganisationChoiceField(OfferedModelChoiceField):
    # What the label reads: offer organisations fetched with ``.only(*LABEL_FIELDS)``.
    LABEL_FIELDS = ("name", "acronym", "country__iso2")

    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj} · {obj.country.iso2}" if obj.country else str(obj)


class LanguagesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Languages"))
        super().__init__(choices=LANGUAGE_CHOICES, required=False, **kwargs)


# --- Edit forms --------------------------------------------------------------------------------


class ServiceModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm that only reads input: validating and saving the record is the service's job.

    ``_post_clean`` is where a ModelForm copies the input onto its instance and validates the
    model. Here the instance stays untouched (the services compare it with the input to find the
    changed fields) and ``full_clean()`` runs once, in the service, inside its transaction.
    """

    def _post_clean(self) -> None:
        pass

    def save(self, commit: bool = True) -> Any:
        raise NotImplementedError("Directory records are saved by corett.directory.services.")

    def service_data(self) -> dict[str, Any]:
        """The cleaned input to hand to a service (read-only fields left out)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not self.fields[name].disabled
        }

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self, error)


class CountryForm(ServiceModelForm):
    class Meta:
        model = Country
        fields = ["iso2", "iso3", "name_es", "name_en", "official_language", "membership", "member_since"]
        widgets = {"member_since": DATE_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The ISO codes identify the country everywhere (URLs, statistics, imports): shown, not edited.
        for name in ("iso2", "iso3"):
            self.fields[name].disabled = True


class OrganisationForm(ServiceModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    languages = LanguagesField()

    class Meta:
        model = Organisation
        fields = [
            "name", "acronym", "kind", "country", "parent",
            "website", "email", "phone", "address", "languages",
        ]
        field_classes = {"country": OfferedModelChoiceField, "parent": OrganisationChoiceField}
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, OfferedModelChoiceField)
        countries = Country.objects.visible_to(user)
        country.queryset = countries
        country.offer(c for c in countries if policy.can(user, "directory.add_organisation", c))
        if policy.can(user, "directory.add_organisation", None):
            country.empty_label = _("None: a regional or international body")
        else:
            # A national user's organisations always belong to a country.
            country.required = True
            country.empty_label = None

        parent = self.fields["parent"]
        assert isinstance(parent, OrganisationChoiceField)
        organisations = Organisation.objects.visible_to(user).select_related("country")
        if self.instance.pk is not None:
            organisations = organisations.exclude(pk=self.instance.pk)
        parent.queryset = organisations
        parent.offer(organisations.only(*parent.LABEL_FIELDS))


class PersonForm(ServiceModelForm):
    languages = LanguagesField()

    class Meta:
        model = Person
        fields = [
            "full_name", "position", "organisation", "email", "phone", "languages",
            "is_focal_point", "is_alternate_focal_point", "visibility",
        ]
        field_classes = {"organisation": OrganisationChoiceField}
        help_texts = {
            "visibility": _(
                "Who may find this person in the directory. The Secretariat and the Presidency "
                "always may."
            ),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, OrganisationChoiceField)
        organisations = Organisation.objects.visible_to(user).select_related("country")
        field.queryset = organisations
        field.offer(
            o for o in organisations.only(*field.LABEL_FIELDS)
            if policy.can(user, "directory.add_person", o)
        )


class MembershipForm(ServiceModelForm):
    class Meta:
        model = CoalitionMembership
        fields = ["status", "started_on", "ended_on"]
        widgets = {"started_on": DATE_WIDGET, "ended_on": DATE_WIDGET}


class PresidencyTermForm(ServiceModelForm):
    class Meta:
        model = PresidencyTerm
        fields = ["country", "started_on", "ended_on"]
        widgets = {"started_on": DATE_WIDGET, "ended_on": DATE_WIDGET}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        assert isinstance(field, forms.ModelChoiceField)
        # Observer states are accepted too, so that the model says why they cannot preside.
        field.queryset = Country.objects.visible_to(user)


class SecretariatTermForm(ServiceModelForm):
    class Meta:
        model = SecretariatTerm
        fields = ["organisation", "head", "started_on", "ended_on"]
        field_classes = {"organisation": OrganisationChoiceField, "head": OfferedModelChoiceField}
        widgets = {"started_on": DATE_WIDGET, "ended_on": DATE_WIDGET}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        head = self.fields["head"]
        assert isinstance(organisation, OrganisationChoiceField)
        assert isinstance(head, OfferedModelChoiceField)
        organisations = Organisation.objects.visible_to(user).select_related("country")
        organisation.queryset = organisations
        organisation.offer(organisations.only(*organisation.LABEL_FIELDS))
        head.queryset = Person.objects.visible_to(user).select_related("organisation")
        head.offer(Person.objects.visible_to(user).only("full_name"))


# --- List filters ------------------------------------------------------------------------------


class ListFilterForm(StyledFormMixin, forms.Form):
    """A list's search and filters, read from the query string (every field optional).

    Invalid values are reported at their field and ignored; the valid ones still apply. With
    JavaScript, htmx refreshes the results as the user types or picks (``live_search``); without
    it, the form is an ordinary GET form with a submit button.
    """

    SORTS: dict[str, list[str]] = {}
    DEFAULT_SORT = ""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.SearchInput)
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sort = self.fields["sort"]
        assert isinstance(sort, forms.ChoiceField)
        sort.choices = [(key, key) for key in self.SORTS]

    def live_search(self, *, url: str, target: str) -> None:
        """Let htmx fetch the results partial into ``target`` as the filters change."""
        for name, field in self.fields.items():
            if field.widget.is_hidden:
                continue
            field.widget.attrs.update(
                {
                    "hx-get": url,
                    "hx-trigger": "input changed delay:300ms, search" if name == "q" else "change",
                    "hx-target": f"#{target}",
                    "hx-include": "closest form",
                    "hx-push-url": "true",
                    "aria-controls": target,
                }
            )

    def value(self, name: str) -> Any:
        """The cleaned value of a filter, or None when it is empty or invalid."""
        self.is_valid()  # invalid fields are left out of cleaned_data
        return self.cleaned_data.get(name) or None

    @property
    def current_sort(self) -> str:
        return self.value("sort") or self.DEFAULT_SORT

    def order(self, qs: QuerySet) -> QuerySet:
        return qs.order_by(*self.SORTS[self.current_sort])

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in self.fields if name != "sort")


def _country_name_field(prefix: str) -> str:
    # Country names are stored in both languages; sort by the one the user reads.
    return f"{prefix}name_en" if (get_language() or "es").startswith("en") else f"{prefix}name_es"


class OrganisationFilterForm(ListFilterForm):
    NO_MEMBERSHIP = "none"

    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.none(), required=False,
        to_field_name="iso2", empty_label=_("All countries"), widget=FastSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, widget=FastSelect,
        choices=[("", _("All kinds")), *OrganisationKind.choices],
    )
    membership = forms.ChoiceField(
        label=_("Membership status"), required=False, widget=FastSelect,
        choices=[
            ("", _("Any status")),
            *Membership.choices,
            (NO_MEMBERSHIP, _("No current membership")),
        ],
    )

    DEFAULT_SORT = "name"

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.SORTS = {
            "name": ["name", "pk"],
            "-name": ["-name", "-pk"],
            "country": [_country_name_field("country__"), "name", "pk"],
            "-country": [f"-{_country_name_field('country__')}", "name", "pk"],
        }
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ModelChoiceField)
        country.queryset = Country.objects.visible_to(user)

    def apply(self, organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
        if text := self.value("q"):
            organisations = organisations.search(text)  # type: ignore[attr-defined]
        if country := self.value("country"):
            organisations = organisations.filter(country=country)
        if kind := self.value("kind"):
            organisations = organisations.filter(kind=kind)
        if status := self.value("membership"):
            organisations = organisations.with_membership_status(  # type: ignore[attr-defined]
                None if status == self.NO_MEMBERSHIP else status
            )
        return self.order(organisations)


class PersonFilterForm(ListFilterForm):
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.none(), required=False,
        to_field_name="iso2", empty_label=_("All countries"), widget=FastSelect,
    )
    # Not a <select>: the directory holds thousands of organisations. The filter arrives from
    # an organisation's page, travels with the form as a hidden input, and the results say
    # which organisation they are limited to, with a link that lifts the limit.
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False,
        widget=forms.HiddenInput,
    )
    focal = forms.BooleanField(label=_("Focal points only"), required=False)

    DEFAULT_SORT = "focal"

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.SORTS = {
            # Focal points first: they are whom people look for in the directory.
            "focal": ["-is_focal_point", "-is_alternate_focal_point", "full_name", "pk"],
            "name": ["full_name", "pk"],
            "-name": ["-full_name", "-pk"],
            "organisation": ["organisation__name", "full_name", "pk"],
            "-organisation": ["-organisation__name", "full_name", "pk"],
            "country": [_country_name_field("organisation__country__"), "full_name", "pk"],
            "-country": [f"-{_country_name_field('organisation__country__')}", "full_name", "pk"],
        }
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        organisation = self.fields["organisation"]
        assert isinstance(country, forms.ModelChoiceField)
        assert isinstance(organisation, forms.ModelChoiceField)
        country.queryset = Country.objects.visible_to(user)
        organisation.queryset = Organisation.objects.visible_to(user)

    def apply(self, people: QuerySet[Person]) -> QuerySet[Person]:
        if text := self.value("q"):
            people = people.search(text)  # type: ignore[attr-defined]
        if country := self.value("country"):
            people = people.filter(organisation__country=country)
        if organisation := self.value("organisation"):
            people = people.filter(organisation=organisation)
        if self.value("focal"):
            people = people.filter(Q(is_focal_point=True) | Q(is_alternate_focal_point=True))
        return self.order(people)
