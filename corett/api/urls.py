from rest_framework import permissions
from rest_framework.routers import APIRootView, DefaultRouter

from corett import modules
from corett.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from corett.cases import api as cases_api
from corett.directory import api as directory_api


class RootView(APIRootView):
    """The index of endpoints: for any signed-in user (what each may do is decided per endpoint)."""

    permission_classes = [permissions.IsAuthenticated]


class Router(DefaultRouter):
    APIRootView = RootView
    include_format_suffixes = False  # one URL per resource: no ".json" twins in the schema


app_name = "api"

router = Router()
# Each app registers its endpoints here.
router.register("countries", directory_api.CountryViewSet, basename="country")
router.register("organisations", directory_api.OrganisationViewSet, basename="organisation")
router.register("people", directory_api.PersonViewSet, basename="person")
router.register("presidency-terms", directory_api.PresidencyTermViewSet, basename="presidency-term")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("funding-requests", cases_api.FundingRequestViewSet, basename="funding-request")

# Modules register theirs in ``corett/<app>/api.py`` with ``register(router)``.
for _api in modules.parts("api"):
    _api.register(router)

urlpatterns = router.urls
