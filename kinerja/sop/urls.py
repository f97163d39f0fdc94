from __future__ import annotations

from django.urls import path

from kinerja.sop import views, views_sla

urlpatterns = [
    path("", views.library, name="sop-library"),
    path("settings/", views.settings_page, name="sop-settings"),
    path("import/", views.import_sheet, name="sop-import"),
    path("book.pdf", views.book, name="sop-book"),
    path("template/<int:pk>/adopt/", views.adopt, name="sop-adopt"),
    path("<int:pk>/", views.procedure, name="sop-procedure"),
    path("<int:pk>/revise/", views.revise, name="sop-revise"),
    path("<int:pk>/schedule/", views.schedule, name="sop-schedule"),
    path("<int:pk>/start/", views.start, name="sop-start"),
    path("version/<int:pk>/", views.version, name="sop-version"),
    path("version/<int:pk>/edit/", views.edit, name="sop-edit"),
    path("version/<int:pk>/publish/", views.publish, name="sop-publish"),
    path("version/<int:pk>/discard/", views.discard, name="sop-discard"),
    path("version/<int:pk>/<str:fmt>", views.download, name="sop-download"),
    path("cases/", views.cases, name="sop-cases"),
    path("cases/<int:pk>/", views.case, name="sop-case"),
    path("cases/<int:pk>/cancel/", views.cancel, name="sop-cancel"),
    path("tasks/", views.tasks, name="sop-tasks"),
    path("tasks/<int:pk>/", views.task, name="sop-task"),
    path("tasks/<int:pk>/output/<int:output>/", views.task_output, name="sop-task-output"),
    path("sla/", views_sla.report, name="sop-sla"),
    path("sla/export.xlsx", views_sla.report_xlsx, name="sop-sla-xlsx"),
    path("sla/report.pdf", views_sla.report_pdf, name="sop-sla-pdf"),
]
