"""The work list reads owned and incoming cases each in its own index's order and merges them,
and stops counting at a cap: the order and the pages must be those of one sorted list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from corett.cases import worklist
from corett.cases.models import Case
from corett.cases.tests.views_support import (  # noqa: F401  (fixtures)
    bring_to_request,
    english,
    open_case,
    supervisor_hn_fixture,
)


@pytest.fixture(name="mixed")
def mixed_fixture(caseworker_gt, supervisor_gt, caseworker_hn, supervisor_hn, gt, hn):
    """Guatemala owns some cases and receives others from Honduras, opened at interleaved times."""
    cases = []
    for i in range(6):
        if i % 2:
            case = bring_to_request(open_case(caseworker_hn, hn, gt), caseworker_hn, supervisor_hn)
        else:
            case = open_case(caseworker_gt, gt, hn)
        cases.append(case)
    # An unshared Honduran case: never in Guatemala's list.
    open_case(caseworker_hn, hn, gt)
    start = timezone.now() - dt.timedelta(days=10)
    for i, case in enumerate(cases):
        Case.objects.filter(pk=case.pk).update(created_at=start + dt.timedelta(hours=i))
    return cases


def test_owned_and_incoming_cases_come_in_one_order_newest_first(client_as, caseworker_gt, mixed, monkeypatch):
    monkeypatch.setattr("corett.cases.views.PAGE_SIZE", 4)
    client = client_as(caseworker_gt)
    first = client.get("/cases/").context["page"]
    second = client.get("/cases/", {"page": 2}).context["page"]
    codes = [c.code for c in first.object_list] + [c.code for c in second.object_list]
    assert codes == [c.code for c in reversed(mixed)]
    assert first.paginator.count == 6 and first.paginator.num_pages == 2


def test_the_count_stops_at_the_cap_and_says_so(client_as, caseworker_gt, mixed, monkeypatch):
    monkeypatch.setattr(worklist, "COUNT_CAP", 4)
    monkeypatch.setattr("corett.cases.views.COUNT_CAP", 4)
    monkeypatch.setattr("corett.cases.views.PAGE_SIZE", 3)
    client = english(client_as(caseworker_gt))
    response = client.get("/cases/")
    page = response.context["page"]
    assert response.context["count_capped"] and page.paginator.count == 4
    assert "More than 4 cases" in response.content.decode()
    # Pages reach the cap, not beyond it.
    assert [c.code for c in client.get("/cases/", {"page": 2}).context["page"].object_list] == [mixed[2].code]
    # A filter that narrows the list below the cap counts exactly again.
    narrowed = client.get("/cases/", {"side": "incoming"})
    assert not narrowed.context["count_capped"] and narrowed.context["page"].paginator.count == 3


def test_the_statistics_counts_are_aggregates_by_country_pair_stage_and_age(caseworker_gt, gt, hn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from corett.cases.models import IDENTITY_FIELDS

    open_case(caseworker_gt, gt, hn)
    open_case(caseworker_gt, gt, hn)
    open_case(caseworker_gt, gt, hn, estimated_age=30, age_verified=True)
    with CaptureQueriesContext(connection) as queries:
        counts = Case.objects.counts_for_statistics()
    assert counts == [
        {"destination": "GTM", "origin": "HND", "stage": "identified", "child": False, "count": 1},
        {"destination": "GTM", "origin": "HND", "stage": "identified", "child": True, "count": 2},
    ]
    [sql] = [q["sql"] for q in queries.captured_queries]
    assert not any(f'"{name}"' in sql for name in IDENTITY_FIELDS)
