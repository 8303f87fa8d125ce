"""The portal's own checks for `manage.py check --deploy`: settings that Django cannot know are wrong."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

PORTAL_BASE_URL_LOOPBACK = "scr_portal.W001"


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@register(Tags.security, deploy=True)
def portal_base_url_check(app_configs=None, **kwargs) -> list[Warning]:
    """Every email links to PORTAL_BASE_URL: left at the loopback default outside development, each link
    leads nowhere for the person who receives it."""
    if settings.DEBUG or not _is_loopback(settings.PORTAL_BASE_URL):
        return []
    return [
        Warning(
            f"PORTAL_BASE_URL is {settings.PORTAL_BASE_URL!r}, an address on this machine only, so every "
            "link in the portal's emails leads nowhere for the people who receive them.",
            hint="Set PORTAL_BASE_URL to the address people use to reach the portal, e.g. https://portal.example",
            id=PORTAL_BASE_URL_LOOPBACK,
        )
    ]
