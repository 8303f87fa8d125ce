"""Changes to a person's own account: two-factor devices."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

DEVICE_NAME = "Authenticator app"


def totp_device_prepare(*, user) -> TOTPDevice:
    """The person's unconfirmed device, made once and reused until confirmed, so reloading the set-up page
    does not invalidate the QR code they have just scanned. A person has at most one: the person's own row
    is locked first, so two set-up pages opened at once (locking the devices would lock nothing while
    there are none) wait for each other and share one, and any extra left from before is removed."""
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        unconfirmed = list(TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk"))
        if not unconfirmed:
            return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        device, *extra = unconfirmed
        if extra:
            TOTPDevice.objects.filter(pk__in=[d.pk for d in extra]).delete()
    return device


def totp_device_confirm(*, device: TOTPDevice) -> None:
    """Marks the device confirmed and removes any other device, so a person has exactly one."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])


def totp_devices_remove(*, user) -> int:
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted
