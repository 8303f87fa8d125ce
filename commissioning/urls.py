from django.urls import include, path

from . import views

urlpatterns = [
    path("reviews/<int:pk>/commissioning/", views.overview, name="commissioning"),
    path("reviews/<int:pk>/commissioning/factors/", views.factors_edit, name="factors_edit"),
    path("reviews/<int:pk>/commissioning/factors/add/", views.custom_factor_add, name="custom_factor_add"),
    path("reviews/<int:pk>/commissioning/scope/", views.scope_edit, name="scope_edit"),
    path(
        "reviews/<int:pk>/commissioning/enquiry/", views.lines_of_enquiry_edit, name="lines_of_enquiry_edit"
    ),
    path("reviews/<int:pk>/commissioning/agencies/", views.agencies_edit, name="agency_involvement_edit"),
    path("reviews/<int:pk>/commissioning/rationale/", views.rationale_edit, name="rationale_edit"),
    path("", include("commissioning.registry.urls")),
    path("", include("commissioning.inputs.urls")),
    path("", include("commissioning.tor.urls")),
]
