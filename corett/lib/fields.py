"""Encrypted model fields: identifying data is sealed field by field with AES-256-GCM.

The database holds only ciphertext (``corett.lib.crypto`` format: key id, nonce, sealed bytes).
The Python attribute holds the plain value, decrypted lazily on first access: a list page that
never shows a name never decrypts one. Each value is bound through the associated data to its
model, field and record (``EncryptedModel.uuid``), so a ciphertext copied into another record or
field fails authentication instead of silently showing the wrong person's data.

Encrypted fields cannot be filtered or ordered on (their ciphertext is random). Exact-match
search goes through a blind index (``crypto.blind_index``) kept in a separate column.

Serialisation (``dumpdata``, DRF's ``ModelField``) writes the sealed value, marked with
``SEALED_PREFIX``, never the plain one. Such a dump cannot be loaded back (``loaddata`` writes
rows without calling ``pre_save``, so nothing could seal them): it fails instead of storing
anything. Move or back up encrypted data with the database's own tools (``pg_dump``), which
copy the ciphertext as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db import models, transaction
from django.db.models.query_utils import DeferredAttribute
from django.utils.dateparse import parse_date
from django.utils.encoding import is_protected_type
from django.utils.translation import gettext_lazy as _

from corett.lib import crypto

KINDS = ("text", "date", "json", "bytes")
# How serialisers write a sealed value: "sealed:" and the blob in hex.
SEALED_PREFIX = "sealed:"


class Sealed(bytes):
    """Ciphertext as read from, or about to be written to, the database."""

    def __repr__(self) -> str:  # a sealed value never prints its bytes
        return f"<Sealed {len(self)} bytes>"

    __str__ = __repr__

    def serialised(self) -> str:
        return SEALED_PREFIX + self.hex()


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


class _Descriptor(DeferredAttribute):
    """Decrypts on first read; a deferred column (``.defer()``, ``.only()``) is fetched first,
    as for any Django field, instead of reading as None."""

    field: EncryptedField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
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
        # The model that defines the column, not the instance's class: a proxy or a child model
        # reads the same row and must produce the same associated data.
        return f"{self.model._meta.label_lower}:{self.name}:{record}".encode()

    def open(self, instance: Any, sealed: bytes) -> Any:
        return _from_bytes(self.kind, crypto.decrypt(bytes(sealed), self.aad(instance)))

    def seal(self, instance: Any, value: Any) -> Sealed | None:
        if value is None or value == "":
            return None
        return Sealed(crypto.encrypt(_to_bytes(self.kind, value), self.aad(instance)))

    def to_python(self, value):
        # BinaryField would read a string as base64; here the Python value is the plain value.
        if self.kind == "date" and value not in (None, ""):
            if isinstance(value, dt.datetime):
                raise ValidationError(_("Enter a valid date."), code="invalid")
            if isinstance(value, dt.date):
                return value
            try:
                parsed = parse_date(str(value))
            except ValueError:
                parsed = None
            if parsed is None:
                raise ValidationError(_("Enter a valid date."), code="invalid")
            return parsed
        return value

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(bytes(value))

    def pre_save(self, model_instance, add):
        # Read through the descriptor (plaintext), seal for the row being written.
        return self.seal(model_instance, getattr(model_instance, self.attname))

    def get_prep_value(self, value):
        if value is None or isinstance(value, Sealed):
            return None if value is None else bytes(value)
        # A plain value here means a lookup (filter, exclude), a bulk write (update, bulk_update)
        # or a raw save (loaddata): each would compare or store cleartext, so it is refused.
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: a plain value can neither be looked "
            "up (search its blind index instead) nor written except by saving its record."
        )

    # Equality with a sealed value or None, and presence, are all a query may ask. Pattern and
    # range lookups (icontains, startswith, gt...) would send the plain value to the database
    # without ever calling get_prep_value, so they are refused by name.
    ALLOWED_LOOKUPS = frozenset({"exact", "in", "isnull"})

    def get_lookup(self, lookup_name):
        if lookup_name not in self.ALLOWED_LOOKUPS:
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: the lookup '{lookup_name}' is "
                "not possible; search its blind index instead."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.get_prep_value(value) if not prepared else value
        return None if value is None else connection.Database.Binary(value)

    def value_from_object(self, obj):
        # Forms (model_to_dict) need the plain value. Serialisers (dumpdata, DRF's ModelField)
        # pass "protected types" (dates, numbers) through as they are, and call value_to_string
        # for anything else: so a date or JSON scalar is handed out as text, never as a type a
        # serialiser would copy into its output in clear.
        value = getattr(obj, self.attname)
        if value is None or not is_protected_type(value):
            return value
        return value.isoformat() if isinstance(value, dt.date) else json.dumps(value)

    def value_to_string(self, obj):
        # Serialisation (dumpdata) never writes cleartext: the sealed value, marked as such.
        raw = obj.__dict__.get(self.attname)
        if raw is None and self.attname not in obj.__dict__:
            raw = getattr(obj, self.attname)  # deferred: fetch (and open) it
        sealed = raw if isinstance(raw, Sealed) or raw is None else self.seal(obj, raw)
        return "" if sealed is None else sealed.serialised()


class EncryptedModel(models.Model):
    """Gives each record the identity its encrypted values are bound to."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def models_with_encrypted_fields() -> list[type[models.Model]]:
    from django.apps import apps

    # Proxies share their concrete model's table: listing them would visit each row twice.
    return [m for m in apps.get_models() if encrypted_fields(m) and not m._meta.proxy]


@dataclass
class RotationBatch:
    """What one batch of ``rotate`` did: rows read, rows and values re-sealed, and the primary
    keys of rows holding a value that could not be opened (left as they were)."""

    checked: int = 0
    rows: int = 0
    values: int = 0
    unreadable: list[Any] = field(default_factory=list)


def _stale(obj: models.Model, fields: list[EncryptedField], ring: crypto.KeyRing) -> list[EncryptedField]:
    stale = []
    for f in fields:
        raw = obj.__dict__.get(f.attname)
        if not isinstance(raw, Sealed):
            continue
        try:
            kid = ring.key_id_of(raw)
        except crypto.DecryptionError:
            kid = None
        if kid != ring.current_id:
            stale.append(f)
    return stale


def _pages(model: type[models.Model], batch_size: int) -> Iterator[list[Any]]:
    last_pk: Any = None
    while True:
        page = model._base_manager.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        pks = list(page.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return
        last_pk = pks[-1]
        yield pks


BYTES_BATCH_SIZE = 10


def rotate(
    model: type[models.Model], *, batch_size: int = 500, dry_run: bool = False
) -> Iterator[RotationBatch]:
    """Re-seal every value of ``model`` not sealed with the current key; report each batch.

    Runs online: each batch is its own short transaction, rows are read again under a lock so a
    concurrent edit is never overwritten with older data, and old keys stay in the ring until
    the rotation has finished, so every value stays readable throughout. Only the stale columns
    are written (not ``updated_at``): a rotation is not an edit. A value that cannot be opened
    (unknown key, tampered) is left untouched and reported, never replaced. ``dry_run`` opens and
    counts what would be re-sealed, and writes nothing.
    """
    ring = crypto.key_ring()
    fields = encrypted_fields(model)
    names = [f.attname for f in fields]
    if any(f.kind == "bytes" for f in fields):
        # Files (attachments, up to CASE_ATTACHMENT_MAX_MB each) are held in memory while
        # re-sealed: a few at a time, not hundreds.
        batch_size = min(batch_size, BYTES_BATCH_SIZE)
    for pks in _pages(model, batch_size):
        batch = RotationBatch()
        with transaction.atomic():
            # The base manager: a default manager that hides rows (deactivated ones) must not
            # leave them under a key about to leave the ring.
            rows = model._base_manager.filter(pk__in=pks).only("pk", "uuid", *names)
            if not dry_run:
                rows = rows.select_for_update()
            for obj in rows:
                batch.checked += 1
                stale = _stale(obj, fields, ring)
                if not stale:
                    continue
                try:
                    for f in stale:
                        getattr(obj, f.attname)  # open under the old key; pre_save re-seals
                except crypto.DecryptionError:
                    batch.unreadable.append(obj.pk)
                    continue
                if dry_run:
                    batch.rows += 1
                    batch.values += len(stale)
                    continue
                obj.save(update_fields=[f.attname for f in stale])
                batch.rows += 1
                batch.values += len(stale)
        yield batch


def key_usage(model: type[models.Model], *, batch_size: int = 2000) -> dict[str, int]:
    """How many stored values of ``model`` each key id sealed (read from the blob headers,
    nothing is decrypted): shows whether an old key may leave the ring."""
    names = [f.attname for f in encrypted_fields(model)]
    counts: dict[str, int] = {}
    ring = crypto.key_ring()
    for pks in _pages(model, batch_size):
        for values in model._base_manager.filter(pk__in=pks).values_list(*names):
            for raw in values:
                if raw is None:
                    continue
                try:
                    kid = ring.key_id_of(bytes(raw))
                except crypto.DecryptionError:
                    kid = "?"
                counts[kid] = counts.get(kid, 0) + 1
    return counts
