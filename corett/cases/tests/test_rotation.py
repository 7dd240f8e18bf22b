"""`corett rotate-keys`: every value re-sealed under the new key, online, idempotent, audited,
and every record still readable once the old key has left the ring."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from corett.audit.models import AuditEntry
from corett.cases import services
from corett.cases.models import Case, FollowUp, RelatedPerson, Stage
from corett.lib import crypto
from corett.lib.fields import encrypted_fields, models_with_encrypted_fields
from corett.testing.cases import actors_of, case_in_stage, open_case, raw_rows

KEY_A = crypto.new_key()
KEY_B = crypto.new_key()
RING_A = f"A:{KEY_A}"
RING_BA = f"B:{KEY_B},A:{KEY_A}"
RING_B = f"B:{KEY_B}"


def plain_values() -> dict[tuple, object]:
    """Every encrypted value of every model, opened: {(model, pk, field): value}."""
    values = {}
    for model in models_with_encrypted_fields():
        for obj in model._base_manager.order_by("pk"):
            for field in encrypted_fields(model):
                values[(model._meta.label_lower, obj.pk, field.name)] = getattr(obj, field.attname)
    return values


def key_ids() -> dict[str, int]:
    counts: dict[str, int] = {}
    ring = crypto.key_ring()
    for model in models_with_encrypted_fields():
        for columns in raw_rows(model).values():
            for raw in columns.values():
                if raw is not None:
                    kid = ring.key_id_of(raw)
                    counts[kid] = counts.get(kid, 0) + 1
    return counts


def rotate_keys(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate-keys", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def cases_under_a(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = RING_A
    built = [
        case_in_stage(Stage.FUNDED),  # a child: guardian, caregiver
        case_in_stage(Stage.REINTEGRATION, child=False),
        open_case(data={"other_names": "La Flaca", "address": "Barrio Ficticio 4"}),
        case_in_stage(Stage.DECLINED_BY_ORIGIN),
    ]
    reintegration = built[1]
    services.follow_up_report(
        actor=actors_of(reintegration).origin_worker, follow_up=reintegration.follow_ups.all()[0],
        report="Trabaja en una cooperativa.", reported_on=timezone.localdate(),
    )
    assert set(key_ids()) == {"A"}
    return built


def test_rotation_re_seals_everything_and_the_old_key_can_go(cases_under_a, settings):
    before = plain_values()
    sealed_values = sum(key_ids().values())
    assert sealed_values > 20

    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    output = rotate_keys("--batch-size", "2")
    assert "Current key: B. Keys in the ring: B, A." in output
    assert "cases.case: 2 of 4 rows checked" in output  # progress, batch by batch
    assert f"({sealed_values} values) re-encrypted, 0 rows unreadable" in output
    assert "A may now be removed from FIELD_ENCRYPTION_KEYS" in output
    assert key_ids() == {"B": sealed_values}

    settings.FIELD_ENCRYPTION_KEYS = RING_B
    assert plain_values() == before
    # and the value sealed under A no longer exists anywhere
    for model in models_with_encrypted_fields():
        for columns in raw_rows(model).values():
            assert all(raw is None or crypto.key_ring().key_id_of(raw) == "B" for raw in columns.values())


def test_without_rotation_removing_the_old_key_loses_the_data(cases_under_a, settings):
    # The control for the test above: it would fail if rotation did nothing.
    settings.FIELD_ENCRYPTION_KEYS = RING_B
    with pytest.raises(crypto.DecryptionError):
        Case.objects.all()[0].given_name  # noqa: B018


def test_rotation_is_audited_once_with_counts_by_the_system(cases_under_a, settings):
    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    rotate_keys()
    entries = list(AuditEntry.objects.filter(action="crypto.rotate_keys"))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor_id, entry.actor_username) == (None, "system")
    assert entry.extra["key"] == "B"
    assert entry.extra["models"]["cases.case"]["rows"] == 4
    assert entry.extra["models"]["cases.relatedperson"]["rows"] == RelatedPerson.objects.count()
    assert entry.extra["models"]["cases.followup"]["rows"] == 1
    assert entry.extra["totals"]["unreadable"] == 0
    assert entry.extra["key_usage"] == {"B": sum(key_ids().values())}
    assert entry.changed_fields == []


def test_rotation_is_idempotent(cases_under_a, settings):
    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    rotate_keys()
    raw_before = {m: raw_rows(m) for m in (Case, RelatedPerson, FollowUp)}
    output = rotate_keys()
    assert "0 rows (0 values) re-encrypted" in output
    assert {m: raw_rows(m) for m in (Case, RelatedPerson, FollowUp)} == raw_before
    second = AuditEntry.objects.filter(action="crypto.rotate_keys").order_by("-id")[0]
    assert second.extra["totals"]["rows"] == 0


def test_a_dry_run_counts_and_changes_nothing(cases_under_a, settings):
    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    raw_before = raw_rows(Case)
    output = rotate_keys("--dry-run")
    assert f"({sum(key_ids().values())} values) would be re-encrypted" in output
    assert raw_rows(Case) == raw_before
    assert set(key_ids()) == {"A"}
    assert not AuditEntry.objects.filter(action="crypto.rotate_keys").exists()


def test_values_already_under_the_new_key_are_left_alone(cases_under_a, settings):
    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    # written while the rotation is pending: sealed with B straight away
    fresh = open_case(data={"given_name": "Written during the rotation"})
    fresh_raw = raw_rows(Case)[fresh.pk]
    assert crypto.key_ring().key_id_of(fresh_raw["given_name"] or b"") == "B"
    rotate_keys()
    assert raw_rows(Case)[fresh.pk] == fresh_raw


def test_rotation_is_not_an_edit(cases_under_a, settings):
    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    updated = dict(Case.objects.values_list("pk", "updated_at"))
    entries = AuditEntry.objects.count()
    rotate_keys()
    assert dict(Case.objects.values_list("pk", "updated_at")) == updated
    assert AuditEntry.objects.count() == entries + 1  # the one rotation entry, no case edits


def test_an_unreadable_value_is_reported_kept_and_fails_the_run(cases_under_a, settings):
    broken = cases_under_a[2]
    foreign = crypto.KeyRing.from_setting(f"Z:{crypto.new_key()}").encrypt(b"x", b"y")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET narrative = %s WHERE id = %s", [foreign, broken.pk])
    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    with pytest.raises(CommandError) as failed:
        rotate_keys()
    assert failed.value.returncode == 1
    assert raw_rows(Case)[broken.pk]["narrative"] == foreign  # never replaced
    # the other rows were rotated, and the run was still audited with the unreadable id
    usage = key_ids()
    assert usage.get("A", 0) == len([v for v in raw_rows(Case)[broken.pk].values() if v is not None]) - 1
    entry = AuditEntry.objects.get(action="crypto.rotate_keys")
    assert entry.extra["models"]["cases.case"]["unreadable_ids"] == [str(broken.pk)]


def test_the_batch_size_must_be_positive(db):
    with pytest.raises(CommandError):
        rotate_keys("--batch-size", "0")


def test_the_blind_index_does_not_change_with_the_encryption_key(cases_under_a, settings):
    keys = dict(Case.objects.values_list("pk", "match_key"))
    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    rotate_keys()
    settings.FIELD_ENCRYPTION_KEYS = RING_B
    for case in Case.objects.all():
        assert services.match_key_for(case) == keys[case.pk]


def test_the_key_usage_report_reads_only_the_first_bytes_of_each_value(cases_under_a, settings):
    """An attachment may be megabytes: counting which key sealed it must not fetch it."""
    import importlib

    from django.test.utils import CaptureQueriesContext

    from corett.cases.models import Attachment

    command = importlib.import_module("corett.cases.management.commands.rotate-keys")
    case = Case.objects.first()
    assert case is not None
    big = b"%PDF-1.4\n" + b"x" * 200_000
    Attachment.objects.create(
        case=case, filename="informe.pdf", content=big, content_type="application/pdf", size=len(big),
        uploaded_by=actors_of(case).worker,
    )
    settings.FIELD_ENCRYPTION_KEYS = RING_BA
    with CaptureQueriesContext(connection) as queries:
        usage = command.key_usage(Attachment, batch_size=1)
    assert usage == {"A": 2}
    selects = [q["sql"] for q in queries.captured_queries]
    column = connection.ops.quote_name("content")
    assert selects and all("SUBSTR" in sql.upper() for sql in selects)
    # Outside the SUBSTR(...) that cuts it, the column is never selected.
    assert all(column not in re.sub(r"SUBSTR(ING)?\([^)]*\)", "", sql, flags=re.IGNORECASE) for sql in selects)
    # Every model, as the command reports it after a rotation: the same counts as the raw rows.
    rotate_keys()
    total: dict[str, int] = {}
    for model in models_with_encrypted_fields():
        for kid, count in command.key_usage(model).items():
            total[kid] = total.get(kid, 0) + count
    assert total == key_ids() == {"B": sum(key_ids().values())}
