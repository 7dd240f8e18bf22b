"""The directory's pages: countries, organisations, people, the coalition's offices, exports.

Every object view fetches through a ``_get_<thing>_for_user`` helper: the record is looked up in
``Model.objects.visible_to(user)`` (a record the user may not see is a 404, so its existence does
not leak) and then authorised for the action with ``policy.authorize`` (403, audited). Writes go
through ``corett.directory.services``, which validate, authorise again and audit.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from corett import policy
from corett.accounts.models import User
from corett.audit.services import audit_log
from corett.core.forms import submitted
from corett.directory import services
from corett.directory.exports import OrganisationExporter, PersonExporter
from corett.directory.forms import (
    CountryForm,
    ListFilterForm,
    MembershipForm,
    OrganisationFilterForm,
    OrganisationForm,
    PersonFilterForm,
    PersonForm,
    PresidencyTermForm,
    SecretariatTermForm,
    ServiceModelForm,
)
from corett.directory.listing import KeptList
from corett.directory.models import (
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    PresidencyTerm,
    SecretariatTerm,
)
from corett.lib.exports import Exporter
from corett.lib.urls import cached_reverse, links

PAGE_SIZE = 25
# The columns a list row shows, and only those: fewer values to fetch and convert. A template
# that reads another field would cost a query per row, which the query-count tests catch.
# The organisation list reads them as plain rows (``values_list(named=True)``, with the current
# membership's status): building 25 organisations and their countries cost 0.3 ms more.
ORGANISATION_ROW = (
    "pk",
    "name",
    "acronym",
    "kind",
    "email",
    "country_id",
    "country__iso2",
    "country__name_es",
    "country__name_en",
    "current_membership_status",
)
PERSON_ROW = (
    "full_name",
    "position",
    "email",
    "phone",
    "is_focal_point",
    "is_alternate_focal_point",
    "organisation__name",
    "organisation__acronym",
    "organisation__country__iso2",
    "organisation__country__name_es",
    "organisation__country__name_en",
)


class AuthenticatedRequest(HttpRequest):
    # Every view here is behind @login_required.
    user: User


# --- Fetch and authorise -----------------------------------------------------------------------


def _get_country_for_user(user: Any, iso2: str, action: str = "directory.view_country") -> Country:
    country = get_object_or_404(Country.objects.visible_to(user), iso2=iso2.upper())
    policy.authorize(user, action, country)
    return country


def _get_organisation_for_user(
    user: Any, pk: int, action: str = "directory.view_organisation"
) -> Organisation:
    organisations = Organisation.objects.visible_to(user).select_related("country", "parent")
    organisation = get_object_or_404(organisations, pk=pk)
    policy.authorize(user, action, organisation)
    return organisation


def _get_person_for_user(user: Any, pk: int, action: str = "directory.view_person") -> Person:
    people = Person.objects.visible_to(user).select_related("organisation", "organisation__country")
    person = get_object_or_404(people, pk=pk)
    policy.authorize(user, action, person)
    return person


def _get_presidency_term_for_user(user: Any, pk: int, action: str) -> PresidencyTerm:
    term = get_object_or_404(PresidencyTerm.objects.select_related("country"), pk=pk)
    policy.authorize(user, action, term)
    return term


def _get_secretariat_term_for_user(user: Any, pk: int, action: str) -> SecretariatTerm:
    terms = SecretariatTerm.objects.select_related("organisation", "head")
    term = get_object_or_404(terms, pk=pk)
    policy.authorize(user, action, term)
    return term


# --- Shared helpers ----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: ServiceModelForm,
    *,
    title: str,
    cancel_url: str,
    breadcrumbs: list[tuple[str, str]],
) -> HttpResponse:
    return render(
        request,
        "directory/form_page.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "breadcrumbs": breadcrumbs},
    )


def _is_partial(request: HttpRequest, target: str) -> bool:
    """An htmx request for the results alone (a history restore needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == target
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _paginate(request: HttpRequest, qs: QuerySet | KeptList | list) -> Page:
    # A KeptList has what Paginator uses (count() and slices), not all of the stubs' protocol.
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]


def _sort_headers(form: ListFilterForm, columns: list[str]) -> dict[str, dict[str, str]]:
    """Per sortable column: the sort its heading links to and its aria-sort state."""
    current = form.current_sort
    headers = {}
    for column in columns:
        if current == column:
            headers[column] = {"next": f"-{column}", "aria": "ascending"}
        elif current == f"-{column}":
            headers[column] = {"next": column, "aria": "descending"}
        else:
            headers[column] = {"next": column, "aria": ""}
    return headers


def _list_response(
    request: HttpRequest, *, page_template: str, results_template: str, target: str, context: dict
) -> HttpResponse:
    template = results_template if _is_partial(request, target) else page_template
    response = render(request, template, {**context, "results_id": target})
    # The same URL answers with the page or the partial: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _visible_countries(user: Any) -> Callable[[], list[Country]]:
    """The countries the filter's select offers (the policy's scope), read once a request and
    only if asked: the whole page needs them (the filter form's key, the "add" button's rule),
    the htmx results do not. Read with SQL compiled once a thread (``KeptList``), the same
    rows as ``Country.objects.visible_to(user)``."""
    where = policy.scope_columns(user, "directory.view_country")
    if where is None:
        return list
    countries = KeptList(("countries", tuple(sorted(where.items()))), lambda: Country.objects.filter(**where))
    return cache(countries.all)


def _filters_key(request: HttpRequest, form: ListFilterForm, countries: list[Country]) -> str:
    """The cache key of a list's filter form as rendered (``{% cache %}`` in the list pages).

    Rendering the form (its fields through Django's field templates) costs more than the rest
    of the list but one. What it shows is a function of the language, the path, the submitted
    values (errors included) and the countries its select offers (``policy.scope``): all are in
    the key, so a cached form is never another user's or stale. The countries (read once a
    request, ``_visible_countries``) are given to the select as its choices, so the page runs
    the query it always ran.
    """
    country = form.fields["country"]
    assert isinstance(country, forms.ModelChoiceField)
    english = (get_language() or "es").startswith("en")
    rows = [(c.iso2, c.name_es, c.name_en) for c in countries]
    country.choices = [
        ("", country.empty_label),
        *((iso2, en if english else es) for iso2, es, en in rows),
    ]
    values = sorted((name, request.GET.get(name, "")[:100]) for name in form.fields)
    source = repr((request.path, rows, values, _FILTER_TEMPLATE_DIGEST))
    return f"{get_language()}:{hashlib.sha256(source.encode()).hexdigest()[:32]}"


# A cache shared by processes of two versions must not serve one's markup to the other.
_FILTER_TEMPLATE_DIGEST = hashlib.sha256(
    (Path(__file__).parent / "templates" / "directory" / "_filter_form.html").read_bytes()
).hexdigest()[:12]


@cache
def _row_labels(language: str | None) -> tuple[dict[str, str], dict[str, str], str]:
    """The kinds', the membership statuses' and "Regional"'s markup in ``language``: constants
    of the process once translated (translating a dozen labels cost ~40 µs a page)."""
    with override(language):
        kinds: dict[str, str] = {value: escape(str(label)) for value, label in OrganisationKind.choices}
        statuses: dict[str, str] = {value: escape(str(label)) for value, label in Membership.choices}
        regional = f'<span class="text-body-secondary">{escape(_("Regional"))}</span>'
    return kinds, statuses, regional


def _organisation_rows(organisations: Any) -> SafeString:
    """The organisation list's table rows (``ORGANISATION_ROW`` values), rendered here.

    Through the template engine a row cost ~60 µs (13 lookups, each tried as a key, then an
    attribute, then a call, then localised and escaped): 1.5 ms a page, the list's largest
    part. The markup is the template's; every value is escaped as autoescaping does
    (``html.escape``, which Django's ``escape`` calls after checking for lazy strings); the
    labels are translated once a process and language. The links are the models'
    ``get_absolute_url()``, through ``corett.lib.urls.links`` (each pattern reversed once).
    """
    language = get_language()
    kinds, statuses, regional = _row_labels(language)
    english = (language or "es").startswith("en")
    organisation_url, country_url = links("directory:organisation_detail"), links("directory:country_detail")
    countries: dict[int, str] = {}
    rows = []
    for row in organisations:
        url = organisation_url(row.pk)
        acronym = (
            f' <span class="text-body-secondary">({html.escape(row.acronym)})</span>'
            if row.acronym
            else ""
        )
        kind = kinds.get(row.kind) or html.escape(row.kind)
        country = regional
        if row.country_id is not None:
            country = countries.get(row.country_id, "")
            if not country:
                link = html.escape(country_url(row.country__iso2))
                country_name = html.escape(row.country__name_en if english else row.country__name_es)
                country = countries[row.country_id] = f'<a href="{link}">{country_name}</a>'
        status = row.current_membership_status
        membership = (
            (statuses.get(status) or html.escape(status))
            if status
            else '<span class="text-body-secondary">—</span>'
        )
        email = html.escape(row.email)
        contact = f'<a href="mailto:{email}">{email}</a>' if email else ""
        rows.append(
            "\n        <tr>\n"
            f'          <th scope="row"><a href="{html.escape(url)}">{html.escape(row.name)}</a>{acronym}</th>\n'
            f"          <td>{kind}</td>\n"
            f"          <td>{country}</td>\n"
            f"          <td>{membership}</td>\n"
            f"          <td>{contact}</td>\n"
            "        </tr>\n      "
        )
    return mark_safe("".join(rows))  # noqa: S308  every value above is escaped


def _filter_values(form: ListFilterForm) -> tuple:
    """Every filter's value as the form applies it (a record by its primary key)."""
    values = ((name, form.value(name)) for name in sorted(form.fields))
    return tuple((name, value.pk if isinstance(value, Model) else value) for name, value in values)


def _organisation_list(user: Any, form: OrganisationFilterForm) -> KeptList | list:
    """The organisations the filters select among those the policy lets ``user`` see, with
    the columns a row shows, for the paginator: the count and the page through statements
    compiled once a thread per key (``corett.directory.listing``).

    The key holds everything the queryset is built from: the policy's scope for the user (its
    columns and values), every filter's value and the sort, the language (the country sort
    reads the name in it) and the day (the current membership).
    """
    where = policy.scope_columns(user, "directory.view_organisation")
    if where is None:
        return []
    day = timezone.localdate()
    key = ("organisations", tuple(sorted(where.items())), _filter_values(form), get_language(), day)

    def selected() -> QuerySet:
        return form.apply(Organisation.objects.filter(**where))

    def build() -> QuerySet:
        return selected().with_current_membership(on=day).values_list(*ORGANISATION_ROW, named=True)  # type: ignore[attr-defined]

    return KeptList(key, build, count=selected)


def _filtered_organisations(
    request: AuthenticatedRequest,
) -> tuple[OrganisationFilterForm, QuerySet]:
    form = OrganisationFilterForm(request.GET, user=request.user)
    organisations = Organisation.objects.visible_to(request.user)
    return form, form.apply(organisations)


def _filtered_people(request: AuthenticatedRequest) -> tuple[PersonFilterForm, QuerySet]:
    form = PersonFilterForm(request.GET, user=request.user)
    people = Person.objects.visible_to(request.user)
    return form, form.apply(people)


def _may_add_organisation(user: Any, countries: Callable[[], list[Country]] | None = None) -> bool:
    """Whether ``user`` may add an organisation: a regional one, or one in their own country.

    ``countries`` (``_visible_countries``), when the page reads them anyway, holds the user's
    country: the rule receives it from there instead of from one more query.
    """
    if policy.can(user, "directory.add_organisation", None):
        return True
    if user.organisation_id is None:
        return False
    if not User.organisation.is_cached(user):
        # The user's organisation and its country in one query: the rule reads both.
        user.organisation = Organisation.objects.select_related("country").get(
            pk=user.organisation_id
        )
    country_id = user.country_id
    if country_id is None:
        return False
    own = next((c for c in countries() if c.pk == country_id), None) if countries else None
    return policy.can(user, "directory.add_organisation", own or user.country)


# --- Countries ---------------------------------------------------------------------------------


@login_required
@require_GET
def country_list(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "directory.view")
    countries = Country.objects.visible_to(request.user)
    current = PresidencyTerm.current()
    return render(
        request,
        "directory/country_list.html",
        {"countries": countries, "presidency_country_id": current.country_id if current else None},
    )


@login_required
@require_GET
def country_detail(request: AuthenticatedRequest, iso2: str) -> HttpResponse:
    user = request.user
    country = _get_country_for_user(user, iso2)
    organisations = Organisation.objects.visible_to(user).filter(country=country)
    focal_points = (
        Person.objects.visible_to(user)
        .focal_points()
        .filter(organisation__country=country)
        .select_related("organisation")
        .order_by("-is_focal_point", "full_name")
    )
    return render(
        request,
        "directory/country_detail.html",
        {
            "country": country,
            "commissions": [
                o for o in organisations if o.kind == OrganisationKind.NATIONAL_COMMISSION
            ],
            "organisations": organisations,
            "focal_points": focal_points,
            "presidency_terms": country.presidency_terms.all(),
            "can_edit": policy.can(user, "directory.change_country", country),
        },
    )


@login_required
def country_edit(request: AuthenticatedRequest, iso2: str) -> HttpResponse:
    country = _get_country_for_user(request.user, iso2, "directory.change_country")
    form = CountryForm(request.POST if request.method == "POST" else None, instance=country)
    if (
        submitted(
            request,
            form,
            lambda data: services.country_update(actor=request.user, country=country, data=data),
        )
        is not None
    ):
        messages.success(request, _("The country has been updated."))
        return redirect(country)
    return _form_page(
        request,
        form,
        title=_("Edit %(country)s") % {"country": country.name},
        cancel_url=country.get_absolute_url(),
        breadcrumbs=[
            (reverse("directory:country_list"), _("Countries")),
            (country.get_absolute_url(), country.name),
        ],
    )


# --- Organisations -----------------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "directory.view")
    form = OrganisationFilterForm(request.GET, user=user)
    countries = _visible_countries(user)
    target = "organisation-results"
    form.live_search(url=cached_reverse("directory:organisation_list"), target=target)
    page = _paginate(request, _organisation_list(user, form))
    return _list_response(
        request,
        page_template="directory/organisation_list.html",
        results_template="directory/_organisation_results.html",
        target=target,
        context={
            "form": form,
            # Called by the template only when it renders the whole page (not htmx results).
            "filters_key": lambda: _filters_key(request, form, countries()),
            "page": page,
            "rows": _organisation_rows(page.object_list),
            "sort_headers": _sort_headers(form, ["name", "country"]),
            # Called by the template only when it renders the whole page (not htmx results).
            "can_add": lambda: _may_add_organisation(user, countries),
            "can_export": policy.can(user, "directory.export"),
        },
    )


@login_required
@require_GET
def organisation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = _get_organisation_for_user(user, pk)
    visible = Organisation.objects.visible_to(user)
    parent = visible.filter(pk=organisation.parent_id).first() if organisation.parent_id else None
    people = (
        Person.objects.visible_to(user)
        .filter(organisation=organisation)
        .order_by("-is_focal_point", "-is_alternate_focal_point", "full_name")
    )
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "parent": parent,
            "children": visible.filter(parent=organisation).select_related("country"),
            "memberships": organisation.memberships.all(),
            "people": people,
            "can_edit": policy.can(user, "directory.change_organisation", organisation),
            "can_add_membership": policy.can(user, "directory.manage_offices", organisation),
            "can_add_person": policy.can(user, "directory.add_person", organisation),
        },
    )


@login_required
def organisation_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not _may_add_organisation(user):
        # Refused (and audited) for the one country the user could have meant: their own.
        policy.authorize(user, "directory.add_organisation", user.country)
    form = OrganisationForm(request.POST if request.method == "POST" else None, user=user)
    if (
        organisation := submitted(
            request, form, lambda data: services.organisation_create(actor=user, data=data)
        )
    ) is not None:
        messages.success(request, _("The organisation has been added."))
        return redirect(organisation)
    list_url = reverse("directory:organisation_list")
    return _form_page(
        request,
        form,
        title=_("Add an organisation"),
        cancel_url=list_url,
        breadcrumbs=[(list_url, _("Organisations"))],
    )


@login_required
def organisation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = _get_organisation_for_user(user, pk, "directory.change_organisation")
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, instance=organisation, user=user
    )
    if (
        submitted(
            request,
            form,
            lambda data: services.organisation_update(
                actor=user, organisation=organisation, data=data
            ),
        )
        is not None
    ):
        messages.success(request, _("The organisation has been updated."))
        return redirect(organisation)
    return _form_page(
        request,
        form,
        title=_("Edit %(organisation)s") % {"organisation": organisation},
        cancel_url=organisation.get_absolute_url(),
        breadcrumbs=[
            (reverse("directory:organisation_list"), _("Organisations")),
            (organisation.get_absolute_url(), str(organisation)),
        ],
    )


@login_required
def membership_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = _get_organisation_for_user(user, pk, "directory.manage_offices")
    form = MembershipForm(request.POST if request.method == "POST" else None)
    if (
        submitted(
            request,
            form,
            lambda data: services.membership_add(actor=user, organisation=organisation, data=data),
        )
        is not None
    ):
        messages.success(request, _("The membership has been recorded."))
        return redirect(organisation)
    return _form_page(
        request,
        form,
        title=_("Record a coalition membership of %(organisation)s")
        % {"organisation": organisation},
        cancel_url=organisation.get_absolute_url(),
        breadcrumbs=[
            (reverse("directory:organisation_list"), _("Organisations")),
            (organisation.get_absolute_url(), str(organisation)),
        ],
    )


# --- People ------------------------------------------------------------------------------------


@login_required
@require_GET
def person_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "directory.view")
    form, people = _filtered_people(request)
    target = "person-results"
    form.live_search(url=reverse("directory:person_list"), target=target)
    page = _paginate(
        request, people.select_related("organisation", "organisation__country").only(*PERSON_ROW)
    )
    return _list_response(
        request,
        page_template="directory/person_list.html",
        results_template="directory/_person_results.html",
        target=target,
        context={
            "form": form,
            "filters_key": lambda: _filters_key(request, form, _visible_countries(user)()),
            "page": page,
            "sort_headers": _sort_headers(form, ["name", "organisation", "country"]),
            "organisation_filter": form.value("organisation"),
            "can_add": policy.can(user, "directory.add_person", None),
            "can_export": policy.can(user, "directory.export"),
        },
    )


@login_required
@require_GET
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = _get_person_for_user(request.user, pk)
    return render(
        request,
        "directory/person_detail.html",
        {"person": person, "can_edit": policy.can(request.user, "directory.change_person", person)},
    )


@login_required
def person_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "directory.add_person", None)
    initial = {}
    # "Add a person" on an organisation's page arrives with that organisation chosen.
    organisation_id = request.GET.get("organisation", "")
    if organisation_id.isdigit():
        initial["organisation"] = int(organisation_id)
    form = PersonForm(
        request.POST if request.method == "POST" else None, initial=initial, user=user
    )
    if (
        person := submitted(
            request, form, lambda data: services.person_create(actor=user, data=data)
        )
    ) is not None:
        messages.success(request, _("The person has been added."))
        return redirect(person)
    list_url = reverse("directory:person_list")
    return _form_page(
        request,
        form,
        title=_("Add a person"),
        cancel_url=list_url,
        breadcrumbs=[(list_url, _("People"))],
    )


@login_required
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    person = _get_person_for_user(user, pk, "directory.change_person")
    form = PersonForm(
        request.POST if request.method == "POST" else None, instance=person, user=user
    )
    if (
        submitted(
            request, form, lambda data: services.person_update(actor=user, person=person, data=data)
        )
        is not None
    ):
        messages.success(request, _("The person has been updated."))
        return redirect(person)
    return _form_page(
        request,
        form,
        title=_("Edit %(person)s") % {"person": person},
        cancel_url=person.get_absolute_url(),
        breadcrumbs=[
            (reverse("directory:person_list"), _("People")),
            (person.get_absolute_url(), person.full_name),
        ],
    )


# --- Coalition offices -------------------------------------------------------------------------


@login_required
@require_GET
def offices(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "directory.view")
    # A head of the Secretariat is named only to those who may see that person in the directory.
    terms = list(SecretariatTerm.objects.select_related("organisation"))
    heads = Person.objects.visible_to(user).in_bulk([t.head_id for t in terms if t.head_id])
    current_presidency = PresidencyTerm.current()
    current_secretariat = SecretariatTerm.current()
    return render(
        request,
        "directory/offices.html",
        {
            "presidency_terms": PresidencyTerm.objects.select_related("country"),
            "secretariat_terms": [(term, heads.get(term.head_id)) for term in terms],
            "current_presidency_id": current_presidency.pk if current_presidency else None,
            "current_secretariat_id": current_secretariat.pk if current_secretariat else None,
            "can_manage": policy.can(user, "directory.manage_offices"),
        },
    )


@login_required
def presidency_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "directory.manage_offices")
    form = PresidencyTermForm(request.POST if request.method == "POST" else None, user=user)
    if (
        submitted(
            request, form, lambda data: services.presidency_term_create(actor=user, data=data)
        )
        is not None
    ):
        messages.success(request, _("The Presidency term has been recorded."))
        return redirect("directory:offices")
    offices_url = reverse("directory:offices")
    return _form_page(
        request,
        form,
        title=_("Record a Presidency pro tempore term"),
        cancel_url=offices_url,
        breadcrumbs=[(offices_url, _("Coalition offices"))],
    )


@login_required
def presidency_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    term = _get_presidency_term_for_user(user, pk, "directory.manage_offices")
    form = PresidencyTermForm(
        request.POST if request.method == "POST" else None, instance=term, user=user
    )
    if (
        submitted(
            request,
            form,
            lambda data: services.presidency_term_update(actor=user, term=term, data=data),
        )
        is not None
    ):
        messages.success(request, _("The Presidency term has been updated."))
        return redirect("directory:offices")
    offices_url = reverse("directory:offices")
    return _form_page(
        request,
        form,
        title=_("Edit the Presidency pro tempore term"),
        cancel_url=offices_url,
        breadcrumbs=[(offices_url, _("Coalition offices"))],
    )


@login_required
def secretariat_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "directory.manage_offices")
    form = SecretariatTermForm(request.POST if request.method == "POST" else None, user=user)
    if (
        submitted(
            request, form, lambda data: services.secretariat_term_create(actor=user, data=data)
        )
        is not None
    ):
        messages.success(request, _("The Technical Secretariat term has been recorded."))
        return redirect("directory:offices")
    offices_url = reverse("directory:offices")
    return _form_page(
        request,
        form,
        title=_("Record a Technical Secretariat term"),
        cancel_url=offices_url,
        breadcrumbs=[(offices_url, _("Coalition offices"))],
    )


@login_required
def secretariat_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    term = _get_secretariat_term_for_user(user, pk, "directory.manage_offices")
    form = SecretariatTermForm(
        request.POST if request.method == "POST" else None, instance=term, user=user
    )
    if (
        submitted(
            request,
            form,
            lambda data: services.secretariat_term_update(actor=user, term=term, data=data),
        )
        is not None
    ):
        messages.success(request, _("The Technical Secretariat term has been updated."))
        return redirect("directory:offices")
    offices_url = reverse("directory:offices")
    return _form_page(
        request,
        form,
        title=_("Edit the Technical Secretariat term"),
        cancel_url=offices_url,
        breadcrumbs=[(offices_url, _("Coalition offices"))],
    )


# --- Exports -----------------------------------------------------------------------------------

EXPORT_KINDS = ("organisations", "people")


@login_required
@require_GET
def export(request: AuthenticatedRequest, kind: str, fmt: str) -> HttpResponse:
    """The list the user sees (same scope, same filters, all pages) as CSV or XLSX."""
    user = request.user
    if kind not in EXPORT_KINDS:
        raise Http404
    policy.authorize(user, "directory.export")
    exporter: Exporter
    if kind == "organisations":
        exporter = OrganisationExporter(_filtered_organisations(request)[1])
    else:
        exporter = PersonExporter(_filtered_people(request)[1])
    result = exporter.export(fmt)
    audit_log(
        actor=user,
        action="directory.export",
        extra={"kind": kind, "format": fmt, "rows": result.rows},
    )
    return result.as_response()
