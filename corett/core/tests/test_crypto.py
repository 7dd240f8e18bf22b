import base64
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from corett.lib import crypto
from corett.lib.crypto import DecryptionError, KeyRing


def entry(kid: str, fill: int) -> str:
    return f"{kid}:" + base64.urlsafe_b64encode(bytes([fill]) * 32).decode()


BLIND = base64.b64encode(b"b" * 32).decode()


def ring(*entries: str) -> KeyRing:
    return KeyRing.from_setting(",".join(entries), blind_index_key=BLIND)


def test_it_round_trips_with_the_first_key():
    keys = ring(entry("new", 1), entry("old", 2))
    blob = keys.encrypt(b"Mar\xc3\xada", b"cases.victim:1:name")
    assert keys.key_id_of(blob) == "new"
    assert keys.decrypt(blob, b"cases.victim:1:name") == b"Mar\xc3\xada"
    assert b"Mar" not in blob


def test_each_encryption_uses_a_fresh_nonce():
    keys = ring(entry("k1", 1))
    assert keys.encrypt(b"same", b"aad") != keys.encrypt(b"same", b"aad")


def test_it_refuses_a_tampered_ciphertext():
    keys = ring(entry("k1", 1))
    blob = bytearray(keys.encrypt(b"secret", b"aad"))
    blob[-1] ^= 0x01
    with pytest.raises(DecryptionError):
        keys.decrypt(bytes(blob), b"aad")


def test_it_refuses_the_wrong_associated_data():
    keys = ring(entry("k1", 1))
    blob = keys.encrypt(b"secret", b"cases.victim:1:name")
    with pytest.raises(DecryptionError):
        keys.decrypt(blob, b"cases.victim:2:name")


def test_a_relabelled_key_id_fails_authentication():
    # Both keys equal: only the authenticated header can tell the blob was relabelled.
    keys = ring(entry("aa", 1), entry("bb", 1))
    blob = keys.encrypt(b"secret", b"aad")
    relabelled = blob.replace(b"aa", b"bb", 1)
    with pytest.raises(DecryptionError):
        keys.decrypt(relabelled, b"aad")


def test_a_rotated_ring_still_decrypts_old_blobs_and_seals_new_ones_with_the_new_key():
    old_ring = ring(entry("2025", 1))
    old_blob = old_ring.encrypt(b"before rotation", b"aad")
    rotated = ring(entry("2026", 2), entry("2025", 1))
    assert rotated.decrypt(old_blob, b"aad") == b"before rotation"
    new_blob = rotated.encrypt(b"after rotation", b"aad")
    assert rotated.key_id_of(new_blob) == "2026"
    with pytest.raises(DecryptionError, match="No key"):
        old_ring.decrypt(new_blob, b"aad")


def test_a_key_removed_from_the_ring_no_longer_decrypts():
    blob = ring(entry("2025", 1)).encrypt(b"x", b"aad")
    with pytest.raises(DecryptionError, match="No key '2025'"):
        ring(entry("2026", 2)).decrypt(blob, b"aad")


@pytest.mark.parametrize("blob", [b"", b"\x02abc", b"\x01\x05ab", b"\x01\x02k1" + b"\0" * 12])
def test_malformed_blobs_raise_a_decryption_error(blob):
    with pytest.raises(DecryptionError):
        ring(entry("k1", 1)).decrypt(blob, b"aad")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "must be set"),
        ("k1", r"must look like 'id:base64key'"),
        (entry("k1", 1) + ",", "entry 2 is empty"),
        (f"{entry('k1', 1)},{entry('k1', 2)}", "'k1' appears twice"),
        ("k1:" + base64.b64encode(b"short").decode(), "must decode to 32 bytes, not 5"),
        ("k1:***notbase64***", "'k1' is not valid base64"),
        ("bad id:" + base64.b64encode(b"a" * 32).decode(), "invalid key id"),
    ],
)
def test_malformed_key_rings_are_refused_with_a_clear_reason(value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        KeyRing.from_setting(value)


def test_the_blind_index_key_is_validated():
    with pytest.raises(ImproperlyConfigured, match="at least 32 bytes"):
        KeyRing.from_setting(entry("k1", 1), blind_index_key=base64.b64encode(b"x" * 8).decode())
    with pytest.raises(ImproperlyConfigured, match="must differ"):
        KeyRing.from_setting(entry("k1", 1), blind_index_key=entry("k1", 1).split(":")[1])


def test_blind_indexes_are_stable_across_rotation_and_distinct_per_purpose():
    before = ring(entry("2025", 1))
    after = ring(entry("2026", 2), entry("2025", 1))
    assert before.blind_index("A-123", "victim.document") == after.blind_index("A-123", "victim.document")
    assert before.blind_index("A-123", "victim.document") != before.blind_index("A-124", "victim.document")
    assert before.blind_index("A-123", "victim.document") != before.blind_index("A-123", "victim.phone")
    other_key = KeyRing.from_setting(entry("2025", 1), blind_index_key=base64.b64encode(b"c" * 32).decode())
    assert other_key.blind_index("A-123", "victim.document") != before.blind_index("A-123", "victim.document")


def test_the_repr_never_shows_key_material():
    keys = ring(entry("k1", 1))
    assert repr(keys) == "KeyRing(ids=['k1'])"


def test_the_configured_ring_follows_the_settings():
    configured = crypto.encrypt(b"x", b"aad")
    assert crypto.decrypt(configured, b"aad") == b"x"
    with override_settings(FIELD_ENCRYPTION_KEYS=entry("other", 7)), pytest.raises(DecryptionError):
        crypto.decrypt(configured, b"aad")
    assert crypto.decrypt(configured, b"aad") == b"x"


def test_the_generated_demo_ring_has_the_documented_format(settings):
    parsed = KeyRing.from_setting(settings.FIELD_ENCRYPTION_KEYS, blind_index_key=settings.FIELD_BLIND_INDEX_KEY)
    assert len(parsed.keys) >= 1


def test_generate_key_prints_an_entry_the_ring_accepts(capsys):
    call_command("generate-key", "--id", "2026b")
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("2026b:")
    assert KeyRing.from_setting(printed).current_id == "2026b"


def test_generate_key_prints_a_blind_index_key(capsys):
    call_command("generate-key", "--blind-index")
    printed = capsys.readouterr().out.strip()
    assert KeyRing.from_setting(entry("k1", 1), blind_index_key=printed).blind_index_key is not None


def test_the_system_check_fails_on_a_malformed_ring():
    from corett.core.checks import check_field_encryption_keys

    assert check_field_encryption_keys() == []
    with override_settings(FIELD_ENCRYPTION_KEYS="k1:tooshort"):
        errors = check_field_encryption_keys()
    assert [e.id for e in errors] == ["corett.E001"]
    assert "k1" in errors[0].msg


def test_corett_check_exits_non_zero_with_a_malformed_ring(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "CORETT_DEMO": "1",
        "CORETT_DATA_DIR": str(tmp_path),
        "FIELD_ENCRYPTION_KEYS": "k1:tooshort",
    }
    result = subprocess.run(
        [sys.executable, "-m", "corett", "check"], env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "corett.E001" in result.stderr
