from django.urls import path

from . import views

REPORT = "reviews/<int:pk>/report/"
DRAFT = REPORT + "drafts/<int:draft_pk>/"

urlpatterns = [
    path(REPORT, views.report, name="report"),
    path(REPORT + "drafts/add/", views.draft_add, name="report_draft_add"),
    path(DRAFT + "download/", views.draft_download, name="report_draft_download"),
    path(DRAFT + "accuracy/", views.accuracy_send, name="report_accuracy_send"),
    path(DRAFT + "assurance/", views.assurance_add, name="report_assurance_add"),
    path(DRAFT + "family/", views.family_add, name="report_family_add"),
    path(DRAFT + "accept/", views.accept, name="report_accept"),
    path(REPORT + "checks/<int:check_pk>/reply/", views.accuracy_reply, name="report_accuracy_reply"),
    path(REPORT + "comments/<int:comment_pk>/", views.comment_respond, name="report_comment_respond"),
]
