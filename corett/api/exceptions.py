from django.core.exceptions import PermissionDenied
from rest_framework.views import exception_handler as drf_exception_handler

from corett.audit.services import audit_log


def exception_handler(exc, context):
    """DRF's handler, plus an audit entry for every refused access through the API."""
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 403 or isinstance(exc, PermissionDenied):
        request = context.get("request")
        view = context.get("view")
        audit_log(
            actor=getattr(request, "user", None),
            action="access.denied",
            extra={"api": f"{type(view).__name__}.{getattr(view, 'action', '')}"},
        )
    return response
