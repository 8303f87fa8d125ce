"""`manage.py check --deploy` warns when emails would link to this machine only: PORTAL_BASE_URL left at
its loopback default with DEBUG off."""

from __future__ import annotations

import pytest
from django.core.checks import Warning, run_checks

from scr_portal.checks import PORTAL_BASE_URL_LOOPBACK, portal_base_url_check


def _ids(**kwargs) -> list[str]:
    return [message.id for message in run_checks(include_deployment_checks=True, **kwargs)]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:8000"])
def test_a_loopback_address_with_debug_off_is_warned_of(settings, url):
    settings.DEBUG = False
    settings.PORTAL_BASE_URL = url

    (warning,) = portal_base_url_check()

    assert isinstance(warning, Warning)
    assert warning.id == PORTAL_BASE_URL_LOOPBACK == "scr_portal.W001"
    assert "PORTAL_BASE_URL" in warning.msg and "PORTAL_BASE_URL" in warning.hint
    assert PORTAL_BASE_URL_LOOPBACK in _ids()


def test_a_real_address_is_not_warned_of(settings):
    settings.DEBUG = False
    settings.PORTAL_BASE_URL = "https://portal.example"

    assert portal_base_url_check() == []
    assert PORTAL_BASE_URL_LOOPBACK not in _ids()


def test_development_is_not_warned_of(settings):
    settings.DEBUG = True
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"

    assert portal_base_url_check() == []


def test_only_the_deploy_checks_include_it(settings):
    settings.DEBUG = False
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"

    assert PORTAL_BASE_URL_LOOPBACK not in [m.id for m in run_checks(include_deployment_checks=False)]
