"""The demonstration's safeguarding partnership, East: the regime since 2019 beside North's and South's
Local Safeguarding Children Boards. Its three statutory partners (East Borough Council, East Integrated Care
Board and Shire Constabulary, which also serves North and South) each have a lead and a delegated partner;
the police's delegated partner is South's board member, Aisha Rahman: one person, a partner on one body and a
member on another. It holds practice reviews at each part of the new path, walked through the real workflow:
a serious incident just notified, a rapid review with agencies' summaries partly in (one overdue), a review
in commissioning, one at the partners' response with two of three signatures, and a published one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo.commissioning import approve_terms
from demo.responses import demo_response
from demo.reviews import _backdate, _demo_inboxes, _demo_pdf, _person
from reviews import notifications, services
from reviews.models import (
    Agency,
    AgencySummary,
    Appointment,
    Board,
    BodyKind,
    Child,
    Criteria,
    Membership,
    PanelReply,
    Recommendation,
    Regime,
    Review,
    Role,
    State,
    StatutoryPartner,
)
from scr_portal import workdays

User = get_user_model()

NAME = "East Safeguarding Children Partnership"
AREA = "East Borough Council"

AGENCIES = [
    # name, kind, the statutory partner it is (or None for a relevant agency)
    (
        "East Borough Council Children's Services",
        Agency.Kind.CHILDRENS_SOCIAL_CARE,
        StatutoryPartner.LOCAL_AUTHORITY,
    ),
    ("East Integrated Care Board", Agency.Kind.HEALTH, StatutoryPartner.INTEGRATED_CARE_BOARD),
    ("Shire Constabulary", Agency.Kind.POLICE, StatutoryPartner.POLICE),
    ("East Borough Schools", Agency.Kind.EDUCATION, None),
    ("Shire Community Health NHS Trust", Agency.Kind.HEALTH, None),
]
LA, ICB, POLICE = (a[0] for a in AGENCIES[:3])

# email local part, full name, job title, role, agency, statutory partner
PEOPLE = [
    ("manager", "Nadia Hussain", "Partnership Business Manager", Role.BUSINESS_MANAGER, None, ""),
    ("chair", "Richard Boateng", "Independent Partnership Chair", Role.CHAIR, None, ""),
    ("scrutineer", "Fiona Gallagher", "Independent Scrutineer", Role.SCRUTINEER, None, ""),
    (
        "lead-la",
        "Claire Whitmore",
        "Chief Executive, East Borough Council",
        Role.LEAD_PARTNER,
        LA,
        "local_authority",
    ),
    (
        "delegate-la",
        "Marcus Green",
        "Director of Children's Services",
        Role.DELEGATED_PARTNER,
        LA,
        "local_authority",
    ),
    ("lead-icb", "Dr Anjali Mehta", "Chief Executive, East ICB", Role.LEAD_PARTNER, ICB, "icb"),
    ("delegate-icb", "Joanne Price", "Chief Nursing Officer, East ICB", Role.DELEGATED_PARTNER, ICB, "icb"),
    (
        "lead-police",
        "Chief Constable Paul Hart",
        "Chief Constable, Shire Constabulary",
        Role.LEAD_PARTNER,
        POLICE,
        "police",
    ),
    (
        "member",
        "Olivia Bennett",
        "Designated Safeguarding Lead",
        Role.BOARD_MEMBER,
        "East Borough Schools",
        "",
    ),
    ("reviewer", "Kate Brennan", "Independent Lead Reviewer", Role.LEAD_REVIEWER, None, ""),
]
# South's board member, the police's delegated partner on East (`demo.reviews` makes the account).
POLICE_DELEGATE = "member@south.example"


@dataclass(frozen=True)
class PracticeReview:
    reference: str
    state: State
    days_ago: int  # when the local authority became aware of the incident
    child: str
    age: str
    outcome: str
    summary: str
    reviewer: bool = False


DIED, HARMED = Child.Outcome.DIED, Child.Outcome.SERIOUSLY_HARMED
REVIEWS = [
    PracticeReview(
        "ESCP-2026-05",
        State.REFERRAL,
        2,
        "Child Q",
        "5 weeks",
        HARMED,
        "Brought to hospital with bruising to the face; a non-mobile baby with no explanation given.",
    ),
    PracticeReview(
        "ESCP-2026-04",
        State.RAPID_REVIEW,
        16,
        "Child R",
        "15 years",
        HARMED,
        "Found with serious injuries after going missing; known to be exploited by older men.",
    ),
    PracticeReview(
        "ESCP-2026-03",
        State.DECISION,
        45,
        "Child P",
        "9 years",
        HARMED,
        "Admitted with malnutrition; home-schooled, and not seen by any agency for a year.",
    ),
    PracticeReview(
        "ESCP-2026-02",
        State.COMMISSIONING,
        75,
        "Child S",
        "2 years",
        DIED,
        "Died after ingesting methadone at home; the family was open to early help.",
        reviewer=True,
    ),
    PracticeReview(
        "ESCP-2025-03",
        State.RESPONSE,
        330,
        "Child T",
        "8 months",
        HARMED,
        "Shaken; the father's history of violence was known to the police but not to the health visitor.",
        reviewer=True,
    ),
    PracticeReview(
        "ESCP-2025-01",
        State.PUBLISHED,
        520,
        "Child U",
        "12 years",
        DIED,
        "Died by suicide after months of bullying online; seen by school nurses and the GP.",
        reviewer=True,
    ),
]

# The steps to each stage of the practice review's path.
MAIN_LINE = [
    (State.RAPID_REVIEW, "notify_incident"),
    (State.WITH_PANEL, "send_rapid_review"),
    (State.DECISION, "record_panel_reply"),
    (State.COMMISSIONING, "initiate"),
    (State.IN_PROGRESS, "start_review"),
    (State.REPORT_RECEIVED, "receive_report"),
    (State.RESPONSE, "begin_response"),
    (State.PUBLISHED, "publish"),
]
PATHS = {
    State.REFERRAL: [],
    **{state: [step for _, step in MAIN_LINE[: n + 1]] for n, (state, _) in enumerate(MAIN_LINE)},
}


@transaction.atomic
def seed_partnership(password: str) -> list[Review]:
    """Creates or refreshes East, its people and its practice reviews (after `demo.reviews.seed_demo`, whose
    South member is a partner here); returns the reviews made now."""
    board, _ = Board.objects.get_or_create(
        name=NAME, defaults={"local_authority_area": AREA, "kind": BodyKind.PARTNERSHIP}
    )
    agencies = {}
    for name, kind, _partner in AGENCIES:
        agencies[name], _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
        agencies[name].boards.add(board)
    people = {}
    for local, full_name, title, role, agency, partner in PEOPLE:
        # Demo only: the chair and the partners, who must use a second factor, have it waived.
        waived = role in (Role.CHAIR, Role.LEAD_PARTNER, Role.DELEGATED_PARTNER)
        people[local] = user = _person(
            f"{local}@east.example", full_name, title, password, two_factor_waived=waived
        )
        Membership.objects.update_or_create(
            user=user,
            board=board,
            role=role,
            defaults={"agency": agencies.get(agency), "partner": partner, "is_active": True},
        )
    delegate = User.objects.get(email=POLICE_DELEGATE)
    Membership.objects.update_or_create(
        user=delegate,
        board=board,
        role=Role.DELEGATED_PARTNER,
        defaults={"agency": agencies[POLICE], "partner": StatutoryPartner.POLICE, "is_active": True},
    )
    people["delegate-police"] = delegate
    if board.independent_chair_id != people["chair"].pk:
        board.independent_chair = people["chair"]
        board.save(update_fields=["independent_chair"])
    made = []
    with notifications.muted():
        for plan in REVIEWS:
            if not Review.objects.filter(lead_board=board, reference=plan.reference).exists():
                made.append(_practice_review(plan, board, agencies, people))
    _demo_inboxes(made)
    return made


def _practice_review(plan: PracticeReview, board: Board, agencies: dict, people: dict) -> Review:
    today = timezone.localdate()
    aware = today - timedelta(days=plan.days_ago)
    manager = people["manager"]
    review = services.review_create(
        board=board,
        user=manager,
        reference=plan.reference,
        regime=Regime.PRACTICE_REVIEW,
        case_summary=plan.summary,
        incident_date=aware - timedelta(days=1),
        notification_date=aware,
        criteria=Criteria.STATUTORY,
        criteria_notes="Abuse or neglect is known or suspected and the child has died or been seriously harmed.",
        pseudonym=plan.child,
        outcome=plan.outcome,
    )
    Child.objects.filter(review=review).update(age=plan.age)
    review.agencies_known.set(agencies.values())
    if plan.reviewer:
        Appointment.objects.create(review=review, reviewer=people["reviewer"])
    _backdate(review, aware)
    notified = workdays.add_working_days(aware, 3)
    dates = {
        "notify_incident": notified,
        "send_rapid_review": workdays.add_working_days(notified, 13),
        "record_panel_reply": workdays.add_working_days(notified, 20),
        "initiate": workdays.add_working_days(notified, 24),
        "start_review": workdays.add_working_days(notified, 45),
        "receive_report": workdays.add_working_days(notified, 170),
        "begin_response": workdays.add_working_days(notified, 180),
        "publish": workdays.add_working_days(notified, 230),
    }
    for name in PATHS[plan.state]:
        when = min(dates.get(name, today), today)
        if name == "send_rapid_review":
            _summaries(review, manager, agencies, asked=notified, when=when, all_in=True)
        if name == "start_review":
            approve_terms(Review.objects.get(pk=review.pk), manager, people["chair"], on=when)
        if name in ("begin_response", "publish"):
            # The response signed by the three statutory partners: the police by its delegate, South's
            # board member.
            signers = [people["lead-la"], people["delegate-icb"], people["delegate-police"]]
            demo_response(
                Review.objects.get(pk=review.pk),
                manager,
                people["chair"],
                on=when,
                upto=name,
                signers=signers,
            )
        data = _step_data(name, when, review, people)
        if name == "initiate":
            # The partners' decision, signed by each statutory partner (the police by its delegate).
            for hour, signer in enumerate(("lead-la", "delegate-icb", "delegate-police"), start=9):
                at = timezone.make_aware(datetime.combine(when, time(hour)))
                services.review_transition(
                    review_id=review.pk, name=name, user=people[signer], data=data, at=at
                )
        else:
            actor = people["lead-la"] if name == "start_review" else manager
            services.review_transition(review_id=review.pk, name=name, user=actor, data=data)
        _backdate(review, when)
    if plan.state == State.RESPONSE:
        # Two of the three partners have signed the draft; the integrated care board is still to sign.
        demo_response(
            Review.objects.get(pk=review.pk),
            manager,
            people["chair"],
            on=when,
            upto="draft",
            signers=[people["lead-la"], people["delegate-police"]],
        )
    if plan.state == State.RAPID_REVIEW:
        _summaries(review, manager, agencies, asked=notified, when=today, all_in=False)
    if plan.state == State.DECISION:
        # The Panel agreed; the local authority has signed the decision to hold a local review, and the
        # integrated care board and the police are still to sign it.
        when = min(dates["initiate"], today)
        services.review_transition(
            review_id=review.pk,
            name="initiate",
            user=people["lead-la"],
            data=_step_data("initiate", when, review, people),
            at=timezone.make_aware(datetime.combine(when, time(9))),
        )
    return review


def _summaries(review: Review, manager, agencies: dict, *, asked: date, when: date, all_in: bool) -> None:
    """Agencies asked for a summary of their involvement. All in, for a rapid review already sent; else
    two in, one awaited and one overdue. Written directly, as the demo's other made-up past is: the service
    asks for summaries due from today on."""
    names = [LA, ICB, POLICE, "East Borough Schools"]
    due = {name: workdays.add_working_days(asked, 5) for name in names}
    if not all_in:  # the schools' summary is overdue by now; the ICB's is awaited, not yet due
        due[ICB] = workdays.add_working_days(timezone.localdate(), 2)
    for n, name in enumerate(names):
        received = all_in or n in (0, 2)
        AgencySummary.objects.create(
            review=review,
            agency=agencies[name],
            requested_by=manager,
            requested_on=asked,
            due_on=due[name],
            received_on=min(due[name], when) if received else None,
            summary=SUMMARIES[name] if received else "",
        )


SUMMARIES = {
    LA: "Open to early help for 7 months; two contacts from school about missing episodes were not linked.",
    ICB: "Seen by the GP twice for anxiety; no safeguarding concerns recorded at either appointment.",
    POLICE: "Reported missing four times in three months; return home interviews were offered once.",
    "East Borough Schools": "Attendance fell to 61% in the spring term; the school made one referral.",
}


def _step_data(name: str, when: date, review: Review, people: dict) -> dict:
    if name == "notify_incident":
        data = {
            "incident_notified_on": when,
            "incident_notified_by": "Marcus Green, Director of Children's Services",
        }
        for child in review.children.all():
            data[f"reference_{child.pk}"] = f"SIN-{review.reference[-7:]}-{child.pk:03}"
        return {**data, "note": ""}
    if name == "send_rapid_review":
        return {
            "rapid_review_meeting_on": when,
            "immediate_safety_actions": "Siblings seen and safety plans agreed; the family's housing moved up the list.",
            "learning_identified": "Missing episodes were handled one at a time; no agency saw the pattern of exploitation.",
            "recommendation": Recommendation.LOCAL_REVIEW,
            "recommendation_reasons": "There is learning about how agencies shared what they knew.",
            "sent_to_panel_on": when,
            "note": "",
        }
    if name == "record_panel_reply":
        return {
            "panel_reply": PanelReply.AGREES,
            "panel_replied_on": when,
            "panel_reply_reasons": "",
            "note": "",
        }
    if name == "initiate":
        return {
            "decision_date": when,
            "decision_rationale": "The partners agree with the rapid review: a local review will bring out how agencies shared information.",
            "national_panel_notified_on": when,
            "inspectorate_notified_on": when,
        }
    if name == "start_review":
        return {"started_on": when, "note": "Terms of reference approved."}
    if name == "receive_report":
        return {"final_report": _demo_pdf(), "report_received_on": when, "note": "Final report received."}
    if name == "begin_response":
        return {"note": "Partnership meeting arranged to discuss the findings."}
    if name == "publish":
        return {
            # Sent to the Panel, the Secretary of State and Ofsted more than 7 working days before.
            "publication_notice_on": when - timedelta(days=16),
            "report_published_on": when,
            "response_published_on": when,
            "note": "",
        }
    raise KeyError(name)
