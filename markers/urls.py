"""One self-check page per marker, under the part of the review it belongs to."""

from django.urls import path

from . import views
from .registry import MARKERS

urlpatterns = [
    path(
        f"reviews/<int:pk>/{marker.path_segment}/self-check/",
        views.self_check,
        {"number": marker.number},
        name=marker.url_name,
    )
    for marker in MARKERS.values()
]
