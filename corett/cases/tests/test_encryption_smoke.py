import datetime as dt

from django.db import connection

from corett.accounts.roles import Role
from corett.cases import services
from corett.cases.models import Case
from corett.testing import factories


def test_open_and_read(db):
    gt, hn = factories.country("GT"), factories.country("HN")
    worker = factories.user_with(Role.CASE_WORKER, "GT")
    case = services.case_open(actor=worker, destination_country=gt, data={
        "identifying_organisation": worker.organisation, "origin_country": hn,
        "given_name": "Canaryxyz", "family_name": "Pérez", "birth_date": dt.date(2012, 5, 1),
        "identified_on": dt.date(2026, 10, 1), "citizenships": ["HND"]})
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.given_name == "Canaryxyz" and fresh.birth_date == dt.date(2012, 5, 1)
    assert fresh.is_child
    with connection.cursor() as c:
        c.execute("SELECT given_name FROM cases_case")
        raw = bytes(c.fetchone()[0])
    assert b"Canaryxyz" not in raw
    assert fresh.match_key
