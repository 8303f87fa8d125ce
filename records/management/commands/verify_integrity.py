"""Checks signatures and stored files against the database, and files in the media store against the
rows that name them (run it after restoring a backup)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from records import integrity


class Command(BaseCommand):
    help = (
        "Checks every signed response against its digest, every stored file against its row and every file in "
        "the media store against the rows; exits non-zero on a problem."
    )

    def handle(self, *args, **options):
        report = integrity.check()
        self.stdout.write(
            f"Signed response versions checked: {report.signatures_checked}\n"
            f"Generated documents checked: {report.documents_checked}\n"
            f"Other stored files checked: {report.files_checked}\n"
            f"Files in the media store: {report.files_stored}, of which named by no record: "
            f"{len(report.orphans)}"
        )
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(problem))
        if not report.ok:
            raise CommandError(f"{len(report.problems)} problem(s) found.")
        self.stdout.write(
            self.style.SUCCESS(
                "Every signature verifies and every stored file is present. "
                "Every file in the media store belongs to a record."
            )
        )
