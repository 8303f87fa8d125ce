"""`manage.py verify_integrity`: what an operator runs after a restore. It passes on sound data and names
each signature or file that no longer matches."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from responses.models import ResponseVersion, digest_of


def _check() -> str:
    out = StringIO()
    call_command("verify_integrity", stdout=out)
    return out.getvalue()


def test_sound_data_passes(rich):
    text = _check()
    assert "Signed response versions checked: 1" in text
    assert "Generated documents checked: 1" in text
    # The final report, the evidence file, an agency report, the merged chronology's CSV export, a draft
    # of the report.
    assert "Other stored files checked: 5" in text
    assert "Every signature verifies" in text


def test_a_changed_file_a_missing_file_and_a_broken_signature_are_each_named(rich, media, world):
    document = rich.review.documents.get()
    (media / document.file.name).write_bytes(b"%PDF-1.4 something else")
    (media / rich.review.final_report.name).unlink()
    ResponseVersion.objects.create(
        review=rich.review,
        number=2,
        content="What was signed",
        created_by=world.north_manager,
        signed_by=world.north_chair,
        signed_at=timezone.now(),
        digest=digest_of(b"Something else"),
    )
    out = StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("verify_integrity", stdout=out)
    text = out.getvalue()
    assert "NSCB-1: version 2 of the response no longer matches" in text
    assert "NSCB-1: the file of “Board pack” differs" in text
    assert f"stored file {rich.review.final_report.name} is missing" in text
