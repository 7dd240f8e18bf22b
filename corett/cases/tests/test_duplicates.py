"""Possible duplicates across countries: a keyed hash of the normalised name, birth date and
citizenship finds the same person in two countries' cases, and both sides are told that much
and nothing more."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import override_settings

from corett import policy
from corett.audit.models import AuditEntry
from corett.cases import services
from corett.cases.models import Case, Flag, FlagKind
from corett.core.request_context import RequestMeta, reset_request_meta, set_request_meta
from corett.lib import crypto
from corett.testing.cases import actors_of, open_case

BORN = dt.date(2011, 6, 3)
PERSON = {"given_name": "María José", "family_name": "Peña López", "birth_date": BORN, "citizenships": ["HND"]}


def duplicate_flags(case: Case) -> list[Flag]:
    return list(Flag.objects.filter(case=case, kind=FlagKind.POSSIBLE_DUPLICATE))


def in_guatemala(**changes) -> Case:
    return open_case(destination="GT", origin="HN", data={**PERSON, **changes})


def in_el_salvador(**changes) -> Case:
    return open_case(destination="SV", origin="HN", data={**PERSON, **changes})


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"given_name": "MARIA JOSE", "family_name": "PENA LOPEZ"},
        {"given_name": "  maría   josé ", "family_name": "peña  lópez "},
        {"given_name": "Maria-José", "family_name": "Pena-Lopez"},
        {"given_name": "María", "family_name": "José Peña López"},  # the double name split otherwise
        {"given_name": "Mari\u0301a Jose\u0301", "family_name": "Pen\u0303a Lo\u0301pez"},  # decomposed accents
        {"citizenships": ["hnd"]},
    ],
)
def test_the_same_person_in_two_countries_is_flagged_on_both_sides(db, variant):
    first = in_guatemala()
    assert duplicate_flags(first) == []
    second = in_el_salvador(**variant)
    assert second.match_key == first.match_key
    assert len(duplicate_flags(first)) == 1
    assert len(duplicate_flags(second)) == 1


@pytest.mark.parametrize(
    "variant",
    [
        {"birth_date": dt.date(2011, 6, 4)},
        {"birth_date": dt.date(2012, 6, 3)},
        {"citizenships": ["GTM"]},
        {"given_name": "María Josefa"},
        {"family_name": "Peña"},
    ],
)
def test_a_different_person_is_not_flagged(db, variant):
    first = in_guatemala()
    second = in_el_salvador(**variant)
    assert second.match_key and second.match_key != first.match_key
    assert duplicate_flags(first) == duplicate_flags(second) == []


def test_without_a_birth_date_there_is_no_key_and_no_match(db):
    first = in_guatemala(birth_date=None, estimated_age=14)
    second = in_el_salvador(birth_date=None, estimated_age=14)
    assert first.match_key == second.match_key == ""
    assert duplicate_flags(first) == duplicate_flags(second) == []


def test_an_edit_that_reveals_the_match_flags_both_cases(db):
    first = in_guatemala()
    second = in_el_salvador(birth_date=dt.date(2010, 1, 1))
    assert duplicate_flags(first) == []
    services.case_update(actor=actors_of(second).worker, case=second, data={"birth_date": BORN})
    assert len(duplicate_flags(first)) == len(duplicate_flags(second)) == 1
    # a second edit does not pile up flags
    services.case_update(actor=actors_of(second).worker, case=second, data={"narrative": "Actualizado."})
    assert len(duplicate_flags(first)) == 1


def test_neither_side_learns_the_others_data(db):
    first = in_guatemala()
    # the Salvadoran case worker's browser and address, as a request would set them
    token = set_request_meta(RequestMeta(ip="203.0.113.77", user_agent="Navegador-SV/1.0"))
    try:
        second = in_el_salvador(narrative="Relato salvadoreño.")
    finally:
        reset_request_meta(token)
    flag = duplicate_flags(first)[0]
    # the flag says "possible duplicate" and nothing else: no case, no country, no person
    assert {f.name for f in Flag._meta.concrete_fields} == {
        "id", "case", "kind", "raised_by", "raised_at", "resolved_at", "resolution",
    }
    assert (flag.case_id, flag.raised_by_id, flag.resolution) == (first.pk, None, "")
    # what the Guatemalan side may read about its case (the flag's audit entry) holds nothing
    # of the Salvadoran case: not its code, record, country, text or the worker's request
    others = {second.code, str(second.uuid), "203.0.113.77", "Navegador-SV", "salvadoreño"}
    entries = list(AuditEntry.objects.filter(object_type="cases.case", object_id=str(first.pk)))
    assert "cases.flag.duplicate" in {e.action for e in entries}
    for entry in entries:
        content = entry.content()
        assert not any(o in repr(content) for o in others), content
        assert entry.country == "GT"
        assert entry.ip_address is None or entry.action != "cases.flag.duplicate"
    # and the other case stays out of reach
    worker_gt = actors_of(first).worker
    assert not policy.can(worker_gt, "cases.view", second)
    assert not Case.objects.visible_to(worker_gt).filter(pk=second.pk).exists()


def test_the_key_is_a_keyed_hash_not_a_plain_one(db, settings):
    case = in_guatemala()
    plain = hashlib.sha256(f"maria jose pena lopez|{BORN.isoformat()}|HND".encode()).hexdigest()
    assert case.match_key != plain
    with override_settings(FIELD_BLIND_INDEX_KEY=crypto.new_key()):
        assert services.match_key_for(case) != case.match_key


def test_the_key_survives_an_encryption_key_rotation(db, settings):
    case = in_guatemala()
    key = case.match_key
    settings.FIELD_ENCRYPTION_KEYS = f"new:{crypto.new_key()},{settings.FIELD_ENCRYPTION_KEYS}"
    from django.core.management import call_command

    call_command("rotate-keys", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    case = Case.objects.get(pk=case.pk)
    assert crypto.key_ring().key_id_of(Case.objects.values_list("given_name", flat=True).get(pk=case.pk)) == "new"
    assert services.match_key_for(case) == key
    # and a case entered after the rotation still finds it
    assert in_el_salvador().match_key == key
    assert len(duplicate_flags(case)) == 1


def test_cases_of_the_same_country_are_not_flagged_against_each_other(db):
    first = in_guatemala()
    second = in_guatemala()
    assert first.match_key == second.match_key
    assert duplicate_flags(first) == duplicate_flags(second) == []


def test_a_resolved_flag_is_raised_again_only_by_a_new_match(db):
    first = in_guatemala()
    in_el_salvador()
    flag = duplicate_flags(first)[0]
    services.flag_resolve(actor=actors_of(first).worker, flag=flag, resolution="Ruled out")
    services.case_update(actor=actors_of(first).worker, case=first, data={"narrative": "Nota."})
    open_flags = Flag.objects.filter(case=first, kind=FlagKind.POSSIBLE_DUPLICATE, resolved_at__isnull=True)
    assert open_flags.count() == 1  # the match still stands: flagged again on the next edit
