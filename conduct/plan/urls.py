from django.urls import path

from . import views

PLAN = "reviews/<int:pk>/plan/"
MILESTONE = PLAN + "milestones/<int:milestone_pk>/"

urlpatterns = [
    path(PLAN, views.plan, name="review_plan"),
    path(PLAN + "milestones/add/", views.milestone_add, name="milestone_add"),
    path(MILESTONE, views.milestone_edit, name="milestone_edit"),
    path(MILESTONE + "done/", views.milestone_done, name="milestone_done"),
    path(PLAN + "governance/", views.governance_edit, name="governance_edit"),
    path(PLAN + "independence/", views.independence_declare, name="independence_declare"),
    path(PLAN + "challenges/add/", views.challenge_add, name="challenge_add"),
    path(PLAN + "challenges/<int:challenge_pk>/", views.challenge_resolve, name="challenge_resolve"),
]
