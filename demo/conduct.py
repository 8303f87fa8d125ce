"""The demo's review in progress (NSCB-2025-04, Child D), made through the real services and then dated to
the story: five agencies asked for information (three in — children's services' chronology of 40 entries,
the police's and the health trust's — one overdue with its author reminded and the agency's board member
told, one not yet due); the plan from the regime's template with one milestone slipped and the board told
why; the governance, the lead reviewer's independence and a challenge resolved; a practitioner event; the
family record with contact attempts; and the first draft of the report out to agencies for factual
accuracy, children's services replied through its board member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from conduct import services
from conduct.inquiry import services as inquiry
from conduct.models import (
    Challenge,
    ChronologyEntry,
    FamilyContact,
    FamilyMember,
    InformationRequest,
    Milestone,
    PractitionerEvent,
)
from conduct.people import services as people
from conduct.plan import services as plan
from conduct.report import services as report
from demo.reviews import _demo_pdf, _person
from reviews import services as services_reviews
from reviews.models import Agency, Membership, ParallelProcess, Review, Role

User = get_user_model()
REFERENCE = "NSCB-2025-04"


@dataclass(frozen=True)
class Author:
    local: str  # the email's local part, at north.example
    name: str
    title: str
    agency: str


AUTHORS = (
    Author(
        "author-csc", "Joanne Pryce", "Team Manager, Safeguarding", "North City Council Children's Services"
    ),
    Author("author-police", "Mark Ellison", "Review Officer, Public Protection", "Shire Constabulary"),
    Author(
        "author-health", "Fiona Grant", "Named Nurse for Safeguarding", "Shire Community Health NHS Trust"
    ),
    Author("author-probation", "Lewis Kaur", "Senior Probation Officer", "Shire Probation Service"),
    Author(
        "author-schools", "Nadia Brooks", "Designated Safeguarding Lead", "North City Schools Partnership"
    ),
)

WHY = {
    "North City Council Children's Services": "Children's social care assessed the family twice; the review needs "
    "every contact, referral and decision in the two years before Child D died, and the agency's own analysis.",
    "Shire Constabulary": "The police attended two domestic incidents at the address; the review needs what was "
    "known about the mother's partner and what was shared with children's social care.",
    "Shire Community Health NHS Trust": "Health visitors saw Child D at home; the review needs each contact, what "
    "was seen of the home and who else was present.",
    "Shire Probation Service": "The mother's partner was supervised by probation; the review needs what probation "
    "knew of his contact with children and how the risk was assessed and shared.",
    "North City Schools Partnership": "Child D's older sibling attended a North City school; the review needs any "
    "safeguarding concerns the school recorded about the household.",
}

# What happened, agency by agency, as a chronology tells it (fictional). Children's social care's 40 entries
# are made from the episodes below, in date order; the others are written out.
CSC_EPISODES = (
    (
        "Referral from the health visitor: concerns about home conditions and a new partner in the home.",
        "concern",
    ),
    ("Referral screened by the front door team; passed for a single assessment.", "routine"),
    ("Home visit by the social worker; mother present, partner not seen.", "routine"),
    ("Checks with the police: the partner has convictions for violence against a former partner.", "key"),
    ("Strategy discussion with the police after a report of shouting at the address.", "key"),
    ("Home visit; Child D seen asleep, the home cluttered but warm.", "routine"),
    ("Mother says the partner does not live at the address.", "concern"),
    ("Telephone call to the health visitor to share the plan.", "routine"),
    ("Single assessment completed: child in need plan; weekly visits.", "concern"),
    ("Child in need meeting; probation not invited.", "key"),
    ("Unannounced visit; no answer at the door.", "concern"),
    ("Home visit; the partner present and declined to speak to the social worker.", "concern"),
    ("Supervision: the case discussed, risk from the partner recorded as unknown.", "concern"),
    ("Child in need review meeting; the school and the health visitor attend.", "routine"),
    ("Social worker changes; handover visit with the new worker.", "routine"),
    ("Mother cancels the visit; rearranged for the following week.", "routine"),
    ("Police notification of a domestic incident received and screened.", "concern"),
    ("Home visit; Child D has a bruise to the cheek, explained as a fall from the sofa.", "key"),
    ("Advice sought from the child protection team; no strategy discussion held.", "key"),
    ("Child in need plan stepped down to early help.", "concern"),
)
CSC_FOLLOW_UPS = (
    ("Letter to mother confirming the assessment.", "routine"),
    ("Team manager's decision recorded: proceed to assessment.", "routine"),
    ("Case note: mother's account of the partner recorded.", "routine"),
    ("Information shared with the health visitor by email.", "routine"),
    ("Outcome of the strategy discussion: single-agency enquiries.", "concern"),
    ("Case note: the partner's belongings seen in the hallway.", "concern"),
    ("Case note: no check made with probation.", "key"),
    ("Health visitor reports a missed appointment.", "concern"),
    ("Plan sent to the family and agencies.", "routine"),
    ("Minutes circulated; actions for the school and the health visitor.", "routine"),
    ("Calling card left; mother rings back the next day.", "routine"),
    ("Manager's oversight: continue the plan, seek the partner's details.", "concern"),
    ("Request to the police for the partner's history not sent.", "key"),
    ("Review minutes: progress said to be good.", "routine"),
    ("Case summary written for the new worker.", "routine"),
    ("Visit completed; Child D seen in the bath, no marks noted.", "routine"),
    ("Mother says the incident was an argument and the partner has left.", "concern"),
    ("Photograph of the bruise not taken; the body map not completed.", "key"),
    ("Case note: the health visitor not told of the bruise.", "key"),
    ("Closure letter sent to mother; early help worker allocated.", "concern"),
)
OTHER_ENTRIES = {
    "Shire Constabulary": (
        ("Domestic incident at the address; partner arrested, released without charge.", "key"),
        ("Risk assessment (DASH) recorded as standard risk.", "concern"),
        ("Notification sent to children's social care.", "routine"),
        ("Second domestic incident; neighbours reported a child crying.", "key"),
        ("Partner's previous convictions checked on the police national computer.", "routine"),
        ("MARAC referral considered and not made.", "concern"),
        ("Officers attended after Child D was taken to hospital.", "key"),
        ("Partner arrested on suspicion of causing grievous bodily harm.", "key"),
    ),
    "Shire Community Health NHS Trust": (
        ("New birth visit; mother reported feeling low.", "routine"),
        ("Six to eight week review; weight on the 25th centile.", "routine"),
        ("Missed appointment at the clinic.", "concern"),
        ("Home visit; an unknown man answered the door and left.", "concern"),
        ("Referral to children's social care about home conditions.", "key"),
        ("One year review; bruise on the forehead explained as a fall.", "key"),
        ("Missed appointment; letter sent.", "concern"),
        ("Telephone contact with mother; no concerns reported.", "routine"),
        ("Two year review not attended.", "concern"),
        ("Emergency department attendance: head injury.", "key"),
    ),
}


def seed_conduct(password: str) -> None:
    """Idempotent: the review's requests are made once, when it has none."""
    review = Review.objects.filter(reference=REFERENCE).select_related("lead_board").first()
    if review is None:
        return
    authors = _authors(review, password)
    if review.information_requests.exists():
        return
    manager = Membership.objects.get(board=review.lead_board, role=Role.BUSINESS_MANAGER, is_active=True).user
    started = review.started_on or timezone.localdate() - timedelta(days=40)
    today = timezone.localdate()
    with transaction.atomic():
        asks = {
            # agency: (asked for, days after the start asked, days allowed, how it ends)
            "North City Council Children's Services": (["chronology", "report"], 3, 21, "accepted"),
            "Shire Constabulary": (["chronology"], 3, 21, "accepted"),
            "Shire Community Health NHS Trust": (["chronology"], 3, 28, "submitted"),
            "Shire Probation Service": (["chronology", "records"], 5, (today - started).days - 10, "overdue"),
            "North City Schools Partnership": (["report"], 30, (today - started).days - 20, "asked"),
        }
        for agency_name, (asked_for, after, allowed, ends) in asks.items():
            agency = Agency.objects.get(name=agency_name)
            asked_on = min(started + timedelta(days=after), today)
            due_on = asked_on + timedelta(days=max(allowed, 1))
            request = services.information_request_create(
                review=review,
                user=manager,
                agency=agency,
                author=authors[agency_name],
                asked_for=asked_for,
                reason=WHY[agency_name],
                due_on=max(due_on, today),
            )
            InformationRequest.objects.filter(pk=request.pk).update(asked_on=asked_on, due_on=due_on)
            request.refresh_from_db()
            if ends in ("accepted", "submitted"):
                _entries(request, authors[agency_name], review)
                if request.wants_report:
                    services.information_report_store(
                        request=request, user=authors[agency_name], upload=_report(agency_name)
                    )
                services.information_submit(request=request, user=authors[agency_name])
                submitted = timezone.make_aware(
                    timezone.datetime.combine(min(due_on - timedelta(days=2), today), time(15, 30))
                )
                InformationRequest.objects.filter(pk=request.pk).update(submitted_at=submitted)
                if ends == "accepted":
                    request.refresh_from_db()
                    services.information_answer(request=request, user=manager, accept=True)
                    InformationRequest.objects.filter(pk=request.pk).update(
                        answered_at=submitted + timedelta(days=1)
                    )
            elif ends == "overdue":
                InformationRequest.objects.filter(pk=request.pk).update(
                    reminded_on=due_on - timedelta(days=2), escalated_on=due_on + timedelta(days=1)
                )
        reviewer = review.appointments.get(ended_at__isnull=True).reviewer
        _plan(review, manager, reviewer, started, today)
        held = _practitioners(review, manager, started, today)
        _trial(review, manager, started)
        _analysis(review, reviewer)
        event_step = review.milestones.get(name="Practitioner event held")
        plan.milestone_done(review=review, user=manager, milestone=event_step, done_on=held)
        _family(review, manager, started, today)
        _draft(review, manager, reviewer, today)


def _plan(review: Review, manager, reviewer, started: date, today: date) -> None:
    """The plan from the template, dated from the start; the agency information milestone slipped (probation
    is late) and the board told; the first one done; governance, independence and a challenge resolved."""
    plan.plan_from_template(review=review, user=manager)
    shift = today - started
    for milestone in review.milestones.all():
        Milestone.objects.filter(pk=milestone.pk).update(
            planned_on=milestone.planned_on - shift, due_on=milestone.due_on - shift
        )
    first, info = list(review.milestones.order_by("due_on", "pk")[:2])
    plan.milestone_done(review=review, user=manager, milestone=first, done_on=min(first.due_on, today))
    info.refresh_from_db()
    plan.milestone_save(
        review=review,
        user=manager,
        name=info.name,
        owner=info.owner,
        due_on=max(info.due_on, today) + timedelta(days=21),
        reason="Probation's chronology is overdue and its records need the court's permission to share; the "
        "lead reviewer cannot start the analysis without them.",
        milestone=info,
    )
    plan.governance_save(
        review=review,
        user=manager,
        quality_assured_by="The board's case review sub-group (chair: Helen Marsh)",
        quality_assurance="The sub-group reads each draft against the terms of reference and the quality "
        "markers, and meets the lead reviewer after the first draft and before the final one.",
        sign_off="The sub-group recommends the final report; the independent chair accepts it for the board.",
    )
    plan.independence_declare(review=review, user=reviewer, independent=True)
    challenge = plan.challenge_record(
        review=review,
        user=manager,
        kind=Challenge.Kind.CHALLENGE,
        issue="Probation questioned whether the partner's supervision records are in scope of the review.",
        raised_by="Shire Probation Service",
        raised_on=started + timedelta(days=12),
        escalated=False,
    )
    plan.challenge_resolve(
        review=review,
        user=manager,
        challenge=challenge,
        resolution="The lead reviewer showed the line of enquiry on the partner's risk; probation agreed to "
        "share the records once the court allows.",
        resolved_on=started + timedelta(days=19),
        escalated=False,
    )


def _trial(review: Review, manager, started: date) -> None:
    """The partner's trial: what it does to the timetable and the terms of reference, and the disclosure
    agreed with the police and the Crown Prosecution Service."""
    trial = review.parallel_processes.get(kind=ParallelProcess.Kind.CRIMINAL)
    services_reviews.parallel_process_save(
        review=review,
        user=manager,
        process=trial,
        kind=trial.kind,
        description=trial.description,
        may_delay_publication=True,
        expected_end=trial.expected_end,
        timetable_effect="The partner is not approached until the verdict; the report is completed on time "
        "but published after the trial.",
        tor_effect="The review does not consider the cause of Child D's injuries, which is for the court.",
        disclosure_agreed_on=started + timedelta(days=6),
        disclosure_agreed_with="Shire Constabulary's senior investigating officer and the Crown Prosecution "
        "Service",
        disclosure_terms="Practitioners may be interviewed about their own practice; witness statements are "
        "not read by the review; the draft goes to the CPS before it is shared beyond the board.",
    )


def _analysis(review: Review, reviewer) -> None:
    """A line of enquiry (from the mother's question) and a key practice episode citing three agencies'
    entries."""
    line = inquiry.enquiry_line_save(
        review=review,
        user=reviewer,
        question="Why did the health visitor's concerns about the home not reach children's social care in "
        "time to change the plan?",
        why="Raised by Child D's mother at her meeting with the lead reviewer.",
    )
    entries = review.chronology_entries.filter(significance=ChronologyEntry.Significance.KEY).order_by(
        "occurred_on", "pk"
    )
    cited = [e.pk for e in entries if e.agency.name != "Shire Probation Service"][:5]
    first, last = entries.first(), entries.last()
    episode = inquiry.episode_save(
        review=review,
        user=reviewer,
        title="The bruise that was explained as a fall",
        starts_on=first.occurred_on,
        ends_on=last.occurred_on,
        summary="A bruise seen by the health visitor and by the social worker was accepted as accidental by "
        "each, and neither told the other.",
        analysis="Each agency judged the injury alone, against its own records; the child in need plan had no "
        "shared way to pool concerns between meetings, and the partner's history was never sought.",
        line_ids=[line.pk],
    )
    inquiry.episode_evidence_set(review=review, user=reviewer, episode=episode, entry_ids=cited)


def _practitioners(review: Review, manager, started: date, today: date) -> date:
    agencies = {a.name: a.pk for a in Agency.objects.filter(boards=review.lead_board)}
    held = max(started + timedelta(days=30), today - timedelta(days=9))
    people.practitioner_event_save(
        review=review,
        user=manager,
        kind=PractitionerEvent.Kind.EVENT,
        purpose="To hear from the practitioners who worked with Child D's family what it was like to work "
        "with them, and what helped or hindered them.",
        held_on=held,
        briefed_on=held - timedelta(days=7),
        support_offered="Each agency's safeguarding lead met its practitioners before and after the event; "
        "the employee assistance line was offered.",
        feedback="Practitioners valued hearing each other's view of the family; several asked to hear the "
        "findings before publication.",
        feedback_on=min(held + timedelta(days=3), today),
        attendance={
            agencies["North City Council Children's Services"]: (5, 4),
            agencies["Shire Constabulary"]: (3, 2),
            agencies["Shire Community Health NHS Trust"]: (3, 3),
            agencies["Shire Probation Service"]: (2, 0),
        },
    )
    return held


def _family(review: Review, manager, started: date, today: date) -> None:
    child = review.children.first()
    told = review.notification_date + timedelta(days=10) if review.notification_date else started
    mother = people.family_member_save(
        review=review,
        user=manager,
        real_name="Kerry Ashdown",
        pseudonym="Mother",
        relationship="Mother",
        child=child,
        told_on=told,
        told_by="The board's business manager",
        told_how=FamilyMember.Told.LETTER,
        support_offered="An advocate from the bereavement service; the letter was sent through her solicitor.",
        consent=FamilyMember.Consent.GIVEN,
        influence="She asked the review to look at why the health visitor's concerns did not reach children's "
        "social care; this became a line of enquiry.",
        saw_draft_on=None,
        draft_comments="",
        not_involved_reason="",
    )
    for on, method, outcome, views in (
        (told + timedelta(days=14), FamilyContact.Method.PHONE, FamilyContact.Outcome.NO_REPLY, ""),
        (told + timedelta(days=21), FamilyContact.Method.LETTER, FamilyContact.Outcome.SPOKE, ""),
        (
            min(started + timedelta(days=20), today),
            FamilyContact.Method.MEETING,
            FamilyContact.Outcome.MET,
            "She felt nobody listened when she said she was frightened of her partner.",
        ),
    ):
        people.family_contact_add(
            member=mother,
            user=manager,
            contacted_on=min(on, today),
            method=method,
            outcome=outcome,
            views=views,
        )
    people.family_member_save(
        review=review,
        user=manager,
        real_name="Jason Pike",
        pseudonym="Mother's partner",
        relationship="Mother's partner",
        child=child,
        told_on=told,
        told_by="The board's business manager",
        told_how=FamilyMember.Told.LETTER,
        support_offered="",
        consent=FamilyMember.Consent.NOT_ASKED,
        influence="",
        saw_draft_on=None,
        draft_comments="",
        not_involved_reason="He awaits trial for Child D's injuries; the police advised that he is not "
        "approached until the trial ends.",
    )


def _draft(review: Review, manager, reviewer, today: date) -> None:
    """The lead reviewer's first draft, out to three agencies for factual accuracy; one replied."""
    upload = _demo_pdf()
    upload.name = upload.display_name = "nscb-2025-04-draft-1.pdf"
    draft = report.draft_add(
        review=review, user=reviewer, upload=upload, notes="First draft, for factual accuracy."
    )
    agencies = list(
        Agency.objects.filter(
            name__in=[
                "North City Council Children's Services",
                "Shire Constabulary",
                "Shire Community Health NHS Trust",
            ]
        )
    )
    checks = report.accuracy_checks_send(
        review=review, user=manager, draft=draft, agencies=agencies, due_on=today + timedelta(days=12)
    )
    # Children's services replied through its board member (who represents it on North's board).
    children = next(c for c in checks if c.agency.name == "North City Council Children's Services")
    member = Membership.objects.get(
        board=review.lead_board, agency=children.agency, role=Role.BOARD_MEMBER, is_active=True
    ).user
    report.accuracy_reply(
        check=children,
        user=member,
        comments=[
            ("Section 3, page 7", "The child in need plan was reviewed three times, not twice."),
            (
                "Section 4, page 9",
                "The step-down to early help was agreed by a team manager, not the social worker.",
            ),
        ],
        no_comments=False,
    )


def _authors(review: Review, password: str) -> dict[str, User]:
    made = {}
    for author in AUTHORS:
        user = _person(f"{author.local}@north.example", author.name, author.title, password)
        Membership.objects.update_or_create(
            user=user,
            board=review.lead_board,
            role=Role.AGENCY_AUTHOR,
            defaults={"agency": Agency.objects.get(name=author.agency), "is_active": True},
        )
        made[author.agency] = user
    return made


def _entries(request: InformationRequest, author, review: Review) -> None:
    """The agency's chronology, dated across the two years before the incident."""
    incident = review.incident_date or timezone.localdate() - timedelta(days=160)
    if request.agency.name == "North City Council Children's Services":
        # The episodes and what followed each: 40 entries.
        events = [entry for pair in zip(CSC_EPISODES, CSC_FOLLOW_UPS, strict=True) for entry in pair]
    else:
        events = list(OTHER_ENTRIES.get(request.agency.name, ()))
    span = 700
    for i, (event, significance) in enumerate(events):
        on: date = incident - timedelta(days=span - (span * i) // len(events))
        services.chronology_entry_save(
            request=request,
            user=author,
            occurred_on=on,
            occurred_at=time(9 + i % 8, (i * 7) % 60) if i % 3 else None,
            event=event,
            source=f"{request.agency.name.split()[0]} case record, entry {i + 1}",
            significance=significance,
        )


def _report(agency_name: str):
    upload = _demo_pdf()
    upload.name = upload.display_name = f"{agency_name.split()[0].lower()}-agency-report.pdf"
    return upload
