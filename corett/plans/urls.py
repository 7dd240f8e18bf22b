from django.urls import path

from corett.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("mine/", views.my_actions, name="mine"),
    path("import/", views.plan_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/state/", views.plan_transition, name="transition"),
    path("<int:pk>/new-version/", views.plan_new_version, name="new_version"),
    path("<int:pk>/compare/<int:other>/", views.plan_compare, name="compare"),
    path("<int:pk>/dashboard/", views.plan_dashboard, name="dashboard"),
    path("<int:pk>/gantt.svg", views.plan_gantt, name="gantt"),
    path("<int:pk>/export.xlsx", views.plan_export_xlsx, name="export_xlsx"),
    path("<int:pk>/export.pdf", views.plan_export_pdf, name="export_pdf"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("<int:pk>/projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/milestones/", views.project_milestone, name="project_milestone"),
    path("projects/<int:pk>/documents/", views.project_document_upload, name="project_document_upload"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("projects/documents/<int:pk>/", views.project_document, name="project_document"),
    path("periods/<int:pk>/", views.period_detail, name="period_detail"),
    path("periods/<int:pk>/lock/", views.period_lock, name="period_lock"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
    path("periods/<int:pk>/report.pdf", views.period_pdf, name="period_pdf"),
    path("periods/<int:pk>/my-report/", views.report_start, name="report_start"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("reports/<int:pk>/<str:decision>/", views.report_review, name="report_review"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
