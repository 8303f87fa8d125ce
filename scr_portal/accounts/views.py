"""The signed-in person's own account: their roles and their second factor; and asking for a password
reset, limited so that nobody can have the portal send email after email."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from scr_portal.breadcrumbs import crumbs

from . import services
from .forms import EmailPreferenceForm, TokenForm
from .policy import requires_two_factor


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _qr_code_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    form = EmailPreferenceForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Email preference saved.")
        return redirect("account")
    ctx = {
        "form": form,
        "has_device": user_has_device(request.user, confirmed=True),
        "two_factor_required": requires_two_factor(request.user),
        "breadcrumbs": crumbs(("Your account", None)),
    }
    return render(request, "accounts/account.html", ctx)


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if user_has_device(request.user, confirmed=True) and not request.user.is_verified():
        return redirect("two_factor_verify")  # replacing a device needs the current one first
    device = services.totp_device_prepare(user=request.user)
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        services.totp_device_confirm(device=device)
        otp_login(request, device)
        messages.success(
            request,
            "Two-factor authentication is set up. You will be asked for a code each time you sign in.",
        )
        return redirect(_next_url(request))
    secret = base64.b32encode(device.bin_key).decode()
    ctx = {
        "form": form,
        "qr_code": _qr_code_data_uri(device.config_url),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": requires_two_factor(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", ctx)


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    if requires_two_factor(request.user):
        messages.error(request, "Your role needs two-factor authentication, so it cannot be switched off.")
    else:
        services.totp_devices_remove(user=request.user)
        messages.success(request, "Two-factor authentication is switched off for your account.")
    return redirect("account")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page, with limits per address and per computer (`services.password_reset_request`). Over a
    limit nothing is sent and the person is shown the same "check your email" page as always, so the page
    never tells whether an address has an account, or whether it was sent."""

    def form_valid(self, form):
        allowed = services.password_reset_request(
            email=form.cleaned_data["email"], ip_address=get_client_ip_address(self.request)
        )
        if allowed:
            return super().form_valid(form)  # sends the email when the address belongs to an account
        return HttpResponseRedirect(self.get_success_url())
