"""The report's services: drafts, the factual-accuracy round, quality assurance, the family's view, and
acceptance through the lifecycle's receive_report step, refused while the draft names the family."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conduct.models import AccuracyComment, FamilyMember, ReportDraft
from conduct.report import services
from reviews import workflow
from reviews.models import Notification, State, TimelineEntry
from reviews.services import TransitionRefused, review_transition
from scr_portal.uploads import DOCX, named_upload
from tests.conduct.report_helpers import check, docx_upload, draft, lead_reviewer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _add(info, world, *paragraphs, notes=""):
    upload = named_upload(docx_upload(*(paragraphs or ("Child A was seen.",))), allowed=(DOCX,))
    return services.draft_add(review=info.review, user=world.north_reviewer, upload=upload, notes=notes)


def test_drafts_are_numbered_in_turn_noted_and_the_manager_told(info, world):
    first = _add(info, world, notes="First full draft")
    second = _add(info, world)
    assert (first.version, second.version) == (1, 2)
    assert (
        first.file_name == "Draft report.docx" and first.file_size > 0 and first.notes == "First full draft"
    )
    assert "Draft report" not in first.file.name  # stored under a generated name
    assert TimelineEntry.objects.filter(review=info.review, title="Draft 2 of the report added").exists()
    assert Notification.objects.filter(recipient=world.north_manager, title__contains="draft 2").exists()


def test_drafts_are_added_only_while_the_review_is_in_progress(info, world):
    type(info.review).objects.filter(pk=info.review.pk).update(state=State.COMMISSIONING)
    with pytest.raises(services.ReportRefused, match="no longer in progress"):
        _add(info, world)
    assert not ReportDraft.objects.exists()


def test_sending_a_draft_asks_each_agency_once_and_tells_its_people(info, world):
    made = draft(info.review)
    due = TODAY() + timedelta(days=7)
    sent = services.accuracy_checks_send(
        review=info.review,
        user=world.north_manager,
        draft=made,
        agencies=[info.agency, info.health],
        due_on=due,
    )
    assert sorted(c.agency.name for c in sent) == sorted([info.agency.name, info.health.name])
    again = services.accuracy_checks_send(
        review=info.review, user=world.north_manager, draft=made, agencies=[info.agency], due_on=due
    )
    assert again == [] and made.accuracy_checks.count() == 2
    note = Notification.objects.get(recipient=world.north_member)
    assert note.kind == Notification.Kind.ACTION_NEEDED and note.path.endswith("/report/")


def test_a_past_due_date_and_an_agency_of_another_board_are_refused(info, world):
    made = draft(info.review)
    with pytest.raises(services.ReportRefused) as refused:
        services.accuracy_checks_send(
            review=info.review,
            user=world.north_manager,
            draft=made,
            agencies=[info.agency],
            due_on=TODAY() - timedelta(days=1),
        )
    assert refused.value.field == "due_on"
    from tests.conduct.helpers import other_agency

    elsewhere = other_agency(world.south, name="South Police")
    with pytest.raises(services.ReportRefused, match="not an agency"):
        services.accuracy_checks_send(
            review=info.review, user=world.north_manager, draft=made, agencies=[elsewhere], due_on=TODAY()
        )
    assert not made.accuracy_checks.exists()


def test_an_agency_replies_once_with_comments_and_the_lead_reviewer_deals_with_each(info, world):
    asked = check(draft(info.review), info.agency)
    services.accuracy_reply(
        check=asked,
        user=world.north_member,
        comments=[("Section 3", "The visit was on 4 March, not 3 March."), ("", "")],
        no_comments=False,
    )
    asked.refresh_from_db()
    assert asked.replied and asked.replied_by == world.north_member and not asked.no_comments
    (comment,) = AccuracyComment.objects.filter(check_request=asked)
    assert comment.where == "Section 3"
    told = Notification.objects.get(recipient=world.north_reviewer, title__contains="replied")
    assert told.kind == Notification.Kind.ACTION_NEEDED and told.resolved_at is None
    with pytest.raises(services.ReportRefused, match="already replied"):
        services.accuracy_reply(check=asked, user=world.north_member, comments=[], no_comments=True)
    services.comment_respond(comment=comment, user=world.north_reviewer, response="Changed in section 3.")
    comment.refresh_from_db()
    assert comment.response == "Changed in section 3." and comment.responded_by == world.north_reviewer
    told.refresh_from_db()
    assert told.resolved_at is not None  # every comment dealt with


def test_a_reply_is_comments_or_none_never_both_nor_neither(info, world):
    asked = check(draft(info.review), info.agency)
    for comments, none in (([("p. 4", "Wrong date")], True), ([], False), ([("p. 4", "")], False)):
        with pytest.raises(services.ReportRefused):
            services.accuracy_reply(check=asked, user=world.north_member, comments=comments, no_comments=none)
    services.accuracy_reply(check=asked, user=world.north_member, comments=[], no_comments=True)
    asked.refresh_from_db()
    assert asked.no_comments and not asked.comments.exists()


def test_quality_assurance_and_the_familys_view_are_recorded_on_a_draft(info, world):
    made = draft(info.review)
    qa = services.assurance_record(
        review=info.review,
        user=world.north_manager,
        draft=made,
        assured_by="The review panel",
        assured_on=TODAY(),
        outcome="assured",
        comments="Clear and proportionate.",
    )
    family = services.family_feedback_record(
        review=info.review,
        user=world.north_reviewer,
        draft=made,
        seen_on=TODAY(),
        said="They recognised Child A.",
    )
    assert qa.draft == made and qa.get_outcome_display().startswith("Assured")
    assert family.draft == made and family.recorded_by == world.north_reviewer
    with pytest.raises(services.ReportRefused) as refused:
        services.family_feedback_record(
            review=info.review,
            user=world.north_reviewer,
            draft=made,
            seen_on=TODAY() + timedelta(days=1),
            said="x",
        )
    assert refused.value.field == "seen_on"


def test_reminders_chase_a_reply_due_soon_and_once_overdue_each_once(info, world):
    asked = check(draft(info.review), info.agency)
    type(asked).objects.filter(pk=asked.pk).update(due_on=TODAY(), asked_on=TODAY() - timedelta(days=10))
    assert services.accuracy_reminders_send() == 1
    assert services.accuracy_reminders_send() == 0  # the same day tells nobody twice
    assert services.accuracy_reminders_send(TODAY() + timedelta(days=1)) == 1  # now overdue
    asked.refresh_from_db()
    assert asked.reminded_on == TODAY() + timedelta(days=1)


# Acceptance ---------------------------------------------------------------------------------------------


def test_the_chair_accepts_the_latest_draft_which_becomes_the_final_report(info, world):
    draft(info.review)
    latest = draft(info.review, "Child A's review, final version.", assured=True)
    review = services.draft_accept(
        review=info.review, user=world.north_chair, draft=latest, received_on=TODAY()
    )
    assert review.state == State.REPORT_RECEIVED and review.report_received_on == TODAY()
    assert review.final_report_name == latest.file_name
    assert review.final_report.name != latest.file.name  # a copy: the draft is kept as it was
    with review.final_report.open("rb") as copy, latest.file.open("rb") as original:
        assert copy.read() == original.read()
    latest.refresh_from_db()
    assert latest.accepted_by == world.north_chair and latest.accepted_at is not None
    entry = TimelineEntry.objects.get(review=review, transition="receive_report")
    assert entry.actor == world.north_chair and "Draft 2 accepted" in entry.body


def test_only_the_latest_draft_is_accepted_and_only_by_the_accountable(info, world):
    first = draft(info.review, assured=True)
    draft(info.review, assured=True)
    with pytest.raises(services.ReportRefused, match="latest draft"):
        services.draft_accept(review=info.review, user=world.north_chair, draft=first, received_on=TODAY())
    with pytest.raises(services.ReportRefused, match="Only the chair"):
        services.draft_accept(review=info.review, user=world.north_manager, draft=first, received_on=TODAY())
    info.review.refresh_from_db()
    assert info.review.state == State.IN_PROGRESS and not ReportDraft.objects.filter(
        accepted_at__isnull=False
    )


def test_a_draft_naming_the_family_is_refused_and_nothing_changes(info, world):
    FamilyMember.objects.create(
        review=info.review, real_name="Jane Smith", pseudonym="Mother", relationship="Mother"
    )
    FamilyMember.objects.create(
        review=info.review, real_name="Tom", pseudonym="Brother", relationship="Brother"
    )
    named = draft(info.review, "Child A lived with her mother, Ms SMITH.", assured=True)
    with pytest.raises(services.ReportRefused, match="“Mother”") as refused:
        services.draft_accept(review=info.review, user=world.north_chair, draft=named, received_on=TODAY())
    # Who accepts may not see the family record: the refusal names the member by pseudonym only.
    assert "pseudonyms" in str(refused.value) and "Smith" not in str(refused.value)
    assert "Brother" not in str(refused.value)
    info.review.refresh_from_db()
    named.refresh_from_db()
    assert (
        info.review.state == State.IN_PROGRESS and not info.review.final_report and named.accepted_at is None
    )
    clean = draft(info.review, "Child A lived with her mother, Mother A. Tomas visited.", assured=True)
    review = services.draft_accept(
        review=info.review, user=world.north_chair, draft=clean, received_on=TODAY()
    )
    assert review.state == State.REPORT_RECEIVED


def test_once_there_are_drafts_the_report_is_recorded_only_by_accepting_one(info, world):
    draft(info.review)
    step = workflow.step_named(info.review, "receive_report")
    assert workflow.blockers(info.review, step) == [
        "The final draft is accepted by the chair on the report's page."
    ]
    upload = named_upload(docx_upload("Final."), allowed=(DOCX,))
    with pytest.raises(TransitionRefused, match="report's page"):
        review_transition(
            review_id=info.review.pk,
            name="receive_report",
            user=world.north_manager,
            data={"final_report": upload, "report_received_on": TODAY(), "note": ""},
        )


def test_after_acceptance_drafts_no_longer_change(info, world):
    latest = draft(info.review, assured=True)
    services.draft_accept(review=info.review, user=world.north_chair, draft=latest, received_on=TODAY())
    with pytest.raises(services.ReportRefused):
        _add(info, world)


def test_on_a_practice_review_a_statutory_partner_accepts(partnership):
    from tests.conduct.helpers import in_progress
    from tests.factories import AppointmentFactory

    review = in_progress(partnership.review)
    AppointmentFactory(review=review, reviewer=partnership.reviewer)
    latest = draft(review, assured=True)
    assert lead_reviewer(review) == partnership.reviewer
    with pytest.raises(services.ReportRefused, match="Only the partners"):
        services.draft_accept(review=review, user=partnership.manager, draft=latest, received_on=TODAY())
    partner = next(iter(partnership.leads.values()))
    review = services.draft_accept(review=review, user=partner, draft=latest, received_on=TODAY())
    assert review.state == State.REPORT_RECEIVED and review.final_report_name == latest.file_name


def test_a_draft_whose_file_is_missing_is_refused_plainly(info, world):
    latest = draft(info.review, assured=True)
    latest.file.storage.delete(latest.file.name)
    with pytest.raises(services.ReportRefused, match="cannot be read"):
        services.draft_accept(review=info.review, user=world.north_chair, draft=latest, received_on=TODAY())
    latest.refresh_from_db()
    assert latest.accepted_at is None


def test_a_draft_is_accepted_only_once_its_latest_quality_assurance_finds_it_ready(info, world):
    latest = draft(info.review)
    with pytest.raises(services.ReportRefused, match="has not been quality-assured"):
        services.draft_accept(review=info.review, user=world.north_chair, draft=latest, received_on=TODAY())
    services.assurance_record(
        review=info.review,
        user=world.north_manager,
        draft=latest,
        assured_by="The review panel",
        assured_on=TODAY(),
        outcome="changes",
        comments="Section 4 needs the police's view.",
    )
    with pytest.raises(services.ReportRefused, match="asked for changes"):
        services.draft_accept(review=info.review, user=world.north_chair, draft=latest, received_on=TODAY())
    info.review.refresh_from_db()
    assert info.review.state == State.IN_PROGRESS and not info.review.final_report
    services.assurance_record(
        review=info.review,
        user=world.north_manager,
        draft=latest,
        assured_by="The review panel",
        assured_on=TODAY(),
        outcome="assured",
        comments="",
    )
    review = services.draft_accept(
        review=info.review, user=world.north_chair, draft=latest, received_on=TODAY()
    )
    assert review.state == State.REPORT_RECEIVED
