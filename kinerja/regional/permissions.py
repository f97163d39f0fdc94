"""Who reads a local government's regional dashboard: the holders of a regional-reader position in one of its
agencies (Bappeda, Bagian Organisasi, Inspektorat). Everyone else gets 404, as for a record of another agency."""

from __future__ import annotations

from django.http import Http404

from kinerja.accounts.models import User
from kinerja.org.models import LocalGovernment
from kinerja.org.permissions import regional_government_ids


def regional_governments(user: User) -> list[LocalGovernment]:
    ids = regional_government_ids(user)
    return list(LocalGovernment.objects.filter(pk__in=ids).order_by("name")) if ids else []


def get_government_for_user(user: User, pk: int) -> LocalGovernment:
    if pk not in regional_government_ids(user):
        raise Http404
    government = LocalGovernment.objects.filter(pk=pk).first()
    if government is None:
        raise Http404
    return government
