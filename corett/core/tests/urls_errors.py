"""Test-only URLs: the real ones plus views that fail on purpose (never in production)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from corett.urls import handler400, handler403, handler404, handler500, urlpatterns


def refuse(request):
    raise PermissionDenied("test")


def explode(request):
    raise RuntimeError("boom (test)")


urlpatterns = [
    *urlpatterns,
    path("__test__/forbidden/", refuse),
    path("__test__/explode/", explode),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
