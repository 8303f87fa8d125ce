"""Lead-reviewer appointments to reviews that have already ended (closed, not initiated or withdrawn) end
now: from this release the step that ends a review ends them, and a reviewer keeps no access to a review
they no longer work on. The review's own end is not known to the minute, so the appointment ends now."""

from django.db import migrations
from django.utils import timezone

ENDED = ("closed", "not_initiated", "withdrawn")  # reviews.models.TERMINAL_STATES when this was written


def end_appointments(apps, schema_editor):
    Appointment = apps.get_model("reviews", "Appointment")
    Appointment.objects.filter(ended_at__isnull=True, review__state__in=ENDED).update(ended_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("reviews", "0009_notification_resolved")]

    operations = [migrations.RunPython(end_appointments, migrations.RunPython.noop)]
