from django.urls import path

from . import views

REPORT = "reviews/<int:pk>/response/report/"

urlpatterns = [
    path(REPORT, views.report, name="response_report"),
    path(REPORT + "download/", views.report_download, name="report_download"),
    path(REPORT + "replace/", views.report_replace, name="report_replace"),
    path(REPORT + "findings/add/", views.finding_edit, name="finding_add"),
    path(REPORT + "findings/<int:finding_pk>/", views.finding_edit, name="finding_edit"),
    path(REPORT + "findings/<int:finding_pk>/remove/", views.finding_delete, name="finding_delete"),
]
