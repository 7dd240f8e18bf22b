"""Field encryption of victims' identity: what the database holds, what a moved ciphertext does,
what lookups and dumps do, and that nothing is decrypted that is not shown."""

from __future__ import annotations

import datetime as dt
import io
import json
from unittest import mock

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from corett.cases import services
from corett.cases.models import IDENTITY_FIELDS, Case, FollowUp, RelatedPerson, Stage
from corett.lib import crypto
from corett.lib.fields import SEALED_PREFIX, Sealed, encrypted_fields, models_with_encrypted_fields
from corett.testing.cases import actors_of, case_in_stage, open_case, raw_rows

CANARY = "Qwzxkanarie"
DOCUMENT = "PX-88412-QWZ"
BORN = dt.date(2013, 2, 27)


def canary_case(stage: str = Stage.IDENTIFIED) -> Case:
    return case_in_stage(
        stage,
        data={
            "given_name": CANARY,
            "family_name": f"{CANARY}son",
            "other_names": f"La {CANARY}",
            "birth_date": BORN,
            "gender": f"{CANARY}-gender",
            "documents": [{"type": "passport", "number": DOCUMENT}],
            "contact": f"{CANARY}@example.org",
            "address": f"Calle {CANARY} 12",
            "narrative": f"{CANARY} fue identificada.",
        },
    )


def set_raw(model, pk, column: str, value: bytes | None) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def test_a_case_reads_back_what_was_entered(db):
    case = canary_case()
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.given_name, fresh.birth_date, fresh.documents) == (
        CANARY, BORN, [{"type": "passport", "number": DOCUMENT}]
    )
    assert fresh.is_child
    assert fresh.match_key


def test_every_identity_field_is_encrypted():
    assert {f.name for f in encrypted_fields(Case)} == set(IDENTITY_FIELDS)
    assert {m._meta.label_lower for m in models_with_encrypted_fields()} >= {
        "cases.case", "cases.relatedperson", "cases.followup",
    }


def test_the_database_columns_never_hold_the_plaintext(db):
    case = canary_case(Stage.REINTEGRATION)
    actors = actors_of(case)
    services.follow_up_report(
        actor=actors.origin_worker, follow_up=case.follow_ups.all()[0],
        report=f"{CANARY} asiste a la escuela.", reported_on=timezone.localdate(),
    )
    ring = crypto.key_ring()
    needles = [CANARY.encode(), CANARY.encode().hex().encode(), DOCUMENT.encode(), BORN.isoformat().encode(),
               b"Tutora Ficticia", b"Abuela Ficticia"]
    sealed = 0
    for model in (Case, RelatedPerson, FollowUp):
        for _pk, columns in raw_rows(model).items():
            for column, raw in columns.items():
                if raw is None:
                    continue
                sealed += 1
                assert not any(n in raw for n in needles), (model, column)
                assert ring.key_id_of(raw) == ring.current_id
    # every identity column of the case, 3 related people with a name, and the report
    assert sealed >= len(IDENTITY_FIELDS) - 1 + 3 + 1


def test_a_ciphertext_moved_to_another_record_does_not_open(db):
    alicia = open_case(data={"given_name": "Alicia"})
    beatriz = open_case(data={"given_name": "Beatriz"})
    set_raw(Case, beatriz.pk, "given_name", raw_rows(Case)[alicia.pk]["given_name"])
    moved = Case.objects.get(pk=beatriz.pk)
    with pytest.raises(crypto.DecryptionError):
        moved.given_name  # noqa: B018
    # the rest of the record is untouched and still reads
    assert moved.family_name == beatriz.family_name


def test_a_ciphertext_moved_to_another_field_or_table_does_not_open(db):
    case = case_in_stage(Stage.CONSULAR_NOTIFICATION)  # a child: has a guardian
    raw_name = raw_rows(Case)[case.pk]["given_name"]
    set_raw(Case, case.pk, "family_name", raw_name)
    with pytest.raises(crypto.DecryptionError):
        Case.objects.get(pk=case.pk).family_name  # noqa: B018
    guardian = RelatedPerson.objects.get(case=case)
    set_raw(RelatedPerson, guardian.pk, "full_name", raw_name)
    with pytest.raises(crypto.DecryptionError):
        RelatedPerson.objects.get(pk=guardian.pk).full_name  # noqa: B018


def test_a_tampered_ciphertext_does_not_open(db):
    case = open_case()
    raw = bytearray(raw_rows(Case)[case.pk]["narrative"] or b"")
    raw[-1] ^= 0x01
    set_raw(Case, case.pk, "narrative", bytes(raw))
    with pytest.raises(crypto.DecryptionError):
        Case.objects.get(pk=case.pk).narrative  # noqa: B018


@pytest.mark.parametrize(
    "lookup",
    [
        {"given_name": CANARY},
        {"given_name__iexact": CANARY},
        {"given_name__icontains": CANARY},
        {"given_name__startswith": "Q"},
        {"family_name__in": [CANARY, "x"]},
        {"birth_date": BORN},
        {"birth_date__gt": BORN},
        {"documents__contains": DOCUMENT},
        {"given_name": ""},
    ],
)
def test_lookups_on_encrypted_fields_are_refused(db, lookup):
    canary_case()
    with pytest.raises(FieldError) as refused:
        list(Case.objects.filter(**lookup))
    assert CANARY not in str(refused.value)
    with pytest.raises(FieldError):
        list(Case.objects.exclude(**lookup))


def test_a_bulk_update_cannot_write_cleartext(db):
    case = canary_case()
    with pytest.raises(FieldError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(given_name="Cleartext")
    case.given_name = "Cleartext"
    with pytest.raises(FieldError), transaction.atomic():
        Case.objects.bulk_update([case], ["given_name"])
    assert Case.objects.get(pk=case.pk).given_name == CANARY


def test_presence_can_still_be_asked(db):
    canary_case()
    assert Case.objects.filter(given_name__isnull=False).count() == 1
    assert Case.objects.filter(origin_decline_reason__isnull=True).count() == 1


@pytest.mark.parametrize("fmt", ["json", "xml", "jsonl", "python"])
def test_dumpdata_never_writes_cleartext(db, fmt, tmp_path):
    case = canary_case(Stage.PROTECTED)
    out = tmp_path / f"dump.{fmt}"
    if fmt == "python":
        from django.core import serializers

        text = repr(serializers.serialize("python", Case.objects.all()))
        text += repr(serializers.serialize("python", RelatedPerson.objects.all()))
    else:
        call_command("dumpdata", "cases", format=fmt, output=str(out), verbosity=0)
        text = out.read_text()
    for needle in (CANARY, CANARY.encode().hex(), DOCUMENT, BORN.isoformat(), "Tutora Ficticia"):
        assert needle not in text
    assert SEALED_PREFIX in text
    assert case.code in text


def test_a_dump_cannot_be_loaded_back_and_stores_nothing(db, tmp_path):
    # loaddata saves rows "raw", without pre_save: nothing could seal them, so it must fail
    # rather than store a plain value (identity moves with pg_dump, sealed as it is).
    from django.core.serializers.base import DeserializationError

    case = canary_case()
    dump = tmp_path / "cases.json"
    call_command("dumpdata", "cases.case", output=str(dump), verbosity=0)
    assert json.loads(dump.read_text())[0]["fields"]["given_name"].startswith(SEALED_PREFIX)
    Case.objects.all().delete()
    with pytest.raises((FieldError, DeserializationError)), transaction.atomic():
        call_command("loaddata", str(dump), verbosity=0)
    assert not Case.objects.filter(pk=case.pk).exists()


def test_a_sealed_value_never_prints_its_bytes(db):
    case = canary_case()
    raw = Case.objects.values_list("given_name", flat=True).get(pk=case.pk)
    assert isinstance(raw, Sealed)
    for text in (repr(raw), str(raw), f"{raw}"):
        assert text.startswith("<Sealed ") and "\\x" not in text
    assert repr(case) == f"<Case: {case.code}>" and str(case) == case.code


def test_nothing_is_decrypted_for_a_list(db):
    for _ in range(3):
        canary_case()
    with mock.patch("corett.lib.crypto.decrypt", wraps=crypto.decrypt) as decrypt:
        rows = [(c.code, c.stage, c.sex, c.destination_country_id) for c in Case.objects.without_identity()]
        assert len(rows) == 3
        assert decrypt.call_count == 0
        # loaded rows stay sealed until a field is read, and each opens once
        cases = list(Case.objects.all())
        assert decrypt.call_count == 0
        assert cases[0].given_name == CANARY
        assert cases[0].given_name == CANARY
        assert decrypt.call_count == 1
        # a write of clear fields opens nothing
        cases[1].risk_level = "high"
        cases[1].save(update_fields=["risk_level"])
        assert decrypt.call_count == 1


def test_a_deferred_identity_field_is_fetched_when_read_not_taken_as_empty(db):
    case = canary_case()
    listed = Case.objects.without_identity().get(pk=case.pk)
    assert listed.given_name == CANARY
    assert listed.birth_date == BORN


def test_the_without_identity_list_leaves_the_sealed_columns_in_the_database(db, django_assert_num_queries):
    canary_case()
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        list(Case.objects.without_identity())
    sql = queries.captured_queries[0]["sql"]
    for field in IDENTITY_FIELDS:
        assert f'"{field}"' not in sql and f"`{field}`" not in sql, field


def test_an_encrypted_date_accepts_an_iso_date_and_refuses_nonsense(db):
    case = open_case()
    field = Case._meta.get_field("birth_date")
    assert field.clean("2012-11-05", case) == dt.date(2012, 11, 5)
    for bad in ("2012-13-45", "yesterday", dt.datetime(2012, 1, 1, tzinfo=dt.UTC)):
        with pytest.raises(ValidationError):
            field.clean(bad, case)


def test_an_impossible_birth_date_is_a_field_error(db):
    case = open_case()
    with pytest.raises(ValidationError) as invalid:
        services.case_update(actor=actors_of(case).worker, case=case, data={"birth_date": "2012-13-45"})
    assert "birth_date" in invalid.value.message_dict


def test_values_are_bound_to_the_model_that_defines_the_column(db):
    case = open_case()
    field = Case._meta.get_field("given_name")
    assert field.aad(case) == f"cases.case:given_name:{case.uuid}".encode()


def test_the_blind_index_key_is_not_an_encryption_key(settings):
    entry = crypto.new_key_entry("k1")
    settings.FIELD_ENCRYPTION_KEYS = entry
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        crypto.KeyRing.from_setting(entry, blind_index_key=entry.split(":", 1)[1])


def test_a_dump_of_an_unreadable_value_fails_rather_than_writing_anything(db):
    # (serialize() on a list, not dumpdata: on PostgreSQL dumpdata reads through a server-side
    # cursor that an exception leaves open past the end of the test.)
    from django.core import serializers

    case = open_case()
    set_raw(Case, case.pk, "narrative", b"\x01\x02zz" + b"\x00" * 40)
    stream = io.StringIO()
    with pytest.raises(crypto.DecryptionError) as failed:
        serializers.serialize("json", list(Case.objects.all()), stream=stream)
    assert "No key 'zz' in the ring" in str(failed.value)
    assert case.given_name not in stream.getvalue()
