from django.urls import path

from . import views

DOCS = "reviews/<int:pk>/documents/"
DOC = DOCS + "<int:document_pk>/"
EXPORT = "exports/<int:export_pk>/"

urlpatterns = [
    path(DOCS, views.document_list, name="documents"),
    path(DOCS + "make/", views.document_make, name="document_make"),
    path(DOC, views.document_detail, name="document_detail"),
    path(DOC + "status/", views.document_status, name="document_status"),
    path(DOC + "download/", views.document_download, name="document_download"),
    path(DOC + "retry/", views.document_retry, name="document_retry"),
    # A signed version of the board's response as a PDF (its text is also a .txt, in the responses app).
    path("reviews/<int:pk>/response/written/<int:number>/pdf/", views.response_pdf, name="response_pdf"),
    # An action plan as an Excel file: asked for from the plan's page (with its filters), made by a worker.
    path("reviews/<int:pk>/response/actions/excel/", views.action_plan_xlsx, name="action_plan_xlsx"),
    path("boards/<int:pk>/actions/excel/", views.board_action_plan_xlsx, name="board_action_plan_xlsx"),
    # A review's merged chronology as a CSV file: asked for from the chronology's page (with its filters).
    path("reviews/<int:pk>/chronology/csv/", views.chronology_csv, name="chronology_csv"),
    path("reviews/<int:pk>/chronology/xlsx/", views.chronology_xlsx, name="chronology_xlsx"),
    path("reviews/<int:pk>/chronology/pdf/", views.chronology_pdf, name="chronology_pdf"),
    path(EXPORT, views.export_detail, name="export_detail"),
    path(EXPORT + "status/", views.export_status, name="export_status"),
    path(EXPORT + "download/", views.export_download, name="export_download"),
    path(EXPORT + "retry/", views.export_retry, name="export_retry"),
]
