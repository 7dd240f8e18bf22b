from django.urls import path, re_path

from corett.directory import views

app_name = "directory"

urlpatterns = [
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:iso2>/", views.country_detail, name="country_detail"),
    path("countries/<str:iso2>/edit/", views.country_edit, name="country_edit"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/memberships/new/", views.membership_add, name="membership_add"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("offices/", views.offices, name="offices"),
    path("offices/presidency/new/", views.presidency_create, name="presidency_create"),
    path("offices/presidency/<int:pk>/edit/", views.presidency_edit, name="presidency_edit"),
    path("offices/secretariat/new/", views.secretariat_create, name="secretariat_create"),
    path("offices/secretariat/<int:pk>/edit/", views.secretariat_edit, name="secretariat_edit"),
    # /directory/export/organisations.csv, /directory/export/people.xlsx; the list's filters
    # travel in the query string. Any other kind or format is simply not a URL (404).
    re_path(
        r"^export/(?P<kind>organisations|people)\.(?P<fmt>csv|xlsx)$",
        views.export,
        name="export",
    ),
]
