"""Field encryption: a key ring for AES-256-GCM and keyed blind indexes.

``FIELD_ENCRYPTION_KEYS`` holds ``"id1:base64key,id2:base64key"``. The first key encrypts; every
key decrypts, so a key is rotated by putting a new one first and keeping the old ones until
every stored value has been re-encrypted. Each blob names the key that sealed it:

    version (1 byte) | key id length (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext+tag

The header (version and key id) is authenticated together with the caller's associated data,
so a blob cannot be re-labelled with another key id, nor moved to another record or field when
the caller binds it there through ``aad`` (e.g. ``b"cases.victim:42:name"``).

Blind indexes (for exact-match search on encrypted fields) use ``FIELD_BLIND_INDEX_KEY``, not
the encryption ring: they must stay the same across key rotation, or every index would have to
be rebuilt whenever a key changes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class DecryptionError(Exception):
    """The blob is malformed, was sealed with an unknown key, or fails authentication."""


def _b64decode(text: str) -> bytes:
    """Decode standard or URL-safe base64, with or without padding; ValueError when invalid."""
    text = text.strip()
    if not text:
        raise ValueError("empty")
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64") from exc


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_key() -> str:
    """A fresh 32-byte key, URL-safe base64 without padding."""
    return _b64encode(secrets.token_bytes(KEY_BYTES))


def new_key_id() -> str:
    """A key id from today's date (UTC), e.g. ``20260131``."""
    # Not django.utils.timezone: settings.py calls this while settings are still loading.
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d")


def new_key_entry(key_id: str | None = None) -> str:
    """One entry for FIELD_ENCRYPTION_KEYS: ``id:base64key``."""
    key_id = key_id or new_key_id()
    if not KEY_ID.match(key_id):
        raise ValueError(f"Invalid key id {key_id!r}: use 1-32 letters, digits, '.', '_' or '-'.")
    return f"{key_id}:{new_key()}"


def parse_blind_index_key(value: str | None) -> bytes:
    if not value or not value.strip():
        raise ImproperlyConfigured(
            "FIELD_BLIND_INDEX_KEY (or FIELD_BLIND_INDEX_KEY_FILE) must be set; "
            "generate one with `corett generate-key --blind-index`."
        )
    try:
        raw = _b64decode(value)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_BLIND_INDEX_KEY is not valid base64.") from exc
    if len(raw) < KEY_BYTES:
        raise ImproperlyConfigured(
            f"FIELD_BLIND_INDEX_KEY must decode to at least {KEY_BYTES} bytes, not {len(raw)}."
        )
    return raw


@dataclass(frozen=True, repr=False)
class KeyRing:
    """Ordered encryption keys (the first one encrypts) and the blind-index key."""

    keys: tuple[tuple[str, bytes], ...]
    blind_index_key: bytes | None = None

    def __repr__(self) -> str:  # never let a key reach a log or a traceback
        return f"KeyRing(ids={[kid for kid, _ in self.keys]})"

    @classmethod
    def from_setting(cls, value: str | None, *, blind_index_key: str | None = None) -> KeyRing:
        """Parse ``"id1:base64key,id2:base64key"``; raise ImproperlyConfigured with the reason."""
        if not value or not value.strip():
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEYS_FILE) must be set; "
                "generate an entry with `corett generate-key`."
            )
        keys: list[tuple[str, bytes]] = []
        for position, entry in enumerate(value.split(","), start=1):
            entry = entry.strip()
            if not entry:
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS: entry {position} is empty (stray comma?)."
                )
            kid, sep, encoded = entry.partition(":")
            kid = kid.strip()
            if not sep:
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS: entry {position} must look like 'id:base64key'."
                )
            if not KEY_ID.match(kid):
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS: entry {position} has an invalid key id; "
                    "use 1-32 letters, digits, '.', '_' or '-'."
                )
            if any(kid == existing for existing, _ in keys):
                raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key id {kid!r} appears twice.")
            try:
                raw = _b64decode(encoded)
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS: key {kid!r} is not valid base64."
                ) from exc
            if len(raw) != KEY_BYTES:
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS: key {kid!r} must decode to {KEY_BYTES} bytes, "
                    f"not {len(raw)}."
                )
            keys.append((kid, raw))
        index_key = None if blind_index_key is None else parse_blind_index_key(blind_index_key)
        if index_key is not None and any(index_key == raw for _, raw in keys):
            raise ImproperlyConfigured(
                "FIELD_BLIND_INDEX_KEY must differ from every FIELD_ENCRYPTION_KEYS key."
            )
        return cls(keys=tuple(keys), blind_index_key=index_key)

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def _key(self, kid: str) -> bytes | None:
        for existing, raw in self.keys:
            if existing == kid:
                return raw
        return None

    @staticmethod
    def _header(kid: str) -> bytes:
        encoded = kid.encode("ascii")
        return bytes([VERSION, len(encoded)]) + encoded

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        kid, key = self.keys[0]
        header = self._header(kid)
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 2 or blob[0] != VERSION:
            raise DecryptionError("Unknown blob version.")
        length = blob[1]
        header_end = 2 + length
        if len(blob) < header_end + NONCE_BYTES + 16:
            raise DecryptionError("Blob too short.")
        try:
            kid = blob[2:header_end].decode("ascii")
        except UnicodeDecodeError as exc:
            raise DecryptionError("Malformed key id.") from exc
        key = self._key(kid)
        if key is None:
            raise DecryptionError(f"No key {kid!r} in the ring.")
        header, nonce = blob[:header_end], blob[header_end : header_end + NONCE_BYTES]
        try:
            return AESGCM(key).decrypt(nonce, blob[header_end + NONCE_BYTES :], header + aad)
        except InvalidTag as exc:
            raise DecryptionError("Authentication failed: wrong key, data or aad.") from exc

    def key_id_of(self, blob: bytes) -> str:
        """The id of the key that sealed ``blob`` (to find values still under an old key)."""
        if len(blob) < 2 or blob[0] != VERSION or len(blob) < 2 + blob[1]:
            raise DecryptionError("Malformed blob.")
        return blob[2 : 2 + blob[1]].decode("ascii", errors="replace")

    def blind_index(self, value: str, purpose: str) -> str:
        """A keyed HMAC-SHA256 of ``value`` for exact-match search; hex.

        ``purpose`` (e.g. ``"cases.victim.document_number"``) gives each field its own derived
        key, so equal values in different fields do not produce equal indexes. The caller
        normalises the value as its field requires (case, spaces); here only Unicode NFC.
        """
        if self.blind_index_key is None:
            raise ImproperlyConfigured("FIELD_BLIND_INDEX_KEY is not configured.")
        if not purpose:
            raise ValueError("A blind index needs a purpose.")
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=None,
            info=b"corett-blind-index:" + purpose.encode(),
        ).derive(self.blind_index_key)
        message = unicodedata.normalize("NFC", value).encode()
        return hmac.new(derived, message, hashlib.sha256).hexdigest()


@functools.cache
def key_ring() -> KeyRing:
    """The configured ring (parsed once; reset when tests override the settings)."""
    from django.conf import settings

    return KeyRing.from_setting(
        settings.FIELD_ENCRYPTION_KEYS,
        blind_index_key=getattr(settings, "FIELD_BLIND_INDEX_KEY", None),
    )


@receiver(setting_changed)
def _reset_key_ring(*, setting: str, **kwargs) -> None:
    if setting in {"FIELD_ENCRYPTION_KEYS", "FIELD_BLIND_INDEX_KEY"}:
        key_ring.cache_clear()


def encrypt(plaintext: bytes, aad: bytes) -> bytes:
    return key_ring().encrypt(plaintext, aad)


def decrypt(blob: bytes, aad: bytes) -> bytes:
    return key_ring().decrypt(blob, aad)


def blind_index(value: str, purpose: str) -> str:
    return key_ring().blind_index(value, purpose)
