"""Documents on the embedded default (no broker): made in a thread of the server process, so asking for
one returns at once and the status page shows it being made, then ready, as with a worker."""

from __future__ import annotations

import threading
import time

import pytest
from django.urls import reverse

from documents import render
from documents.models import Document
from reviews.models import State
from scr_portal import outbox
from tests.documents.test_pipeline import fake_content  # noqa: F401 - the fixture, used by name
from tests.responses.helpers import at_stage

pytestmark = pytest.mark.django_db(transaction=True)  # the thread reads what the request committed


@pytest.fixture(autouse=True)
def _in_a_thread(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS_IN_BACKGROUND_THREAD = True


def _status(document_pk: int, wanted: str, timeout: float = 20) -> Document:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document = Document.objects.get(pk=document_pk)
        if document.status == wanted:
            return document
        time.sleep(0.05)
    raise AssertionError(f"still {document.status}, not {wanted}, after {timeout} s")


def test_asking_for_a_document_returns_before_it_is_made_and_the_status_page_follows(
    client,
    world,
    fake_content,  # noqa: F811 - the fixture imported above
    monkeypatch,
):
    review = at_stage(world.north_review, State.RESPONSE)
    started, release = threading.Event(), threading.Event()
    real = render.pdf_from_html
    threads = []

    def slow(html: str):
        threads.append(threading.current_thread())
        started.set()
        assert release.wait(20), "the test never let the render finish"
        return real(html)

    monkeypatch.setattr(render, "pdf_from_html", slow)
    client.force_login(world.north_manager)

    response = client.post(reverse("document_make", args=[review.pk]), {"kind": "board_pack"})

    # The request has returned while the render is still waiting: it runs elsewhere.
    assert response.status_code == 302
    assert started.wait(10)
    document = Document.objects.get(review=review)
    assert document.status == Document.Status.RENDERING
    assert threads[0] is not threading.current_thread() and threads[0].name.startswith("outbox-")
    page = client.get(response["Location"]).text
    assert "Being made" in page and 'hx-trigger="every 2s"' in page
    assert client.get(reverse("document_status", args=[review.pk, document.pk])).status_code == 200

    release.set()
    _status(document.pk, Document.Status.READY)
    threads[0].join(10)
    panel = client.get(reverse("document_status", args=[review.pk, document.pk]))
    assert panel.status_code == 286  # ready: the page stops polling
    assert "Download the PDF" in panel.text


def test_a_render_that_fails_in_the_thread_is_recorded_for_the_person_to_retry(
    client,
    world,
    fake_content,  # noqa: F811 - the fixture imported above
    monkeypatch,
):
    review = at_stage(world.north_review, State.RESPONSE)

    def broken(html: str):
        raise ValueError("the renderer broke")

    monkeypatch.setattr(render, "pdf_from_html", broken)
    client.force_login(world.north_manager)
    client.post(reverse("document_make", args=[review.pk]), {"kind": "board_pack"})

    document = _status(Document.objects.get(review=review).pk, Document.Status.FAILED)
    assert "the renderer broke" in document.error


def test_with_a_broker_or_in_the_test_settings_work_is_not_sent_to_a_thread(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker is configured: its workers do the work
    assert not outbox.in_background_thread()
    settings.CELERY_TASK_ALWAYS_EAGER, settings.TASKS_IN_BACKGROUND_THREAD = True, False
    assert not outbox.in_background_thread()
