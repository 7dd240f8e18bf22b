from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from corett.api.views import ApiDocsView
from corett.core import views as core_views
from corett.website import views as website_views

urlpatterns = [
    path("", include("corett.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("corett.accounts.urls")),
    path("directory/", include("corett.directory.urls")),
    path("audit/", include("corett.audit.urls")),
    path("cases/", include("corett.cases.urls")),
    path("notifications/", include("corett.notifications.urls")),
    path("statistics/", include("corett.statistics.urls")),
    path("reporting/", include("corett.reporting.urls")),
    path("infographics/", include("corett.infographics.urls")),
    path("meetings/", include("corett.meetings.urls")),
    path("plans/", include("corett.plans.urls")),
    path("training/", include("corett.training.urls")),
    path("verify/", include("corett.training.verify_urls")),
    path("website/", include("corett.website.urls_editing")),
    path("sitemap.xml", website_views.sitemap, name="sitemap"),
    path("api/v1/", include("corett.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
# The public website: the language is part of every address (/es/…, /en/…; Spanish by default).
urlpatterns += i18n_patterns(path("", include("corett.website.urls")), prefix_default_language=True)

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
