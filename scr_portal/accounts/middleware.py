"""What signed-in people's requests pass through: a second factor before anything else, pages that no
browser or proxy keeps, and the administration site answering "no" rather than "sign in" to non-staff."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
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


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in person says `Cache-Control: no-store, private` (with Django's other
    never-cache directives), so once they sign out the browser's Back button cannot show a review's case
    page again from its cache, and no shared proxy keeps a copy. Anonymous responses (the sign-in page,
    the health check, static files served before the session is read) are left as their views set them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class AdminForStaffOnlyMiddleware:
    """A signed-in person who is not an active staff member gets a plain 403 page at /admin/. The admin
    would send them to its sign-in page, which hands over to the portal's, which (as they are signed in)
    sends them back to /admin/: a loop. Anonymous visitors still go to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or "admin" not in match.namespaces:
            return None
        user = request.user
        if user.is_authenticated and not (user.is_active and user.is_staff):
            raise PermissionDenied("The administration site is for administrators only.")
        return None
