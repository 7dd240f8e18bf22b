"""The audit viewer: administrators only, filters, pagination, verification, self-audit."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.audit.services import audit_log
from corett.testing.factories import country

pytestmark = pytest.mark.django_db

NON_ADMINS = [
    "secretariat_user", "presidency_user", "observer_user", "partner_user",
    "focal_gt", "caseworker_gt", "supervisor_gt", "trainer_gt",
]


@pytest.fixture
def admin_client(client_as, admin_user):
    return client_as(admin_user)


def _log(action="test.event", username="someone", **kwargs) -> AuditEntry:
    return audit_log(actor=None, username=username, action=action, **kwargs)


@pytest.mark.parametrize("who", NON_ADMINS)
def test_every_other_role_is_refused_the_viewer(request, client_as, who):
    user = request.getfixturevalue(who)
    entry = _log()
    client = client_as(user)
    assert client.get(reverse("audit:entry_list")).status_code == 403
    assert client.get(reverse("audit:entry_detail", args=[entry.pk])).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403
    refusals = AuditEntry.objects.filter(action="access.denied", actor_id=user.pk)
    assert sorted(e.extra["permission"] for e in refusals) == ["audit.verify", "audit.view", "audit.view"]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("audit:entry_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_administrator_sees_the_trail_newest_first(admin_client):
    older = _log(action="test.older")
    newer = _log(action="test.newer")
    response = admin_client.get(reverse("audit:entry_list"))
    assert response.status_code == 200
    page = list(response.context["page"].object_list)
    assert page.index(newer) < page.index(older)
    assert reverse("audit:entry_detail", args=[newer.pk]) in response.content.decode()


def test_it_shows_changed_field_names_but_never_values(admin_client):
    _log(action="directory.person.update", changed_fields=["email", "phone"], object_type="directory.person", object_id=7)
    body = admin_client.get(reverse("audit:entry_list")).content.decode()
    assert "email, phone" in body


def test_looking_at_the_trail_is_itself_audited(admin_client, admin_user):
    entry = _log()
    admin_client.get(reverse("audit:entry_list"), {"action": "test.event", "actor": "someone"})
    admin_client.get(reverse("audit:entry_detail", args=[entry.pk]))
    views = AuditEntry.objects.filter(action="audit.view", actor_id=admin_user.pk).order_by("id")
    assert [v.extra.get("filters") for v in views] == [["action", "actor"], None]
    assert views[1].object_id == str(entry.pk)
    # Only the names of the filters: the username searched for is not recorded.
    assert "someone" not in str(views[0].content())


def test_it_filters_by_action_and_by_action_group(admin_client):
    login = _log(action="auth.login")
    failed = _log(action="auth.login_failed")
    change = _log(action="directory.person.update")
    url = reverse("audit:entry_list")

    mine = {login, failed, change}
    exact = admin_client.get(url, {"action": "auth.login"}).context["page"].object_list
    assert set(exact) & mine == {login}
    assert {e.action for e in exact} == {"auth.login"}
    group = admin_client.get(url, {"action": "auth.*"}).context["page"].object_list
    assert set(group) & mine == {login, failed}


def test_it_filters_by_actor_object_and_country(admin_client, gt, hn):
    mine = _log(username="ana", object_type="directory.person", object_id=5, country="GT")
    other_object = _log(username="ana", object_type="directory.person", object_id=6, country="GT")
    other_actor = _log(username="beto", object_type="directory.organisation", object_id=5, country="HN")
    url = reverse("audit:entry_list")

    def found(**params):
        return set(admin_client.get(url, params).context["page"].object_list) & {mine, other_object, other_actor}

    assert found(actor="ANA") == {mine, other_object}
    assert found(object_type="directory.person", object_id="5") == {mine}
    assert found(object_type="directory.organisation") == {other_actor}
    assert found(country="HN") == {other_actor}


def test_it_filters_by_date(admin_client):
    entry = _log()
    today = timezone.localdate(entry.created_at)
    url = reverse("audit:entry_list")
    day = dt.timedelta(days=1)

    def found(**params):
        return entry in admin_client.get(url, params).context["page"].object_list

    assert found(date_from=today.isoformat(), date_to=today.isoformat())
    assert not found(date_from=(today + day).isoformat())
    assert not found(date_to=(today - day).isoformat())


def test_an_impossible_date_range_is_explained_at_the_field(admin_client):
    response = admin_client.get(reverse("audit:entry_list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors
    assert 'id="id_date_to_error"' in response.content.decode()


def test_an_unknown_filter_value_is_an_error_not_a_crash(admin_client):
    response = admin_client.get(reverse("audit:entry_list"), {"action": "no.such", "page": "banana"})
    assert response.status_code == 200
    assert "action" in response.context["form"].errors


def test_the_list_is_paginated_by_50_with_a_pinned_query_count(admin_client, django_assert_max_num_queries):
    country("GT")
    for i in range(120):
        _log(action=f"test.bulk{i % 3}", object_type="directory.person", object_id=i, country="GT")
    url = reverse("audit:entry_list")
    # Session, user, device, roles; the three filter choice lists; count and page; the
    # audit.view entry (a few more on PostgreSQL for the chain lock): never one per row.
    with django_assert_max_num_queries(19):
        response = admin_client.get(url, {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].number == 2
    body = response.content.decode()
    assert "page=3" in body and "page=1" in body
    filtered = admin_client.get(url, {"action": "test.bulk1"})
    assert "action=test.bulk1" in filtered.content.decode().replace("&amp;", "&")


def test_the_detail_page_shows_one_entry(admin_client):
    entry = _log(
        action="directory.person.update", changed_fields=["email"],
        object_type="directory.person", object_id=9, extra={"api": "PersonViewSet.update"},
    )
    response = admin_client.get(reverse("audit:entry_detail", args=[entry.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert entry.hash in body and entry.prev_hash in body
    assert "<code>email</code>" in body
    assert "PersonViewSet.update" in body


def test_an_unknown_entry_is_404(admin_client):
    assert admin_client.get(reverse("audit:entry_detail", args=[999999])).status_code == 404


def test_the_administrator_can_verify_the_chain(admin_client, admin_user):
    _log()
    assert admin_client.get(reverse("audit:verify")).status_code == 405
    response = admin_client.post(reverse("audit:verify"))
    assert response.status_code == 200
    assert response.context["result"].ok
    assert 'data-testid="verify-ok"' in response.content.decode()
    record = AuditEntry.objects.filter(action="audit.verify").get()
    assert record.actor_id == admin_user.pk
    assert record.extra["ok"] is True


def test_verification_names_a_tampered_entry(admin_client, tamper):
    _log()
    victim = _log()
    _log()
    tamper("UPDATE audit_auditentry SET actor_username = %s WHERE id = %s", ["nobody", victim.pk])
    response = admin_client.post(reverse("audit:verify"))
    assert response.status_code == 200
    assert response.context["result"].broken_id == victim.pk
    body = response.content.decode()
    assert 'data-testid="verify-broken"' in body
    assert reverse("audit:entry_detail", args=[victim.pk]) in body


def test_the_page_shows_the_trail_as_it_was_before_this_look(admin_client):
    _log()
    response = admin_client.get(reverse("audit:entry_list"))
    page = response.context["page"]
    assert len(page.object_list) == page.paginator.count
    assert all(e.action != "audit.view" for e in page.object_list)
