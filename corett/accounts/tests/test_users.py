"""User management: platform administrators only; roles; the administrators' own safety net."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett.accounts import services
from corett.accounts.models import RoleAssignment, User
from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.testing.factories import OrganisationFactory, UserFactory, country

pytestmark = pytest.mark.django_db

NON_ADMINS = [
    "secretariat_user", "presidency_user", "observer_user", "partner_user",
    "focal_gt", "focal_hn", "caseworker_gt", "caseworker_hn", "supervisor_gt", "trainer_gt",
]
LIST = "/accounts/users/"
CREATE = "/accounts/users/new/"


@pytest.fixture
def admin_client(client_as, admin_user):
    return client_as(admin_user)


@pytest.fixture
def org_gt(gt):
    return OrganisationFactory(name="Ministerio Público GT", country=gt)


def _form_data(org, **changes):
    data = {
        "username": "ana.lopez",
        "first_name": "Ana",
        "last_name": "López",
        "email": "ana.lopez@example.org",
        "organisation": org.pk,
        "roles": ["focal_point"],
        "preferred_language": "es",
        "is_active": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", NON_ADMINS)
def test_every_other_role_is_refused_user_management(request, client_as, who, focal_gt):
    user = request.getfixturevalue(who)
    target = focal_gt if user != focal_gt else request.getfixturevalue("focal_hn")
    client = client_as(user)
    edit = reverse("accounts:user_edit", args=[target.pk])
    reset = reverse("accounts:user_reset_two_factor", args=[target.pk])
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"username": "intruder"}).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"username": "renamed"}).status_code == 403
    assert client.post(reset).status_code == 403
    assert not User.objects.filter(username__in=["intruder", "renamed"]).exists()
    refusals = AuditEntry.objects.filter(action="access.denied", actor_id=user.pk)
    assert {e.extra["permission"] for e in refusals} == {"accounts.manage_users"}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_user_is_404(admin_client):
    assert admin_client.get(reverse("accounts:user_edit", args=[999999])).status_code == 404


def test_the_administrator_lists_searches_and_filters_users(admin_client, focal_gt, focal_hn, caseworker_gt):
    body = admin_client.get(LIST).content.decode()
    assert "focal_point-gt" in body and "focal_point-hn" in body
    found = admin_client.get(LIST, {"q": "point-hn"}).context["page"].object_list
    assert [u.username for u in found] == ["focal_point-hn"]
    by_role = admin_client.get(LIST, {"role": "case_worker"}).context["page"].object_list
    assert [u.username for u in by_role] == ["case_worker-gt"]
    by_country = admin_client.get(LIST, {"country": country("HN").pk}).context["page"].object_list
    assert [u.username for u in by_country] == ["focal_point-hn"]


def test_the_list_is_paginated_and_keeps_the_filters(admin_client, gt):
    org = OrganisationFactory(country=gt)
    for i in range(30):
        UserFactory(username=f"trainer{i:02d}", organisation=org, roles=[Role.TRAINER])
    first = admin_client.get(LIST, {"role": "trainer"})
    assert len(first.context["page"].object_list) == 25
    assert "role=trainer&amp;page=2" in first.content.decode()
    second = admin_client.get(LIST, {"role": "trainer", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_the_list_query_count_does_not_grow_with_the_users(
    admin_client, gt, django_assert_max_num_queries
):
    org = OrganisationFactory(country=gt)
    UserFactory(organisation=org, roles=[Role.FOCAL_POINT])
    # 11 + 1: the navigation's unread-notifications count.
    with django_assert_max_num_queries(12):
        admin_client.get(LIST)
    for _ in range(25):
        UserFactory(organisation=org, roles=[Role.CASE_WORKER, Role.TRAINER])
    with django_assert_max_num_queries(12):
        response = admin_client.get(LIST)
    assert len(response.context["page"].object_list) == 25


def test_the_administrator_creates_a_user_who_gets_a_set_password_link(
    admin_client, admin_user, org_gt, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(CREATE, _form_data(org_gt, roles=["focal_point", "trainer"]))
    user = User.objects.get(username="ana.lopez")
    assert response["Location"] == reverse("accounts:user_edit", args=[user.pk])
    assert user.roles == {"focal_point", "trainer"}
    assert user.organisation == org_gt
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana.lopez@example.org"]
    assert "/accounts/password/reset/" in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="accounts.user.create")
    assert entry.actor_id == admin_user.pk
    assert "email" in entry.changed_fields and "roles" in entry.changed_fields
    assert "ana.lopez@example.org" not in str(entry.content())


def test_the_new_user_sets_a_password_through_the_link(
    client, admin_client, org_gt, django_capture_on_commit_callbacks, password_step
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(CREATE, _form_data(org_gt))
    admin_client.post(reverse("accounts:logout"))
    path = mail.outbox[0].body.split("127.0.0.1:8000", 1)[1].split()[0]
    page = client.get(path, follow=True)
    assert page.context["validlink"]
    password = "my own secret phrase 77"
    client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert password_step("ana.lopez", password).status_code == 302


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "focal_point-gt"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"roles": []}, "roles"),
        ({"roles": ["emperor"]}, "roles"),
        ({"organisation": ""}, "organisation"),
    ],
)
def test_bad_input_is_refused_at_the_field(admin_client, org_gt, focal_gt, changes, field):
    response = admin_client.post(CREATE, _form_data(org_gt, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.filter(email="ana.lopez@example.org").exists()


def test_a_duplicate_email_is_refused_at_the_field(admin_client, org_gt, focal_gt):
    response = admin_client.post(CREATE, _form_data(org_gt, email=focal_gt.email.upper()))
    assert response.context["form"].errors["email"]
    assert not User.objects.filter(username="ana.lopez").exists()


def test_a_national_role_needs_an_organisation_of_a_country(admin_client):
    regional = OrganisationFactory(name="SICA", kind="intergovernmental", country=None)
    response = admin_client.post(CREATE, _form_data(regional, roles=["case_worker"]))
    assert response.context["form"].errors["organisation"]
    assert not User.objects.filter(username="ana.lopez").exists()


def test_the_administrator_edits_a_user_and_the_audit_names_the_fields(admin_client, focal_gt, org_gt):
    url = reverse("accounts:user_edit", args=[focal_gt.pk])
    form = admin_client.get(url).context["form"]
    assert form.initial["roles"] == ["focal_point"]
    data = {**{k: v for k, v in form.initial.items() if v not in (None, False)}}
    data.update({"organisation": org_gt.pk, "last_name": "Pérez", "roles": ["focal_point", "trainer"], "is_active": "on"})
    response = admin_client.post(url, data)
    assert response["Location"] == url
    focal_gt = User.objects.get(pk=focal_gt.pk)
    assert focal_gt.last_name == "Pérez"
    assert focal_gt.roles == {"focal_point", "trainer"}
    entry = AuditEntry.objects.get(action="accounts.user.update")
    assert entry.changed_fields == ["last_name", "organisation", "roles"]
    assert entry.extra == {"roles_added": ["trainer"], "roles_removed": []}
    assert "Pérez" not in str(entry.content())


def test_deactivating_a_user_stops_their_sign_in(admin_client, focal_gt, password_step, client):
    url = reverse("accounts:user_edit", args=[focal_gt.pk])
    form = admin_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False, True)}
    data["organisation"] = focal_gt.organisation_id
    admin_client.post(url, data)  # no is_active: unticked
    focal_gt.refresh_from_db()
    assert not focal_gt.is_active
    admin_client.post(reverse("accounts:logout"))
    assert password_step("focal_point-gt").status_code == 200
    assert client.session.get("_auth_user_id") is None


def test_nobody_removes_their_own_administrator_role(admin_client, admin_user):
    url = reverse("accounts:user_edit", args=[admin_user.pk])
    form = admin_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update({"roles": ["secretariat"], "organisation": admin_user.organisation_id, "is_active": "on"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["roles"]
    assert admin_user.role_assignments.filter(role="admin").exists()


def test_nobody_deactivates_themselves(admin_client, admin_user):
    url = reverse("accounts:user_edit", args=[admin_user.pk])
    form = admin_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False, True)}
    data["organisation"] = admin_user.organisation_id
    response = admin_client.post(url, data)
    assert response.context["form"].errors["is_active"]
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_an_administrator_may_remove_another_administrators_role(admin_user, make_user):
    other_admin = make_user(Role.ADMIN, None, username="admin-2")
    services.user_roles_set(actor=other_admin, user=admin_user, roles=[Role.SECRETARIAT])
    assert set(RoleAssignment.objects.filter(user=admin_user).values_list("role", flat=True)) == {"secretariat"}


def test_the_self_protection_holds_in_the_service_too(admin_user):
    with pytest.raises(ValidationError) as exc:
        services.user_roles_set(actor=admin_user, user=admin_user, roles=[Role.SECRETARIAT])
    assert "roles" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.user_update(actor=admin_user, user=admin_user, data={"is_active": False})
    assert "is_active" in exc.value.message_dict


def test_the_administrator_resets_a_users_two_factor(admin_client, caseworker_gt, password_step, client):
    StaticDevice.objects.create(user=caseworker_gt, name="recovery codes")
    response = admin_client.post(reverse("accounts:user_reset_two_factor", args=[caseworker_gt.pk]))
    assert response["Location"] == reverse("accounts:user_edit", args=[caseworker_gt.pk])
    assert not TOTPDevice.objects.filter(user=caseworker_gt).exists()
    assert not StaticDevice.objects.filter(user=caseworker_gt).exists()
    assert AuditEntry.objects.filter(action="accounts.two_factor.reset", object_id=str(caseworker_gt.pk)).exists()
    # At the next sign-in the user is sent to enrol again.
    admin_client.post(reverse("accounts:logout"))
    password_step("case_worker-gt")
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:two_factor_setup")


def test_resetting_two_factor_needs_a_post(admin_client, caseworker_gt):
    url = reverse("accounts:user_reset_two_factor", args=[caseworker_gt.pk])
    assert admin_client.get(url).status_code == 405


def test_role_assignments_are_not_duplicated(admin_user, focal_gt):
    services.user_roles_set(actor=admin_user, user=focal_gt, roles=["focal_point", "focal_point", "trainer"])
    assert RoleAssignment.objects.filter(user=focal_gt).count() == 2
