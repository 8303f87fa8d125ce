from django.urls import path

from . import views

DOCS = "reviews/<int:pk>/documents/"
DOC = DOCS + "<int:document_pk>/"

urlpatterns = [
    path(DOCS, views.document_list, name="documents"),
    path(DOCS + "make/", views.document_make, name="document_make"),
    path(DOC, views.document_detail, name="document_detail"),
    path(DOC + "status/", views.document_status, name="document_status"),
    path(DOC + "download/", views.document_download, name="document_download"),
    path(DOC + "retry/", views.document_retry, name="document_retry"),
]
