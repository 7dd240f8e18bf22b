"""The repatriation cases as statistics: counts, approval, k-anonymity, idempotency, no case."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.cases.models import IDENTITY_FIELDS, Case, Sex, Stage, StageChange
from corett.statistics import release, repatriation
from corett.statistics.models import Batch, PublishedValue, Source, Status, Value
from corett.testing.cases import case_in_stage, open_case

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
YEAR = 2024


def _at(year: int, month: int = 6) -> dt.datetime:
    return dt.datetime(year, month, 15, 12, tzinfo=timezone.get_current_timezone())


def recorded(n: int, *, destination: str = "GT", origin: str = "HN", child: bool = True, sex: str = Sex.FEMALE,
             received: int | None = YEAR, protected: int | None = YEAR) -> list[Case]:
    """``n`` cases opened through the services, their protection and handover dated as given
    (the stage history the protocol would have written; the feed reads nothing else)."""
    made = []
    for _ in range(n):
        case = open_case(destination=destination, origin=origin, child=child, data={"sex": sex})
        for year, before, stage, name in ((protected, Stage.IDENTIFIED, Stage.PROTECTED, "protect"),
                                          (received, Stage.IN_TRANSIT, Stage.RECEIVED, "receive")):
            if year is not None:
                StageChange.objects.create(case=case, from_stage=before, to_stage=stage, transition=name,
                                           by=case.created_by, at=_at(year))
                Case.objects.filter(pk=case.pk).update(stage=stage)
        made.append(case)
    return made


@pytest.fixture
def cases(gt, hn):
    """Guatemala, 2024: 12 Honduran girls and 3 Salvadoran men repatriated; noise around them."""
    made = recorded(12, origin="HN", child=True, sex=Sex.FEMALE)
    made += recorded(3, origin="SV", child=False, sex=Sex.MALE)
    made += recorded(1, destination="HN", origin="GT", sex=Sex.INTERSEX)  # Honduras's own table
    made += recorded(1, received=None)  # protected, never returned: assisted only
    made += recorded(1, received=2026, protected=2026)  # this year: not a complete year yet
    return made


def _values(indicator: str = repatriation.REPATRIATED, country: str = "GTM") -> dict[tuple, int | None]:
    return {
        (v.sex, v.age, v.repatriation): v.value
        for v in Value.objects.filter(source=Source.CASES, indicator__code=indicator, country_iso3=country, year=YEAR)
    }


def test_it_counts_victims_repatriated_by_origin_sex_and_age(cases):
    result = repatriation.refresh(today=TODAY)
    assert result.cases == {"victims_repatriated": 16, "victims_assisted": 17}
    assert _values() == {
        ("total", "total", ""): 15,
        ("total", "total", "HND"): 12, ("total", "total", "SLV"): 3,
        ("female", "total", ""): 12, ("male", "total", ""): 3,
        ("total", "0-17", ""): 12, ("total", "18+", ""): 3,
    }
    # Assisted: every case placed under protection in 2024, the one never returned included.
    assert _values(repatriation.ASSISTED)[("total", "total", "")] == 16
    assert not any(origin for _s, _a, origin in _values(repatriation.ASSISTED))
    assert _values(country="HND") == {
        ("total", "total", ""): 1, ("total", "total", "GTM"): 1, ("other", "total", ""): 1,
        ("total", "0-17", ""): 1,
    }
    assert not Value.objects.filter(source=Source.CASES, year=2026).exists()
    stored = Value.objects.filter(source=Source.CASES)
    assert {v.status for v in stored} == {Status.SUBMITTED}
    assert {(v.release, v.batch_id) for v in stored} == {("CORETT repatriation module", result.batch_id)}
    assert result.batch_id is not None
    batch = Batch.objects.get(pk=result.batch_id)
    assert (batch.source, batch.reference, batch.summary["cases_placed"]) == (
        "cases", "refresh-repatriation-statistics", 33)


def test_a_case_counts_once_in_the_year_of_its_first_handover(gt, hn):
    (case,) = recorded(1, received=2023)
    StageChange.objects.create(case=case, from_stage=Stage.IN_TRANSIT, to_stage=Stage.RECEIVED,
                               transition="receive", by=case.created_by, at=_at(2024))
    repatriation.refresh(today=TODAY)
    totals = Value.objects.filter(source=Source.CASES, indicator__code="victims_repatriated", sex="total",
                                  age="total", repatriation="")
    assert {v.period: v.value for v in totals} == {"2023": 1}


def test_a_case_of_unverified_age_counts_as_a_child_and_erased_identities_still_count(gt, hn):
    (unverified,) = recorded(1, child=False)
    Case.objects.filter(pk=unverified.pk).update(age_verified=False, deactivated_at=timezone.now(),
                                                 identity_purged_at=timezone.now())
    repatriation.refresh(today=TODAY)
    assert _values()[("total", "0-17", "")] == 1


def test_the_counts_read_no_sealed_column(cases):
    with CaptureQueriesContext(connection) as queries:
        repatriation.case_counts(before_year=TODAY.year)
    assert len(queries.captured_queries) == 2  # one grouped query per indicator
    for query in queries.captured_queries:
        assert not any(f'"{name}"' in query["sql"] for name in IDENTITY_FIELDS)


def test_nothing_leaves_the_country_before_a_reviewer_approves(cases, focal_gt, focal_hn):
    repatriation.refresh(today=TODAY)
    assert release.released_values(None, indicator="victims_repatriated", countries=["GTM", "REGION"]) == []
    assert release.released_values(focal_hn, indicator="victims_repatriated", countries=["GTM"]) == []
    assert not PublishedValue.objects.exists()
    # The owning country's focal point sees its own computed figures, exactly, marked submitted
    # (what the statistics page already shows them of a submitted report).
    (own,) = release.released_values(focal_gt, indicator="victims_repatriated", countries=["GTM"], years=[YEAR])
    assert (own.value, own.status, own.source) == (15, "submitted", "cases")


def test_approved_figures_are_released_only_as_aggregates_meeting_k_anonymity(cases, secretariat_user):
    repatriation.refresh(today=TODAY)
    assert repatriation.approve(actor=secretariat_user, year=YEAR) == len(Value.objects.filter(year=YEAR))
    public = {
        v.repatriation: v
        for v in release.released_values(None, indicator="victims_repatriated", countries=["GTM"],
                                          years=[YEAR], repatriation="*")
    }
    (total,) = release.released_values(None, indicator="victims_repatriated", countries=["GTM"], years=[YEAR])
    assert total.value == 15 and not total.suppressed
    # 3 Salvadorans are fewer than k = 10; and 12 Hondurans would give them away (15 - 12).
    assert public["SLV"].suppressed and public["SLV"].value is None
    assert public["HND"].suppressed and public["HND"].value is None
    assert (public["HND"].lower_bound, public["HND"].upper_bound) == (6, 14)
    by_sex = {v.sex: v for v in release.released_values(None, indicator="victims_repatriated", countries=["GTM"],
                                                        years=[YEAR], sex="*")}
    assert by_sex["male"].suppressed and by_sex["female"].suppressed
    assert all(p.threshold == 10 for p in PublishedValue.objects.filter(source="cases"))
    assert all(p.value is None or p.value == 0 or p.value >= 10 for p in PublishedValue.objects.all())
    # Honduras's single case: suppressed as a whole, in its own table and in the regional sum.
    (honduras,) = release.released_values(None, indicator="victims_repatriated", countries=["HND"], years=[YEAR])
    assert honduras.value is None and honduras.suppressed
    (region,) = release.released_values(None, indicator="victims_repatriated", countries=["REGION"], years=[YEAR])
    assert region.value is None and region.lower_bound is not None and region.lower_bound >= 15


def test_k_follows_the_setting(cases, secretariat_user, settings):
    settings.STATISTICS_K_ANONYMITY = settings.STATISTICS_SUPPRESSION_THRESHOLD = 3
    repatriation.refresh(today=TODAY)
    repatriation.approve(actor=secretariat_user, year=YEAR, countries=["GTM"])
    public = {v.repatriation: v.value for v in release.released_values(
        None, indicator="victims_repatriated", countries=["GTM"], years=[YEAR], repatriation="*")}
    assert public == {"HND": 12, "SLV": 3}


def test_refreshing_again_changes_nothing(cases, secretariat_user):
    repatriation.refresh(today=TODAY)
    repatriation.approve(actor=secretariat_user, year=YEAR)
    before = (
        list(Value.objects.order_by("pk").values_list("pk", "value", "status", "batch_id", "recorded_at")),
        list(PublishedValue.objects.order_by("pk").values_list("pk", "value", "computed_at")),
        Batch.objects.count(), AuditEntry.objects.count(),
    )
    again = repatriation.refresh(today=TODAY)
    assert not again.changed and again.batch_id is None and again.unchanged == again.cells
    after = (
        list(Value.objects.order_by("pk").values_list("pk", "value", "status", "batch_id", "recorded_at")),
        list(PublishedValue.objects.order_by("pk").values_list("pk", "value", "computed_at")),
        Batch.objects.count(), AuditEntry.objects.count(),
    )
    assert after == before
    assert "unchanged" in _command("refresh-repatriation-statistics")


def test_a_late_case_returns_an_approved_year_for_review(cases, secretariat_user):
    repatriation.refresh(today=TODAY)
    repatriation.approve(actor=secretariat_user, year=YEAR)
    assert release.released_values(None, indicator="victims_repatriated", countries=["GTM"], years=[YEAR])
    recorded(1, origin="SV", child=False, sex=Sex.MALE)
    result = repatriation.refresh(today=TODAY)
    assert result.reopened > 0 and result.updated > 0
    table = Value.objects.filter(source=Source.CASES, country_iso3="GTM", indicator__code="victims_repatriated",
                                 year=YEAR)
    assert {v.status for v in table} == {Status.SUBMITTED}
    assert _values()[("total", "total", "SLV")] == 4
    # Out of the public figures until approved again; Honduras's table and the assisted ones stay.
    assert release.released_values(None, indicator="victims_repatriated", countries=["GTM"], years=[YEAR]) == []
    assert release.released_values(None, indicator="victims_repatriated", countries=["HND"], years=[YEAR])
    entry = AuditEntry.objects.filter(action="statistics.status_changed").latest("pk")
    assert entry.extra["reopened"] and "cases changed after approval" in entry.extra["reason"]


def test_a_cell_no_case_fills_any_more_becomes_zero(cases):
    repatriation.refresh(today=TODAY)
    salvadorans = Case.objects.filter(origin_country__iso3="SLV")
    StageChange.objects.filter(case__in=salvadorans, to_stage=Stage.RECEIVED).update(at=_at(2025))
    repatriation.refresh(today=TODAY)
    assert _values()[("total", "total", "SLV")] == 0 and _values()[("total", "total", "")] == 12


def test_only_the_secretariat_approves_computed_figures(cases, focal_gt, secretariat_user):
    repatriation.refresh(today=TODAY)
    with pytest.raises(PermissionDenied):
        repatriation.approve(actor=focal_gt, year=YEAR)
    with pytest.raises(CommandError):
        call_command("approve-repatriation-statistics", str(YEAR), "--by", focal_gt.username, stdout=io.StringIO())
    assert not Value.objects.filter(status=Status.APPROVED).exists()
    out = _command("approve-repatriation-statistics", str(YEAR), "--by", secretariat_user.username,
                   "--country", "HND")
    assert "approved" in out
    assert set(Value.objects.filter(status=Status.APPROVED).values_list("country_iso3", flat=True)) == {"HND"}
    entry = AuditEntry.objects.filter(action="statistics.status_changed").latest("pk")
    assert entry.actor_id == secretariat_user.pk


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_no_case_code_or_name_reaches_the_output(cases, secretariat_user):
    out = _command("refresh-repatriation-statistics")  # today: the cases of 2024 and 2025
    out += _command("approve-repatriation-statistics", str(YEAR), "--by", secretariat_user.username)
    out += _command("refresh-statistics")
    secrets = {c.code for c in cases} | {c.family_name for c in cases}
    written = [
        out,
        json.dumps(list(Value.objects.values_list("cell", "label", "release", "country_iso3", "repatriation"))),
        json.dumps(list(PublishedValue.objects.values_list("label", "release"))),
        json.dumps(list(Batch.objects.values_list("release", "reference", "file_name", "summary", "errors"))),
        json.dumps(list(AuditEntry.objects.filter(action__startswith="statistics.").values_list(
            "object_type", "object_id", "extra"))),
    ]
    assert Value.objects.filter(source=Source.CASES).exists()
    for text in written:
        assert not any(secret in text for secret in secrets)


def test_refresh_statistics_brings_the_feed_up_to_date(cases):
    out = _command("refresh-statistics")
    assert "Repatriation statistics" in out and "published cells" in out
    assert Value.objects.filter(source=Source.CASES, indicator__code="victims_repatriated").exists()


def test_a_case_walked_through_the_protocol_is_counted(gt, hn):
    case = case_in_stage(Stage.RECEIVED, child=False)
    next_year = timezone.localdate().year + 1
    result = repatriation.refresh(today=dt.date(next_year, 1, 2))
    assert result.cases == {"victims_repatriated": 1, "victims_assisted": 1}
    value = Value.objects.get(source=Source.CASES, indicator__code="victims_repatriated", sex="total", age="total",
                              repatriation="HND")
    assert (value.country_iso3, value.year, value.value) == ("GTM", case.created_at.year, 1)
    assert Value.objects.filter(source=Source.CASES, sex="female", age="total", value=1).count() == 2
    assert Value.objects.filter(source=Source.CASES, sex="total", age="18+", value=1).count() == 2


def test_the_statistics_page_shows_the_owner_its_figures_and_others_only_what_is_approved(
    cases, client_as, focal_gt, focal_hn, secretariat_user
):
    repatriation.refresh(today=TODAY)
    query = {"indicator": "victims_repatriated", "year": YEAR}

    def guatemala(user):
        response = client_as(user).get("/statistics/", query)
        assert response.status_code == 200
        (row,) = [cells for iso3, _name, cells in response.context["countries"] if iso3 == "GTM"]
        return row[0] if row else None

    own = guatemala(focal_gt)
    assert (own.value, own.status) == (15, "submitted")
    assert guatemala(focal_hn) is None and guatemala(secretariat_user) is None
    repatriation.approve(actor=secretariat_user, year=YEAR)
    seen = guatemala(focal_hn)
    assert (seen.value, seen.status) == (15, "approved")
