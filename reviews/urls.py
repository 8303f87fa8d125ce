from django.urls import path

from . import views

urlpatterns = [
    path("boards/", views.board_list, name="board_list"),
    path("boards/<int:pk>/", views.board_detail, name="board_detail"),
    path("boards/<int:pk>/history/", views.board_history, name="board_history"),
    path("boards/<int:pk>/targets/", views.board_timescales, name="board_timescales"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/history/", views.review_history, name="review_history"),
    path("reviews/<int:pk>/referral/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/children/add/", views.child_edit, name="child_add"),
    path("reviews/<int:pk>/children/<int:child_pk>/", views.child_edit, name="child_edit"),
    path("reviews/<int:pk>/parallel/add/", views.parallel_process_edit, name="parallel_process_add"),
    path(
        "reviews/<int:pk>/parallel/<int:process_pk>/",
        views.parallel_process_edit,
        name="parallel_process_edit",
    ),
    path("reviews/<int:pk>/steps/<slug:name>/", views.review_step, name="review_step"),
    path("reviews/<int:pk>/rapid-review/", views.rapid_review, name="rapid_review"),
    path(
        "reviews/<int:pk>/rapid-review/ask/", views.agency_summaries_request, name="agency_summaries_request"
    ),
    path(
        "reviews/<int:pk>/rapid-review/summaries/<int:summary_pk>/",
        views.agency_summary_record,
        name="agency_summary_record",
    ),
    path("reviews/<int:pk>/boards/", views.review_boards, name="review_boards"),
    path("reviews/<int:pk>/boards/invite/", views.review_board_invite, name="review_board_invite"),
    path(
        "reviews/<int:pk>/boards/<int:invitation_pk>/remove/",
        views.review_board_remove,
        name="review_board_remove",
    ),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/", views.invitation_answer, name="invitation_answer"),
    path("invitations/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
]
