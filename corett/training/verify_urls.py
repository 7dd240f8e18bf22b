"""/verify/ and /verify/<code>: the public verification of certificates (namespace "verify")."""

from django.urls import path

from corett.training import public_views

app_name = "verify"

urlpatterns = [
    path("", public_views.verify_lookup, name="lookup"),
    path("<str:code>", public_views.verify_certificate, name="certificate"),
]
