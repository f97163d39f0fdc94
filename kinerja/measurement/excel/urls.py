from __future__ import annotations

from django.urls import path

from kinerja.measurement.views import excel

urlpatterns = [
    path("<int:agency_id>/export/", excel.export, name="measurement-excel-export"),
    path("<int:agency_id>/template/<slug:kind>/", excel.template, name="measurement-excel-template"),
    path("<int:agency_id>/import/", excel.import_workbook, name="measurement-excel-import"),
    path("<int:agency_id>/import/confirm/", excel.import_confirm, name="measurement-excel-import-confirm"),
]
