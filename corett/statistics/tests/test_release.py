"""released_values and approved_total: what leaves the owning country, and how."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from corett.statistics import release
from corett.statistics.models import Kind, PublishedValue, Source, Status, Value
from corett.statistics.services import ValueInput, set_status, store_values

TODAY = dt.date(2026, 6, 1)


def _store(actor, values, status=Status.APPROVED, source=Source.NATIONAL):
    return store_values(actor=actor, source=source, values=values, release="test", status=status, today=TODAY)


def _gt_2023(total=40, female=37, male=3):
    return [
        ValueInput("detected_victims", "GTM", "2023", total, cell="B2"),
        ValueInput("detected_victims", "GTM", "2023", female, sex="female", cell="B3"),
        ValueInput("detected_victims", "GTM", "2023", male, sex="male", cell="B4"),
    ]


@pytest.fixture
def members(gt, hn):
    return gt, hn


def test_public_sees_secondary_suppression_and_owner_sees_exact(members, secretariat_user, focal_gt, focal_hn):
    _store(secretariat_user, _gt_2023())
    public = {v.sex: v for v in release.released_values(None, indicator="detected_victims", countries=["GTM"], sex="*")}
    assert public["total"].value == 40
    # 3 is under the threshold; 37 would give it away (40 - 37), so it is hidden too.
    assert public["male"].suppressed and public["male"].value is None
    assert public["female"].suppressed and public["female"].value is None
    assert (public["male"].lower_bound, public["male"].upper_bound) == (1, 4)
    other = {v.sex: v for v in release.released_values(focal_hn, indicator="detected_victims", countries=["GTM"], sex="*")}
    assert other["female"].value is None
    own = {v.sex: v for v in release.released_values(focal_gt, indicator="detected_victims", countries=["GTM"], sex="*")}
    assert own["female"].value == 37 and own["male"].value == 3
    exported = release.released_values(focal_gt, indicator="detected_victims", countries=["GTM"], audience="public",
                                       sex=["male"])
    assert exported[0].value is None


def test_only_approved_values_leave_the_country(members, secretariat_user, focal_gt):
    result = _store(secretariat_user, _gt_2023(), status=Status.SUBMITTED)
    assert release.released_values(None, indicator="detected_victims", countries=["GTM"]) == []
    own = release.released_values(focal_gt, indicator="detected_victims", countries=["GTM"])
    assert {v.status for v in own} == {"submitted"}
    set_status(actor=secretariat_user, values=Value.objects.filter(batch=result.batch), status=Status.APPROVED)
    assert len(release.released_values(None, indicator="detected_victims", countries=["GTM"])) == 1
    assert release.approved_total("detected_victims", "GTM", 2023) == 40


def test_reopening_needs_a_reason_and_approved_values_are_locked(members, secretariat_user):
    result = _store(secretariat_user, _gt_2023())
    with pytest.raises(ValidationError):
        _store(secretariat_user, _gt_2023(total=41))
    with pytest.raises(ValidationError) as refused:
        set_status(actor=secretariat_user, values=Value.objects.filter(batch=result.batch), status=Status.SUBMITTED)
    assert "reason" in refused.value.message_dict
    set_status(actor=secretariat_user, values=Value.objects.filter(batch=result.batch), status=Status.SUBMITTED,
               reason="Correction from the police")
    assert not PublishedValue.objects.exists()


def test_region_sums_bounds_over_suppressed_countries(members, secretariat_user):
    _store(secretariat_user, [ValueInput("detected_victims", "GTM", "2023", 300),
                              ValueInput("detected_victims", "HND", "2023", None, kind=Kind.SUPPRESSED,
                                         lower_bound=1, upper_bound=4)], source=Source.GLOTIP)
    (region,) = release.released_values(None, indicator="detected_victims", countries=["REGION"])
    assert (region.value, region.lower_bound, region.upper_bound) == (None, 301, 304)
    assert region.display == "301\N{EN DASH}304"
    assert release.approved_total("detected_victims", None, 2023) is None
    assert release.approved_range("detected_victims", None, 2023) == (301, 304)


def test_bad_values_store_nothing(members, secretariat_user):
    with pytest.raises(ValidationError) as refused:
        _store(secretariat_user, [ValueInput("detected_victims", "GTM", "2023", 5, cell="B2"),
                                  ValueInput("detected_victims", "GTM", "2023", -1, sex="female", cell="B3"),
                                  ValueInput("detected_victims", "GTM", "2031", 1, cell="B9")])
    assert set(refused.value.message_dict) == {"B3", "B9"}
    assert not Value.objects.exists()


def test_a_higher_threshold_applies_after_refresh(members, secretariat_user, settings):
    from django.core.management import call_command

    _store(secretariat_user, _gt_2023(total=40, female=33, male=7))
    male = release.released_values(None, indicator="detected_victims", countries=["GTM"], sex="male")
    assert male[0].value == 7
    settings.STATISTICS_SUPPRESSION_THRESHOLD = 10
    call_command("refresh-statistics", stdout=io.StringIO())
    male = release.released_values(None, indicator="detected_victims", countries=["GTM"], sex="male")
    assert male[0].value is None and (male[0].lower_bound, male[0].upper_bound) == (1, 9)


def test_differentially_private_release_states_its_epsilon(members, secretariat_user, settings):
    settings.STATISTICS_DP_EPSILON = 1.0
    _store(secretariat_user, [ValueInput("detected_victims", "GTM", "2023", 400)])
    (noisy,) = release.released_values(None, indicator="detected_victims", countries=["GTM"],
                                       differentially_private=True)
    assert noisy.epsilon == 1.0 and noisy.value is not None and abs(noisy.value - 400) < 60
    (plain,) = release.released_values(None, indicator="detected_victims", countries=["GTM"])
    assert plain.epsilon is None and plain.value == 400


def test_indicators_lost_to_a_flush_are_recreated(members, secretariat_user):
    from corett.statistics.models import Indicator

    Indicator.objects.all().delete()
    _store(secretariat_user, _gt_2023())
    assert Indicator.objects.get(code="detected_victims").name_es == "Víctimas detectadas"
    assert release.approved_total("detected_victims", "GTM", 2023) == 40
