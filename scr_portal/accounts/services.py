"""Changes to a person's own account: two-factor devices, and the limits on password-reset emails."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import PasswordResetRequest, User

log = logging.getLogger(__name__)

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


# Password-reset emails ---------------------------------------------------------------------------------


def _address_digest(email: str) -> str:
    """The address as sign-in matches it (trimmed, any capitals), as a keyed digest: enough to count
    requests for it, nothing to read it back from."""
    return salted_hmac("password-reset-request", email.strip().lower()).hexdigest()


def password_reset_request(*, email: str, ip_address: str | None) -> bool:
    """Whether a reset email may be sent for `email` asked from `ip_address`: at most
    PASSWORD_RESET_LIMIT_PER_ADDRESS for one address and PASSWORD_RESET_LIMIT_PER_IP from one computer within
    PASSWORD_RESET_WINDOW. An allowed request is recorded (whether or not the address has an account, so
    both count alike); a refused one is not, and is only logged. Requests older than the window are
    removed as new ones come in. The person sees the same page either way."""
    now = timezone.now()
    since = now - settings.PASSWORD_RESET_WINDOW
    digest = _address_digest(email)
    with transaction.atomic():
        PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
        recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
        if recent.filter(address_digest=digest).count() >= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
            log.warning("Password-reset email not sent: too many requests for one address")
            return False
        if (
            ip_address
            and recent.filter(ip_address=ip_address).count() >= settings.PASSWORD_RESET_LIMIT_PER_IP
        ):
            log.warning("Password-reset email not sent: too many requests from %s", ip_address)
            return False
        PasswordResetRequest.objects.create(requested_at=now, address_digest=digest, ip_address=ip_address)
    return True
