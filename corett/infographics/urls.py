from django.urls import path

from corett.infographics import views

app_name = "infographics"

urlpatterns = [
    path("", views.index, name="index"),
    path("explorer/", views.explorer, name="explorer"),
    path("explorer/export.<str:fmt>", views.explorer_export, name="explorer_export"),
    path("<str:scope>/", views.detail, name="detail"),
    path("<str:scope>/infographic.<str:fmt>", views.download, name="download"),
]
