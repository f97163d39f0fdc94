from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from kinerja.documents.urls import public_urlpatterns as verification

urlpatterns = [
    path("", include("kinerja.web.urls")),
    path("org/", include("kinerja.org.urls")),
    path("planning/", include("kinerja.planning.urls")),
    path("performance/", include("kinerja.measurement.urls")),
    path("collection/", include("kinerja.collection.urls")),
    path("sop/", include("kinerja.sop.urls")),
    path("documents/", include("kinerja.documents.urls")),
    path("regional/", include("kinerja.regional.urls")),
    path("monev/", include("kinerja.monev.urls")),
    path("v/", include(verification)),
    path("audit/", include("kinerja.audit.urls")),
    path("django-admin/", admin.site.urls),
]
