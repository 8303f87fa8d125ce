"""Root URLs. Every page needs a signed-in user (LoginRequiredMiddleware) except sign-in, password reset
and /healthz, which opt out explicitly."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scr_portal import views
from scr_portal.accounts.forms import SignInForm

admin.site.site_header = "SCR Portal administration"
admin.site.site_title = "SCR Portal administration"
admin.site.index_title = "Boards, people and reference data"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility", views.accessibility, name="accessibility"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(form_class=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", include("scr_portal.accounts.urls")),
    path("", include("reviews.urls")),
    path("admin/", admin.site.urls),
]
