"""The hash chain: links, tamper evidence, append-only guards, no protected values."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from corett.audit.models import GENESIS, AuditEntry
from corett.audit.services import audit_log, audit_verify
from corett.directory.services import person_update
from corett.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _entries(n: int) -> list[AuditEntry]:
    return [audit_log(actor=None, username=f"bot{i}", action="test.event", extra={"n": i}) for i in range(n)]


def test_each_entry_links_to_the_hash_of_the_one_before():
    first, second, third = _entries(3)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    for entry in AuditEntry.objects.order_by("id"):
        assert entry.compute_hash() == entry.hash


def test_the_first_entry_links_to_the_genesis_hash():
    _entries(2)
    first = AuditEntry.objects.order_by("id").first()
    assert first is not None
    assert first.prev_hash == GENESIS


def test_an_intact_chain_verifies(capsys):
    _entries(3)
    result = audit_verify()
    assert result.ok
    assert result.checked == AuditEntry.objects.count()
    call_command("audit-verify")
    assert capsys.readouterr().out.strip() == f"OK: {result.checked} entries verified"


def test_verification_walks_in_batches():
    _entries(7)
    assert audit_verify(batch_size=2) == audit_verify()


def test_a_changed_entry_is_named_by_audit_verify(tamper):
    _first, middle, _last = _entries(3)
    tamper("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["test.innocent", middle.pk])

    result = audit_verify()
    assert not result.ok
    assert result.broken_id == middle.pk
    assert result.reason == "content does not match its hash"
    with pytest.raises(CommandError) as failure:
        call_command("audit-verify")
    assert failure.value.returncode == 1
    message = str(failure.value)
    assert f"#{middle.pk}" in message
    assert "test.innocent" in message
    assert "content does not match its hash" in message


def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link(tamper):
    _first, middle, last = _entries(3)
    middle.action = "test.innocent"
    forged = middle.compute_hash()
    tamper(
        "UPDATE audit_auditentry SET action = %s, hash = %s WHERE id = %s",
        ["test.innocent", forged, middle.pk],
    )
    result = audit_verify()
    assert (result.ok, result.broken_id) == (False, last.pk)
    assert result.reason == "link to the previous entry is broken"


def test_a_deleted_middle_entry_is_detected(tamper):
    _first, middle, last = _entries(3)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [middle.pk])
    result = audit_verify()
    assert (result.ok, result.broken_id) == (False, last.pk)
    with pytest.raises(CommandError, match=f"#{last.pk}"):
        call_command("audit-verify")


def test_removing_the_newest_entries_is_caught_by_the_anchor(tamper, tmp_path):
    entries = _entries(3)
    anchor = tmp_path / "anchor.json"
    call_command("audit-verify", anchor=anchor)
    assert json.loads(anchor.read_text()) == {"id": entries[-1].pk, "hash": entries[-1].hash}

    # The chain that is left is still internally valid: only the anchor can tell.
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    assert audit_verify().ok
    with pytest.raises(CommandError, match=f"#{entries[-1].pk}.*missing"):
        call_command("audit-verify", anchor=anchor)


def test_the_anchor_moves_forward_with_the_trail(tmp_path):
    _entries(2)
    anchor = tmp_path / "anchor.json"
    call_command("audit-verify", anchor=anchor)
    newer = audit_log(actor=None, username="system", action="test.later")
    call_command("audit-verify", anchor=anchor)
    assert json.loads(anchor.read_text())["id"] == newer.pk


def test_audit_verify_exits_1_from_the_command_line(capsys, tamper):
    """Through the real entry point: cron sees the exit status, an operator sees stderr."""
    from django.core.management import ManagementUtility

    _first, middle, _last = _entries(3)
    tamper("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["999", middle.pk])
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["corett", "audit-verify", "--skip-checks"]).execute()
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert f"#{middle.pk}" in captured.err
    assert captured.out == ""


def test_the_orm_refuses_to_change_or_remove_entries():
    [entry] = _entries(1)
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError):
        entry.delete()
    entry.action = "x"
    with pytest.raises(TypeError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.event"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_below_the_orm():
    [entry] = _entries(1)
    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.event"
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_flushing_the_test_database_is_not_blocked_by_the_append_only_trigger():
    """pytest-django empties the tables after transactional tests with Django's flush, which
    is TRUNCATE on PostgreSQL: row triggers do not fire, so the guard does not get in the way."""
    _entries(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()


def test_no_protected_value_reaches_the_entry(focal_gt):
    person = PersonFactory.create(organisation=focal_gt.organisation, phone="+502 5555 1234")
    person_update(
        actor=focal_gt,
        person=person,
        data={"email": "nueva.direccion@ministerio.gob.gt", "phone": "+502 4444 9876"},
    )
    entry = AuditEntry.objects.filter(action="directory.person.update").get()
    assert entry.changed_fields == ["email", "phone"]
    assert (entry.object_type, entry.object_id, entry.country) == ("directory.person", str(person.pk), "GT")
    stored = json.dumps(AuditEntry.objects.filter(pk=entry.pk).values().get(), default=str)
    for value in ("nueva.direccion", "ministerio.gob.gt", "4444", "9876", "5555"):
        assert value not in stored
