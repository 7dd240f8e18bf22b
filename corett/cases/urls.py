from django.urls import path

from corett.cases import documents, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("overdue/", views.overdue, name="overdue"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("new/", views.case_open, name="open"),
    path("export/", documents.export, name="export"),
    path("funding/", views.funding_inbox, name="funding_inbox"),
    path("funding/<int:pk>/advance/", views.funding_advance, name="funding_advance"),
    # A case is addressed by its code (never by anything that identifies the person).
    path("<str:code>/", views.case_detail, name="detail"),
    # The other sections of the case record (views.SECTIONS); the overview above is the first.
    path("<str:code>/person/", views.case_detail, {"section": "person"}, name="person"),
    path("<str:code>/coordination/", views.case_detail, {"section": "coordination"}, name="coordination"),
    path("<str:code>/follow-up/", views.case_detail, {"section": "follow_up"}, name="follow_up"),
    path("<str:code>/documents/", views.case_detail, {"section": "documents"}, name="documents"),
    path("<str:code>/history/", views.case_detail, {"section": "history"}, name="history"),
    path("<str:code>/edit/", views.case_edit, name="edit"),
    path("<str:code>/transition/<slug:name>/", views.case_transition, name="transition"),
    path("<str:code>/consents/", views.consent_add, name="consent_add"),
    path("<str:code>/consents/override/", views.consent_override, name="consent_override"),
    path("<str:code>/consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<str:code>/related-people/", views.related_person_add, name="related_person_add"),
    path("<str:code>/approvals/", views.approval_request, name="approval_request"),
    path("<str:code>/approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("<str:code>/origin-contacts/", views.origin_contacts, name="origin_contacts"),
    path("<str:code>/funding/", views.funding_request_add, name="funding_request_add"),
    path("<str:code>/follow-ups/<int:pk>/report/", views.follow_up_report, name="follow_up_report"),
    path("<str:code>/flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
    # Documents: attachments, the case file (PDF); exports are above (one case or many).
    path("<str:code>/attachments/", documents.attachment_add, name="attachment_add"),
    path("<str:code>/attachments/<int:pk>/", documents.attachment_download, name="attachment_download"),
    path("<str:code>/attachments/<int:pk>/remove/", documents.attachment_remove, name="attachment_remove"),
    path("<str:code>/case-file/", documents.case_file, name="case_file"),
]
