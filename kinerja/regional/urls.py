from __future__ import annotations

from django.urls import path

from kinerja.regional import views

urlpatterns = [
    path("", views.index, name="regional-index"),
    path("<int:government_id>/", views.dashboard, name="regional-dashboard"),
]
