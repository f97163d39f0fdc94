from __future__ import annotations

from django.urls import path

from kinerja.monev import views

urlpatterns = [
    path("", views.index, name="monev-index"),
    path("mine/", views.mine, name="monev-mine"),
    path("evaluator/", views.evaluator_workspace, name="monev-evaluator"),
    path("agency/<int:agency_id>/", views.agency_monev, name="monev-agency"),
    path("plan/<int:pk>/", views.plan_detail, name="monev-plan"),
    path("visit/<int:pk>/", views.visit_detail, name="monev-visit"),
    path("finding/<int:pk>/edit/", views.finding_edit, name="monev-finding-edit"),
    path("finding/<int:pk>/recommend/", views.finding_recommend, name="monev-finding-recommend"),
    path("attachment/<int:pk>/", views.attachment_download, name="monev-attachment"),
    path("recommendation/<int:pk>/", views.recommendation_detail, name="monev-recommendation"),
    path("follow-up/<int:pk>/file/", views.follow_up_download, name="monev-follow-up-file"),
]
