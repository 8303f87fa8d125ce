from django.urls import path

from . import views

ANALYSIS = "reviews/<int:pk>/analysis/"
LINE = ANALYSIS + "lines/<int:line_pk>/"
EPISODE = ANALYSIS + "episodes/<int:episode_pk>/"

urlpatterns = [
    path(ANALYSIS, views.analysis, name="analysis"),
    path(ANALYSIS + "lines/add/", views.line_add, name="enquiry_line_add"),
    path(LINE, views.line_edit, name="enquiry_line_edit"),
    path(LINE + "remove/", views.line_delete, name="enquiry_line_delete"),
    path(ANALYSIS + "episodes/add/", views.episode_add, name="practice_episode_add"),
    path(EPISODE, views.episode_edit, name="practice_episode_edit"),
    path(EPISODE + "evidence/", views.episode_evidence, name="practice_episode_evidence"),
    path(EPISODE + "remove/", views.episode_delete, name="practice_episode_delete"),
    path("reviews/<int:pk>/information/authors/", views.agency_authors, name="agency_authors"),
    path(
        "reviews/<int:pk>/information/authors/<int:membership_pk>/end/",
        views.agency_author_end,
        name="agency_author_end",
    ),
]
