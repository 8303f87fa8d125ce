"""The document pipeline: asking for a document never renders on the request path's behalf beyond the
embedded default's in-process task; the same data gives the same document; a render that fails says why
and can be retried; the renderer fetches nothing but our own static files; downloads are permission-checked."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from documents import render, services
from documents.fetcher import StaticOnlyFetcher
from documents.models import Document
from reviews.models import State, TimelineEntry
from tests.responses.helpers import at_stage

HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd"> '
    "<style>body{background:url(http://127.0.0.1:9/x)}</style> <script>alert(1)</script>"
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _html(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Test</title>'
        '<link rel="stylesheet" href="/static/css/portal.css"></head>'
        f"<body><h1>Board pack</h1><p>{body}</p></body></html>"
    )


@pytest.fixture
def fake_content(monkeypatch):
    """Content as the print templates would give it (they are tested on their own)."""
    from django.utils.html import escape

    state = {"text": "First findings"}

    def prepare(kind, review, tor_version=None):
        html = _html(escape(state["text"]))
        import hashlib

        return render.Prepared(
            kind, f"Board pack for {review.reference}", html, hashlib.sha256(html.encode()).hexdigest()
        )

    monkeypatch.setattr(render, "prepare", prepare)
    return state


def _text(document: Document) -> str:
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_a_document_is_made_in_process_by_default_and_recorded(
    world, fake_content, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review, State.RESPONSE)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(review=review, user=world.north_manager, kind="board_pack")
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    assert document.pages == 1 and document.size > 500 and len(document.sha256) == 64
    assert document.started_at <= document.finished_at and document.attempts == 1
    assert "First findings" in _text(document)
    assert TimelineEntry.objects.filter(review=review, title__startswith="Document made").exists()


def test_asking_twice_for_the_same_data_reuses_the_document(
    world, fake_content, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review, State.RESPONSE)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.document_request(review=review, user=world.north_manager, kind="board_pack")
        again = services.document_request(review=review, user=world.north_chair, kind="board_pack")
    assert again.pk == first.pk and Document.objects.count() == 1
    fake_content["text"] = "Changed findings"
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.document_request(review=review, user=world.north_manager, kind="board_pack")
    assert changed.pk != first.pk and Document.objects.count() == 2


def test_making_a_ready_document_again_changes_nothing(
    world, fake_content, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review, State.RESPONSE)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(review=review, user=world.north_manager, kind="board_pack")
    document.refresh_from_db()
    assert services.document_render(document.pk) == "already ready"
    assert Document.objects.get(pk=document.pk).sha256 == document.sha256


def test_a_render_interrupted_mid_way_is_finished_by_the_rerun(world, fake_content):
    """As when a worker dies while rendering: the row says "rendering"; the task's rerun completes it."""
    review = at_stage(world.north_review, State.RESPONSE)
    document = Document.objects.create(
        review=review,
        kind="board_pack",
        data_version="a" * 64,
        label="Board pack",
        html=_html("x"),
        requested_by=world.north_manager,
        status=Document.Status.RENDERING,
        started_at=timezone.now(),
        attempts=1,
    )
    assert services.document_render(document.pk) == "made"
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 2


def test_a_failed_render_says_why_and_can_be_retried(
    world, fake_content, monkeypatch, client, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review, State.RESPONSE)

    def broken(html):
        raise ValueError("The layout engine ran out of memory")

    monkeypatch.setattr(render, "pdf_from_html", broken)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(review=review, user=world.north_manager, kind="board_pack")
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "ran out of memory" in document.error
    client.force_login(world.north_manager)
    page = client.get(reverse("document_detail", args=[review.pk, document.pk])).content.decode()
    assert "could not be made" in page and "ran out of memory" in page and "Try again" in page

    monkeypatch.undo()
    monkeypatch.setattr(render, "prepare", lambda *a, **k: None)  # not needed for a retry
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("document_retry", args=[review.pk, document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.attempts == 2


def test_when_the_broker_is_away_the_document_waits_queued_for_the_sweep(
    world, fake_content, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from documents import tasks

    review = at_stage(world.north_review, State.RESPONSE)

    def away(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.render_document, "delay", away)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(review=review, user=world.north_manager, kind="board_pack")
    document.refresh_from_db()
    assert document.status == Document.Status.QUEUED

    monkeypatch.undo()
    Document.objects.filter(pk=document.pk).update(requested_at=timezone.now() - timedelta(minutes=5))
    assert services.documents_requeue_stale() == 1
    assert Document.objects.get(pk=document.pk).status == Document.Status.READY


def test_the_renderer_fetches_nothing_but_our_static_files_and_user_text_stays_text():
    from django.utils.html import escape

    fetcher = StaticOnlyFetcher()
    from weasyprint import HTML

    hostile_raw = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>x</title>'
        '<link rel="stylesheet" href="/static/css/portal.css">'
        '<link rel="attachment" href="file:///etc/passwd">'
        "<style>body { background: url(http://127.0.0.1:9/x) }</style></head>"
        '<body><img src="file:///etc/passwd"><img src="data:image/png;base64,iVBORw0KGgo=">'
        f"<p>{escape(HOSTILE)}</p></body></html>"
    )
    pdf = HTML(string=hostile_raw, base_url="https://scr-portal.invalid/", url_fetcher=fetcher).write_pdf()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)

    assert fetcher.served == ["css/portal.css"]
    assert any(u.startswith("file:///etc/passwd") for u in fetcher.refused)
    assert "http://127.0.0.1:9/x" in fetcher.refused
    assert any(u.startswith("data:") for u in fetcher.refused)
    assert b"root:x:0:0" not in pdf  # /etc/passwd was not embedded
    assert '<img src="file:///etc/passwd">' in text and "<script>alert(1)</script>" in text


@pytest.mark.parametrize(
    "url",
    [
        "https://scr-portal.invalid/static/../settings.py",
        "https://scr-portal.invalid/static/%2e%2e/scr_portal/settings.py",
        "https://scr-portal.invalid/media/reports/x.pdf",
        "https://example.org/static/css/portal.css",
        "http://scr-portal.invalid/static/css/portal.css",
        "file:///work/main/static/css/portal.css",
    ],
)
def test_the_fetcher_refuses_anything_outside_our_static_files(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)


# Pages and permissions ---------------------------------------------------------------------------------


def test_the_business_manager_asks_for_a_board_pack_and_gets_it(
    client, world, fake_content, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review, State.RESPONSE)
    client.force_login(world.north_manager)

    with django_capture_on_commit_callbacks(execute=True):  # after the commit, the in-process task runs
        response = client.post(reverse("document_make", args=[review.pk]), {"kind": "board_pack"})

    document = Document.objects.get(review=review)
    assert response["Location"] == reverse("document_detail", args=[review.pk, document.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Download the PDF" in page
    download = client.get(reverse("document_download", args=[review.pk, document.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_status_panel_stops_the_polling_once_the_document_is_ready(client, world, fake_content):
    review = at_stage(world.north_review, State.RESPONSE)
    document = Document.objects.create(
        review=review,
        kind="board_pack",
        data_version="b" * 64,
        label="Board pack",
        html=_html("x"),
        requested_by=world.north_manager,
    )
    client.force_login(world.north_member)
    url = reverse("document_status", args=[review.pk, document.pk])
    assert client.get(url).status_code == 200  # still queued: keep polling
    page = client.get(reverse("document_detail", args=[review.pk, document.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "htmx.min.js" in page
    services.document_render(document.pk)
    assert client.get(url).status_code == 286  # htmx's "stop polling"


def test_a_lead_reviewer_sees_the_terms_of_reference_but_never_a_board_pack(client, world, fake_content):
    review = at_stage(world.north_review, State.RESPONSE)
    pack = Document.objects.create(
        review=review,
        kind="board_pack",
        data_version="c" * 64,
        label="Board pack",
        html=_html("x"),
        requested_by=world.north_manager,
    )
    services.document_render(pack.pk)
    client.force_login(world.north_reviewer)
    assert client.get(reverse("documents", args=[review.pk])).status_code == 200
    assert "Board pack" not in client.get(reverse("documents", args=[review.pk])).content.decode()
    for name in ("document_detail", "document_download", "document_status"):
        assert client.get(reverse(name, args=[review.pk, pack.pk])).status_code == 404
    client.force_login(world.east_manager)
    assert client.get(reverse("document_download", args=[review.pk, pack.pk])).status_code == 404


def test_only_the_business_manager_asks_for_documents(client, world, fake_content):
    review = at_stage(world.north_review, State.RESPONSE)
    for person in (world.north_member, world.north_chair, world.north_reviewer):
        client.force_login(person)
        assert (
            client.post(reverse("document_make", args=[review.pk]), {"kind": "board_pack"}).status_code == 403
        )
    assert not Document.objects.exists()


def test_nonsense_requests_get_a_message_not_an_error(client, world, fake_content):
    review = at_stage(world.north_review, State.RESPONSE)
    client.force_login(world.north_manager)
    for data in ({"kind": "nonsense"}, {"kind": "tor", "number": "99"}, {}):
        response = client.post(reverse("document_make", args=[review.pk]), data, follow=True)
        assert response.status_code == 200
        assert "Choose" in response.content.decode()
    assert not Document.objects.exists()


def test_once_static_files_are_collected_the_fetcher_serves_their_hashed_names(settings, tmp_path):
    """In production `{% static %}` names the collected, hashed file (print.<hash>.css): still ours, served."""
    collected = tmp_path / "static" / "documents"
    collected.mkdir(parents=True)
    (collected / "print.0123456789ab.css").write_bytes(b"body { color: black }")
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.utils.functional import empty

    staticfiles_storage._wrapped = empty  # a fresh storage under the settings above (LazyObject)
    try:
        fetcher = StaticOnlyFetcher()
        response = fetcher.fetch("https://scr-portal.invalid/static/documents/print.0123456789ab.css")
        assert response.read() == b"body { color: black }"
        with pytest.raises(ValueError):
            fetcher.fetch("https://scr-portal.invalid/static/documents/print.ffffffffffff.css")
    finally:
        staticfiles_storage._wrapped = empty
