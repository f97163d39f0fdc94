from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kinerja.collection.models import Notification
from kinerja.collection.selectors import waiting_for
from kinerja.documents.selectors import approvals_waiting
from kinerja.org import permissions
from kinerja.planning.permissions import reads_whole_agency


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu entries the current user may open, decided by their positions."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(reverse("web-home"), _("Home"), "home")]
    waiting = (
        len(waiting_for(user))
        + len(approvals_waiting(user))
        + Notification.objects.filter(user=user, read_at__isnull=True).count()
    )
    items.append((reverse("collection-inbox"), _("Inbox"), "inbox"))
    agencies = permissions.readable_agencies(user)
    if agencies:
        items.append((reverse("measurement-index"), _("Performance"), "performance"))
        planned = [a for a in agencies if reads_whole_agency(user, a)]
        if len(planned) == 1:
            items.append((reverse("planning-plan", args=[planned[0].pk]), _("Planning"), "planning"))
            items.append((reverse("collection-periods", args=[planned[0].pk]), _("Data collection"), "collection"))
        items.append((reverse("sop-library"), _("SOPs"), "sop"))
        items.append((reverse("documents-archive"), _("Documents"), "documents"))
        items.append((reverse("monev-index"), _("Monev"), "monev"))
        items.append((reverse("org-index"), _("Organisation"), "org"))
    if permissions.regional_government_ids(user):
        items.append((reverse("regional-index"), _("Regional"), "regional"))
    if any(permissions.can_read_audit(user, agency) for agency in agencies):
        items.append((reverse("audit-index"), _("Audit trail"), "audit"))
    if user.is_superuser:
        items.append((reverse("admin:index"), _("System admin"), "admin"))
    return {"nav_items": items, "inbox_count": waiting}
