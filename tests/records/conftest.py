"""A closed review with something personal in every corner: names in free text, an earlier real name in a
child's history, attendees without accounts, comments, progress updates with evidence files, a signed
response, a generated document, an export of the merged chronology, views and notifications. The
retention tests anonymise or delete it and then look for every one of those values in every column of
every table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from conduct.models import (
    AccuracyCheck,
    AccuracyComment,
    Challenge,
    ChronologyEntry,
    DraftAssurance,
    DraftFamilyFeedback,
    FamilyContact,
    FamilyMember,
    Governance,
    IndependenceDeclaration,
    InformationRequest,
    Milestone,
    MilestoneDelay,
    PractitionerAttendance,
    PractitionerEvent,
    ReportDraft,
)
from responses.actions.services import export_columns_refresh
from tests.conftest import World

# Values that identify someone and must not survive anonymising anywhere in the database.
FAMILY = "Zebedee"  # the family's surname, in free text only: the portal cannot know it is a name
FIRST_NAME = "Ellie Quixley"  # the child's real name, typed by mistake and corrected: lives on in history
ATTENDEE = "Priya Vantablack"  # named in a meeting's attendance, has no account
CHAIRED_BY = "Morwenna Strudwick"  # chaired the board meeting, has no account
PSEUDONYM = "Child B"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Rich:
    review: object
    finding: object
    action: object
    files: list[str]
    signed_digest: str


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def years_ago(years: int, days: int = 0):
    """Today `years` years ago (28 February for 29 February), minus `days`."""
    from records.retention import add_years

    return add_years(timezone.localdate(), -years) - timedelta(days=days)


def close(review, ended_on) -> None:
    type(review).objects.filter(pk=review.pk).update(state="closed", closed_on=ended_on)
    review.refresh_from_db()


def build_rich_review(w: World) -> Rich:
    """Fills the north review with personal data everywhere, then closes it 26 years ago (North keeps
    records for 25)."""
    from commissioning.models import (
        AgencyInvolvement,
        ConflictDeclaration,
        Factor,
        FactorAssessment,
        InputInvitation,
        InputReply,
        InputRound,
        LeadReviewer,
        LineOfEnquiry,
        Proposal,
        Scope,
        SelfCheckAnswer,
        ToRComment,
        ToRSection,
        ToRVersion,
    )
    from documents.models import Document, Export
    from responses.models import (
        Action,
        ActionUpdate,
        Attendance,
        EngagementActivity,
        Evidence,
        Finding,
        FindingDiscussion,
        Meeting,
        ResponseVersion,
        Theme,
        digest_of,
    )
    from reviews.models import Agency, ParallelProcess, ReviewAccess
    from reviews.services import timeline_add

    review = w.north_review
    member, manager, chair = w.north_member, w.north_manager, w.north_chair
    agency = Agency.objects.get(memberships__user=member)
    now = timezone.now()

    review.case_summary = f"The {FAMILY} family moved three times. {FIRST_NAME} was not seen."
    review.criteria_notes = f"{FAMILY} household known to police."
    review.decision_rationale = f"Decided with {member.full_name}."
    review.end_reason = f"Actions done; {FAMILY} case closed."
    review.decided_by = chair
    review.final_report.save("final.pdf", ContentFile(PDF), save=False)
    review.final_report_name = f"{FAMILY} report.pdf"
    review.save()

    child = w.north_child
    child.pseudonym = FIRST_NAME
    child.circumstances = f"Lived with the {FAMILY} grandparents."
    child.save()
    child.pseudonym = PSEUDONYM
    child.save()  # the history keeps the real name typed first
    w.north_process.description = f"Trial of Mr {FAMILY}"
    w.north_process.save()
    timeline_add(
        review=review, user=manager, kind="update", title=f"Added {FIRST_NAME}", body=f"{FAMILY} notes"
    )
    ReviewAccess.objects.create(
        review=review, user=member, path=f"/reviews/{review.pk}/", ip_address="10.1.2.3"
    )

    # Commissioning
    standard = Factor.objects.filter(key__isnull=False).first()
    FactorAssessment.objects.create(
        review=review, factor=standard, assessment=f"{FAMILY} risk", weight="decisive", updated_by=manager
    )
    custom = Factor.objects.create(
        review=review, kind="case", title=f"The {FAMILY} household's moves", order=1
    )
    FactorAssessment.objects.create(
        review=review, factor=custom, assessment="Frequent moves", weight="significant", updated_by=member
    )
    Scope.objects.create(
        review=review, rationale=f"Proportionate because of {FAMILY} history", method="systems"
    )
    LineOfEnquiry.objects.create(review=review, order=1, question=f"Why was {FIRST_NAME} not seen?")
    AgencyInvolvement.objects.create(review=review, agency=agency, notes=f"Knew the {FAMILY}s", report=True)
    input_round = InputRound.objects.create(
        review=review, request=f"Tell us about {FAMILY}", closes_on=timezone.localdate(), opened_by=manager
    )
    invitation = InputInvitation.objects.create(round=input_round, member=member, board=w.north)
    InputReply.objects.create(invitation=invitation, text=f"We saw {FIRST_NAME} twice")
    information = InformationRequest(
        review=review,
        agency=agency,
        author=w.north_author,
        wants_chronology=True,
        wants_report=True,
        reason=f"What did you know of the {FAMILY}s?",
        due_on=timezone.localdate(),
        asked_by=manager,
        status="returned",
        return_reason=f"Say more about {FIRST_NAME}",
        answered_by=manager,
        report_name=f"{FAMILY} agency report.pdf",
        report_size=len(PDF),
    )
    information.report.save("agency-report.pdf", ContentFile(PDF), save=False)
    information.save()
    ChronologyEntry.objects.create(
        request=information,
        review=review,
        agency=agency,
        occurred_on=timezone.localdate(),
        event=f"{FIRST_NAME} seen at home with the {FAMILY}s",
        source=f"Health visitor's notes on {FAMILY}",
    )
    # The report's drafts: a file and what agencies, the panel and the family said of it.
    draft = ReportDraft(
        review=review,
        version=1,
        file_name=f"{FAMILY} draft.pdf",
        file_size=len(PDF),
        notes=f"Adds the {FAMILY}s' history",
        uploaded_by=w.north_reviewer,
        accepted_by=w.north_chair,
        accepted_at=now,
    )
    draft.file.save("draft.pdf", ContentFile(PDF), save=False)
    draft.save()
    accuracy = AccuracyCheck.objects.create(
        draft=draft,
        review=review,
        agency=agency,
        due_on=timezone.localdate(),
        asked_by=manager,
        replied_by=member,
        replied_at=now,
    )
    AccuracyComment.objects.create(
        check_request=accuracy,
        where=f"{FAMILY} section",
        comment=f"{FIRST_NAME} moved in May",
        response=f"Changed: {FAMILY}",
        responded_by=w.north_reviewer,
    )
    DraftAssurance.objects.create(
        draft=draft,
        assured_by=CHAIRED_BY,
        assured_on=timezone.localdate(),
        outcome="assured",
        comments=f"Names {FAMILY} once",
        recorded_by=manager,
    )
    DraftFamilyFeedback.objects.create(
        draft=draft, seen_on=timezone.localdate(), said=f"{FIRST_NAME}'s mother agreed", recorded_by=manager
    )
    practitioners = PractitionerEvent.objects.create(
        review=review,
        purpose=f"What the school knew of the {FAMILY}s",
        held_on=timezone.localdate(),
        support_offered=f"Supervision about {FIRST_NAME}",
        feedback=f"Told them what the review found about the {FAMILY}s",
        feedback_on=timezone.localdate(),
        recorded_by=manager,
    )
    PractitionerAttendance.objects.create(event=practitioners, agency=agency, invited=2, attended=1)
    relative = FamilyMember.objects.create(
        review=review,
        real_name=f"Jo {FAMILY}",
        pseudonym=f"{FAMILY} mother",
        child=child,
        relationship=f"{FIRST_NAME}'s mother",
        told_on=timezone.localdate(),
        told_by=f"Visit with the {FAMILY} family worker",
        told_how="visit",
        support_offered=f"An advocate who knows the {FAMILY}s",
        influence=f"{FIRST_NAME}'s school moves added",
        draft_comments=f"The {FAMILY}s disagree with page 3",
        not_involved_reason=f"{FAMILY} father in prison",
    )
    FamilyContact.objects.create(
        member=relative,
        review=review,
        contacted_on=timezone.localdate(),
        method="meeting",
        outcome="met",
        views=f"{FIRST_NAME} was frightened of the {FAMILY} uncle",
        recorded_by=manager,
    )
    # Plan and governance: a milestone moved with a reason, the governance, the reviewer's declared
    # interests, a challenge resolved; a parallel process's effects and disclosure.
    milestone = Milestone.objects.create(
        review=review,
        name=f"Meet the {FAMILY} family",
        owner=manager,
        planned_on=timezone.localdate(),
        due_on=timezone.localdate() + timedelta(days=7),
    )
    MilestoneDelay.objects.create(
        milestone=milestone,
        was_due_on=timezone.localdate(),
        now_due_on=milestone.due_on,
        reason=f"{FIRST_NAME}'s grandmother was in hospital",
        recorded_by=manager,
    )
    Governance.objects.create(
        review=review,
        quality_assured_by=f"A panel chaired by {CHAIRED_BY}",
        quality_assurance=f"Reads what the {FAMILY}s said",
        sign_off=f"{CHAIRED_BY} signs",
        updated_by=manager,
    )
    IndependenceDeclaration.objects.create(
        review=review,
        reviewer=w.north_reviewer,
        independent=False,
        interests=f"Knew the {FAMILY}s' school",
        managed_how="A second reviewer",
        declared_on=timezone.localdate(),
    )
    Challenge.objects.create(
        review=review,
        issue=f"Police dispute the account of {FIRST_NAME}'s visit",
        raised_by=f"{ATTENDEE}, police",
        raised_on=timezone.localdate(),
        resolution=f"{CHAIRED_BY} agreed the wording",
        resolved_on=timezone.localdate(),
        escalated=True,
        recorded_by=manager,
    )
    ParallelProcess.objects.filter(review=review).update(
        timetable_effect=f"Interviews wait for the {FAMILY} trial",
        tor_effect=f"{FIRST_NAME}'s last night is left to the trial",
        disclosure_agreed_on=timezone.localdate(),
        disclosure_agreed_with=f"{ATTENDEE}, senior investigating officer",
        disclosure_terms=f"The {FAMILY} statements may be read",
    )
    profile = LeadReviewer.objects.create(user=w.north_reviewer, organisation="Independent")
    ConflictDeclaration.objects.create(
        reviewer=profile, review=review, has_conflict=True, details=f"Knew {FAMILY} socially"
    )
    Proposal.objects.create(
        review=review,
        author=w.north_reviewer,
        topic="scope",
        text=f"Add the {FAMILY} uncle",
        answer="accepted",
        answer_reason=f"Agreed with {member.full_name}",
        answered_by=manager,
        answered_at=now,
    )
    tor = ToRVersion.objects.create(review=review, number=1, created_by=manager)
    section = ToRSection.objects.create(
        version=tor, key="purpose", title="Purpose", order=1, body=f"About {FAMILY}"
    )
    comment = ToRComment.objects.create(section=section, author=member, text=f"Mention {FIRST_NAME}'s school")
    ToRComment.objects.create(section=section, parent=comment, author=manager, text="Agreed")
    ToRComment.objects.filter(pk=comment.pk).update(
        addressed_at=now, addressed_by=manager, addressed_how=f"Added {FAMILY} school"
    )
    ToRVersion.objects.filter(pk=tor.pk).update(status="approved", approved_by=chair, approved_at=now)
    SelfCheckAnswer.objects.create(
        review=review,
        marker=6,
        question=1,
        status="met",
        comment=f"{member.full_name} gave input",
        updated_by=manager,
    )

    # Response
    meeting = Meeting.objects.create(
        review=review,
        kind="extraordinary",
        held_on=timezone.localdate(),
        minutes_given=90,
        chaired_by=CHAIRED_BY,
        summary=f"Discussed the {FAMILY} case",
        created_by=manager,
    )
    Attendance.objects.create(meeting=meeting, agency=agency, attendees=f"{ATTENDEE}, Head of Safeguarding")
    finding = Finding.objects.create(
        review=review,
        number=1,
        title=f"Agencies lost track of the {FAMILY} family",
        text=f"{FIRST_NAME} moved schools",
        position="accepted",
        position_reason=f"{ATTENDEE} agreed",
        position_meeting=meeting,
    )
    finding.themes.set(Theme.objects.filter(name__in=["Neglect", "Information sharing"]))
    finding.text = f"{FIRST_NAME} moved schools three times"
    finding.save()  # a second history row with the old text
    FindingDiscussion.objects.create(
        meeting=meeting, finding=finding, discussion=f"{CHAIRED_BY} asked", challenge=f"{FAMILY} records"
    )
    action = Action.objects.create(
        review=review,
        number=1,
        description=f"Track children who move schools, as {FIRST_NAME} did",
        kind="practical",
        function="coordinate",
        level="multi_agency",
        owner_agency=agency,
        owner=member,
        priority=1,
        priority_reason=f"{FAMILY} case",
        due_on=timezone.localdate(),
        status="completed",
        completed_on=timezone.localdate(),
        created_by=manager,
    )
    action.findings.set([finding])
    update = ActionUpdate.objects.create(
        action=action,
        author=member,
        on=timezone.localdate(),
        text=f"Audited after {FAMILY}",
        status_from="in_progress",
        status_to="completed",
    )
    # As the services keep them: the latest update's text copied on the action, for exports.
    export_columns_refresh(action_ids=[action.pk])
    evidence = Evidence(update=update, name=f"{FAMILY} audit.pdf", size=len(PDF))
    evidence.file.save("audit.pdf", ContentFile(PDF), save=False)
    evidence.save()
    EngagementActivity.objects.create(
        review=review,
        audience="frontline",
        audience_detail=f"{ATTENDEE}'s team",
        description="Seven-minute briefing on children who move",
        method="briefing",
        planned_on=timezone.localdate(),
        status="done",
        reached=40,
    )
    content = f"The board's response to {review.reference}. {FAMILY}. {FIRST_NAME}."
    signed = ResponseVersion.objects.create(
        review=review,
        number=1,
        introduction=f"About {FAMILY}",
        content=content,
        created_by=manager,
        signed_by=chair,
        signed_at=now,
        digest=digest_of(content.encode("utf-8")),
    )
    document = Document(
        review=review,
        kind="board_pack",
        data_version="a" * 64,
        label="Board pack",
        status="ready",
        html=f"<p>{FAMILY}</p>",
        sha256=digest_of(PDF),
        size=len(PDF),
        requested_by=manager,
    )
    document.file.save("pack.pdf", ContentFile(PDF), save=False)
    document.save()
    # The merged chronology as a CSV file, made for the manager (its rows name the family and the child).
    chronology_csv = (
        f"\ufeffDate,Agency,What happened\r\n2025-03-01,Police,{FIRST_NAME} seen with the {FAMILY}s\r\n"
    )
    export = Export(
        kind=Export.Kind.CHRONOLOGY,
        review=review,
        query=f"agency={agency.pk}",
        label=f"Merged chronology of {review.reference} (filtered) as a CSV file",
        status="ready",
        size=len(chronology_csv.encode()),
        rows_total=1,
        rows_done=1,
        requested_by=manager,
        finished_at=now,
    )
    export.file.save("chronology.csv", ContentFile(chronology_csv.encode()), save=False)
    export.save()

    close(review, years_ago(26))
    return Rich(
        review=review,
        finding=finding,
        action=action,
        files=[
            review.final_report.name,
            evidence.file.name,
            document.file.name,
            information.report.name,
            draft.file.name,
            export.file.name,
        ],
        signed_digest=signed.digest,
    )


@pytest.fixture
def rich(world, media) -> Rich:
    return build_rich_review(world)


def tables_containing(value: str, skip: tuple[str, ...] = ()) -> dict[str, int]:
    """Every table (and how many rows) where any column, cast to text, contains `value`, case ignored.
    Reads the database's own list of tables and columns: nothing the models might forget."""
    found = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in skip:
                continue
            cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
            columns = [c[0] for c in cursor.description]
            where = " OR ".join(f"UPPER(CAST({quote(c)} AS TEXT)) LIKE UPPER(%s)" for c in columns)
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(table)} WHERE {where}", [f"%{value}%"] * len(columns)
            )
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found
