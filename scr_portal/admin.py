"""What administration pages share: an old version is read, never posted back; an audit record or a
record written only by the portal's services is read-only."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's page of an old version reverts the object when it is posted (the setting that
    disables reverting only hides the button). Refused here, so no write goes around the change form and the
    services behind it."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The pattern takes any word as a version: a relative link read on an old version's page (the user
        # form's "../password/") lands here as /history/password/, which is no version and not a 500.
        if not str(version_id).isdigit():
            raise Http404("There is no such version.")
        if request.method == "POST":
            raise PermissionDenied("Old versions can be read, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnly:
    """Readable in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """An audit record: readable, never added, changed or deleted through the admin."""


def adopt_saved(obj: Model, saved: Model) -> None:
    """Makes the admin's own object the row a service saved: the admin goes on to log the change and
    redirect from its object, which the service did not save itself."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj.refresh_from_db()
