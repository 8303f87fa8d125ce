from django.urls import path

from . import views

urlpatterns = [
    path("boards/<int:pk>/retention/", views.retention_due, name="retention_due"),
    path("boards/<int:pk>/retention/period/", views.retention_period, name="retention_period"),
    path("boards/<int:pk>/retention/<int:review_pk>/", views.retention_confirm, name="retention_confirm"),
    # A confirmed decision, applied by a worker: its progress, then its result.
    path(
        "boards/<int:pk>/retention/decisions/<int:request_pk>/",
        views.retention_decision,
        name="retention_decision",
    ),
    path(
        "boards/<int:pk>/retention/decisions/<int:request_pk>/status/",
        views.retention_decision_status,
        name="retention_decision_status",
    ),
]
