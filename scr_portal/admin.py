"""What every administration page with history shares: an old version is read, never posted back."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's page of an old version reverts the object when it is posted (the setting that
    disables reverting only hides the button). Refused here, so no write goes around the change form and the
    services behind it."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions can be read, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def adopt_saved(obj: Model, saved: Model) -> None:
    """Makes the admin's own object the row a service saved: the admin goes on to log the change and
    redirect from its object, which the service did not save itself."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj.refresh_from_db()
