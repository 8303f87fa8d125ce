from django.urls import include, path

from . import views

urlpatterns = [
    path("reviews/<int:pk>/response/", views.overview, name="response"),
    path("reviews/<int:pk>/response/self-check/", views.self_check, name="response_self_check"),
    path("", include("responses.findings.urls")),
    path("", include("responses.discussion.urls")),
    path("", include("responses.plan.urls")),
    path("", include("responses.actions.urls")),
    path("", include("responses.document.urls")),
]
