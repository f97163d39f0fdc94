from __future__ import annotations

from django.urls import path

from kinerja.audit import views

urlpatterns = [
    path("", views.index, name="audit-index"),
    path("<int:agency_id>/", views.event_list, name="audit-events"),
]
