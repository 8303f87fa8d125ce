from django.urls import include, path

from . import views

urlpatterns = [
    path("reviews/<int:pk>/response/", views.overview, name="response"),
    path("", include("responses.findings.urls")),
    path("", include("responses.discussion.urls")),
    path("", include("responses.plan.urls")),
    path("", include("responses.actions.urls")),
    path("", include("responses.document.urls")),
]
