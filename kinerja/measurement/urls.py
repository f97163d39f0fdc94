from __future__ import annotations

from django.urls import include, path

from kinerja.measurement.views import dashboard, entry, renja

urlpatterns = [
    path("", dashboard.index, name="measurement-index"),
    path("agency/<int:agency_id>/", dashboard.agency_dashboard, name="measurement-dashboard"),
    path("division/<int:unit_id>/", dashboard.division_dashboard, name="measurement-division"),
    path("indicator/<int:pk>/", dashboard.indicator_detail, name="measurement-indicator"),
    path("agency/<int:agency_id>/tree/", dashboard.performance_tree, name="measurement-tree"),
    path("agency/<int:agency_id>/realizations/", entry.realizations, name="measurement-realizations"),
    path("agency/<int:agency_id>/predicates/", entry.predicate_scale, name="measurement-predicates"),
    path("agency/<int:agency_id>/renja-evaluation/", renja.renja_evaluation, name="measurement-renja-evaluation"),
    path("excel/", include("kinerja.measurement.excel.urls")),
]
