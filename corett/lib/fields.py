"""Encrypted model fields: identifying data is sealed field by field with AES-256-GCM.

The database holds only ciphertext (``corett.lib.crypto`` format: key id, nonce, sealed bytes).
The Python attribute holds the plain value, decrypted lazily on first access: a list page that
never shows a name never decrypts one. Each value is bound through the associated data to its
model, field and record (``EncryptedModel.uuid``), so a ciphertext copied into another record or
field fails authentication instead of silently showing the wrong person's data.

Encrypted fields cannot be filtered or ordered on (their ciphertext is random). Exact-match
search goes through a blind index (``crypto.blind_index``) kept in a separate column.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import FieldError
from django.db import models, transaction

from corett.lib import crypto

KINDS = ("text", "date", "json", "bytes")


class Sealed(bytes):
    """Ciphertext as read from, or about to be written to, the database."""

    def __repr__(self) -> str:  # a sealed value never prints its bytes
        return f"<Sealed {len(self)} bytes>"


def _to_bytes(kind: str, value: Any) -> bytes:
    if kind == "text":
        return str(value).encode()
    if kind == "date":
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise TypeError("An encrypted date field holds a datetime.date.")
        return value.isoformat().encode()
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
    return bytes(value)


def _from_bytes(kind: str, raw: bytes) -> Any:
    if kind == "text":
        return raw.decode()
    if kind == "date":
        return dt.date.fromisoformat(raw.decode())
    if kind == "json":
        return json.loads(raw)
    return raw


class _Descriptor:
    def __init__(self, field: EncryptedField) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.BinaryField):
    """A text, date, JSON or bytes value stored encrypted. Use on ``EncryptedModel`` subclasses."""

    description = "An encrypted value"

    def __init__(self, *args: Any, kind: str = "text", **kwargs: Any) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self.kind = kind
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        for key, default in (("null", True), ("blank", True), ("editable", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _Descriptor(self))

    def aad(self, instance: Any) -> bytes:
        record = getattr(instance, "uuid", None)
        if record is None:
            raise FieldError(f"{type(instance).__name__} needs a uuid to hold encrypted fields.")
        return f"{instance._meta.label_lower}:{self.name}:{record}".encode()

    def open(self, instance: Any, sealed: bytes) -> Any:
        return _from_bytes(self.kind, crypto.decrypt(bytes(sealed), self.aad(instance)))

    def seal(self, instance: Any, value: Any) -> Sealed | None:
        if value is None or value == "":
            return None
        return Sealed(crypto.encrypt(_to_bytes(self.kind, value), self.aad(instance)))

    def to_python(self, value):
        # BinaryField would read a string as base64; here the Python value is the plain value.
        return value

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(bytes(value))

    def pre_save(self, model_instance, add):
        # Read through the descriptor (plaintext), seal for the row being written.
        return self.seal(model_instance, getattr(model_instance, self.attname))

    def get_prep_value(self, value):
        if value is None or isinstance(value, Sealed):
            return None if value is None else bytes(value)
        # A plain value here means a lookup (filter, exclude) or an unsealed write: either would
        # compare or store cleartext, so it is refused.
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: it cannot be used in lookups; "
            "search its blind index instead."
        )

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.get_prep_value(value) if not prepared else value
        return None if value is None else connection.Database.Binary(value)

    def value_to_string(self, obj):
        # Serialisation (dumpdata) never writes cleartext.
        raw = obj.__dict__.get(self.attname)
        sealed = raw if isinstance(raw, Sealed) or raw is None else self.seal(obj, raw)
        return "" if sealed is None else sealed.hex()


class EncryptedModel(models.Model):
    """Gives each record the identity its encrypted values are bound to."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def models_with_encrypted_fields() -> list[type[models.Model]]:
    from django.apps import apps

    return [m for m in apps.get_models() if encrypted_fields(m)]


def rotate(model: type[models.Model], *, batch_size: int = 500) -> Iterator[int]:
    """Re-seal every value of ``model`` not sealed with the current key; yield counts per batch.

    Runs online: each batch is its own short transaction, rows are read again under a lock so a
    concurrent edit is never overwritten with older data, and old keys stay in the ring until
    the rotation has finished, so every value stays readable throughout.
    """
    ring = crypto.key_ring()
    fields = encrypted_fields(model)
    names = [f.attname for f in fields]
    last_pk: Any = None
    while True:
        page = model._default_manager.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        pks = list(page.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return
        last_pk = pks[-1]
        resealed = 0
        with transaction.atomic():
            for obj in model._default_manager.select_for_update().filter(pk__in=pks).only("pk", "uuid", *names):
                stale = [
                    f for f in fields
                    if isinstance(obj.__dict__.get(f.attname), Sealed)
                    and ring.key_id_of(obj.__dict__[f.attname]) != ring.current_id
                ]
                if not stale:
                    continue
                for f in stale:
                    getattr(obj, f.attname)  # decrypt under the old key; pre_save re-seals
                obj.save(update_fields=[f.attname for f in stale])
                resealed += 1
        yield resealed
