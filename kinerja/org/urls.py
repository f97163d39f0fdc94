from __future__ import annotations

from django.urls import path

from kinerja.org import views

urlpatterns = [
    path("", views.index, name="org-index"),
    path("<int:agency_id>/units/", views.unit_list, name="org-units"),
    path("<int:agency_id>/units/new/", views.unit_create, name="org-unit-create"),
    path("units/<int:pk>/", views.unit_detail, name="org-unit-detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="org-unit-edit"),
    path("<int:agency_id>/positions/", views.position_list, name="org-positions"),
    path("<int:agency_id>/positions/new/", views.position_create, name="org-position-create"),
    path("positions/<int:pk>/edit/", views.position_edit, name="org-position-edit"),
    path("<int:agency_id>/employees/", views.employee_list, name="org-employees"),
    path("<int:agency_id>/employees/new/", views.employee_create, name="org-employee-create"),
    path("employees/<int:pk>/", views.employee_detail, name="org-employee-detail"),
    path("employees/<int:pk>/edit/", views.employee_edit, name="org-employee-edit"),
    path("employees/<int:pk>/login/", views.employee_login, name="org-employee-login"),
    path("employees/<int:pk>/assignments/new/", views.assignment_create, name="org-assignment-create"),
    path("assignments/<int:pk>/edit/", views.assignment_edit, name="org-assignment-edit"),
]
