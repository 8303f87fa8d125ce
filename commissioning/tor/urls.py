from django.urls import path

from . import views

TOR = "reviews/<int:pk>/commissioning/terms-of-reference/"
VERSION = TOR + "<int:number>/"

urlpatterns = [
    path(TOR, views.tor_list, name="tor_list"),
    path(TOR + "new/", views.tor_draft_create, name="tor_draft_create"),
    path(TOR + "compare/", views.tor_diff, name="tor_diff"),
    path(VERSION, views.tor_version, name="tor_version"),
    path(VERSION + "sections/<slug:key>/", views.tor_section_edit, name="tor_section_edit"),
    path(VERSION + "send/", views.tor_send, name="tor_send"),
    path(VERSION + "approve/", views.tor_approve, name="tor_approve"),
    path(VERSION + "close-comments/", views.tor_close_comments, name="tor_close_comments"),
    path(VERSION + "agreement/", views.tor_agreement, name="tor_agreement"),
    path(VERSION + "approve/without-agreement/", views.tor_agreement_waive, name="tor_agreement_waive"),
    path(VERSION + "comments/", views.tor_comments, name="tor_comments"),
    path(VERSION + "sections/<slug:key>/comment/", views.tor_comment_add, name="tor_comment_add"),
    path(VERSION + "comments/<int:comment_pk>/reply/", views.tor_comment_reply, name="tor_comment_reply"),
    path(
        VERSION + "comments/<int:comment_pk>/address/", views.tor_comment_address, name="tor_comment_address"
    ),
]
