from django.urls import path

from corett.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("repatriation/", views.caseload, name="caseload"),
    path("repatriation/caseload.csv", views.caseload_csv, name="caseload_csv"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/review/", views.finding_review, name="finding_review"),
]
