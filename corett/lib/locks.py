"""Named locks that serialise one kind of write across every process, until the transaction ends.

On PostgreSQL this is a transaction-level advisory lock. SQLite needs none: the platform opens
its transactions with BEGIN IMMEDIATE (settings), which already lets one writer in at a time.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def _key(name: str) -> int:
    # A stable signed 64-bit key per name (Python's hash() differs between processes).
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def serialise(name: str) -> None:
    """Call inside ``transaction.atomic()``: holds the lock ``name`` until commit or rollback."""
    if not connection.in_atomic_block:
        raise RuntimeError("serialise() needs an open transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
