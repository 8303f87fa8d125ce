"""The board's written response: versions, the chair's sign-off and what a signature guarantees.

A signed version can never change: not through the ORM, a form, the admin or a raw update. Two chairs
signing at once leave one signature. Anyone with access can check a downloaded copy against it."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from demo.responses import sign_off
from responses.document import assemble, services, workflow
from responses.models import ResponseVersion, SignedVersionError, digest_of
from reviews.models import Notification, Role, State, TimelineEntry
from reviews.services import TransitionRefused, review_transition
from tests.accounts.helpers import valid_code, wrong_code
from tests.factories import confirmed_totp_device, login_verified, member_of
from tests.responses.helpers import action, at_stage, finding


@pytest.fixture
def review(world):
    review = at_stage(world.north_review, State.RESPONSE)
    first = finding(review, title="Information was not shared", themes=("Information sharing",))
    first.position, first.position_reason = "accepted", "The board agrees."
    first.save()
    action(
        review, world.north_member, findings=[first], description="Share intelligence at strategy meetings"
    )
    return review


@pytest.fixture
def draft(review, world):
    return services.response_version_create(review=review, user=world.north_manager)


@pytest.fixture
def signed(draft, world):
    return services.response_version_sign(
        version=draft, user=world.north_chair, seen_digest=draft.content_digest()
    )


# Putting the document together ---------------------------------------------------------------------


def test_the_draft_is_put_together_from_findings_positions_actions_and_the_board_s_own_words(review, world):
    version = services.response_version_create(review=review, user=world.north_manager)
    version = services.response_version_save(
        version=version,
        user=world.north_manager,
        introduction="We thank the family.",
        monitoring="Quarterly to the board.",
        closing="",
        seen_revision=version.revision,
    )
    text = version.content
    assert "# The board's response to review NSCB-1" in text
    assert "### Finding 1: Information was not shared" in text
    assert "The board's position: Accepted." in text
    assert "Action 1: Share intelligence at strategy meetings\n- Owner:" in text
    assert "### High priority" in text
    assert "We thank the family." in text and "Quarterly to the board." in text
    assert text.index("## The findings") < text.index("## Actions") < text.index("## Monitoring")


def test_what_people_type_cannot_become_headings_and_is_escaped_on_the_page(review, world, client):
    version = services.response_version_create(review=review, user=world.north_manager)
    services.response_version_save(
        version=version,
        user=world.north_manager,
        introduction="# Not a heading\n<script>alert(1)</script>",
        monitoring="",
        closing="",
        seen_revision=version.revision,
    )
    client.force_login(world.north_member)

    page = client.get(reverse("response_version", args=[review.pk, version.number])).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    html = str(assemble.render_html(ResponseVersion.objects.get(pk=version.pk).content))
    assert "<h2" in html and ">Not a heading</h" not in html


def test_one_draft_at_a_time(draft, world):
    with pytest.raises(services.ResponseRefused, match="still a draft"):
        services.response_version_create(review=draft.review, user=world.north_manager)


def test_two_people_saving_the_same_draft_never_overwrite_each_other(draft, world):
    data = {"introduction": "Mine", "monitoring": "", "closing": ""}
    services.response_version_save(
        version=draft, user=world.north_manager, **data, seen_revision=draft.revision
    )

    with pytest.raises(services.EditConflict):
        services.response_version_save(
            version=draft,
            user=world.north_manager,
            **{**data, "introduction": "Theirs"},
            seen_revision=draft.revision,
        )
    assert ResponseVersion.objects.get(pk=draft.pk).introduction == "Mine"


def test_a_draft_that_no_longer_matches_the_data_cannot_be_signed_until_rebuilt(draft, review, world):
    finding(review, title="A finding added later")
    assert workflow.is_stale(draft)

    with pytest.raises(services.ResponseRefused, match="rebuild"):
        services.response_version_sign(
            version=draft, user=world.north_chair, seen_digest=draft.content_digest()
        )

    rebuilt = services.response_version_rebuild(version=draft, user=world.north_manager)
    assert "A finding added later" in rebuilt.content
    services.response_version_sign(
        version=rebuilt, user=world.north_chair, seen_digest=rebuilt.content_digest()
    )


def test_the_chair_signs_exactly_what_they_were_shown(draft, world):
    shown = draft.content_digest()
    services.response_version_save(
        version=draft,
        user=world.north_manager,
        introduction="Changed while the chair was reading",
        monitoring="",
        closing="",
        seen_revision=draft.revision,
    )

    with pytest.raises(services.ResponseRefused, match="changed after you opened it"):
        services.response_version_sign(version=draft, user=world.north_chair, seen_digest=shown)
    assert not ResponseVersion.objects.get(pk=draft.pk).is_signed


# The signature ---------------------------------------------------------------------------------------


def test_signing_records_the_chair_the_time_and_the_digest_of_the_text(
    signed, world, django_capture_on_commit_callbacks
):
    assert signed.signed_by == world.north_chair
    assert abs((timezone.now() - signed.signed_at).total_seconds()) < 60
    assert signed.digest == digest_of(signed.content.encode("utf-8"))
    entry = TimelineEntry.objects.filter(review=signed.review).latest("pk")
    assert entry.kind == TimelineEntry.Kind.DECISION and signed.digest in entry.body


def test_signing_tells_the_board(draft, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.response_version_sign(
            version=draft, user=world.north_chair, seen_digest=draft.content_digest()
        )
    told = set(
        Notification.objects.filter(key__startswith="response-signed:").values_list(
            "recipient__email", flat=True
        )
    )
    assert {"manager@north.example", "member@north.example"} <= told
    assert "chair@north.example" not in told  # the chair who signed
    assert not told & {"reviewer@north.example", "manager@east.example"}


def test_a_signed_version_refuses_a_change_through_the_orm(signed):
    signed.introduction = "Quietly changed"
    with pytest.raises(SignedVersionError):
        signed.save()
    with pytest.raises(SignedVersionError):
        signed.delete()
    assert ResponseVersion.objects.get(pk=signed.pk).introduction == ""


def test_a_signed_version_refuses_a_queryset_update_in_the_database(signed):
    with pytest.raises(DatabaseError), transaction.atomic():
        ResponseVersion.objects.filter(pk=signed.pk).update(content="Quietly changed")
    fresh = ResponseVersion.objects.get(pk=signed.pk)
    assert fresh.content == signed.content and fresh.verifies()


def test_a_signed_version_refuses_a_raw_sql_update(signed):
    table = ResponseVersion._meta.db_table
    for column, value in (("content", "Quietly changed"), ("digest", "0" * 64), ("signed_at", None)):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, signed.pk])
    assert ResponseVersion.objects.get(pk=signed.pk).verifies()


def test_a_draft_can_still_be_changed_in_the_database(draft):
    """The trigger only freezes signed rows: drafts are written normally."""
    ResponseVersion.objects.filter(pk=draft.pk).update(closing="Fine while a draft")
    assert ResponseVersion.objects.get(pk=draft.pk).closing == "Fine while a draft"


def test_a_signed_version_refuses_a_change_through_the_form(signed, client, world):
    client.force_login(world.north_manager)
    url = reverse("response_version_edit", args=[signed.review.pk, signed.number])

    response = client.post(
        url, {"introduction": "Changed", "monitoring": "", "closing": "", "revision": signed.revision}
    )

    assert response.status_code == 302
    assert ResponseVersion.objects.get(pk=signed.pk).introduction == ""
    page = client.get(response["Location"]).content.decode()
    assert "can never change" in page
    with pytest.raises(services.ResponseRefused):
        services.response_version_save(
            version=signed,
            user=world.north_manager,
            introduction="x",
            monitoring="",
            closing="",
            seen_revision=signed.revision,
        )
    with pytest.raises(services.ResponseRefused):
        services.response_version_rebuild(version=signed, user=world.north_manager)


def test_a_signed_version_refuses_a_change_through_the_admin(signed, client, world):
    admin = world.north_manager
    type(admin).objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True, two_factor_waived=True)
    admin.refresh_from_db()
    client.force_login(admin)
    url = reverse("admin:responses_responseversion_change", args=[signed.pk])

    shown = client.get(url)
    posted = client.post(url, {"introduction": "Changed in the admin", "content": "x"})
    deleted = client.post(
        reverse("admin:responses_responseversion_delete", args=[signed.pk]), {"post": "yes"}
    )

    assert shown.status_code == 200  # read-only view
    assert 'name="introduction"' not in shown.content.decode()
    assert posted.status_code == 403 and deleted.status_code == 403
    assert ResponseVersion.objects.get(pk=signed.pk).verifies()


def test_any_change_after_signing_needs_a_new_version_and_a_new_signature(signed, world):
    second = services.response_version_create(review=signed.review, user=world.north_manager)
    assert second.number == 2 and not second.is_signed
    assert second.introduction == signed.introduction  # the text is carried over
    services.response_version_sign(
        version=second, user=world.north_chair, seen_digest=second.content_digest()
    )
    assert ResponseVersion.objects.filter(review=signed.review, signed_at__isnull=False).count() == 2


def test_a_version_signed_already_is_not_signed_twice(signed, world):
    with pytest.raises(services.ResponseRefused, match="already signed"):
        services.response_version_sign(version=signed, user=world.north_chair, seen_digest=signed.digest)


@pytest.mark.django_db(transaction=True)
def test_two_chairs_signing_at_once_leave_one_signature(world):
    if connection.vendor != "postgresql":
        # SQLite's shared in-memory test database answers concurrent writers with table locks, not waits:
        # real concurrent transactions are proven on PostgreSQL (the second run in CI).
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    from responses.themes import ensure_standard_themes

    ensure_standard_themes()
    review = at_stage(world.cross_border_review, State.RESPONSE)  # North leads, South takes part
    finding(review)
    draft = services.response_version_create(review=review, user=world.north_manager)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign(chair):
        try:
            barrier.wait()
            services.response_version_sign(version=draft, user=chair, seen_digest=draft.content_digest())
            outcomes.append("signed")
        except services.ResponseRefused:
            outcomes.append("refused")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    second_chair = member_of(world.north, Role.CHAIR, email="chair2@north.example", two_factor_waived=True)
    threads = [threading.Thread(target=sign, args=(c,)) for c in (world.north_chair, second_chair)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["refused", "signed"], outcomes
    version = ResponseVersion.objects.get(pk=draft.pk)
    assert version.is_signed and version.verifies()
    assert TimelineEntry.objects.filter(review=review, title__contains="signed off by the chair").count() == 1


# Signing in the browser's terms: the page, the second factor ------------------------------------------


def _sign_data(version, **extra) -> dict:
    return {"confirm": "on", "digest": version.content_digest(), **extra}


def test_a_chair_with_a_second_factor_confirms_the_signature_with_a_code(draft, client, world):
    chair = world.north_chair
    type(chair).objects.filter(pk=chair.pk).update(two_factor_waived=False)
    chair.refresh_from_db()
    device = confirmed_totp_device(chair)
    login_verified(client, chair)
    url = reverse("response_version_sign", args=[draft.review.pk, draft.number])

    assert "Code from your authenticator app" in client.get(url).content.decode()
    missing = client.post(url, _sign_data(draft))
    wrong = client.post(url, _sign_data(draft, token=wrong_code(device)))
    assert missing.status_code == wrong.status_code == 200
    assert "Enter code from your authenticator app" in missing.content.decode()
    assert "did not match" in wrong.content.decode()
    assert not ResponseVersion.objects.get(pk=draft.pk).is_signed

    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a second; the chair would wait
    ok = client.post(url, _sign_data(draft, token=valid_code(device)))

    assert ok.status_code == 302
    assert ResponseVersion.objects.get(pk=draft.pk).signed_by == chair


def test_a_demo_chair_without_a_second_factor_signs_with_the_confirmation_alone(draft, client, world):
    client.force_login(world.north_chair)  # two-factor waived in the world, as for demo accounts
    url = reverse("response_version_sign", args=[draft.review.pk, draft.number])

    unconfirmed = client.post(url, {"digest": draft.content_digest()})
    assert "Confirm that you have read this version" in unconfirmed.content.decode()

    assert client.post(url, _sign_data(draft)).status_code == 302
    assert ResponseVersion.objects.get(pk=draft.pk).is_signed


@pytest.mark.parametrize(
    "person", ["north_manager", "north_member", "north_reviewer", "south_chair", "east_manager"]
)
def test_only_a_chair_of_the_review_s_boards_may_sign(draft, client, world, person):
    client.force_login(getattr(world, person))
    response = client.post(
        reverse("response_version_sign", args=[draft.review.pk, draft.number]), _sign_data(draft)
    )
    assert response.status_code in (403, 404)
    assert not ResponseVersion.objects.get(pk=draft.pk).is_signed


def test_a_chair_of_a_participating_board_may_not_sign_the_lead_boards_response(world, client):
    review = at_stage(world.cross_border_review, State.RESPONSE)
    finding(review)
    draft = services.response_version_create(review=review, user=world.north_manager)
    client.force_login(world.south_chair)
    url = reverse("response_version_sign", args=[review.pk, draft.number])
    assert client.post(url, _sign_data(draft)).status_code == 403
    with pytest.raises(services.ResponseRefused, match="Only the lead board's chair"):
        services.response_version_sign(
            version=draft, user=world.south_chair, seen_digest=draft.content_digest()
        )
    assert not ResponseVersion.objects.get(pk=draft.pk).is_signed


# Download and verification -----------------------------------------------------------------------------


def test_the_download_is_byte_for_byte_what_was_signed_and_verifies(signed, client, world):
    client.force_login(world.north_member)
    download = client.get(reverse("response_version_download", args=[signed.review.pk, signed.number]))
    assert download["Content-Disposition"].startswith('attachment; filename="NSCB-1-response-v1-signed.txt"')
    assert digest_of(download.content) == signed.digest

    from django.core.files.uploadedfile import SimpleUploadedFile

    checked = client.post(
        reverse("response_verify", args=[signed.review.pk]),
        {"copy": SimpleUploadedFile("copy.txt", download.content)},
    )
    page = checked.content.decode()
    # The page escapes the name (a made-up "O'Brien" is O&#x27;Brien in the HTML).
    assert "matches version 1" in page and escape(world.north_chair.get_full_name()) in page


def test_a_copy_changed_by_one_character_does_not_verify(signed, client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.north_member)
    altered = signed.content.replace("Accepted", "Rejected", 1).encode("utf-8")
    page = client.post(
        reverse("response_verify", args=[signed.review.pk]), {"copy": SimpleUploadedFile("copy.txt", altered)}
    ).content.decode()
    assert "does not match any signed version" in page


def test_a_digest_can_be_checked_and_bad_input_gets_a_clear_message(signed, client, world):
    client.force_login(world.north_member)
    url = reverse("response_verify", args=[signed.review.pk])
    assert "matches version 1" in client.post(url, {"digest": signed.digest.upper()}).content.decode()
    assert (
        "Enter the fingerprint as 64 letters" in client.post(url, {"digest": "not-a-digest"}).content.decode()
    )
    assert "Choose a copy of the response to check" in client.post(url, {}).content.decode()


def test_a_signature_of_another_review_does_not_verify_here(signed, client, world):
    other = at_stage(world.south_review, State.RESPONSE)
    client.force_login(world.south_manager)
    page = client.post(
        reverse("response_verify", args=[other.pk]), {"digest": signed.digest}
    ).content.decode()
    assert "does not match any signed version" in page


# The lifecycle -------------------------------------------------------------------------------------------


def test_publication_waits_for_the_chair_s_signature_on_the_latest_version(review, world):
    from datetime import timedelta

    data = {
        "report_published_on": timezone.localdate() - timedelta(days=1),
        "response_published_on": timezone.localdate() - timedelta(days=1),
        "note": "",
    }
    world.north_process.concluded_on = timezone.localdate() - timedelta(days=2)
    world.north_process.save()
    with pytest.raises(TransitionRefused, match="signs off the board's written response"):
        review_transition(review_id=review.pk, name="publish", user=world.north_manager, data=data)
    signed = sign_off(review, world.north_manager, world.north_chair)
    services.response_version_create(review=review, user=world.north_manager)
    with pytest.raises(TransitionRefused, match=f"version {signed.number + 1}"):
        review_transition(review_id=review.pk, name="publish", user=world.north_manager, data=data)


def test_the_response_stage_waits_for_the_findings(world):
    review = at_stage(world.south_review, State.REPORT_RECEIVED)
    with pytest.raises(TransitionRefused, match="Record the report's findings"):
        review_transition(
            review_id=review.pk, name="begin_response", user=world.south_manager, data={"note": ""}
        )
    finding(review)
    review_transition(review_id=review.pk, name="begin_response", user=world.south_manager, data={"note": ""})


def test_the_chair_s_home_page_leads_to_the_draft_waiting_for_sign_off(draft, client, world):
    client.force_login(world.north_chair)
    page = client.get(reverse("home")).content.decode()
    assert reverse("response_version", args=[draft.review.pk, draft.number]) in page
    assert "Version 1 of the board's response, for your sign-off" in page


def test_the_chair_s_home_page_follows_a_draft_made_and_signed_at_once(review, client, world):
    """The chair's very next home page after a draft is made, or signed, offers it, or no longer does: the
    page never offers a draft that is gone or misses one that is waiting."""
    client.force_login(world.north_chair)
    waiting = "of the board's response, for your sign-off"
    page = client.get(reverse("home")).content.decode()
    assert "The board's response and your sign-off" in page and waiting not in page

    version = services.response_version_create(review=review, user=world.north_manager)
    assert f"Version 1 {waiting}" in client.get(reverse("home")).content.decode()

    services.response_version_sign(
        version=version, user=world.north_chair, seen_digest=version.content_digest()
    )
    assert waiting not in client.get(reverse("home")).content.decode()


def test_the_text_shows_as_headings_paragraphs_and_lists_with_every_piece_escaped():
    text = "# The <response>\n\nLead board: North\nVersion 1\n- Owner: A & B\n- Due\nAfter\n\n### Small\n"

    html = str(assemble.render_html(text))

    assert html.strip() == (
        '<h2 class="govuk-heading-l">The &lt;response&gt;</h2>'
        '<p class="govuk-body">Lead board: North<br>Version 1</p>'
        '<ul class="govuk-list govuk-list--bullet"><li>Owner: A &amp; B</li><li>Due</li></ul>'
        '<p class="govuk-body">After</p>'
        '<h4 class="govuk-heading-s">Small</h4>'
    )
