from django.urls import path

from corett.training import public_views, views

app_name = "training"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/transition/", views.session_transition, name="session_transition"),
    path("sessions/<int:pk>/renew-link/", views.session_renew_link, name="session_renew_link"),
    path("sessions/<int:pk>/participants/", views.session_participants, name="session_participants"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/certificates/", views.session_certificates, name="session_certificates"),
    path("sessions/<int:pk>/certificates.pdf", views.session_certificates_pdf, name="session_certificates_pdf"),
    path("registrations/<int:pk>/approve/", views.registration_approve, name="registration_approve"),
    path("registrations/<int:pk>/reject/", views.registration_reject, name="registration_reject"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/certificate/", views.certificate_issue, name="certificate_issue"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/materials/new/", views.material_add, name="material_add"),
    path("materials/<int:pk>/", views.material_download, name="material_download"),
    path("programmes/<int:pk>/questions/new/", views.question_add, name="question_add"),
    path("topics/", views.topic_list, name="topic_list"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/members/<int:member>/remove/", views.committee_member_remove, name="committee_member_remove"),
    path("figures/", views.dashboard, name="dashboard"),
    path("figures/export/", views.dashboard_export, name="dashboard_export"),
    # Without an account: the session's registration link and each participant's own link.
    path("register/<str:token>/", public_views.register, name="register"),
    path("p/<str:token>/", public_views.participant_home, name="participant_home"),
    path("p/<str:token>/test/<str:kind>/", public_views.participant_test, name="participant_test"),
    path("p/<str:token>/survey/", public_views.participant_survey, name="participant_survey"),
    path("p/<str:token>/check-in/", public_views.participant_check_in, name="participant_check_in"),
    path("p/<str:token>/certificate.pdf", public_views.participant_certificate, name="participant_certificate"),
]
