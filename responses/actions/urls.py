from django.urls import path

from . import views

PLAN = "reviews/<int:pk>/response/actions/"
ACTION = PLAN + "<int:number>/"
BOARD = "boards/<int:pk>/actions/"

urlpatterns = [
    path(PLAN, views.action_plan, name="action_plan"),
    path(PLAN + "new/", views.action_create, name="action_create"),
    path(PLAN + "export.csv", views.action_plan_csv, name="action_plan_csv"),
    path(ACTION, views.action_detail, name="action_detail"),
    path(ACTION + "change/", views.action_edit, name="action_edit"),
    path(ACTION + "progress/", views.action_progress, name="action_progress"),
    path(ACTION + "status/", views.action_status, name="action_status"),
    path(ACTION + "evidence/<int:evidence_pk>/", views.action_evidence, name="action_evidence"),
    path(BOARD, views.board_action_plan, name="board_action_plan"),
    path(BOARD + "export.csv", views.board_action_plan_csv, name="board_action_plan_csv"),
]
