"""A canary: a name and a document number no one would ever type, entered in a case through the
real pages (and the services), must never appear in clear where the law and the coalition's
promise say identity must not go: the database file or dump, the logs, the audit trail, error
pages, e-mails, URLs, lists, or any answer to someone not allowed to see the case.

Runs on SQLite (the whole database image, free pages included) and on PostgreSQL (pg_dump of
the test database). Transactional: the data must be committed for pg_dump to see it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.cases import services
from corett.cases.models import Case, FundingState, RelatedRole, Stage, Task
from corett.testing import factories
from corett.testing.cases import CaseActors, advance, case_actors, case_data

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "Zyxwvutsrqcanary"
CANARY_FAMILY = "Qjxkwcanaryson"
CANARY_DOCUMENT = "ZQ7741CANARYDOC"
CANARIES = (CANARY, CANARY_FAMILY, CANARY_DOCUMENT)


def _encodings(text: str) -> list[bytes]:
    """The forms a leaked value takes in a database file or dump: as it is (any case), in hex
    (PostgreSQL's bytea), and in base64 at each of the three byte alignments."""
    raw = text.encode()
    forms = [raw.lower(), raw.hex().encode()]
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        forms.append(encoded[4 : len(encoded) - 4])  # the part that does not depend on neighbours
    return forms


def assert_no_canary(data: str | bytes, where: str) -> None:
    blob = (data.encode() if isinstance(data, str) else data).lower()
    for canary in CANARIES:
        for form in _encodings(canary):
            assert form.lower() not in blob, f"{canary!r} found ({form[:12]!r}…) in {where}"


def _client(login: Any, user: Any) -> Client:
    client = Client(raise_request_exception=False)
    login(client, user)
    return client


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- The world: a Honduran child identified in Guatemala, funded by a partner -----------------


class World:
    def __init__(self, case: Case, actors: CaseActors, responses: list) -> None:
        self.case = case
        self.actors = actors
        self.responses = responses  # every response of the set-up, to check their URLs


def _open_through_the_page(login: Any, actors: CaseActors, responses: list) -> Case:
    url = _url("cases:open")
    today = timezone.localdate()
    if url is None:  # the pages are not there: the service is what they call
        data = case_data(origin="HN", child=True, organisation=actors.worker.organisation)
        data.update(given_name=CANARY, family_name=CANARY_FAMILY, documents=[{"kind": "passport", "number": CANARY_DOCUMENT}])
        return services.case_open(actor=actors.worker, destination_country=factories.country("GT"), data=data)
    worker = _client(login, actors.worker)
    response = worker.post(url, {
        "given_name": CANARY, "family_name": CANARY_FAMILY, "other_names": f"La {CANARY}",
        "birth_date": dt.date(today.year - 12, 4, 9).isoformat(), "estimated_age": "", "sex": "female",
        "gender": "", "citizenships": ["HND"], "languages": ["es"],
        "identifying_organisation": actors.worker.organisation_id, "origin_country": factories.country("HN").pk,
        "identified_on": (today - dt.timedelta(days=5)).isoformat(), "risk_level": "high",
        "trafficking_status": "PossibleVictimOfTrafficking", "status_decided_by": "",
        "forms_of_exploitation": ["ForcedBegging"], "methods_of_control": [], "recruiter_relationship": "",
        "contact": f"{CANARY.lower()}@example.org, +504 9999 1234", "address": f"Colonia {CANARY}, casa 7",
        "narrative": f"{CANARY} fue encontrada en la terminal de buses.",
        "documents-TOTAL_FORMS": "1", "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0", "documents-MAX_NUM_FORMS": "10",
        "documents-0-kind": "passport", "documents-0-number": CANARY_DOCUMENT, "documents-0-issuer": "RNP",
    })
    responses.append(response)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Case.objects.get(destination_country__iso2="GT")


def _guardian_through_the_page(login: Any, actors: CaseActors, case: Case, responses: list) -> None:
    url = _url("cases:related_person_add", case.code)
    data = {
        "role": RelatedRole.GUARDIAN, "full_name": f"{CANARY} Tutora", "relationship": "Tía",
        "contact": f"Tel. de {CANARY}", "appointed_on": timezone.localdate().isoformat(),
    }
    if url is None:
        services.related_person_add(actor=actors.worker, case=case, data=data)
        return
    response = _client(login, actors.worker).post(url, data)
    responses.append(response)
    assert response.status_code in (200, 302)
    assert case.related_people.filter(role=RelatedRole.GUARDIAN).exists()


def _open_through_the_api(login: Any, actors: CaseActors, responses: list) -> None:
    """A second case with the canary, entered through the API (when it exists)."""
    url = _url("api:case-list")
    if url is None:
        return
    response = _client(login, actors.worker).post(url, {
        "given_name": CANARY, "family_name": f"{CANARY_FAMILY} Api", "birth_date": "2014-01-20",
        "sex": "female", "citizenship": "HND", "destination_country": "GTM", "origin_country": "HND",
        "identified_on": timezone.localdate().isoformat(), "narrative": f"{CANARY} llegó sola.",
        "documents": [{"type": "passport", "number": CANARY_DOCUMENT, "issuer": "RNP"}],
    }, content_type="application/json")
    responses.append(response)
    assert response.status_code == 201, response.content[:2000]


@pytest.fixture
def world(db, login, caplog) -> Iterator[World]:
    # Everything logged from here on is checked: every logger, DEBUG, and every SQL statement
    # with its parameters (so a value sent to the database in clear shows up here too).
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.db.backends", "django.request", "corett", "axes"):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    actors = case_actors("GT", "HN")
    responses: list = []
    case = _open_through_the_page(login, actors, responses)
    _guardian_through_the_page(login, actors, case, responses)
    _open_through_the_api(login, actors, responses)
    for name in ("protect", "notify_consulate", "start_assessment", "decide_return", "request_origin",
                 "accept", "assess_family", "request_funding"):
        case = advance(case, name, actors)
    funding = case.funding_requests.get()
    services.funding_request_advance(actor=actors.partner, funding=funding, state=FundingState.COMMITTED)
    case = advance(case, "confirm_funding", actors)
    assert case.stage == Stage.FUNDED
    # the owners and the origin look at every section of the case record (each look is audited)
    for user in (actors.worker, actors.supervisor, actors.origin_worker):
        for section in ("detail", "person", "coordination", "follow_up", "documents", "history"):
            response = _client(login, user).get(reverse(f"cases:{section}", args=[case.code]))
            assert response.status_code == 200
            if section == "person":
                assert CANARY in response.content.decode()  # the test can see the canary where it belongs
            responses.append(response)
    yield World(Case.objects.get(pk=case.pk), actors, responses)
    connection.force_debug_cursor = False


# --- The database --------------------------------------------------------------------------------


def _sqlite_images() -> list[tuple[str, bytes]]:
    connection.ensure_connection()
    name = str(connection.settings_dict["NAME"])
    images: list[tuple[str, bytes]] = []
    if "mode=memory" in name or name == ":memory:":
        raw = connection.connection
        if hasattr(raw, "serialize"):  # the exact image, free pages included
            images.append(("the in-memory database image", raw.serialize()))
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "copy.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(copy)])
            images.append(("VACUUM INTO copy", copy.read_bytes()))
    else:
        for suffix in ("", "-wal", "-journal", "-shm"):
            path = Path(name + suffix)
            if path.exists():
                images.append((f"the database file {path.name}", path.read_bytes()))
    return images


def _postgres_dump() -> bytes:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed: cannot dump the PostgreSQL test database")
    settings = connection.settings_dict
    command = [pg_dump, "--no-owner", "--dbname", settings["NAME"]]
    if settings.get("HOST"):
        command += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        command += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        command += ["--username", settings["USER"]]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    done = subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_the_database_never_holds_the_canary_in_clear(world):
    assert Case.objects.get(pk=world.case.pk).given_name == CANARY  # it is in there, sealed
    if connection.vendor == "sqlite":
        images = _sqlite_images()
        assert images
        for where, image in images:
            assert world.case.code.encode() in image  # the dump is real and complete
            assert_no_canary(image, where)
    elif connection.vendor == "postgresql":
        dump = _postgres_dump()
        assert world.case.code.encode() in dump
        assert_no_canary(dump, "pg_dump of the test database")
    else:  # pragma: no cover
        pytest.skip(f"no dump method for {connection.vendor}")


# --- Logs, audit trail, e-mails -------------------------------------------------------------------


def _log_text(caplog) -> str:
    parts = []
    # the set-up (the world fixture, where the case was entered) and the test itself
    for record in [*caplog.get_records("setup"), *caplog.records]:
        parts.append(record.getMessage())
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        for key in ("sql", "params", "request", "status_code"):
            if hasattr(record, key):
                parts.append(repr(getattr(record, key)))
    return "\n".join(parts)


def test_the_logs_never_hold_the_canary(world, caplog):
    text = _log_text(caplog)
    assert "cases_case" in text  # SQL was logged, with its parameters
    assert_no_canary(text, "the logs")


def test_the_audit_trail_never_holds_the_canary(world):
    entries = list(AuditEntry.objects.order_by("id"))
    assert any(e.action == "cases.case.view" for e in entries)
    assert any(e.action == "cases.case.create" and "given_name" in e.changed_fields for e in entries)
    for entry in entries:
        assert_no_canary(json.dumps(entry.content(), ensure_ascii=False), f"audit entry {entry.action}")


def test_no_email_holds_the_canary(world, login):
    for message in mail.outbox:
        parts = [message.subject, message.body, *message.to, *(c for c, _t in getattr(message, "alternatives", []))]
        assert_no_canary("\n".join(map(str, parts)), f"the e-mail {message.subject!r}")


# --- Error pages ------------------------------------------------------------------------------


def test_error_pages_never_show_the_canary(world, login, caplog):
    case, actors = world.case, world.actors
    detail = _url("cases:detail", case.code)
    if detail is None:
        pytest.skip("cases:detail does not exist yet")
    owner = _client(login, actors.worker)
    tampered = case.code[:-1] + ("2" if case.code[-1] != "2" else "3")
    for client, url in (
        (owner, reverse("cases:detail", args=[tampered])),
        (owner, detail + "no-such-page/"),
        (_client(login, factories.user_with(Role.CASE_WORKER, "SV", username="canary-sv")), detail),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert_no_canary(response.content, f"the 404 page of {url}")
    # A failure while the case page is being built (after the case and its identity were read)
    with mock.patch("corett.cases.services.case_read", side_effect=RuntimeError("storage unavailable")):
        response = owner.get(detail)
    assert response.status_code == 500
    assert_no_canary(response.content, "the 500 page")
    assert any(r.name == "django.request" and r.levelno >= logging.ERROR for r in caplog.records)
    assert_no_canary(_log_text(caplog), "the logs of the 404 and 500")


# --- Everyone who may not see the case, at every URL about cases --------------------------------


def _case_urls() -> list[tuple[str, URLPattern]]:
    """(name, pattern) for every URL of the cases pages and the cases API."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}{p.name}"
                if name.startswith("cases:") or re.match(r"api:(case|funding-request)", name):
                    found.append((name, p))

    walk(get_resolver().url_patterns, "")
    return found


def _kwargs(name: str, pattern: URLPattern, world: World) -> dict[str, Any]:
    case = world.case
    consent, approval, flag = case.consents.all()[0], case.approvals.all()[0], case.flags.all()[0]
    objects = {
        "code": case.code,
        "name": "schedule_travel",
        "consent_id": consent.pk,
        "approval_id": approval.pk,
        "follow_up_id": 1,
        "flag_id": flag.pk,
    }
    by_name = {
        "cases:consent_withdraw": consent.pk,
        "cases:approval_decide": approval.pk,
        "cases:flag_resolve": flag.pk,
        "cases:follow_up_report": 1,
    }
    kwargs: dict[str, Any] = {}
    for key in pattern.pattern.regex.groupindex:
        if key == "pk":
            kwargs[key] = by_name.get(name, case.funding_requests.all()[0].pk)
        elif key in objects:
            kwargs[key] = objects[key]
        else:
            raise AssertionError(
                f"{name} takes '{key}': tell the canary test what to put there, so that the URL "
                "is checked too."
            )
    return kwargs


def _outsiders(login: Any) -> dict[str, Client]:
    """Who must never see the identity: other countries, other roles, the partner, nobody."""
    users = {
        "case worker of another country": factories.user_with(Role.CASE_WORKER, "SV", username="canary-cw-sv"),
        "case supervisor of another country": factories.user_with(Role.CASE_SUPERVISOR, "SV", username="canary-cs-sv"),
        "focal point of the destination": factories.user_with(Role.FOCAL_POINT, "GT", username="canary-fp-gt"),
        "administrator": factories.user_with(Role.ADMIN, None, username="canary-admin"),
        "observer": factories.user_with(Role.OBSERVER, None, username="canary-observer"),
        "secretariat": factories.user_with(Role.SECRETARIAT, None, username="canary-secretariat"),
    }
    clients = {label: _client(login, user) for label, user in users.items()}
    clients["anonymous"] = Client(raise_request_exception=False)
    return clients


def test_no_one_else_ever_receives_the_canary(world, login):
    urls = _case_urls()
    assert urls, "no case URLs"
    clients = _outsiders(login)
    clients["partner funding the return"] = _client(login, world.actors.partner)
    checked = 0
    for name, pattern in urls:
        url = reverse(name, kwargs=_kwargs(name, pattern, world))
        for who, client in clients.items():
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code < 500, (name, who, method, response.status_code)
                where = f"{method.upper()} {url} as {who} ({response.status_code})"
                assert_no_canary(response.content, where)
                assert_no_canary(repr(sorted(response.headers.items())), f"the headers of {where}")
                checked += 1
    assert checked >= len(urls) * len(clients) * 2


def test_the_partner_sees_costs_and_route_never_identity(world, login):
    partner = _client(login, world.actors.partner)
    seen = 0
    for name in ("cases:funding_inbox", "api:funding-request-list"):
        url = _url(name)
        if url is None:
            continue
        response = partner.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert world.case.code in body  # the partner does see its request
        assert_no_canary(body, name)
        seen += 1
    if not seen:
        pytest.skip("neither the funding inbox nor the funding API exists yet")


# --- The owners' own pages: no identity in URLs and lists ---------------------------------------


def test_urls_and_lists_never_carry_the_canary(world, login):
    for response in world.responses:
        assert_no_canary(response.headers.get("Location", ""), "a redirect")
        links = re.findall(r'(?:href|action|src|hx-get|hx-post)="([^"]*)"', response.content.decode())
        assert_no_canary("\n".join(links), "a link on a case page")
    owner = _client(login, world.actors.worker)
    Task.objects.filter(case=world.case).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    lists = [n for n in ("cases:list", "cases:overdue") if _url(n)]
    if not lists:
        pytest.skip("the case lists do not exist yet")
    for name in lists:
        response = owner.get(reverse(name))
        assert response.status_code == 200
        assert world.case.code in response.content.decode()
        assert_no_canary(response.content, f"{name} of the owner")
