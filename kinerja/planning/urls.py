from __future__ import annotations

from django.urls import path

from kinerja.planning import views

urlpatterns = [
    path("<int:agency_id>/", views.plan_overview, name="planning-plan"),
    path("<int:agency_id>/new/", views.plan_create, name="planning-plan-create"),
    path("plan/<int:plan_id>/goals/new/", views.goal_edit, name="planning-goal-create"),
    path("plan/<int:plan_id>/goals/<int:pk>/", views.goal_edit, name="planning-goal-edit"),
    path("plan/<int:plan_id>/objectives/new/", views.objective_edit, name="planning-objective-create"),
    path("plan/<int:plan_id>/objectives/<int:pk>/", views.objective_edit, name="planning-objective-edit"),
    path("plan/<int:plan_id>/indicators/new/", views.indicator_create, name="planning-indicator-create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="planning-indicator-edit"),
    path("<int:agency_id>/agreements/", views.agreement_list, name="planning-agreements"),
    path("<int:agency_id>/agreements/new/", views.agreement_create, name="planning-agreement-create"),
    path("<int:agency_id>/agreements/copy/", views.agreement_copy, name="planning-agreement-copy"),
    path("agreements/<int:pk>/", views.agreement_detail, name="planning-agreement"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="planning-agreement-sign"),
    path(
        "agreements/<int:pk>/remove/<int:indicator_id>/",
        views.agreement_remove_indicator,
        name="planning-agreement-remove-indicator",
    ),
    path("<int:agency_id>/budget/", views.budget_list, name="planning-budget"),
    path("<int:agency_id>/budget/new/", views.budget_edit, name="planning-budget-create"),
    path("<int:agency_id>/budget/<int:pk>/", views.budget_edit, name="planning-budget-edit"),
]
