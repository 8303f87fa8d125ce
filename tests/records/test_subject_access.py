"""Subject access: a person's export holds their rows from every table (history and sign-in records
included) and nobody else's personal data; a name without an account can be found wherever it appears."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import CommandError, call_command

from records.models import SubjectAccessRequest
from records.subject_access import ANOTHER_PERSON
from reviews.models import Notification
from tests.factories import confirmed_totp_device
from tests.records.conftest import FAMILY


def _export(tmp_path, email: str) -> zipfile.ZipFile:
    target = tmp_path / "export.zip"
    call_command("subject_access_export", email=email, out=str(target), requested_by="DPO", stdout=StringIO())
    assert target.stat().st_mode & 0o077 == 0  # only its owner can read it
    return zipfile.ZipFile(target)


def _rows(archive: zipfile.ZipFile, label: str) -> list[dict]:
    return json.loads(archive.read(f"tables/{label}.json"))["rows"]


def _everything(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


@pytest.fixture
def subject(rich, world):
    """North's board member, with a sign-in failure, a second factor, a notification that names a
    colleague, and an administrator's change to a colleague's account made under their name."""
    member = world.north_member
    for model in (AccessAttempt, AccessFailureLog):
        extra = {"get_data": "", "post_data": "", "failures_since_start": 1} if model is AccessAttempt else {}
        model.objects.create(
            username=member.email.upper(),
            ip_address="10.9.8.7",
            user_agent="Firefox",
            http_accept="*/*",
            path_info="/accounts/login/",
            **extra,
        )
    AccessFailureLog.objects.create(
        username=world.north_chair.email,
        ip_address="10.0.0.1",
        user_agent="x",
        http_accept="*/*",
        path_info="/",
    )
    confirmed_totp_device(member)
    Notification.objects.create(
        recipient=member,
        kind="information",
        title=f"{world.north_manager.full_name} replied to your comment",
        path="/",
        key="test:reply",
    )
    chair = world.north_chair
    chair._history_user = member
    chair.job_title = "Independent chair"
    chair.save()
    return member


def test_the_export_holds_the_persons_rows_from_every_kind_of_table(tmp_path, subject, world):
    archive = _export(tmp_path, subject.email)
    names = set(archive.namelist())
    assert {"README.txt", "index.csv", "mentions.csv"} <= names
    for label in (
        "accounts.User",
        "accounts.HistoricalUser",
        "reviews.Membership",
        "reviews.HistoricalMembership",
        "reviews.ReviewAccess",
        "reviews.Notification",
        "commissioning.ToRComment",
        "commissioning.HistoricalToRComment",
        "commissioning.InputInvitation",
        "commissioning.InputReply",
        "commissioning.FactorAssessment",
        "responses.Action",
        "responses.ActionUpdate",
        "responses.Evidence",
        "axes.AccessAttempt",
        "axes.AccessFailureLog",
        "otp_totp.TOTPDevice",
    ):
        assert f"tables/{label}.json" in names, label
        assert f"tables/{label}.csv" in names, label
    account = _rows(archive, "accounts.User")
    assert [(r["email"], r["full_name"]) for r in account] == [(subject.email, subject.full_name)]
    assert "password" not in account[0]
    assert "key" not in _rows(archive, "otp_totp.TOTPDevice")[0]  # the second factor's secret never leaves
    assert [r["text"] for r in _rows(archive, "commissioning.ToRComment")] == [
        "Mention Ellie Quixley's school"
    ]
    assert [r["ip_address"] for r in _rows(archive, "axes.AccessFailureLog")] == ["10.9.8.7"]
    assert _rows(archive, "reviews.ReviewAccess")[0]["review"] == "NSCB-1"
    assert _rows(archive, "reviews.Membership")[0]["board"] == world.north.name
    # Only the history of their own account: not the colleague's account they changed.
    assert {r["id"] for r in _rows(archive, "accounts.HistoricalUser")} == {subject.pk}


def test_the_export_holds_no_one_elses_personal_data(tmp_path, subject, world):
    text = _everything(_export(tmp_path, subject.email))
    others = [p for p in vars(world).values() if hasattr(p, "email") and p.pk != subject.pk]
    assert len(others) == 8
    for person in others:
        assert person.email not in text, person.email
        assert person.full_name not in text, person.full_name
    assert f"{ANOTHER_PERSON} replied to your comment" in text
    assert "10.0.0.1" not in text  # someone else's failed sign-in


def test_the_export_lists_where_the_name_appears_in_others_text_and_is_recorded(tmp_path, subject, world):
    archive = _export(tmp_path, subject.email)
    mentions = list(csv.DictReader(io.StringIO(archive.read("mentions.csv").decode("utf-8-sig"))))
    places = {(m["table"], m["field"]) for m in mentions}
    assert ("reviews.Review", "decision_rationale") in places
    assert ("commissioning.SelfCheckAnswer", "comment") in places
    assert {m["review"] for m in mentions} == {"NSCB-1"}
    record = SubjectAccessRequest.objects.get()
    assert (record.kind, record.subject, record.requested_by_label, record.channel) == (
        "account",
        subject.email,
        "DPO",
        "command",
    )
    assert record.found["commissioning.ToRComment"] == 1 and len(record.sha256) == 64
    readme = archive.read("README.txt").decode()
    assert subject.email in readme and "[another person]" in readme


def test_the_command_refuses_to_overwrite_or_guess(tmp_path, world):
    existing = tmp_path / "there.zip"
    existing.write_bytes(b"")
    with pytest.raises(CommandError, match="already exists"):
        call_command("subject_access_export", email=world.north_member.email, out=str(existing))
    with pytest.raises(CommandError, match="No account"):
        call_command("subject_access_export", email="nobody@example.org", out=str(tmp_path / "x.zip"))
    assert not SubjectAccessRequest.objects.exists()


def test_a_name_without_an_account_is_found_wherever_it_appears(tmp_path, rich):
    out = StringIO()
    target = tmp_path / "places.csv"
    call_command(
        "subject_access_export", name=FAMILY.lower(), out=str(target), requested_by="DPO", stdout=out
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    places = {(r["table"], r["field"]) for r in rows}
    for place in (
        ("reviews.Review", "case_summary"),
        ("reviews.HistoricalReview", "case_summary"),
        ("reviews.Child", "circumstances"),
        ("commissioning.ToRComment", "addressed_how"),
        ("responses.Finding", "title"),
        ("responses.Evidence", "name"),
        ("documents.Document", "html"),
    ):
        assert place in places, place
    assert {r["review"] for r in rows} == {"NSCB-1"}
    assert all(FAMILY.lower() in r["passage"].lower() for r in rows)
    printed = out.getvalue()
    assert f"Reviews #{rich.review.pk}, case_summary, review NSCB-1: The Zebedee family moved" in printed
    assert f"{len(rows)} place(s) found." in printed
    record = SubjectAccessRequest.objects.get()
    assert (record.kind, record.subject) == ("name", FAMILY.lower())
    assert record.found["reviews.Review"] == 4  # summary, criteria notes, end reason, report name


def test_a_name_is_matched_as_whole_words(rich):
    from records.subject_access import search_text

    assert search_text("Zebede") == []  # part of a word is not the name
    with pytest.raises(ValueError, match="three letters"):
        search_text("Ze")
