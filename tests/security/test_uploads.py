"""Uploads: every file field of the project judges a file by its content, never its name; refuses a file
over its size limit with a message naming the limit; and stores what it accepts under a generated name
inside MEDIA_ROOT, whatever name the browser sent (path traversal, NUL, very long, unicode, markup), while
the name shown back to people is a plain, escaped label.

The file fields are found in the project's forms (tests/security/forms.py), so a new upload field fails
`test_every_upload_field_has_a_rule` until it is described in UPLOADS below.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.conftest import World
from tests.security.forms import FORMS, project_form_classes
from tests.security.harness import Prepared, forms_made, multipart, prepare, rolled_back, unescaped_markup
from tests.security.hostile import PDF_BYTES, FilePart


def _zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(name, "<document/>")
    return buffer.getvalue()


CONTENT = {  # extension the content shows → bytes
    ".pdf": PDF_BYTES,
    ".docx": _zip("word/document.xml"),
    ".xlsx": _zip("xl/workbook.xml"),
    ".png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    ".jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 32,
    ".doc": bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 32,
}
NOT_DOCUMENTS = {
    "html": b"<!DOCTYPE html><html><script>hostile()</script></html>",
    "windows program": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54,
    "shell script": b"#!/bin/sh\nrm -rf /\n",
    "zip that is no document": _zip("evil.sh"),
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="hostile()"/>',
}
HOSTILE_NAMES = (
    "../../etc/passwd.pdf",
    "..\\..\\x.pdf",
    "/etc/passwd",
    "C:\\Windows\\system32\\config.pdf",
    "report\x00.exe.pdf",
    "x" * 500 + ".pdf",
    "Prüfbericht – 東京 👩‍👧.pdf",
    "<script>hostile()</script>.pdf",
    "report\u202efdp.exe",
    "name\r\nX-Injected: 1.pdf",
    'quote".pdf',
    "CON.pdf",
    "   .pdf",
    "no-extension",
)
STORED = re.compile(r"^(reports/\d+|evidence|agency-reports|report-drafts)/[0-9a-f]{32}(\.[a-z]{3,4})$")


def _date(prefix: str, day) -> list[tuple]:
    return [(f"{prefix}_0", str(day.day)), (f"{prefix}_1", str(day.month)), (f"{prefix}_2", str(day.year))]


def _status_choice(prepared: Prepared) -> list[tuple]:
    offered = next(s for s in prepared.specs if s.name == "status").choices
    return [("status", next(c for c in offered if c not in ("deferred", "impact_evidenced")))]


def _report(w: World):
    from reviews.models import Review

    review = Review.objects.get(pk=w.north_review.pk)
    return [(review.final_report, review.final_report_name)]


def _evidence(w: World):
    from responses.models import Evidence

    return [(e.file, e.name) for e in Evidence.objects.filter(update__action__review__lead_board=w.north)]


def _agency_report(w: World):
    from conduct.models import InformationRequest

    return [(r.report, r.report_name) for r in InformationRequest.objects.filter(review__lead_board=w.north)]


def _agency_request_page(w: World) -> str:
    from conduct.models import InformationRequest

    made = InformationRequest.objects.filter(review__lead_board=w.north).first()
    return reverse("information_request", args=[made.review_id, made.pk])


def _drafts(w: World):
    from conduct.models import ReportDraft

    return [(d.file, d.file_name) for d in ReportDraft.objects.filter(review__lead_board=w.north)]


def _action_page(w: World) -> str:
    action = w.north_review.actions.order_by("number").first()
    return reverse("action_detail", args=[w.north_review.pk, action.number])


@dataclass(frozen=True)
class UploadRule:
    """How one file field must treat what it is given."""

    form: str  # the form's dotted path: its first registered target is used
    kinds: tuple[str, ...] | None  # extensions of the content accepted; None: any content, never stored
    limit: str  # the limit as its message says it
    limit_bytes: int
    valid: Callable[[Prepared], list[tuple]] = lambda p: []  # the other fields of an acceptable submission
    stored: Callable[[World], list[tuple]] | None = None  # (stored file, shown name) of what was accepted
    shown_on: Callable[[World], str] | None = None  # a page that shows the stored name
    target_index: int = 0


MB = 1024 * 1024
UPLOADS: dict[str, UploadRule] = {
    "reviews.forms.ReceiveReportForm.final_report": UploadRule(
        "reviews.forms.ReceiveReportForm",
        (".pdf", ".docx", ".doc"),
        "25",
        25 * MB,
        valid=lambda p: _date("report_received_on", timezone.localdate()),
        stored=_report,
        shown_on=lambda w: reverse("review_detail", args=[w.north_review.pk]),
    ),
    "responses.findings.forms.ReportReplaceForm.final_report": UploadRule(
        "responses.findings.forms.ReportReplaceForm",
        (".pdf", ".docx", ".doc"),
        "25",
        25 * MB,
        valid=lambda p: [("reason", "The lead reviewer corrected page 12.")],
        stored=_report,
        shown_on=lambda w: reverse("review_detail", args=[w.north_review.pk]),
    ),
    "responses.actions.forms.ProgressForm.evidence": UploadRule(
        "responses.actions.forms.ProgressForm",
        (".pdf", ".docx", ".xlsx", ".png", ".jpg"),
        "25",
        25 * MB,
        valid=lambda p: [*_date("on", timezone.localdate()), ("text", "Training delivered."), ("status", "")],
        stored=_evidence,
        shown_on=_action_page,
    ),
    "responses.actions.forms.StatusForm.evidence": UploadRule(
        "responses.actions.forms.StatusForm",
        (".pdf", ".docx", ".xlsx", ".png", ".jpg"),
        "25",
        25 * MB,
        valid=_status_choice,
        stored=_evidence,
    ),
    "conduct.forms.AgencyReportForm.report": UploadRule(
        "conduct.forms.AgencyReportForm",
        (".pdf", ".docx", ".doc"),
        "25",
        25 * MB,
        stored=_agency_report,
        shown_on=_agency_request_page,
    ),
    "conduct.report.forms.DraftForm.file": UploadRule(
        "conduct.report.forms.DraftForm",
        (".pdf", ".docx"),
        "25",
        25 * MB,
        stored=_drafts,
        shown_on=lambda w: reverse("report", args=[w.north_review.pk]),
    ),
    "responses.document.forms.VerifyForm.copy": UploadRule(
        "responses.document.forms.VerifyForm", None, "5", 5 * MB
    ),
}


def _file_fields() -> set[str]:
    found = set()
    for path, cls in project_form_classes().items():
        found |= {f"{path}.{name}" for name, f in cls.base_fields.items() if isinstance(f, forms.FileField)}
    return found


def test_every_upload_field_has_a_rule():
    found = _file_fields()
    assert not found - set(UPLOADS), (
        f"upload fields with no rule in tests/security/test_uploads.py: {found - set(UPLOADS)}"
    )
    assert not set(UPLOADS) - found, f"rules for upload fields that no longer exist: {set(UPLOADS) - found}"


RULES = sorted(UPLOADS)


@pytest.fixture
def upload_world(foreign_world) -> World:
    return foreign_world


def _prepare(name: str, world: World) -> tuple[UploadRule, Prepared, str]:
    rule = UPLOADS[name]
    target = FORMS[rule.form][rule.target_index]
    prepared = prepare(rule.form, project_form_classes()[rule.form], target, world)
    return rule, prepared, name.rsplit(".", 1)[-1]


def _files(root) -> set[Path]:
    return {p for p in Path(root).rglob("*") if p.is_file()}


@dataclass
class Sent:
    status: int
    errors: dict
    location: str
    stored: list[tuple]  # (stored file name, its path, shown name)
    page: str


def _send(rule: UploadRule, prepared: Prepared, field: str, parts: list[FilePart], world: World) -> Sent:
    """Posts the files with an otherwise acceptable submission; reads what happened before rolling it back."""
    pairs = [("csrfmiddlewaretoken", "x"), *rule.valid(prepared), *((field, part) for part in parts)]
    with rolled_back():
        before = {name for name, _, _ in _stored(rule, world)}
        with forms_made() as made:
            response = prepared.client.post(
                prepared.url,
                data=multipart(pairs),
                content_type="multipart/form-data; boundary=HostileInputBoundary7MA4YWxkTrZu0gW",
            )
        assert response.status_code in (200, 302), f"{prepared.url} answered {response.status_code}"
        form = [f for f in made if type(f) is prepared.form_class and f.is_bound][-1]
        stored = [s for s in _stored(rule, world) if s[0] not in before]
        page = ""
        if stored and rule.shown_on:
            page = prepared.client.get(rule.shown_on(world)).content.decode()
        return Sent(response.status_code, dict(form.errors), response.get("Location", ""), stored, page)


def _stored(rule: UploadRule, world: World) -> list[tuple]:
    if rule.stored is None:
        return []
    return [(f.name, Path(f.path), shown) for f, shown in rule.stored(world) if f]


@pytest.mark.parametrize("name", [n for n in RULES if UPLOADS[n].kinds])
def test_content_that_is_no_accepted_document_is_refused_whatever_its_name(upload_world, media_root, name):
    rule, prepared, field = _prepare(name, upload_world)
    files_before = _files(media_root)
    for label, content in NOT_DOCUMENTS.items():
        for filename in ("report.pdf", "report.docx", "photo.png"):
            sent = _send(
                rule, prepared, field, [FilePart(filename, content, "application/pdf")], upload_world
            )
            assert field in sent.errors, f"{name} accepted {label} named {filename}"
            message = " ".join(sent.errors[field])
            assert "PDF" in message and "Word" in message, (
                f"{name}: {message!r} does not say what is accepted"
            )
            assert sent.status == 200 and not sent.stored
    assert _files(media_root) == files_before, "a refused file was written to the media folder"


@pytest.mark.parametrize("name", [n for n in RULES if UPLOADS[n].kinds])
def test_accepted_content_is_stored_under_a_generated_name_whatever_its_name(upload_world, media_root, name):
    rule, prepared, field = _prepare(name, upload_world)
    for extension in rule.kinds:
        for filename in (
            "report.exe",
            "no-extension",
            "report.html",
            f"other{'.pdf' if extension != '.pdf' else '.docx'}",
        ):
            sent = _send(rule, prepared, field, [FilePart(filename, CONTENT[extension])], upload_world)
            assert field not in sent.errors, (
                f"{name} refused {extension} content named {filename}: {sent.errors}"
            )
            assert sent.status == 302, f"{name}: {sent.errors}"
            (stored_name, _, shown), *_ = sent.stored
            match = STORED.match(stored_name)
            assert match, f"{name} stored {filename!r} as {stored_name!r}"
            assert match[2] == extension, f"{name} stored {extension} content as {stored_name!r}"
            assert shown.endswith(extension), f"{name} shows {extension} content as {shown!r}"


@pytest.mark.parametrize("name", [n for n in RULES if UPLOADS[n].kinds])
def test_hostile_file_names_never_reach_the_file_system(upload_world, media_root, name):
    rule, prepared, field = _prepare(name, upload_world)
    root = Path(media_root).resolve()
    for filename in HOSTILE_NAMES:
        sent = _send(rule, prepared, field, [FilePart(filename, PDF_BYTES, "application/pdf")], upload_world)
        assert sent.status == 302, f"{name} refused a PDF named {filename!r}: {sent.errors}"
        (stored_name, path, shown), *_ = sent.stored
        assert STORED.match(stored_name) and stored_name.endswith(".pdf"), (
            f"{filename!r} stored as {stored_name!r}"
        )
        assert path.resolve().is_relative_to(root) and path.resolve().is_file(), (
            f"{filename!r} stored at {path}"
        )
        assert shown.endswith(".pdf") and len(shown) <= 160, f"{filename!r} shown as {shown!r}"
        assert not set(shown) & set("/\\\x00\r\n") and shown.isprintable(), f"{filename!r} shown as {shown!r}"
        if sent.page:
            assert escape(shown) in sent.page, f"{filename!r}: the page does not show {shown!r}"
            assert not unescaped_markup(sent.page), f"{filename!r}: markup from the name reached the page"


@pytest.mark.parametrize("name", RULES)
def test_a_file_over_the_limit_is_refused_with_the_limit_named(upload_world, media_root, name):
    rule, prepared, field = _prepare(name, upload_world)
    just_over = PDF_BYTES + b"0" * (rule.limit_bytes + 1 - len(PDF_BYTES))
    sent = _send(rule, prepared, field, [FilePart("big.pdf", just_over, "application/pdf")], upload_world)
    assert field in sent.errors, f"{name} accepted {len(just_over)} bytes"
    message = " ".join(sent.errors[field])
    assert re.search(rf"\b{rule.limit}(\.0)?\sMB\b", message), f"{name}: {message!r} does not name the limit"
    assert not sent.stored


@pytest.mark.parametrize("name", RULES)
def test_an_empty_file_is_refused_plainly(upload_world, media_root, name):
    rule, prepared, field = _prepare(name, upload_world)
    sent = _send(rule, prepared, field, [FilePart("empty.pdf", b"", "application/pdf")], upload_world)
    assert field in sent.errors and "empty" in " ".join(sent.errors[field])
    assert not sent.stored


def test_evidence_takes_at_most_ten_files_at_a_time(upload_world, media_root):
    rule, prepared, field = _prepare("responses.actions.forms.ProgressForm.evidence", upload_world)
    parts = [FilePart(f"minutes-{n}.pdf", PDF_BYTES) for n in range(11)]
    sent = _send(rule, prepared, field, parts, upload_world)
    assert "Attach up to 10 files" in " ".join(sent.errors.get(field, [])) and not sent.stored


def test_a_stored_report_downloads_under_its_plain_name(upload_world, media_root):
    """The download names the file as shown (no path, no header injection), as an attachment, unsniffed."""
    rule, prepared, field = _prepare("responses.findings.forms.ReportReplaceForm.final_report", upload_world)
    pairs = [
        ("csrfmiddlewaretoken", "x"),
        *rule.valid(prepared),
        (field, FilePart("..\\a\r\nb<i>.pdf", PDF_BYTES)),
    ]
    response = prepared.client.post(
        prepared.url,
        data=multipart(pairs),
        content_type="multipart/form-data; boundary=HostileInputBoundary7MA4YWxkTrZu0gW",
    )
    assert response.status_code == 302
    download = prepared.client.get(reverse("report_download", args=[upload_world.north_review.pk]))
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    assert "/" not in disposition.split("filename", 1)[1] and "\\" not in disposition
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF_BYTES
