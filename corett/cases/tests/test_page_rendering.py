"""The case page's rendering shortcuts: ``short_datetime`` writes what Django's date filter
writes; ``{% unbound_form %}`` never shows one form's markup (another case's, another
language's, a submission's) in place of another's; the tables written in Python are what the
templates wrote, every value escaped."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.db.models import Prefetch
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone, translation

from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.cases import labels, related, services, views
from corett.cases.forms import DocumentForm, FlagResolveForm, FollowUpReportForm, TransitionForm
from corett.cases.models import Case, Flag, FlagKind, Task
from corett.cases.templatetags import case_forms
from corett.cases.tests.views_support import (  # noqa: F401  (fixtures)
    bring_to_request,
    child_case_fixture,
    hn_contacts_fixture,
    open_case,
    shared_case_fixture,
)
from corett.cases.worklist import FlagRow, Row
from corett.directory.models import Country
from corett.testing import factories

MOMENTS = [
    dt.datetime(2026, 3, 7, 4, 5, 9, tzinfo=dt.UTC),  # the day before, in Guatemala
    dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
    dt.datetime(2026, 6, 1, 18, 0, tzinfo=dt.UTC),  # noon in Guatemala: English says "noon"
    dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC),  # midnight in Guatemala
    dt.datetime(2026, 6, 1, 13, 30, tzinfo=dt.UTC),
    dt.datetime(987, 2, 3, 10, 0, tzinfo=dt.UTC),  # a year of three digits: still four
    dt.datetime(2026, 1, 2, 3, 4),  # noqa: DTZ001  (naive: written as it is, as Django does)
]


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


# --- short_datetime -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("zone", ["America/Guatemala", "UTC", "Asia/Kolkata"])
@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_short_datetime_writes_what_djangos_date_filter_writes(language, zone, moment):
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        ours = render("{% load case_labels %}{{ at|short_datetime }}", at=moment)
        django = render('{{ at|date:"SHORT_DATETIME_FORMAT" }}', at=moment)
    assert ours == django
    assert ours


def test_short_datetime_is_in_the_readers_time_zone_and_language():
    moment = dt.datetime(2026, 3, 7, 4, 5, tzinfo=dt.UTC)
    source = "{% load case_labels %}{{ at|short_datetime }}"
    with timezone.override(zoneinfo.ZoneInfo("America/Guatemala")):
        with translation.override("es"):
            assert render(source, at=moment) == "06/03/2026 22:05"
        with translation.override("en"):
            assert render(source, at=moment) == "03/06/2026 10:05 p.m."


@pytest.mark.parametrize("day", [dt.date(2026, 5, 1), dt.date(2026, 12, 31), dt.date(987, 2, 3)], ids=str)
def test_dates_write_what_djangos_date_filter_writes_in_each_language(day):
    written = []
    for language in ["es", "en", "es"]:  # what a language wrote is kept: never given to another
        with translation.override(language):
            ours = labels.dates()(day)
            assert ours == render("{{ day|date }}", day=day)
            written.append(ours)
    assert written[0] == written[2] != written[1]


def test_short_datetime_of_nothing_is_empty():
    source = "{% load case_labels %}[{{ at|short_datetime }}]"
    assert render(source, at=None) == "[]"
    assert render(source) == "[]"


# --- unbound_form -------------------------------------------------------------------------------

BLOCK = "{% load case_forms %}{% unbound_form form %}{{ form }}{% end_unbound_form %}"


@pytest.fixture(autouse=True)
def _empty_store():
    case_forms._RENDERED.clear()
    yield
    case_forms._RENDERED.clear()


def test_each_flag_gets_its_own_form():
    template = Template(BLOCK)
    first = template.render(Context({"form": FlagResolveForm(auto_id="id_flag1_%s")}))
    second = template.render(Context({"form": FlagResolveForm(auto_id="id_flag2_%s")}))
    assert 'id="id_flag1_resolution"' in first and "id_flag2" not in first
    assert 'id="id_flag2_resolution"' in second and "id_flag1" not in second
    # Shown again, each is the same markup as the first time.
    assert template.render(Context({"form": FlagResolveForm(auto_id="id_flag1_%s")})) == first


def test_each_language_gets_its_own_form():
    template = Template(BLOCK)
    with translation.override("es"):
        spanish = template.render(Context({"form": FlagResolveForm(auto_id="id_flag1_%s")}))
    with translation.override("en"):
        english_markup = template.render(Context({"form": FlagResolveForm(auto_id="id_flag1_%s")}))
    assert "Resolución" in spanish and "Resolution" not in spanish
    assert "Resolution" in english_markup and "Resolución" not in english_markup


def test_each_step_gets_its_own_fields():
    template = Template(BLOCK)
    reason = template.render(Context({"form": TransitionForm(needs=("reason",), auto_id="id_step_%s")}))
    alternative = template.render(Context({"form": TransitionForm(needs=("alternative",), auto_id="id_step_%s")}))
    assert "id_step_reason" in reason and "id_step_alternative" not in reason
    assert "id_step_alternative" in alternative and "id_step_reason" not in alternative


def test_initial_values_and_choices_of_the_instance_are_part_of_the_key():
    template = Template(BLOCK)
    monday = template.render(Context({"form": FollowUpReportForm(initial={"reported_on": dt.date(2026, 3, 2)})}))
    tuesday = template.render(Context({"form": FollowUpReportForm(initial={"reported_on": dt.date(2026, 3, 3)})}))
    assert "2026-03-02" in monday and "2026-03-03" not in monday
    assert "2026-03-03" in tuesday and "2026-03-02" not in tuesday
    plain = template.render(Context({"form": DocumentForm()}))
    with_older_kind = template.render(Context({"form": DocumentForm(known_kinds=("carné-antiguo",))}))
    assert "carné-antiguo" not in plain
    assert "carné-antiguo" in with_older_kind


def test_a_submission_with_errors_is_never_stored_nor_served():
    template = Template(BLOCK)
    empty = template.render(Context({"form": FlagResolveForm(auto_id="id_flag1_%s")}))
    submitted = FlagResolveForm({"resolution": "x" * 300}, auto_id="id_flag1_%s")
    assert not submitted.is_valid()
    with_errors = template.render(Context({"form": submitted}))
    assert "x" * 300 in with_errors
    assert with_errors != empty
    assert len(case_forms._RENDERED) == 1
    another = template.render(Context({"form": FlagResolveForm({"resolution": ""}, auto_id="id_flag1_%s")}))
    assert "x" * 300 not in another
    assert template.render(Context({"form": FlagResolveForm(auto_id="id_flag1_%s")})) == empty


class CountryForm(forms.Form):
    country = forms.ModelChoiceField(queryset=Country.objects.order_by("name_en"))


@pytest.mark.django_db
def test_a_form_with_choices_from_the_database_is_rendered_every_time():
    template = Template(BLOCK)
    Country.objects.create(iso2="AA", iso3="AAA", name_es="Alfa", name_en="Alpha")
    first = template.render(Context({"form": CountryForm()}))
    Country.objects.create(iso2="ZZ", iso3="ZZZ", name_es="Zeta", name_en="Zulu")
    second = template.render(Context({"form": CountryForm()}))
    assert "Alpha" in first and "Zulu" not in first
    assert "Zulu" in second
    assert not case_forms._RENDERED


TODAY = {"day": dt.date(2026, 3, 2)}


class TodayForm(forms.Form):
    day = forms.DateField(initial=lambda: TODAY["day"])


def test_a_form_whose_initial_value_is_computed_when_shown_is_rendered_every_time(monkeypatch):
    template = Template(BLOCK)
    monday = template.render(Context({"form": TodayForm()}))
    monkeypatch.setitem(TODAY, "day", dt.date(2026, 3, 3))
    tuesday = template.render(Context({"form": TodayForm()}))
    also = template.render(Context({"form": FlagResolveForm(initial={"resolution": lambda: TODAY["day"]})}))
    assert "2026-03-02" in monday
    assert "2026-03-03" in tuesday and "2026-03-02" not in tuesday
    assert "2026-03-03" in also
    assert not case_forms._RENDERED


@pytest.mark.parametrize("inside", [
    "{% csrf_token %}",
    "{% url 'cases:list' %}",
    "{{ case.code }}",
    "{{ form.resolution.value|upper }}",
    "{% if form %}{{ form }}{% endif %}",
    "{% for x in others %}{{ x }}{% endfor %}",
    "{% include 'cases/_flags.html' %}",
])
def test_the_block_holds_only_the_forms_fields(inside):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load case_forms %}{% unbound_form form %}" + inside + "{% end_unbound_form %}")


def test_the_store_is_bounded():
    template = Template(BLOCK)
    for n in range(case_forms.MOST + 10):
        template.render(Context({"form": FlagResolveForm(auto_id=f"id_flag{n}_%s")}))
    assert 0 < len(case_forms._RENDERED) <= case_forms.MOST


@pytest.mark.django_db
def test_two_cases_pages_each_show_their_own_flags_form(client, caseworker_gt, gt, hn, login):
    cases = [open_case(caseworker_gt, gt, hn, estimated_age=age) for age in (12, 15)]
    flags = [Flag.objects.get(case=case, kind=FlagKind.URGENT_CHILD) for case in cases]
    login(client, caseworker_gt)
    for case, flag in zip(cases, flags, strict=True):
        for language in ("es", "en"):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            page = client.get(reverse("cases:detail", args=[case.code])).content.decode()
            assert f'id="id_flag{flag.pk}_resolution"' in page
            others = [f.pk for f in flags if f.pk != flag.pk]
            assert all(f"id_flag{pk}_" not in page for pk in others)
            assert case.code in page
            assert ("Resolución" in page) == (language == "es")
            assert ("Resolution" in page) == (language == "en")


@pytest.mark.django_db
def test_another_users_page_shows_only_the_forms_their_role_may_use(client, caseworker_gt, gt, hn, login):
    case = open_case(caseworker_gt, gt, hn)
    flag = Flag.objects.get(case=case, kind=FlagKind.URGENT_CHILD)
    login(client, caseworker_gt)
    assert f"id_flag{flag.pk}_resolution" in client.get(reverse("cases:detail", args=[case.code])).content.decode()
    reader = factories.user_with(Role.CASE_SUPERVISOR, "GT")
    login(client, reader)
    page = client.get(reverse("cases:detail", args=[case.code]))
    assert page.status_code == 200
    assert (f"id_flag{flag.pk}_resolution" in page.content.decode()) == page.context["can_change"]


# --- The tables written in Python ---------------------------------------------------------------

# The loops the templates held before the rows were written in Python (see views._table_rows).
TEMPLATE_LOOPS = {
    "history": """{% load case_labels i18n %}{% for change in history %}<tr>
      <th scope="row">{{ change.at|date:"SHORT_DATETIME_FORMAT" }}</th>
      <td>{% if change.transition == "open" %}{% translate "Opened" %}{% else %}{{ change|label:"from_stage" }}{% endif %}</td>
      <td>{{ change|label:"to_stage" }}</td>
      <td>{{ change.by.get_full_name|default:change.by.username }}</td></tr>{% endfor %}""",
    "tasks": """{% load case_labels i18n %}{% for task in tasks %}<tr>
      <th scope="row">{{ task|label:"stage" }}</th>
      <td>{{ task.due_on|date }}{% if not task.done_at and task.due_on < today %} <span class="badge text-bg-danger">{% translate "overdue" %}</span>{% endif %}</td>
      <td>{% if task.done_at %}{{ task.done_at|date:"SHORT_DATETIME_FORMAT" }}{% else %}{% translate "Open" %}{% endif %}</td></tr>{% endfor %}""",
    "steps": """{% load i18n %}{% for step in steps %}
      <li class="list-group-item{% if step.state == 'current' %} active{% elif step.state == 'done' %} list-group-item-success{% endif %}"{% if step.state == 'current' %} aria-current="step"{% endif %}>
        {{ step.label }}<span class="visually-hidden">{% if step.state == 'done' %} ({% translate "done" %}){% elif step.state == 'current' %} ({% translate "current stage" %}){% endif %}</span>
      </li>
    {% endfor %}""",
    "access_log": """{% for entry in access_log %}<tr>
      <th scope="row">{{ entry.at|date:"SHORT_DATETIME_FORMAT" }}</th>
      <td>{{ entry.actor|default:"—" }}</td>
      <td>{{ entry.label }}</td></tr>{% endfor %}""",
}


def _squeezed(html: str) -> str:
    """The markup without the indentation around its tags (a browser shows the same)."""
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html.strip()))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_tables_written_in_python_are_what_the_templates_wrote(language, shared_case, caseworker_gt):
    # A name with markup in it, an overdue task, done ones: all escaped, all as before.
    User.objects.filter(pk=caseworker_gt.pk).update(first_name="<i>Ana</i>", last_name="O'Brien & Co")
    Task.objects.filter(case=shared_case, done_at__isnull=True).update(due_on=dt.date(2020, 1, 1))
    case = views._get_case_for_user(caseworker_gt, shared_case.code, full=True)
    today = timezone.localdate()
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo("America/Guatemala")):
        log = views._access_log(case)
        steps = [*views._stage_steps(case), {"stage": "x", "label": "<b>A & B</b>", "state": "todo"}]
        ours = {
            "history": views._history_rows(case),
            "tasks": views._task_rows(case, today),
            "access_log": views._access_log_rows(log),
            "steps": views._steps_items(steps),
        }
        context = {"history": case.stage_changes.all(), "tasks": case.tasks.all(), "today": today, "access_log": log,
                   "steps": steps}
        theirs = {name: Template(source).render(Context(context)) for name, source in TEMPLATE_LOOPS.items()}
    for name in TEMPLATE_LOOPS:
        assert _squeezed(ours[name]) == _squeezed(theirs[name]), name
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in ours["steps"] and 'aria-current="step"' in ours["steps"]
    assert "&lt;i&gt;Ana&lt;/i&gt; O&#x27;Brien &amp; Co" in ours["history"]
    assert "<i>" not in ours["history"]
    assert 'class="badge text-bg-danger"' in ours["tasks"]
    assert len(log) > 3


WORK_LIST_LOOP = """{% load i18n %}{% translate "owned" as label_owned %}{% translate "incoming" as label_incoming %}{% translate "Child" as label_child %}{% translate "Adult" as label_adult %}{% translate "overdue" as label_overdue %}
      {% for case in rows %}
        <tr>
          <th scope="row"><a href="{{ case.url }}" class="font-monospace">{{ case.code }}</a>
            {% if case.destination_country_id == user_country_id %}<span class="badge text-bg-light border">{{ label_owned }}</span>{% else %}<span class="badge text-bg-info">{{ label_incoming }}</span>{% endif %}</th>
          <td>{{ case.stage_label }}</td>
          <td>{{ case.destination }} → {{ case.origin }}</td>
          <td>{% if case.is_child %}<span class="badge text-bg-warning">{{ label_child }}</span>{% else %}<span class="visually-hidden">{{ label_adult }}</span>{% endif %}</td>
          <td>{{ case.risk_label }}</td>
          <td>{% if case.next_due %}{{ case.next_due_text }}{% if case.is_overdue %} <span class="badge text-bg-danger">{{ label_overdue }}</span>{% endif %}{% else %}—{% endif %}</td>
          <td>{% for flag in case.open_flags %}<span class="badge text-bg-secondary me-1">{{ flag.label }}</span>{% empty %}—{% endfor %}</td>
        </tr>
      {% endfor %}"""


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_work_list_rows_written_in_python_are_what_the_template_wrote(language):
    rows = [
        Row(code="GT-2026-00001", url="/cases/GT-2026-00001/", stage="identified", stage_label="<b>Identified</b>",
            risk_label="High & urgent", destination_country_id=1, destination="Guatemala", origin="Honduras",
            is_child=True, next_due=dt.date(2026, 3, 1), next_due_text="1 de marzo de 2026", is_overdue=True,
            open_flags=[FlagRow("urgent_child", "Urgent <child>"), FlagRow("duplicate", "Possible 'duplicate'")]),
        Row(code="HN-2026-00002", url="/cases/HN-2026-00002/?a=1&b=2", stage="requested", stage_label="Requested",
            risk_label="Low", destination_country_id=2, destination='"El" Salvador', origin="Guatemala",
            is_child=False, next_due=None, next_due_text="", is_overdue=False, open_flags=[]),
        Row(code="GT-2026-00003", url="/cases/GT-2026-00003/", stage="returned", stage_label="Returned",
            risk_label="Medium", destination_country_id=1, destination="Guatemala", origin="México",
            is_child=False, next_due=dt.date(2026, 5, 1), next_due_text="1 de mayo de 2026", is_overdue=False,
            open_flags=[]),
    ]
    with translation.override(language):
        ours = views._work_list_rows(rows, 1)
        theirs = Template(WORK_LIST_LOOP).render(Context({"rows": rows, "user_country_id": 1}))
    assert _squeezed(ours) == re.sub(r"\s+<span", " <span", _squeezed(theirs))
    assert "&lt;b&gt;Identified&lt;/b&gt;" in ours and "High &amp; urgent" in ours and "Urgent &lt;child&gt;" in ours
    assert "&quot;El&quot; Salvador" in ours and "?a=1&amp;b=2" in ours
    assert ("fuera de plazo" in ours) == (language == "es")


# --- The case's lists, read with SQL compiled once ----------------------------------------------


def _fields(obj: Any) -> dict[str, Any]:
    deferred = obj.get_deferred_fields()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in deferred}


@pytest.mark.django_db
def test_each_case_gets_its_own_lists_as_prefetch_related_reads_them(
    caseworker_gt, supervisor_gt, gt, hn, django_assert_num_queries
):
    first = bring_to_request(open_case(caseworker_gt, gt, hn), caseworker_gt, supervisor_gt)
    second = open_case(caseworker_gt, gt, hn, estimated_age=9)
    services.related_person_add(actor=caseworker_gt, case=second, data={"role": "guardian", "full_name": "Otra Tutora"})
    for case in (first, second, first):  # the statements compiled for the first serve the others
        fresh = Case.objects.get(pk=case.pk)
        with django_assert_num_queries(len(related.LISTS)):
            related.load(fresh)
        lookups: list[Any] = [Prefetch(name, queryset=make()) for name, make in related.LISTS.items()]
        expected = Case.objects.prefetch_related(*lookups).get(pk=case.pk)
        with django_assert_num_queries(0):
            for name in related.LISTS:
                ours, theirs = list(getattr(fresh, name).all()), list(getattr(expected, name).all())
                assert [_fields(o) for o in ours] == [_fields(o) for o in theirs], name
                assert all(o.case is fresh for o in ours), name
        # Sealed values are opened as the ORM opens them; what the page never shows stays unread.
        people = list(fresh.related_people.all())
        assert [p.full_name for p in people] == [p.full_name for p in expected.related_people.all()]
        assert all("assessment" in p.get_deferred_fields() for p in people)
        assert all("reason" in c.get_deferred_fields() for c in fresh.stage_changes.all())
        # The people named on the page come with the rows, their names and nothing else.
        named = [c.by for c in fresh.stage_changes.all()] + [a.requested_by for a in fresh.approvals.all()]
        expected_names = [User.objects.get(pk=user.pk).get_full_name() for user in named]
        with django_assert_num_queries(0):
            assert [user.get_full_name() for user in named] == expected_names
            assert all(user.username for user in named)
        assert named and all("password" in user.get_deferred_fields() for user in named)
    assert {p.full_name for p in Case.objects.get(pk=second.pk).related_people.all()} == {"Otra Tutora"}
    # The lists still answer queries of their own, as prefetched ones do.
    assert fresh.consents.filter(purpose="processing").exists()


@pytest.mark.django_db
def test_the_case_is_read_with_its_contacts_in_the_country_of_origin(
    shared_case, caseworker_hn, hn_contacts, django_assert_num_queries
):
    contact, alternate = hn_contacts
    Case.objects.filter(pk=shared_case.pk).update(origin_contact=contact, origin_alternate=alternate)
    with django_assert_num_queries(2):  # the case with its relations, then its two contacts
        case = related.read_case(shared_case.code)
    assert case is not None
    with django_assert_num_queries(0):
        assert (case.origin_contact, case.origin_alternate) == (contact, alternate)
        assert case.origin_contact is not None and case.origin_contact.organisation == contact.organisation
        assert (case.destination_country.iso2, case.origin_country.iso2) == ("GT", "HN")
    Case.objects.filter(pk=shared_case.pk).update(origin_alternate=contact)  # the same person twice
    case = related.read_case(shared_case.code)
    assert case is not None and case.origin_contact == case.origin_alternate == contact
    Case.objects.filter(pk=shared_case.pk).update(origin_contact=None, origin_alternate=None)
    with django_assert_num_queries(1):  # no contacts: nothing more to read
        case = related.read_case(shared_case.code)
        assert case is not None and case.origin_contact is None and case.origin_alternate is None
    assert related.read_case("RP-0000-00000") is None
