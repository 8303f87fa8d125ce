from django.urls import include, path

from . import views

INFO = "reviews/<int:pk>/information/"
ONE = INFO + "<int:request_pk>/"

urlpatterns = [
    path(INFO, views.requests, name="information_requests"),
    path(INFO + "ask/", views.request_create, name="information_request_create"),
    path(ONE, views.request_detail, name="information_request"),
    path(ONE + "entries/add/", views.entry_add, name="chronology_entry_add"),
    path(ONE + "entries/<int:entry_pk>/", views.entry_edit, name="chronology_entry_edit"),
    path(ONE + "entries/<int:entry_pk>/remove/", views.entry_delete, name="chronology_entry_delete"),
    path(ONE + "document/", views.report_upload, name="information_report_upload"),
    path(ONE + "document/download/", views.report_download, name="information_report_download"),
    path(ONE + "submit/", views.submit, name="information_submit"),
    path(ONE + "accept/", views.accept, name="information_accept"),
    path(ONE + "send-back/", views.send_back, name="information_send_back"),
    path("reviews/<int:pk>/chronology/", views.chronology, name="chronology"),
    path("", include("conduct.report.urls")),
    path("", include("conduct.plan.urls")),  # plan and governance
    path("", include("conduct.people.urls")),  # practitioners and the family
]
urlpatterns += [path("", include("conduct.inquiry.urls"))]  # the analysis (conduct/inquiry)
