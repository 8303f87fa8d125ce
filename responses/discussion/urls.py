from django.urls import path

from . import views

RESPONSE = "reviews/<int:pk>/response/"
MEETING = RESPONSE + "meetings/<int:meeting_pk>/"
ACTIVITY = RESPONSE + "engagement/<int:activity_pk>/"

urlpatterns = [
    path(RESPONSE + "meetings/", views.meeting_list, name="meeting_list"),
    path(RESPONSE + "meetings/new/", views.meeting_create, name="meeting_create"),
    path(MEETING, views.meeting_detail, name="meeting_detail"),
    path(MEETING + "edit/", views.meeting_edit, name="meeting_edit"),
    path(MEETING + "remove/", views.meeting_remove, name="meeting_remove"),
    path(MEETING + "findings/<int:finding_pk>/", views.discussion_record, name="discussion_record"),
    path(RESPONSE + "findings/<int:finding_pk>/position/", views.finding_position, name="finding_position"),
    path(RESPONSE + "engagement/", views.engagement_plan, name="engagement_plan"),
    path(RESPONSE + "engagement/new/", views.activity_create, name="activity_create"),
    path(ACTIVITY + "edit/", views.activity_edit, name="activity_edit"),
    path(ACTIVITY + "done/", views.activity_done, name="activity_done"),
    path(ACTIVITY + "cancel/", views.activity_cancel, name="activity_cancel"),
]
