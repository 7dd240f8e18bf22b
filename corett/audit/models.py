"""The append-only, hash-chained audit trail.

Each entry stores the SHA-256 of its own content joined to the hash of the entry before it, so
changing or removing any entry breaks every hash after it (``corett audit-verify`` finds where).
Entries never hold the values of protected fields: only which fields changed. On PostgreSQL a
trigger refuses UPDATE and DELETE on the table (migration 0002).
"""

from __future__ import annotations

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only.")

    def delete(self):
        raise TypeError("The audit trail is append-only.")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), db_index=True)
    # No foreign key to the user: entries outlive accounts, and nothing may cascade into them.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        # A record's own access log (newest first) reads this index, whatever the trail's size.
        indexes = [models.Index(fields=["object_type", "object_id", "-id"], name="audit_object_recent")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only.")

    def content(self) -> dict:
        return {
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "country": self.country,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "changed_fields": list(self.changed_fields),
            "extra": self.extra,
        }

    def compute_hash(self) -> str:
        payload = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256((self.prev_hash + payload).encode()).hexdigest()
