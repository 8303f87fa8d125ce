"""Sends people who must use a second factor to set one up, or to enter a code, before anything else."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from .policy import requires_two_factor

# Pages reachable before the second factor: the two-factor pages themselves, signing out, and public pages.
EXEMPT_URL_NAMES = {"two_factor_setup", "two_factor_verify", "logout", "healthz", "accessibility"}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.url_name in EXEMPT_URL_NAMES:
            return None
        if user_has_device(user, confirmed=True):
            target = "two_factor_verify"
        elif requires_two_factor(user):
            target = "two_factor_setup"
        else:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
