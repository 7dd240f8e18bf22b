"""The notification pages: one's own inbox only, opening marks read, and the navigation's count
costs one query however many notifications there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from corett.cases.models import new_case_code
from corett.notifications.models import Notification
from corett.notifications.services import notify
from corett.notifications.unread import unread_count
from corett.testing import factories

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
READ_ALL = reverse("notifications:read_all")


def _read(notification: Notification) -> str:
    return reverse("notifications:read", args=[notification.pk])


def _notify(user, *, code: str | None = None, link: str = "/cases/") -> Notification:
    (row,) = notify(recipients=[user], kind="case.requested_to_origin", params={"case": code or new_case_code()}, link=link)
    return row


def _many(user, count: int, *, read: bool = False) -> list[Notification]:
    """``count`` notifications, a minute apart, the last the newest."""
    start = timezone.now() - dt.timedelta(days=1)
    return Notification.objects.bulk_create(
        Notification(
            recipient=user, kind="case.requested_to_origin", params={"case": new_case_code()}, link="/cases/",
            created_at=start + dt.timedelta(minutes=i), read_at=timezone.now() if read else None,
        )
        for i in range(count)
    )


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- Who reaches what ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, caseworker_gt):
    row = _notify(caseworker_gt)
    for method, url in (("get", LIST), ("post", _read(row)), ("post", READ_ALL)):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    row.refresh_from_db()
    assert row.is_unread


@pytest.mark.parametrize("fixture", ["admin_user", "secretariat_user", "observer_user", "partner_user", "focal_hn", "trainer_gt", "caseworker_hn"])
def test_every_role_has_its_own_inbox(request, client_as, fixture):
    user = request.getfixturevalue(fixture)
    code = new_case_code()
    _notify(user, code=code)
    response = client_as(user).get(LIST)
    assert response.status_code == 200
    assert code in response.content.decode()


def test_a_user_without_a_role_has_no_inbox(client_as, gt):
    nobody = factories.UserFactory.create(username="no-role")
    assert client_as(nobody).get(LIST).status_code == 403


def test_the_list_shows_only_ones_own_notifications_newest_first(client_as, caseworker_gt, caseworker_hn):
    older = _notify(caseworker_gt)
    newer = _notify(caseworker_gt)
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    theirs = _notify(caseworker_hn)
    body = _english(client_as(caseworker_gt)).get(LIST).content.decode()
    assert theirs.params["case"] not in body
    assert body.index(newer.params["case"]) < body.index(older.params["case"])


def test_unread_notifications_are_marked_in_words_not_only_colour(client_as, caseworker_gt):
    _many(caseworker_gt, 2, read=True)
    _many(caseworker_gt, 3)
    body = _english(client_as(caseworker_gt)).get(LIST).content.decode()
    assert body.count("data-unread") == 3
    assert body.count(">Unread</span>") == 3
    assert "3 unread notifications." in body


def test_the_list_is_paginated(client_as, caseworker_gt):
    rows = _many(caseworker_gt, 30)
    client = client_as(caseworker_gt)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert rows[-1].params["case"] in first and rows[0].params["case"] not in first
    assert rows[0].params["case"] in second


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_as, caseworker_gt):
    row = _notify(caseworker_gt, link="/cases/overdue/")
    response = client_as(caseworker_gt).post(_read(row))
    assert response.status_code == 302
    assert response["Location"] == "/cases/overdue/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_someone_elses_notification_is_not_found(client_as, caseworker_gt, supervisor_gt):
    theirs = _notify(supervisor_gt)
    client = client_as(caseworker_gt)
    assert client.post(_read(theirs)).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk + 1000])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_unread


def test_opening_needs_a_post(client_as, caseworker_gt):
    row = _notify(caseworker_gt)
    assert client_as(caseworker_gt).get(_read(row)).status_code == 405
    row.refresh_from_db()
    assert row.is_unread


def test_marking_all_read_touches_only_ones_own(client_as, caseworker_gt, supervisor_gt):
    _many(caseworker_gt, 4)
    theirs = _notify(supervisor_gt)
    response = client_as(caseworker_gt).post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Notification.objects.filter(recipient=caseworker_gt).unread().exists()
    theirs.refresh_from_db()
    assert theirs.is_unread


# --- The navigation's count --------------------------------------------------------------------


def test_the_navigation_shows_the_unread_count_to_eyes_and_screen_readers(client_as, focal_gt):
    _many(focal_gt, 3)
    _many(focal_gt, 2, read=True)
    body = _english(client_as(focal_gt)).get(reverse("core:home")).content.decode()
    assert '<span class="badge rounded-pill text-bg-warning" aria-hidden="true">3</span>' in body
    assert '<span class="visually-hidden">(3 unread)</span>' in body


def test_the_count_stops_at_99(client_as, focal_gt):
    _many(focal_gt, 120)
    body = _english(client_as(focal_gt)).get(reverse("core:home")).content.decode()
    assert 'aria-hidden="true">99+</span>' in body
    assert "(more than 99 unread)" in body


def test_without_unread_notifications_the_link_shows_no_count(client_as, focal_gt):
    _many(focal_gt, 2, read=True)
    body = _english(client_as(focal_gt)).get(reverse("core:home")).content.decode()
    assert 'data-testid="notifications-link">Notifications</a>' in body


def _badge(body: str) -> str | None:
    marker = '<span class="badge rounded-pill text-bg-warning" aria-hidden="true">'
    return body.split(marker, 1)[1].split("<", 1)[0] if marker in body else None


def test_each_user_sees_only_their_own_count(login, focal_gt, focal_hn, observer_user):
    # The statement is compiled once and kept: each page runs it with its own user.
    _many(focal_gt, 3)
    _many(focal_hn, 5)
    _many(focal_hn, 4, read=True)
    clients = {user: login(Client(), user) for user in (focal_gt, focal_hn, observer_user)}
    home = reverse("core:home")
    for user, shown in ((focal_gt, "3"), (focal_hn, "5"), (observer_user, None), (focal_gt, "3")):
        assert _badge(clients[user].get(home).content.decode()) == shown


def test_the_count_is_the_policys_scope_of_unread_notifications(focal_gt, focal_hn):
    _many(focal_gt, 2)
    _many(focal_gt, 3, read=True)
    _many(focal_hn, 120)
    for user in (focal_gt, focal_hn):
        expected = min(Notification.objects.visible_to(user).unread().count(), 100)
        assert unread_count(user) == expected
    assert (unread_count(focal_gt), unread_count(focal_hn)) == (2, 100)


def test_a_user_the_policy_gives_no_inbox_is_counted_nothing_without_a_query(
    focal_gt, django_assert_num_queries
):
    _many(focal_gt, 2)
    focal_gt.is_active = False
    roleless = factories.UserFactory.create(username="no-roles")
    _many(roleless, 2)
    with django_assert_num_queries(0):
        assert unread_count(focal_gt) == 0
        assert unread_count(roleless) == 0


def _notification_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "notifications_notification" in q["sql"]]


def test_the_navigation_count_is_one_query_however_many_notifications(client_as, focal_gt):
    client = client_as(focal_gt)
    home = reverse("core:home")
    client.get(home)
    with CaptureQueriesContext(connection) as few:
        client.get(home)
    _many(focal_gt, 150)
    with CaptureQueriesContext(connection) as many:
        client.get(home)
    assert len(_notification_queries(few)) == len(_notification_queries(many)) == 1
    assert len(many) == len(few)


def test_anonymous_pages_do_not_count(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("accounts:login")).status_code == 200
    assert _notification_queries(captured) == []


def test_the_list_page_runs_a_fixed_number_of_queries(client_as, caseworker_gt, django_assert_max_num_queries):
    client = client_as(caseworker_gt)
    _many(caseworker_gt, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    _many(caseworker_gt, 60)
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    assert len(many) == len(few)
    # The list and its count reuse the navigation's count: the unread number is asked once.
    unread_counts = [q for q in _notification_queries(many) if "read_at" in q and "IS NULL" in q]
    assert len(unread_counts) == 1


def test_a_link_altered_in_the_database_to_another_site_is_not_followed(client_as, caseworker_gt):
    row = _notify(caseworker_gt)
    Notification.objects.filter(pk=row.pk).update(link="https://evil.example/phish")
    response = client_as(caseworker_gt).post(_read(row))
    assert response.status_code == 302 and response["Location"] == LIST
