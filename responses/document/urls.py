from django.urls import path

from . import views

WRITTEN = "reviews/<int:pk>/response/written/"
VERSION = WRITTEN + "<int:number>/"

urlpatterns = [
    path(WRITTEN, views.version_list, name="response_versions"),
    path(WRITTEN + "new/", views.version_create, name="response_version_create"),
    path(WRITTEN + "check/", views.verify, name="response_verify"),
    path(VERSION, views.version_detail, name="response_version"),
    path(VERSION + "text/", views.version_edit, name="response_version_edit"),
    path(VERSION + "rebuild/", views.version_rebuild, name="response_version_rebuild"),
    path(VERSION + "ask-chair/", views.version_request_signature, name="response_version_request"),
    path(VERSION + "sign/", views.version_sign, name="response_version_sign"),
    path(VERSION + "download/", views.version_download, name="response_version_download"),
]
