"""The merged chronology as an Excel file: asked for from the chronology's page (the same filters as the
CSV file), made by the export pipeline, every text cell a string that a spreadsheet never runs."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from documents.models import Export
from tests.conduct.helpers import entry, request_to

pytestmark = pytest.mark.django_db


def test_the_excel_file_holds_the_filtered_rows_as_text_never_formulas(
    client, info, world, django_capture_on_commit_callbacks
):
    mine = request_to(info.review, info.author, info.agency, status="submitted")
    theirs = request_to(info.review, info.health_author, info.health, status="accepted")
    entry(mine, date(2024, 1, 10), event='=HYPERLINK("http://evil.example","click")', source="@SUM(A1)")
    entry(theirs, date(2024, 2, 1), event="#N/A", source="GP record")
    entry(theirs, date(2023, 1, 1), event="Before the period")
    client.force_login(world.north_reviewer)
    page = client.get(reverse("chronology", args=[info.review.pk])).text
    assert f'formaction="{reverse("chronology_xlsx", args=[info.review.pk])}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("chronology_xlsx", args=[info.review.pk]), {"since": "2024-01-01"})
    export = Export.objects.get()
    assert response["Location"] == reverse("export_detail", args=[export.pk])
    assert export.kind == Export.Kind.CHRONOLOGY_XLSX and export.status == Export.Status.READY
    assert export.label == "Merged chronology of NSCB-1 (filtered) as an Excel file"
    assert export.file.name.endswith(".xlsx") and export.rows_total == export.rows_done == 2
    assert "Excel file" in client.get(response["Location"]).text

    download = client.get(reverse("export_download", args=[export.pk]))
    assert download.status_code == 200 and ".xlsx" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Date", "Time", "Agency", "What happened", "Source", "Significance")
    assert [r[3] for r in rows[1:]] == ['\'=HYPERLINK("http://evil.example","click")', "#N/A"]
    assert rows[1][4] == "'@SUM(A1)" and rows[1][0].date() == date(2024, 1, 10)
    cells = list(sheet.iter_rows(min_row=2))
    assert all(c.data_type == "s" for row in cells for c in row[2:5])


def test_the_pdf_file_holds_the_rows_with_user_text_escaped(
    client, info, world, django_capture_on_commit_callbacks
):
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    mine = request_to(info.review, info.author, info.agency, status="submitted")
    entry(mine, date(2024, 1, 10), event='<img src="file:///etc/passwd"> Police attend <b>the home</b>')
    client.force_login(world.north_chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("chronology_pdf", args=[info.review.pk]), {"order": "newest"})
    export = Export.objects.get()
    assert export.kind == Export.Kind.CHRONOLOGY_PDF and export.status == Export.Status.READY, export.error
    assert export.label == "Merged chronology of NSCB-1 (filtered) as a PDF file" and export.rows_done == 1
    assert "PDF file" in client.get(response["Location"]).text
    download = client.get(reverse("export_download", args=[export.pk]))
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF") and ".pdf" in download["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert '<img src="file:///etc/passwd"> Police attend <b>the home</b>' in " ".join(text.split())
    assert "root:x:0" not in text
