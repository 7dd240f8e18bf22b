"""notify(): known kinds with their declared, non-identifying parameters only; one row per
recipient; one e-mail per recipient with an address, in their language, after the commit."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from corett.accounts.roles import Role
from corett.cases.models import Stage, new_case_code
from corett.notifications import kinds
from corett.notifications.kinds import KINDS
from corett.notifications.models import Notification
from corett.notifications.services import notify, users_with_role
from corett.testing import factories

pytestmark = pytest.mark.django_db

CODE = new_case_code()
LINK = "/cases/"


def _overdue(**params):
    return {"case": CODE, "stage": Stage.ASSESSING, "due_on": dt.date(2026, 3, 2), **params}


# --- Only known kinds, only their parameters, only codes, dates and counts ----------------------


def test_an_unknown_kind_is_refused(caseworker_gt):
    with pytest.raises(ValidationError):
        notify(recipients=[caseworker_gt], kind="case.gossip", params={"case": CODE}, link=LINK)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"case": CODE, "given_name": "Ana"},  # a parameter the kind does not declare
        {},  # a declared parameter missing
        {"case": "Ana María Pérez"},  # free text where a case code goes
        {"case": CODE[:-1] + ("2" if CODE[-1] != "2" else "3")},  # a tampered code
        {"case": {"code": CODE}},  # nothing nested
        {"case": 42},
    ],
)
def test_parameters_other_than_the_declared_codes_are_refused(caseworker_gt, params):
    with pytest.raises(ValidationError) as refused:
        notify(recipients=[caseworker_gt], kind="case.requested_to_origin", params=params, link=LINK)
    assert "Ana" not in str(refused.value)  # errors name parameters, never echo their values
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        _overdue(stage="Ana María"),  # not a code of the vocabulary
        _overdue(due_on="2026-03-02"),  # a string where a date goes
        _overdue(due_on=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)),  # a moment, not a date
        _overdue(due_on=True),
    ],
)
def test_vocabulary_codes_and_dates_are_checked(caseworker_gt, params):
    with pytest.raises(ValidationError):
        notify(recipients=[caseworker_gt], kind="case.task_overdue", params=params, link=LINK)


@pytest.mark.parametrize(
    "link", ["https://evil.example/cases/", "//evil.example/", "/cases/?name=Ana", "cases/", "/no/such/page/"]
)
def test_the_link_is_a_path_of_the_platform_without_a_query(caseworker_gt, link):
    with pytest.raises(ValidationError):
        notify(recipients=[caseworker_gt], kind="case.requested_to_origin", params={"case": CODE}, link=link)


def test_a_row_made_by_hand_is_checked_the_same_way(caseworker_gt):
    row = Notification(recipient=caseworker_gt, kind="case.requested_to_origin", params={"case": "Ana"}, link=LINK)
    with pytest.raises(ValidationError):
        row.full_clean()


def test_every_kind_renders_in_both_languages():
    samples = {"case": CODE, "stage": Stage.ASSESSING, "due_on": dt.date(2026, 3, 2),
               "answer": Stage.DECLINED_BY_ORIGIN, "approval": "closure", "decision": "rejected",
               "state": "committed"}
    for kind in KINDS.values():
        if not kind.code.startswith("case."):
            continue  # the other modules' kinds: below
        stored = kind.clean({name: samples[name] for name in kind.params})
        for language in ("es", "en"):
            with translation.override(language):
                text = kind.render(stored)
            assert CODE in text and "%(" not in text, (kind.code, language, text)


def _sample(param):
    """A value each kind of parameter accepts."""
    if isinstance(param, kinds.Choice):
        return next(iter(param.labels))
    if type(param).__name__ == "CountryCode":  # national reporting's: a member country
        return "GT"
    return {kinds.CaseCode: CODE, kinds.Day: dt.date(2026, 3, 2), kinds.Count: 3,
            kinds.Reference: "III-2022/A"}[type(param)]


def test_every_modules_kind_renders_in_both_languages_with_every_parameter(gt):
    kinds._load_module_kinds()
    modules = [kind for kind in KINDS.values() if not kind.code.startswith("case.")]
    assert modules, "the modules declare their kinds in corett/<app>/notification_kinds.py"
    for kind in modules:
        params = {name: _sample(param) for name, param in kind.params.items()}
        stored = kind.clean(params)
        for language in ("es", "en"):
            with translation.override(language):
                text = kind.render(stored)
            assert text and "%(" not in text, (kind.code, language, text)
            for name, param in kind.params.items():
                if isinstance(param, kinds.Reference):
                    assert params[name] in text, (kind.code, name, text)


# --- Rows and e-mails ---------------------------------------------------------------------------


def test_one_row_and_one_email_per_recipient(caseworker_gt, supervisor_gt, django_capture_on_commit_callbacks):
    silent = factories.user_with(Role.CASE_WORKER, "GT", username="no-address", email="")
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            recipients=[caseworker_gt, supervisor_gt, silent, caseworker_gt],
            kind="case.requested_to_origin", params={"case": CODE}, link=LINK,
        )
    assert sorted(r.recipient_id for r in rows) == sorted([caseworker_gt.pk, supervisor_gt.pk, silent.pk])
    assert sorted(m.to for m in mail.outbox) == sorted([[caseworker_gt.email], [supervisor_gt.email]])
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)  # nobody sees another's address
    body = mail.outbox[0].body
    assert CODE in body and "http://testserver" not in body
    assert body.count("/cases/") == 1


def test_inactive_users_are_not_notified(caseworker_gt):
    caseworker_gt.is_active = False
    caseworker_gt.save(update_fields=["is_active"])
    assert notify(recipients=[caseworker_gt], kind="case.requested_to_origin", params={"case": CODE}, link=LINK) == []


def test_the_email_link_starts_at_the_site_root(caseworker_gt, settings, django_capture_on_commit_callbacks):
    settings.SITE_ROOT = "https://hub.corett.example/"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[caseworker_gt], kind="case.requested_to_origin", params={"case": CODE}, link=LINK)
    assert "https://hub.corett.example/cases/\n" in mail.outbox[0].body


def test_the_email_is_in_the_recipients_language(caseworker_gt, supervisor_gt, django_capture_on_commit_callbacks):
    caseworker_gt.preferred_language = "en"
    caseworker_gt.save(update_fields=["preferred_language"])
    supervisor_gt.preferred_language = "es"
    supervisor_gt.save(update_fields=["preferred_language"])
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[caseworker_gt, supervisor_gt], kind="case.task_overdue", params=_overdue(), link=LINK)
    by_address = {m.to[0]: m for m in mail.outbox}
    english, spanish = by_address[caseworker_gt.email], by_address[supervisor_gt.email]
    assert "March 2, 2026" in english.body
    assert str(Stage.ASSESSING.label) in english.body
    assert english.subject == "CORETT Hub: a case needs your attention"
    assert "2 de marzo de 2026" in spanish.body
    with translation.override("es"):
        assert str(Stage.ASSESSING.label) in spanish.body
        assert spanish.subject == str(KINDS["case.task_overdue"].subject)


def test_the_in_app_text_is_written_in_the_readers_language_when_shown(caseworker_gt):
    (row,) = notify(recipients=[caseworker_gt], kind="case.task_overdue", params=_overdue(), link=LINK)
    assert row.params == {"case": CODE, "stage": "assessing", "due_on": "2026-03-02"}  # codes, not words
    with translation.override("en"):
        assert "March 2, 2026" in row.message
    with translation.override("es"):
        assert "2 de marzo de 2026" in row.message


def test_no_email_leaves_when_the_calling_transaction_rolls_back(caseworker_gt, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[caseworker_gt], kind="case.requested_to_origin", params={"case": CODE}, link=LINK)
        raise RuntimeError("the caller's work failed")
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_failed_email_is_logged_without_the_address_and_breaks_nothing(
    caseworker_gt, supervisor_gt, caplog, django_capture_on_commit_callbacks
):
    refusal = smtplib.SMTPRecipientsRefused({caseworker_gt.email: (550, b"no such user " + caseworker_gt.email.encode())})
    real_send = mail.send_mail

    def flaky(subject, body, sender, to, **kwargs):
        if to == [caseworker_gt.email]:
            raise refusal
        return real_send(subject, body, sender, to, **kwargs)

    caplog.set_level(logging.WARNING, logger="corett.notifications")
    with mock.patch("corett.notifications.services.send_mail", side_effect=flaky), \
            django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[caseworker_gt, supervisor_gt], kind="case.requested_to_origin",
                      params={"case": CODE}, link=LINK)
    assert len(rows) == 2 and Notification.objects.count() == 2
    assert [m.to for m in mail.outbox] == [[supervisor_gt.email]]  # the others still get theirs
    assert "SMTPRecipientsRefused" in caplog.text
    assert caseworker_gt.email not in caplog.text
    assert caseworker_gt.username not in caplog.text


def test_a_reminder_with_a_key_reaches_each_recipient_once(caseworker_gt, supervisor_gt, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipients=[caseworker_gt], kind="case.task_overdue", params=_overdue(), link=LINK, once_key="k1")
        again = notify(recipients=[caseworker_gt, supervisor_gt], kind="case.task_overdue", params=_overdue(),
                       link=LINK, once_key="k1")
    assert len(first) == 1
    assert [r.recipient_id for r in again] == [supervisor_gt.pk]
    assert len(mail.outbox) == 2


def test_recipients_are_resolved_by_role_and_country_or_organisation(caseworker_gt, caseworker_hn, supervisor_gt, partner_user):
    assert set(users_with_role(Role.CASE_WORKER, country_id=caseworker_gt.country_id)) == {caseworker_gt}
    assert set(users_with_role(Role.CASE_WORKER, Role.CASE_SUPERVISOR, country_id=caseworker_gt.country_id)) == {
        caseworker_gt, supervisor_gt}
    assert set(users_with_role(Role.PARTNER, organisation_id=partner_user.organisation_id)) == {partner_user}
    with pytest.raises(ValueError):
        users_with_role(Role.CASE_WORKER)  # never "everyone with the role"
