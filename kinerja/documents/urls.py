from __future__ import annotations

from django.urls import path

from kinerja.documents import views

urlpatterns = [
    path("", views.archive, name="documents-archive"),
    path("new/", views.new, name="documents-new"),
    path("settings/", views.settings_page, name="documents-settings"),
    path("dispositions/", views.dispositions, name="documents-dispositions"),
    path("dispositions/<int:pk>/", views.disposition_action, name="documents-disposition-action"),
    path("task/<int:pk>/disposition/", views.task_disposition, name="documents-task-disposition"),
    path("job/<int:pk>/", views.job, name="documents-job"),
    path("version/<int:pk>/<str:file_format>/", views.download, name="documents-download"),
    path("<int:pk>/", views.detail, name="documents-detail"),
    path("<int:pk>/texts/", views.save_texts, name="documents-texts"),
    path("<int:pk>/generate/", views.generate, name="documents-generate"),
    path("<int:pk>/submit/", views.submit, name="documents-submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="documents-withdraw"),
    path("<int:pk>/decide/", views.decide, name="documents-decide"),
    path("<int:pk>/sign/", views.sign, name="documents-sign"),
    path("<int:pk>/correct/", views.correct, name="documents-correct"),
    path("<int:pk>/dispose/", views.dispose, name="documents-dispose"),
]

# The public verification pages (no login): the upload check and the page the QR code opens.
public_urlpatterns = [
    path("", views.verify, name="documents-verify"),
    path("<str:token>/", views.verify_token, name="documents-verify-token"),
    path("<str:token>/pdf/", views.verify_download, name="documents-verify-download"),
]
