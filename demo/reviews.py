"""The demonstration dataset: two neighbouring boards, every role, and reviews, all fictional."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from demo.commissioning import approve_terms
from demo.pdf import DEMO_PDF
from demo.responses import demo_response
from reviews import notifications, services
from reviews.models import (
    Agency,
    Appointment,
    Board,
    Child,
    Criteria,
    Decision,
    Membership,
    Notification,
    ParallelProcess,
    ParticipatingBoard,
    Review,
    Role,
    State,
    TimelineEntry,
)

User = get_user_model()

AGENCIES = [
    # name, kind, boards
    ("North City Council Children's Services", Agency.Kind.CHILDRENS_SOCIAL_CARE, ["North"]),
    ("South County Council Children's Services", Agency.Kind.CHILDRENS_SOCIAL_CARE, ["South"]),
    ("Shire Constabulary", Agency.Kind.POLICE, ["North", "South"]),
    ("Shire Community Health NHS Trust", Agency.Kind.HEALTH, ["North", "South"]),
    ("North City Schools Partnership", Agency.Kind.EDUCATION, ["North"]),
    ("South County Schools Partnership", Agency.Kind.EDUCATION, ["South"]),
    ("Shire Probation Service", Agency.Kind.PROBATION, ["North", "South"]),
]

BOARDS = {
    "North": ("North Safeguarding Children Board", "North City Council"),
    "South": ("South Safeguarding Children Board", "South County Council"),
}


def _board_people(manager: str, member: tuple[str, str, str], chair: str, reviewer: str) -> list[tuple]:
    """A board's people: (email local part, full name, job title, role, agency for the board member).
    `member` is the board member's name, job title and agency; the other roles share their titles."""
    name, title, agency = member
    return [
        ("manager", manager, "LSCB Business Manager", Role.BUSINESS_MANAGER, None),
        ("member", name, title, Role.BOARD_MEMBER, agency),
        ("chair", chair, "Independent Chair", Role.CHAIR, None),
        ("reviewer", reviewer, "Independent Lead Reviewer", Role.LEAD_REVIEWER, None),
    ]


NORTH_MEMBER = ("Tom Okafor", "Head of Safeguarding", "North City Council Children's Services")
SOUTH_MEMBER = ("Aisha Rahman", "Detective Chief Inspector, Public Protection", "Shire Constabulary")
# An action owner: a police officer without a seat on North's board who owns the police's actions of
# North's reviews and sees only those.
NORTH_ACTION_OWNER = (
    "owner",
    "Ravi Patel",
    "Detective Inspector, Child Protection",
    Role.ACTION_OWNER,
    "Shire Constabulary",
)
PEOPLE = {
    "North": [*_board_people("Priya Shah", NORTH_MEMBER, "Helen Marsh", "David Lowe"), NORTH_ACTION_OWNER],
    "South": _board_people("Gareth Evans", SOUTH_MEMBER, "Margaret O'Neill", "Sam Whitfield"),
}


@dataclass(frozen=True)
class DemoReview:
    reference: str
    board: str
    state: State
    days_ago: int  # when the board learned of the incident
    child: str
    age: str
    outcome: str
    summary: str
    participating: tuple[str, ...] = ()
    reviewer: bool = False
    delayed_by_trial: bool = False


DIED, HARMED = Child.Outcome.DIED, Child.Outcome.SERIOUSLY_HARMED
REVIEWS = [
    DemoReview(
        "NSCB-2026-01",
        "North",
        State.REFERRAL,
        3,
        "Child A",
        "9 months",
        HARMED,
        "Admitted to hospital with a skull fracture and older rib fractures; parents gave no explanation.",
    ),
    DemoReview(
        "NSCB-2026-02",
        "North",
        State.DECISION,
        24,
        "Child B",
        "3 years",
        DIED,
        "Died at home; long history of neglect concerns across health visiting and children's social care.",
    ),
    DemoReview(
        "NSCB-2026-03",
        "North",
        State.COMMISSIONING,
        70,
        "Child C",
        "14 years",
        HARMED,
        "Sexual exploitation after the family moved from South to North; missing episodes in both areas.",
        participating=("South",),
        reviewer=True,
    ),
    DemoReview(
        "NSCB-2025-04",
        "North",
        State.IN_PROGRESS,
        160,
        "Child D",
        "2 years",
        DIED,
        "Died of injuries inflicted by the mother's partner, who was known to probation.",
        reviewer=True,
        delayed_by_trial=True,
    ),
    DemoReview(
        "NSCB-2025-02",
        "North",
        State.REPORT_RECEIVED,
        260,
        "Child E",
        "6 years",
        HARMED,
        "Serious neglect found when school raised concerns about weight loss.",
        reviewer=True,
    ),
    DemoReview(
        "NSCB-2025-01",
        "North",
        State.RESPONSE,
        330,
        "Child F",
        "16 years",
        DIED,
        "Suicide of a young person known to mental health services and youth justice.",
        reviewer=True,
    ),
    DemoReview(
        "NSCB-2024-03",
        "North",
        State.PUBLISHED,
        480,
        "Child G",
        "4 months",
        DIED,
        "Sudden unexpected death in infancy with parental substance misuse.",
        reviewer=True,
    ),
    DemoReview(
        "NSCB-2024-01",
        "North",
        State.MONITORING,
        620,
        "Child H",
        "11 years",
        HARMED,
        "Repeated domestic abuse incidents not shared between police and school.",
        reviewer=True,
    ),
    DemoReview(
        "NSCB-2023-02",
        "North",
        State.CLOSED,
        900,
        "Child J",
        "8 years",
        HARMED,
        "Fabricated illness; the review's actions are complete and their impact evidenced.",
        reviewer=True,
    ),
    DemoReview(
        "NSCB-2026-04",
        "North",
        State.NOT_INITIATED,
        60,
        "Child K",
        "5 years",
        HARMED,
        "Accidental injury; agencies worked well together, so a single-agency review was chosen.",
    ),
    DemoReview(
        "SSCB-2026-01",
        "South",
        State.IN_PROGRESS,
        150,
        "Child L",
        "1 year",
        DIED,
        "Died in a house fire; concerns about home conditions had been raised.",
        reviewer=True,
    ),
    DemoReview(
        "SSCB-2026-02",
        "South",
        State.REFERRAL,
        2,
        "Child M",
        "13 years",
        HARMED,
        "Stabbed; known to be criminally exploited by a county lines network.",
    ),
    DemoReview(
        "SSCB-2025-03",
        "South",
        State.WITHDRAWN,
        200,
        "Child N",
        "7 years",
        HARMED,
        "Withdrawn after new information showed the injuries were accidental.",
    ),
    DemoReview(
        "SSCB-2025-01",
        "South",
        State.RESPONSE,
        300,
        "Child P",
        "3 years",
        HARMED,
        "Physical abuse missed at several health appointments.",
        reviewer=True,
    ),
]

# The steps each demo review takes, in order, to reach its state (see workflow.SCR_TRANSITIONS): the main line
# from referral to closure as far as its state, or a turn off it.
MAIN_LINE = [
    (State.DECISION, "send_for_decision"),
    (State.COMMISSIONING, "initiate"),
    (State.IN_PROGRESS, "start_review"),
    (State.REPORT_RECEIVED, "receive_report"),
    (State.RESPONSE, "begin_response"),
    (State.PUBLISHED, "publish"),
    (State.MONITORING, "start_monitoring"),
    (State.CLOSED, "close"),
]
PATHS = {
    State.REFERRAL: [],
    **{state: [step for _, step in MAIN_LINE[: n + 1]] for n, (state, _) in enumerate(MAIN_LINE)},
    State.NOT_INITIATED: ["send_for_decision", "do_not_initiate"],
    State.WITHDRAWN: ["send_for_decision", "initiate", "withdraw"],
}


def _person(email: str, full_name: str, job_title: str, password: str, **extra) -> User:
    """Creates or refreshes a demo account, saving only when something differs (no needless history)."""
    user = User.objects.filter(email=email).first() or User(email=email)
    wanted = {"full_name": full_name, "job_title": job_title, **extra}
    dirty = user.pk is None or any(getattr(user, k) != v for k, v in wanted.items())
    for key, value in wanted.items():
        setattr(user, key, value)
    if not user.check_password(password):
        user.set_password(password)
        dirty = True
    if dirty:
        user.save()
    return user


@transaction.atomic
def seed_demo(password: str) -> dict[str, int]:
    """Creates or refreshes the demo data; running it again changes nothing but the demo passwords."""
    boards = {}
    for key, (name, area) in BOARDS.items():
        boards[key], _ = Board.objects.get_or_create(name=name, defaults={"local_authority_area": area})
    agencies = {}
    for name, kind, board_keys in AGENCIES:
        agencies[name], _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
        agencies[name].boards.add(*(boards[k] for k in board_keys))

    reviewers = {}
    for key, people in PEOPLE.items():
        domain = f"{key.lower()}.example"
        for local, full_name, title, role, agency in people:
            # Demo only: keeps the demo walkable without an authenticator app. South's member is also East's
            # delegated partner for the police, who signs (demo.partnership).
            waived = role == Role.CHAIR or (key, local) == ("South", "member")
            user = _person(f"{local}@{domain}", full_name, title, password, two_factor_waived=waived)
            Membership.objects.update_or_create(
                user=user,
                board=boards[key],
                role=role,
                defaults={"agency": agencies.get(agency), "is_active": True},
            )
            if role == Role.CHAIR and boards[key].independent_chair_id != user.pk:
                boards[key].independent_chair = user
                boards[key].save(update_fields=["independent_chair"])
            if role == Role.LEAD_REVIEWER:
                reviewers[key] = user
    _person(
        "admin@example.com",
        "Alex Morgan",
        "Portal administrator",
        password,
        is_staff=True,
        is_superuser=True,
        two_factor_waived=True,
    )

    managers = {key: User.objects.get(email=f"manager@{key.lower()}.example") for key in BOARDS}
    chairs = {key: User.objects.get(email=f"chair@{key.lower()}.example") for key in BOARDS}
    made = []
    with notifications.muted():
        for plan in REVIEWS:
            if not Review.objects.filter(lead_board=boards[plan.board], reference=plan.reference).exists():
                board = plan.board
                made.append(
                    _demo_review(plan, boards, agencies, managers[board], chairs[board], reviewers[board])
                )
    _demo_inboxes(made)

    return {
        "boards": Board.objects.count(),
        "agencies": Agency.objects.count(),
        "people": User.objects.count(),
        "reviews": Review.objects.count(),
    }


def _demo_review(plan: DemoReview, boards, agencies, manager, chair, reviewer) -> Review:
    """Builds one demo review and walks it through the real workflow to its state, with plausible dates."""
    today = timezone.localdate()
    learned = today - timedelta(days=plan.days_ago)
    board = boards[plan.board]
    review = services.review_create(
        board=board,
        user=manager,
        reference=plan.reference,
        regime=Review._meta.get_field("regime").default,
        case_summary=plan.summary,
        incident_date=learned - timedelta(days=2),
        notification_date=learned,
        criteria=Criteria.STATUTORY,
        criteria_notes="Abuse or neglect is suspected, and there is cause for concern about how agencies worked together.",
        pseudonym=plan.child,
        outcome=plan.outcome,
    )
    Child.objects.filter(review=review).update(age=plan.age)
    review.agencies_known.set([a for a in agencies.values() if board in a.boards.all()][:4])
    for key in plan.participating:
        ParticipatingBoard.objects.create(review=review, board=boards[key])
    if plan.reviewer:
        Appointment.objects.create(review=review, reviewer=reviewer)
    if plan.delayed_by_trial:
        ParallelProcess.objects.create(
            review=review,
            kind=ParallelProcess.Kind.CRIMINAL,
            description="Crown Court trial of the mother's partner",
            expected_end=today + timedelta(days=120),
        )
    _backdate(review, learned)

    steps = PATHS[plan.state]
    when = learned
    for name in steps:
        when = min(when + timedelta(days=max(plan.days_ago // (len(steps) + 1), 1)), today)
        actor = chair if name in ("start_review", "withdraw") else manager
        if name == "start_review":
            approve_terms(Review.objects.get(pk=review.pk), manager, chair, on=when)
        if name in ("begin_response", "publish"):
            demo_response(Review.objects.get(pk=review.pk), manager, chair, on=when, upto=name)
        services.review_transition(
            review_id=review.pk, name=name, user=actor, data=_step_data(name, when, learned, chair)
        )
        _backdate(review, when)
    if plan.state == State.RESPONSE:
        demo_response(Review.objects.get(pk=review.pk), manager, chair, on=when, upto="draft")
    return review


def _step_data(name: str, when: date, learned: date, chair) -> dict:
    decision = {
        "decision_date": when,
        "decided_by": chair,
        "decision_rationale": "The statutory criteria are met and there are lessons about how agencies worked together.",
        "national_panel_notified_on": learned + timedelta(days=3),
        "inspectorate_notified_on": learned + timedelta(days=3),
    }
    return {
        "send_for_decision": {"note": "Referral complete; all agencies have confirmed their involvement."},
        "initiate": decision,
        "do_not_initiate": {
            **decision,
            "decision": Decision.OTHER_REVIEW,
            "decision_rationale": "Criteria not met; a single-agency review will capture the learning.",
        },
        "start_review": {"started_on": when, "note": "Terms of reference approved."},
        "receive_report": {
            "final_report": _demo_pdf(),
            "report_received_on": when,
            "note": "Final report received from the lead reviewer.",
        },
        "begin_response": {"note": "Extraordinary meeting arranged to discuss the findings."},
        "publish": {"report_published_on": when, "response_published_on": when, "note": ""},
        "start_monitoring": {"note": "Actions handed to the learning and improvement sub-group."},
        "close": {
            "closed_on": when,
            "end_reason": "All actions completed and their impact evidenced by audit.",
        },
        "withdraw": {"end_reason": "New medical evidence showed the injuries were accidental."},
    }[name]


def _demo_pdf() -> SimpleUploadedFile:
    upload = SimpleUploadedFile("final-report.pdf", DEMO_PDF, content_type="application/pdf")
    upload.display_name = "final-report.pdf"
    return upload


def _backdate(review: Review, when: date) -> None:
    """Demo only: dates the latest stage change and timeline entry to the story's date, not today's."""
    moment = timezone.make_aware(timezone.datetime.combine(when, timezone.datetime.min.time())) + timedelta(
        hours=10
    )
    Review.objects.filter(pk=review.pk).update(state_changed_at=moment)
    latest = TimelineEntry.objects.filter(review=review).order_by("-pk").first()
    if latest:
        TimelineEntry.objects.filter(pk=latest.pk).update(at=moment)


def _demo_inboxes(reviews: list[Review]) -> None:
    """Demo only: each person's notifications reflect where the reviews stand now (not every stage the
    story passed through), and nothing is emailed for a made-up past."""
    if not reviews:
        return
    for review in Review.objects.filter(pk__in=[r.pk for r in reviews]).select_related("lead_board"):
        notifications.notify_stage_reached(review, actor=None)
    Notification.objects.filter(review__in=reviews).update(emailed_at=timezone.now())
