from django.urls import path, register_converter

from corett.reporting import views

app_name = "reporting"


class PeriodCode:
    """A data set's period: "2025", "2025-S1" or "2025-Q3"."""

    regex = r"[0-9]{4}(?:-[SQ][1-4])?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CountryCode:
    regex = r"[A-Za-z]{2}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(PeriodCode, "reporting_period")
register_converter(CountryCode, "reporting_iso2")

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("data-sets/new/", views.data_set_create, name="data_set_create"),
    path("<reporting_period:code>/", views.data_set_detail, name="data_set_detail"),
    path("<reporting_period:code>/edit/", views.data_set_edit, name="data_set_edit"),
    path("<reporting_period:code>/<reporting_iso2:iso2>/", views.submission_detail, name="submission_detail"),
    path("<reporting_period:code>/<reporting_iso2:iso2>/template.xlsx", views.template_download, name="template"),
    path("<reporting_period:code>/<reporting_iso2:iso2>/upload/", views.upload, name="upload"),
    path("<reporting_period:code>/<reporting_iso2:iso2>/entry/", views.entry, name="entry"),
    path("<reporting_period:code>/<reporting_iso2:iso2>/submit/", views.submit, name="submit"),
    path("<reporting_period:code>/<reporting_iso2:iso2>/return/", views.return_for_correction, name="return"),
    path("<reporting_period:code>/<reporting_iso2:iso2>/approve/", views.approve, name="approve"),
    path("<reporting_period:code>/<reporting_iso2:iso2>/reopen/", views.reopen, name="reopen"),
]
