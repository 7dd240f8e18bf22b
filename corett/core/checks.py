"""System checks run by `corett check` and at every start: a bad key ring must not reach traffic."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from corett.lib.crypto import KeyRing


@checks.register(checks.Tags.security)
def check_field_encryption_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        KeyRing.from_setting(
            getattr(settings, "FIELD_ENCRYPTION_KEYS", None),
            blind_index_key=getattr(settings, "FIELD_BLIND_INDEX_KEY", None) or "",
        )
    except ImproperlyConfigured as exc:
        return [
            checks.Error(
                str(exc),
                hint="Generate a valid entry with `corett generate-key` "
                "(and a blind-index key with `corett generate-key --blind-index`).",
                id="corett.E001",
            )
        ]
    return []
