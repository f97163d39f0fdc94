from __future__ import annotations

from django.urls import path

from kinerja.collection import views

urlpatterns = [
    path("", views.inbox, name="collection-inbox"),
    path("read/", views.inbox_read, name="collection-inbox-read"),
    path("email/", views.email_preference, name="collection-email"),
    path("agency/<int:agency_id>/periods/", views.period_list, name="collection-periods"),
    path("agency/<int:agency_id>/settings/", views.collection_settings, name="collection-settings"),
    path("period/<int:pk>/", views.period_board, name="collection-period"),
    path("period/<int:pk>/due-date/", views.period_due_date, name="collection-period-due-date"),
    path("period/<int:pk>/close/", views.period_close, name="collection-period-close"),
    path("submission/<int:pk>/", views.submission_form, name="collection-submission"),
    path("submission/<int:pk>/preview/", views.line_preview, name="collection-preview"),
    # Before the transitions: "excel" would otherwise be read as an action.
    path("submission/<int:pk>/excel/", views.excel_download, name="collection-excel"),
    path("submission/<int:pk>/excel/upload/", views.excel_upload, name="collection-excel-upload"),
    path("submission/<int:pk>/excel/confirm/", views.excel_confirm, name="collection-excel-confirm"),
    path("submission/<int:pk>/<slug:action>/", views.transition, name="collection-transition"),
    path("line/<int:pk>/evidence/", views.evidence_add, name="collection-evidence-add"),
    path("evidence/<int:pk>/", views.evidence_download, name="collection-evidence"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="collection-evidence-remove"),
]
