"""How the API answers when a workflow refuses: field errors as 400, refusals as 403 (audited)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from corett.audit.services import audit_log


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A model's ``full_clean()`` errors in DRF's shape: ``{"field": ["message", ...]}``."""
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [
                str(message) for message in messages
            ]
            for field, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: [str(message) for message in exc.messages]}


def exception_handler(exc, context):
    """DRF's handler, plus what the API adds.

    A Django ``ValidationError`` from a service's ``full_clean()`` becomes a 400 with field
    errors (DRF alone would answer 500). A refusal by the API's own permission checks is
    audited here; a Django ``PermissionDenied`` comes from ``policy.authorize``, which has
    audited it already (outside the service's transaction, so the entry stays).
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 403 and not isinstance(exc, PermissionDenied):
        request = context.get("request")
        view = context.get("view")
        action = getattr(view, "action", None) or ""
        extra = {"api": f"{type(view).__name__}.{action}"}
        permission = (getattr(view, "policy_actions", None) or {}).get(action)
        if permission:
            extra["permission"] = permission
        audit_log(actor=getattr(request, "user", None), action="access.denied", extra=extra)
    return response
