"""Root URLs. Every page needs a signed-in user (LoginRequiredMiddleware) except sign-in, password reset
and /healthz, which opt out explicitly."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from scr_portal import views
from scr_portal.accounts.forms import SignInForm
from scr_portal.accounts.views import PasswordResetView

admin.site.site_header = "SCR Portal administration"
admin.site.site_title = "SCR Portal administration"
admin.site.index_title = "Boards, people and reference data"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accessibility", views.accessibility, name="accessibility"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(form_class=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    # Asking for a reset email is limited per address and per computer (Django's other pages as they are).
    path(
        "accounts/password_reset/",
        login_not_required(PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", include("scr_portal.accounts.urls")),
    path("", include("dashboards.urls")),
    path("", include("reviews.urls")),
    path("", include("commissioning.urls")),
    path("", include("conduct.urls")),
    path("", include("responses.urls")),
    path("", include("markers.urls")),
    path("", include("documents.urls")),
    path("", include("records.urls")),
    # One sign-in page for everyone, administrators included: lockout and two-factor apply alike.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(url=reverse_lazy("login"), query_string=True)),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
]

# Error pages that need neither the database nor the session (scr_portal/errors.py).
handler400 = "scr_portal.errors.bad_request"
handler403 = "scr_portal.errors.permission_denied"
handler404 = "scr_portal.errors.page_not_found"
handler500 = "scr_portal.errors.server_error"
