from django.urls import path

from . import views

urlpatterns = [
    path("lead-reviewers/", views.registry_list, name="registry_list"),
    path("lead-reviewers/add/", views.registry_create, name="registry_create"),
    path("lead-reviewers/<int:pk>/", views.registry_edit, name="registry_edit"),
    path("reviews/<int:pk>/lead-reviewer/", views.appointment_manage, name="appointment_manage"),
    path(
        "reviews/<int:pk>/lead-reviewer/appoint/<int:reviewer_pk>/",
        views.appointment_create,
        name="appointment_create",
    ),
    path(
        "reviews/<int:pk>/lead-reviewer/<int:appointment_pk>/end/",
        views.appointment_end,
        name="appointment_end",
    ),
    path(
        "reviews/<int:pk>/lead-reviewer/declarations/<int:reviewer_pk>/",
        views.conflict_declare,
        name="appointment_conflict_declare",
    ),
    path("reviews/<int:pk>/proposals/", views.proposal_list, name="proposal_list"),
    path("reviews/<int:pk>/proposals/new/", views.proposal_create, name="proposal_create"),
    path(
        "reviews/<int:pk>/proposals/<int:proposal_pk>/answer/", views.proposal_answer, name="proposal_answer"
    ),
]
