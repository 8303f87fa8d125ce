"""The scoping document / terms of reference: versions built from the board's decisions, section edits that
never silently overwrite, comment rounds with threads, the chair's approval and the freeze, and comparing
versions."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from commissioning.models import (
    AgencyInvolvement,
    Factor,
    FactorAssessment,
    FrozenError,
    LineOfEnquiry,
    Scope,
    ToRComment,
    ToRSection,
    ToRVersion,
)
from commissioning.tor import services, workflow
from reviews.models import Notification, Review, Role, TimelineEntry
from tests.factories import AgencyFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

Status = ToRVersion.Status


def _commissioning(review):
    Review.objects.filter(pk=review.pk).update(state="commissioning")
    review.refresh_from_db()
    return review


def _cite(review, user, *kinds: str) -> Scope:
    """Writes the rationale and cites one assessed factor of each kind given."""
    scope, _ = Scope.objects.get_or_create(review=review)
    scope.rationale = "Proportionate to the gravity of the case and the board's capacity."
    scope.save()
    for kind in kinds:
        factor = Factor.objects.filter(kind=kind, review__isnull=True).first()
        assessment = FactorAssessment.objects.create(
            review=review,
            factor=factor,
            assessment=f"About {factor.title}",
            weight="significant",
            updated_by=user,
        )
        scope.rationale_factors.add(assessment)
    return scope


def _draft(review, user) -> ToRVersion:
    return services.tor_draft_create(review=review, user=user)


def _out_for_comment(review, manager) -> ToRVersion:
    version = _draft(review, manager)
    return services.tor_send_for_comment(
        version=version, user=manager, closes_on=timezone.localdate() + timedelta(days=14)
    )


def _close_early(version, chair) -> ToRVersion:
    return services.tor_close_comments_early(version=version, user=chair, reason="The board meets on Friday.")


def _approvable(world, review=None, *, close=True) -> ToRVersion:
    """A version out for comment whose own rationale cites both kinds of factor; its comment period closed
    early by the chair unless `close` is False."""
    review = _commissioning(review or world.north_review)
    _cite(review, world.north_manager, "case", "context")
    version = _out_for_comment(review, world.north_manager)
    return _close_early(version, world.north_chair) if close else version


def _url(name, version, **extra):
    return reverse(name, kwargs={"pk": version.review_id, "number": version.number, **extra})


# Building a version --------------------------------------------------------------------------------


def test_draft_is_built_from_the_commissioning_decisions(client, world):
    review = _commissioning(world.north_review)
    Review.objects.filter(pk=review.pk).update(case_summary="Child A was taken to hospital.")
    _cite(review, world.north_manager, "case", "context")
    LineOfEnquiry.objects.create(review=review, order=1, question="How was neglect recognised?")
    LineOfEnquiry.objects.create(review=review, order=2, question="How did agencies share information?")
    AgencyInvolvement.objects.create(
        review=review, agency=AgencyFactory(name="North Police", boards=[world.north]), chronology=True
    )
    client.force_login(world.north_manager)

    response = client.post(reverse("tor_draft_create", args=[review.pk]), {"source": "data"})

    version = ToRVersion.objects.get(review=review)
    assert response.status_code == 302
    assert (version.number, version.status, version.created_by) == (1, Status.DRAFT, world.north_manager)
    body = dict(version.sections.values_list("key", "body"))
    assert "cross-border" not in body  # only for a review with participating boards
    assert list(body)[-1] == "other"
    assert "Child A" in body["purpose"] and "Child A was taken to hospital." in body["purpose"]
    assert body["enquiry"] == "1. How was neglect recognised?\n2. How did agencies share information?"
    assert "North Police: a chronology." in body["agencies"]
    assert "Case factors the rationale relies on:\n- " in body["proportionality"]
    assert "Context factors the rationale relies on:\n- " in body["proportionality"]
    assert review.timeline.filter(title="Terms of reference: draft version 1 created").exists()


def test_cross_border_review_has_a_cross_border_section(world):
    review = _commissioning(world.cross_border_review)
    version = _draft(review, world.north_manager)
    section = version.sections.get(key="cross-border")
    assert "South Safeguarding Children Board" in section.body


def test_there_is_only_one_draft_at_a_time(world):
    review = _commissioning(world.north_review)
    _draft(review, world.north_manager)
    with pytest.raises(services.ToRRefused, match="still a draft"):
        _draft(review, world.north_manager)
    assert ToRVersion.objects.filter(review=review).count() == 1


def test_a_new_draft_waits_for_comments_to_be_addressed_then_supersedes_the_round(world):
    review = _commissioning(world.north_review)
    out = _out_for_comment(review, world.north_manager)
    comment = services.tor_comment_add(
        section=out.sections.get(key="period"), user=world.north_member, text="Start earlier."
    )
    with pytest.raises(services.ToRRefused, match="1 comment is not yet addressed"):
        _draft(review, world.north_manager)
    services.tor_comment_address(comment=comment, user=world.north_manager, how="Period starts at birth.")

    new = services.tor_draft_create(review=review, user=world.north_manager, source="copy")

    out.refresh_from_db()
    assert (new.number, out.status) == (2, Status.SUPERSEDED)


def test_copying_keeps_edits_and_rebuilding_keeps_the_other_section(world):
    review = _commissioning(world.north_review)
    first = _draft(review, world.north_manager)
    for key, text in (("breadth", "Edited by hand."), ("other", "Meetings are in Leeds.")):
        services.tor_section_save(
            section=first.sections.get(key=key),
            user=world.north_manager,
            body=text,
            seen_revision=ToRVersion.objects.get(pk=first.pk).revision,
        )
    services.tor_send_for_comment(
        version=first, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=1)
    )
    copied = services.tor_draft_create(review=review, user=world.north_manager, source="copy")
    assert copied.sections.get(key="breadth").body == "Edited by hand."
    services.tor_send_for_comment(
        version=copied, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=1)
    )
    rebuilt = services.tor_draft_create(review=review, user=world.north_manager, source="data")
    assert rebuilt.sections.get(key="breadth").body == "Not decided yet."
    assert rebuilt.sections.get(key="other").body == "Meetings are in Leeds."


# Editing and lost updates --------------------------------------------------------------------------


def test_business_manager_changes_a_section_of_a_draft(client, world):
    version = _draft(_commissioning(world.north_review), world.north_manager)
    client.force_login(world.north_manager)
    url = _url("tor_section_edit", version, key="breadth")
    assert client.get(url).status_code == 200

    response = client.post(url, {"body": "Agencies since 2023.", "revision": 1})

    assert response.status_code == 302
    assert version.sections.get(key="breadth").body == "Agencies since 2023."
    assert ToRVersion.objects.get(pk=version.pk).revision == 2


def test_a_second_edit_from_the_same_revision_is_refused_with_both_texts_shown(client, world):
    version = _draft(_commissioning(world.north_review), world.north_manager)
    url = _url("tor_section_edit", version, key="breadth")
    client.force_login(world.north_manager)
    first = client.post(url, {"body": "First person's text.", "revision": 1})
    assert first.status_code == 302

    second = client.post(url, {"body": "Second person's <b>text</b>.", "revision": 1})

    assert second.status_code == 200
    page = second.content.decode()
    assert "Someone else saved this version after you opened it" in page
    assert "First person&#x27;s text." in page  # what is saved now
    assert "Second person&#x27;s &lt;b&gt;text&lt;/b&gt;." in page  # what they typed, still in the box
    assert version.sections.get(key="breadth").body == "First person's text."  # nothing overwritten
    assert second.context["form"]["revision"].value() == 2  # saving again is a deliberate choice

    again = client.post(url, {"body": "Merged text.", "revision": 2})
    assert again.status_code == 302
    assert version.sections.get(key="breadth").body == "Merged text."


def test_edits_to_different_sections_from_one_revision_also_conflict(world):
    version = _draft(_commissioning(world.north_review), world.north_manager)
    sections = {s.key: s for s in version.sections.all()}
    services.tor_section_save(section=sections["period"], user=world.north_manager, body="A", seen_revision=1)
    with pytest.raises(services.EditConflict) as refused:
        services.tor_section_save(
            section=sections["method"], user=world.south_manager, body="B", seen_revision=1
        )
    assert refused.value.revision == 2
    assert sections["method"].body == ToRSection.objects.get(pk=sections["method"].pk).body


def test_a_board_member_cannot_change_the_text(client, world):
    version = _draft(_commissioning(world.north_review), world.north_manager)
    client.force_login(world.north_member)
    response = client.post(_url("tor_section_edit", version, key="breadth"), {"body": "x", "revision": 1})
    assert response.status_code == 403
    assert client.get(_url("tor_version", version)).status_code == 200


# Sending for comment -------------------------------------------------------------------------------


def test_the_closing_date_must_be_in_the_future(client, world):
    version = _draft(_commissioning(world.north_review), world.north_manager)
    client.force_login(world.north_manager)
    today = timezone.localdate()
    response = client.post(
        _url("tor_send", version),
        {"closes_on_0": today.day, "closes_on_1": today.month, "closes_on_2": today.year},
    )
    assert response.status_code == 200
    assert "must be in the future" in response.content.decode()
    assert ToRVersion.objects.get(pk=version.pk).status == Status.DRAFT


def test_sending_for_comment_tells_everyone_on_the_review_once(
    client, world, django_capture_on_commit_callbacks
):
    review = _commissioning(world.cross_border_review)
    version = _draft(review, world.north_manager)
    closes = timezone.localdate() + timedelta(days=10)
    client.force_login(world.north_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("tor_send", version),
            {"closes_on_0": closes.day, "closes_on_1": closes.month, "closes_on_2": closes.year},
        )
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.status, version.comments_close_on) == (Status.OUT_FOR_COMMENT, closes)
    asked = set(
        Notification.objects.filter(key=f"tor:{version.pk}:out_for_comment").values_list(
            "recipient", flat=True
        )
    )
    assert {
        world.north_member.pk,
        world.south_member.pk,
        world.north_chair.pk,
        world.south_manager.pk,
    } <= asked
    assert world.north_manager.pk not in asked and world.east_manager.pk not in asked
    chairs = set(
        Notification.objects.filter(key=f"tor:{version.pk}:approval_requested").values_list(
            "recipient", flat=True
        )
    )
    assert chairs == {world.north_chair.pk}  # the lead board's chair approves
    asked_to_agree = set(
        Notification.objects.filter(key=f"tor:{version.pk}:agreement_requested").values_list(
            "recipient", flat=True
        )
    )
    assert asked_to_agree == {world.south_chair.pk}  # the participating board's chair agrees or objects
    assert review.timeline.filter(title="Terms of reference version 1 sent for comment").exists()
    with pytest.raises(services.ToRRefused, match="only a draft"):
        services.tor_send_for_comment(version=version, user=world.north_manager, closes_on=closes)


# Comments ------------------------------------------------------------------------------------------


def test_comment_reply_and_address(client, world):
    version = _out_for_comment(_commissioning(world.north_review), world.north_manager)
    # The lead reviewer may comment.
    client.force_login(world.north_reviewer)
    assert client.get(_url("tor_comment_add", version, key="method")).status_code == 200
    response = client.post(_url("tor_comment_add", version, key="method"), {"text": "Use SILP."})
    assert response.status_code == 302
    comment = ToRComment.objects.get()
    assert (comment.author, comment.section.key, comment.parent) == (world.north_reviewer, "method", None)

    client.force_login(world.north_member)
    assert (
        client.post(
            _url("tor_comment_reply", version, comment_pk=comment.pk), {"text": "Agreed."}
        ).status_code
        == 302
    )
    reply = ToRComment.objects.get(parent=comment)
    # A reply to a reply joins the same thread.
    client.post(_url("tor_comment_reply", version, comment_pk=reply.pk), {"text": "Me too."})
    assert comment.replies.count() == 2
    assert client.get(_url("tor_comment_address", version, comment_pk=comment.pk)).status_code == 403

    client.force_login(world.north_manager)
    missing = client.post(_url("tor_comment_address", version, comment_pk=comment.pk), {"how": ""})
    assert missing.status_code == 200
    assert ToRComment.objects.get(pk=comment.pk).addressed_at is None
    done = client.post(
        _url("tor_comment_address", version, comment_pk=comment.pk), {"how": "Method is SILP."}
    )
    assert done.status_code == 302
    comment.refresh_from_db()
    assert (comment.addressed_by, comment.addressed_how) == (world.north_manager, "Method is SILP.")

    page = client.get(_url("tor_comments", version)).content.decode()
    assert "Use SILP." in page and "Me too." in page and "Method is SILP." in page


def test_the_comments_page_shows_each_new_comment_reply_and_answer_at_once(client, world):
    """The page read before a change, then read again, shows the change: no section is kept from before."""
    version = _out_for_comment(_commissioning(world.north_review), world.north_manager)
    client.force_login(world.north_manager)
    page = _url("tor_comments", version)
    assert "Use SILP." not in client.get(page).text  # read once with no comments
    services.tor_comment_add(
        section=version.sections.get(key="method"), user=world.north_member, text="Use SILP."
    )
    assert "Use SILP." in client.get(page).text
    comment = ToRComment.objects.get()
    services.tor_comment_add(
        section=comment.section, user=world.north_reviewer, text="Agreed, SILP.", parent=comment
    )
    assert "Agreed, SILP." in client.get(page).text
    services.tor_comment_address(comment=comment, user=world.north_manager, how="Method is SILP.")
    assert "Method is SILP." in client.get(page).text


def test_the_comments_page_escapes_what_people_wrote_and_keeps_their_line_breaks(client, world):
    """Threads are written by a template tag, not the template: names, comments, replies and how a comment
    was addressed are escaped there, and line breaks still show."""
    version = _out_for_comment(_commissioning(world.north_review), world.north_manager)
    section = version.sections.get(key="method")
    odd = UserFactory(full_name="O'Brien <b>Bold</b> & Co")
    unnamed = UserFactory(full_name="")
    first = services.tor_comment_add(section=section, user=odd, text="Use <script>x</script>\r\nSILP & more")
    services.tor_comment_add(section=section, user=unnamed, text="Agreed <i>so</i>\nfully", parent=first)
    other = services.tor_comment_add(section=section, user=world.north_member, text="Another")
    services.tor_comment_address(comment=other, user=world.north_manager, how="Done <em>so</em>\nand so")
    client.force_login(world.north_manager)
    page = client.get(_url("tor_comments", version)).content.decode()
    assert "<script>x" not in page and "<b>Bold" not in page and "<i>so" not in page and "<em>so" not in page
    assert "O&#x27;Brien &lt;b&gt;Bold&lt;/b&gt; &amp; Co <span" in page
    assert "Use &lt;script&gt;x&lt;/script&gt;<br>SILP &amp; more" in page
    assert f"Reply from {unnamed.email} <span" in page  # someone without a name is named by their email
    assert "Agreed &lt;i&gt;so&lt;/i&gt;<br>fully" in page
    addressed_on = timezone.localtime(ToRComment.objects.get(pk=other.pk).addressed_at)
    assert f"Addressed by {escape(world.north_manager.get_full_name())} on {addressed_on:%-d %b %Y}: " in page
    assert "Done &lt;em&gt;so&lt;/em&gt;<br>and so" in page
    assert 'Reply<span class="govuk-visually-hidden"> to O&#x27;Brien &lt;b&gt;Bold' in page
    assert 'Mark as addressed<span class="govuk-visually-hidden"> the comment by O&#x27;Brien' in page
    assert page.count("Mark as addressed") == 1  # not for the comment already addressed


def test_comments_only_while_out_for_comment(world):
    version = _draft(_commissioning(world.north_review), world.north_manager)
    with pytest.raises(services.ToRRefused, match="not out for comment"):
        services.tor_comment_add(section=version.sections.first(), user=world.north_member, text="Hello")


def test_people_outside_the_review_see_nothing(client, world):
    version = _out_for_comment(_commissioning(world.north_review), world.north_manager)
    client.force_login(world.east_manager)
    for url in (
        _url("tor_comments", version),
        _url("tor_version", version),
        _url("tor_comment_add", version, key="method"),
        reverse("tor_list", args=[version.review_id]),
        reverse("tor_diff", args=[version.review_id]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_board_member_cannot_approve(client, world):
    version = _approvable(world)
    client.force_login(world.north_member)
    assert client.post(_url("tor_approve", version)).status_code == 403
    assert ToRVersion.objects.get(pk=version.pk).status == Status.OUT_FOR_COMMENT


def test_a_comment_of_another_version_is_not_found(client, world):
    version = _out_for_comment(_commissioning(world.north_review), world.north_manager)
    other = _out_for_comment(_commissioning(world.south_review), world.south_manager)
    foreign = services.tor_comment_add(section=other.sections.first(), user=world.south_member, text="x")
    client.force_login(world.north_manager)
    response = client.post(_url("tor_comment_address", version, comment_pk=foreign.pk), {"how": "Done"})
    assert response.status_code == 404


# Approval ------------------------------------------------------------------------------------------


def test_chair_cannot_approve_without_a_case_factor(client, world):
    review = _commissioning(world.north_review)
    _cite(review, world.north_manager, "context")
    version = _out_for_comment(review, world.north_manager)
    client.force_login(world.north_chair)
    response = client.post(_url("tor_approve", version))
    assert response.status_code == 200
    assert "cites no case factor" in response.content.decode()
    assert ToRVersion.objects.get(pk=version.pk).status == Status.OUT_FOR_COMMENT


def test_chair_cannot_approve_without_a_context_factor(client, world):
    review = _commissioning(world.north_review)
    _cite(review, world.north_manager, "case")
    version = _out_for_comment(review, world.north_manager)
    client.force_login(world.north_chair)
    assert "cites no context factor" in client.get(_url("tor_approve", version)).content.decode()
    response = client.post(_url("tor_approve", version))
    assert "cites no context factor" in response.content.decode()
    assert ToRVersion.objects.get(pk=version.pk).status == Status.OUT_FOR_COMMENT


def test_chair_cannot_approve_while_comments_are_unaddressed(client, world):
    version = _approvable(world, close=False)
    for text in ("One", "Two"):
        services.tor_comment_add(section=version.sections.first(), user=world.north_member, text=text)
    _close_early(version, world.north_chair)
    client.force_login(world.north_chair)
    page = client.get(_url("tor_version", version)).content.decode()
    assert "2 comments are not yet addressed" in page
    assert _url("tor_approve", version) not in page  # the reason instead of the button
    response = client.post(_url("tor_approve", version))
    assert "2 comments are not yet addressed" in response.content.decode()
    assert ToRVersion.objects.get(pk=version.pk).status == Status.OUT_FOR_COMMENT


def test_a_draft_cannot_be_approved(world):
    review = _commissioning(world.north_review)
    _cite(review, world.north_manager, "case", "context")
    version = _draft(review, world.north_manager)
    with pytest.raises(services.ToRRefused, match="Only a version that has been out for comment"):
        services.tor_approve(version=version, user=world.north_chair)


def test_chair_approves_with_both_kinds_of_factor_and_the_version_is_frozen(
    client, world, django_capture_on_commit_callbacks
):
    version = _approvable(world)
    client.force_login(world.north_chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("tor_approve", version))
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.status, version.approved_by, workflow.is_frozen(version)) == (
        Status.APPROVED,
        world.north_chair,
        True,
    )
    assert version.approved_at is not None
    assert TimelineEntry.objects.filter(
        review=version.review, title="Terms of reference version 1 approved", kind="decision"
    ).exists()
    assert Notification.objects.filter(
        key=f"tor:{version.pk}:approved", recipient=world.north_member
    ).exists()

    # The ORM refuses any change to a section of the approved version.
    section = version.sections.get(key="breadth")
    section.body = "Changed after approval"
    with pytest.raises(FrozenError):
        section.save()

    # So do the edit page and the service.
    client.force_login(world.north_manager)
    url = _url("tor_section_edit", version, key="breadth")
    refused = client.get(url, follow=True)
    assert "can never change" in refused.content.decode()
    posted = client.post(url, {"body": "Sneaky change", "revision": version.revision})
    assert "can never change" in posted.content.decode()
    assert version.sections.get(key="breadth").body != "Sneaky change"
    with pytest.raises(services.ToRRefused, match="can never change"):
        services.tor_section_save(
            section=section, user=world.north_manager, body="x", seen_revision=version.revision
        )

    # A change means a new draft version; approving it supersedes the first.
    new = services.tor_draft_create(review=version.review, user=world.north_manager, source="copy")
    services.tor_section_save(
        section=new.sections.get(key="breadth"), user=world.north_manager, body="Wider.", seen_revision=1
    )
    services.tor_send_for_comment(
        version=new, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=3)
    )
    _close_early(new, world.north_chair)
    services.tor_approve(version=new, user=world.north_chair)
    assert dict(ToRVersion.objects.filter(review=version.review).values_list("number", "status")) == {
        1: Status.SUPERSEDED,
        2: Status.APPROVED,
    }


def test_the_second_of_two_chairs_approving_the_same_version_is_told(client, world):
    version = _approvable(world)
    second_chair = member_of(world.north, Role.CHAIR, email="chair2@north.example", two_factor_waived=True)
    for chair in (world.north_chair, second_chair):
        client.force_login(chair)
        assert client.get(_url("tor_approve", version)).status_code == 200  # both see the button

    client.force_login(world.north_chair)
    assert client.post(_url("tor_approve", version)).status_code == 302
    client.force_login(second_chair)
    late = client.post(_url("tor_approve", version))

    assert "already approved" in late.content.decode()
    version.refresh_from_db()
    assert (version.status, version.approved_by) == (Status.APPROVED, world.north_chair)


def test_the_database_holds_one_approved_version_per_review(world):
    version = _approvable(world)
    services.tor_approve(version=version, user=world.north_chair)
    with pytest.raises(IntegrityError), transaction.atomic():
        ToRVersion.objects.create(
            review=version.review,
            number=2,
            status=Status.APPROVED,
            created_by=world.north_manager,
            approved_by=world.north_chair,
            approved_at=timezone.now(),
        )


@pytest.mark.django_db(transaction=True)
def test_two_chairs_approving_at_once_yield_one_approved_version(world):
    if connection.vendor != "postgresql":
        # SQLite's shared in-memory test database answers concurrent writers with table locks, not waits:
        # real concurrent transactions are proven on PostgreSQL (the second run in CI).
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    version = _approvable(world)
    second_chair = member_of(world.north, Role.CHAIR, email="chair2@north.example", two_factor_waived=True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(chair):
        try:
            barrier.wait()
            services.tor_approve(version=version, user=chair)
            outcomes.append("approved")
        except services.ToRRefused:
            outcomes.append("refused")
        except Exception as error:  # SQLite may report the other writer's lock instead of waiting
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(c,)) for c in (world.north_chair, second_chair)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("approved") == 1, outcomes
    # PostgreSQL makes the second chair wait for the row lock, then tells them it is already approved.
    assert set(outcomes) - {"approved"} <= {"refused"}, outcomes
    assert ToRVersion.objects.filter(review=version.review, status=Status.APPROVED).count() == 1


# Comparing versions --------------------------------------------------------------------------------


def test_diff_marks_changes_and_escapes_what_people_typed(client, world):
    review = _commissioning(world.north_review)
    first = _out_for_comment(review, world.north_manager)
    second = services.tor_draft_create(review=review, user=world.north_manager, source="copy")
    services.tor_section_save(
        section=second.sections.get(key="breadth"),
        user=world.north_manager,
        body="Agencies since <script>alert(1)</script> 2023.",
        seen_revision=1,
    )
    client.force_login(world.north_member)

    response = client.get(reverse("tor_diff", args=[review.pk]), {"from": first.number, "to": second.number})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<del><span class="govuk-visually-hidden">Removed: </span>Not decided yet</del>.' in page
    assert "<ins>" in page
    assert response.context["changed"] == 1


def test_diff_words_marks_only_changed_words():
    from commissioning.tor.diff import words

    old, new = words("the quick brown fox", "the slow brown <fox>")
    assert "the " in old and "<del>" in old and "quick" in old
    assert "<fox>" not in new and "&lt;" in new and "<ins>" in new and "slow" in new
    assert "<del>" not in old.split("quick")[1]  # "brown fox" is unchanged


def test_every_page_opens_for_someone_entitled(client, world):
    review = _commissioning(world.north_review)
    version = _out_for_comment(review, world.north_manager)
    comment = services.tor_comment_add(section=version.sections.first(), user=world.north_member, text="x")
    pages = [
        ("north_reviewer", reverse("tor_list", args=[review.pk])),
        ("north_reviewer", reverse("tor_diff", args=[review.pk])),
        ("north_reviewer", _url("tor_version", version)),
        ("north_reviewer", _url("tor_comments", version)),
        ("north_reviewer", _url("tor_comment_add", version, key="purpose")),
        ("north_member", _url("tor_comment_reply", version, comment_pk=comment.pk)),
        ("north_manager", _url("tor_comment_address", version, comment_pk=comment.pk)),
        ("north_manager", reverse("tor_draft_create", args=[_commissioning(world.cross_border_review).pk])),
        ("north_chair", _url("tor_approve", version)),
        ("north_chair", _url("tor_close_comments", version)),
    ]
    draft = _draft(_commissioning(world.south_review), world.south_manager)
    pages += [
        ("south_manager", _url("tor_send", draft)),
        ("south_manager", _url("tor_section_edit", draft, key="purpose")),
    ]
    for person, url in pages:
        client.force_login(getattr(world, person))
        assert client.get(url).status_code == 200, (person, url)


# Query counts --------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_comments_page_reads_in_a_constant_number_of_queries(client, world):
    version = _out_for_comment(_commissioning(world.north_review), world.north_manager)
    sections = list(version.sections.all())
    people = [world.north_member, world.north_reviewer, world.north_chair]
    client.force_login(world.north_manager)
    url = _url("tor_comments", version)

    def add(n):
        for i in range(n):
            parent = services.tor_comment_add(
                section=sections[i % len(sections)], user=people[i % 3], text=f"C{i}"
            )
            services.tor_comment_add(section=parent.section, user=UserFactory(), text=f"R{i}", parent=parent)

    add(2)
    few = _queries(client, url)
    add(98)  # 200 comments in all, half of them replies, by many people
    assert ToRComment.objects.count() == 200
    assert _queries(client, url) == few


def test_version_list_reads_in_a_constant_number_of_queries(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_chair)
    url = reverse("tor_list", args=[review.pk])

    def add(n):
        for _ in range(n):
            version = _out_for_comment(review, world.north_manager)
            services.tor_comment_add(section=version.sections.first(), user=world.north_member, text="x")
            ToRComment.objects.filter(section__version=version).update(
                addressed_at=timezone.now(), addressed_how="Done"
            )

    add(2)
    few = _queries(client, url)
    add(28)
    assert ToRVersion.objects.filter(review=review).count() == 30
    assert _queries(client, url) == few


def test_diff_does_not_mark_unchanged_words_at_the_end_of_a_paragraph():
    from commissioning.tor.diff import words

    old = "The review looks at 2023.\n\nAgencies share chronologies."
    new = "The review looks at 2023 and 2024.\n\nAgencies share chronologies.\n\nA new paragraph."
    left, right = words(old, new)

    assert "<del>" not in left  # nothing was removed, however the paragraphs end
    assert left == "The review looks at 2023.<br><br>Agencies share chronologies."
    assert right == (
        'The review looks at 2023 <ins><span class="govuk-visually-hidden">Added: </span>and 2024</ins>.'
        "<br><br>Agencies share chronologies."
        '<br><br><ins><span class="govuk-visually-hidden">Added: </span>A new paragraph.</ins>'
    )
    # A paragraph split in two: the break alone is marked, with a pilcrow and words for screen readers.
    left, right = words("One. Two.", "One.\n\nTwo.")
    assert left == "One. Two."
    assert right == (
        'One.<ins><span class="govuk-visually-hidden">Added: paragraph break</span>¶</ins><br><br>Two.'
    )
    # Spacing alone and Windows line ends are no change.
    same_left, same_right = words("One  two.\n\nThree.", "One two.\r\n\r\nThree.")
    assert "<del>" not in same_left and "<ins>" not in same_right


def test_the_comparison_shows_only_the_changed_sections_until_asked_for_all(client, world):
    review = _commissioning(world.north_review)
    first = _out_for_comment(review, world.north_manager)
    second = services.tor_draft_create(review=review, user=world.north_manager, source="copy")
    services.tor_section_save(
        section=second.sections.get(key="breadth"), user=world.north_manager, body="Wider.", seen_revision=1
    )
    client.force_login(world.north_member)
    url = reverse("tor_diff", args=[review.pk])

    page = client.get(url, {"from": first.number, "to": second.number}).content.decode()
    sections = second.sections.count()
    assert 'id="diff-breadth"' in page and 'id="diff-purpose"' not in page
    assert f"1 section differs, {sections - 1} are the same" in page
    assert f"Show all {sections} sections" in page and "?from=1&amp;to=2&amp;all=1" in page

    everything = client.get(url, {"from": 1, "to": 2, "all": "1"}).content.decode()
    assert 'id="diff-purpose"' in everything and "No change" in everything
    assert "Show only the changed sections" in everything
    assert '<input type="hidden" name="all" value="1">' in everything  # kept when choosing other versions
