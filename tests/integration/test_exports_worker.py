"""An action plan's Excel file made by a real Celery worker through Redis, on PostgreSQL (the plan read from
a server-side cursor): asked for through the page's POST, the request returns at once with the export
queued, the worker records its progress and stores the file, and the person downloads it."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from documents.models import Export
from tests.integration.conftest import Workers, worker_pool
from tests.responses.helpers import action, at_stage

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(services, tmp_path, settings, monkeypatch) -> Iterator[Workers]:
    yield from worker_pool(tmp_path, settings, monkeypatch)


def test_a_worker_makes_the_excel_file_the_page_asked_for(workers, world, client):
    review = at_stage(world.north_review)
    for n in range(1, 13):
        action(review, world.north_member, description=f"Action {n:02}")
    workers.start()
    client.force_login(world.north_member)

    url = reverse("action_plan_xlsx", args=[review.pk])
    client.post(f"{url}?status=completed")  # the process's first task: connects to Redis, imports the tasks
    started = time.monotonic()
    response = client.post(url)
    asked_in = time.monotonic() - started

    assert response.status_code == 302
    export = Export.objects.get(query="")
    deadline = time.monotonic() + 60
    while Export.objects.get(pk=export.pk).is_pending:
        assert time.monotonic() < deadline, workers.logs()
        time.sleep(0.2)
    export.refresh_from_db()
    assert export.status == Export.Status.READY, export.error + workers.logs()
    assert (export.rows_total, export.rows_done) == (12, 12)
    assert asked_in < 1, f"asking took {asked_in:.2f} s"
    download = client.get(reverse("export_download", args=[export.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)))["Action plan"]
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        f"Action {n:02}" for n in range(1, 13)
    ]
