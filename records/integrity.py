"""Checks that what the database says about signed and stored things still holds: every signed version of a
board's response hashes to its signature's digest and is found by the portal's own verification, every
generated document's file is present and matches its SHA-256, and every other stored file the database
names is present; and, the other way round, that every file in the media store is named by a row (a file
whose writer died before committing is one no retention, anonymisation or subject-access export would
ever reach; the file sweep removes it after its grace period, see scr_portal/files.py). Run after
restoring a backup (`manage.py verify_integrity`) and by the restore test."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models

from documents.models import Document
from responses.document import workflow
from responses.document.services import response_copy_verify
from responses.models import ResponseVersion
from scr_portal import files


@dataclass
class Report:
    signatures_checked: int = 0
    documents_checked: int = 0
    files_checked: int = 0
    files_stored: int = 0
    orphans: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256_of(name: str) -> str | None:
    try:
        with default_storage.open(name, "rb") as handle:
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def check() -> Report:

    report = Report()
    for version in ResponseVersion.objects.filter(workflow.SIGNED).select_related("review"):
        report.signatures_checked += 1
        _, match = response_copy_verify(review=version.review, data=version.content.encode("utf-8"))
        if not version.verifies() or match is None or match.pk != version.pk:
            report.problems.append(
                f"{version.review.reference}: version {version.number} of the response no longer matches "
                "the digest the chair signed."
            )
    for document in Document.objects.filter(status=Document.Status.READY).select_related("review"):
        report.documents_checked += 1
        found = _sha256_of(document.file.name)
        if found is None:
            report.problems.append(f"{document.review.reference}: the file of “{document.label}” is missing.")
        elif found != document.sha256:
            report.problems.append(
                f"{document.review.reference}: the file of “{document.label}” differs from the one made."
            )
    for model in apps.get_models():
        if model is Document:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.FileField):
                continue
            names = model._default_manager.exclude(**{f.name: ""}).values_list(f.name, flat=True)
            for name in names.iterator():
                report.files_checked += 1
                if not default_storage.exists(name):
                    report.problems.append(
                        f"{model._meta.verbose_name.capitalize()}: stored file {name} is missing."
                    )
    report.orphans = [orphan.describe() for orphan in files.orphans()]
    report.files_stored = sum(1 for _ in files.stored())
    for orphan in report.orphans:
        report.problems.append(
            f"Stored file {orphan} is named by no record: the file sweep removes it once it is "
            f"{files.grace().total_seconds() / 60:.0f} minutes old."
        )
    return report
