"""Subject access: exports everything held about a user account as a zip, or lists where a name appears in
free text (for someone who has no account). Each run is recorded."""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from records import subject_access
from records.models import Channel


class Command(BaseCommand):
    help = (
        "--email EMAIL --out FILE.zip: everything held about that user account. "
        "--name NAME [--out FILE.csv]: every place the name appears in free text."
    )

    def add_arguments(self, parser):
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--email", help="The user account's email address.")
        subject.add_argument("--name", help="A person's name to look for in free text.")
        parser.add_argument("--out", help="Where to write the export (a new file).")
        parser.add_argument(
            "--requested-by",
            default="",
            help="Who asked for this (recorded); defaults to the operating system user running the command.",
        )

    def handle(self, *args, email, name, out, requested_by, **options):
        requested_by = requested_by or f"command line ({os.environ.get('USER', 'unknown user')})"
        target = Path(out) if out else None
        if target is not None and target.exists():
            raise CommandError(f"{target} already exists: choose a new file name.")
        if email:
            if target is None:
                raise CommandError("Say where to write the export: --out FILE.zip")
            self._account(email, target, requested_by)
        else:
            self._name(name, target, requested_by)

    def _account(self, email: str, target: Path, requested_by: str) -> None:
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        export = subject_access.export_account(user, requested_by_label=requested_by, channel=Channel.COMMAND)
        _write_private(target, export.content)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {target} ({len(export.content)} bytes, SHA-256 {export.sha256}).")
        )
        for label, count in sorted(export.found.items()):
            self.stdout.write(f"  {label}: {count}")

    def _name(self, name: str, target: Path | None, requested_by: str) -> None:
        try:
            mentions = subject_access.search_name(
                name, requested_by_label=requested_by, channel=Channel.COMMAND
            )
        except ValueError as problem:
            raise CommandError(str(problem)) from problem
        if not mentions:
            self.stdout.write(f"“{name}” does not appear in any free text.")
        for m in mentions:
            where = f"{m.title} #{m.pk}, {m.field}" + (f", review {m.review}" if m.review else "")
            self.stdout.write(f"{where}: {m.passage}")
        self.stdout.write(f"{len(mentions)} place(s) found.")
        if target is not None:
            _write_private(target, subject_access.mentions_csv(mentions))
            self.stdout.write(self.style.SUCCESS(f"Wrote {target}."))


def _write_private(target: Path, content: bytes) -> None:
    """Writes a new file only its owner can read: it holds personal data."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
