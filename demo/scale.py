"""A national-scale synthetic dataset, built in bulk: what `manage.py seed_scale` makes.

England had about 150 boards; one installation may serve them all, each with years of reviews. At size 1.0
this makes 150 boards, 2,000 people, 6,000 reviews spread over every state, 120,000 actions with 300,000
progress updates, 250,000 comments on terms of reference and 30,000 findings, with what each state implies
(decisions, scope, terms of reference, appointments, findings and positions, meetings, signed responses,
timelines). Then what years of use leave behind: about a year of notifications for everyone (1,500 for the
largest board's business manager, the newest unread), 1,000,000 rows of the review access log (who opened
which review, among the people on it), and the history rows of everything (django-simple-history's tables,
written by `demo.scale_history`: about 1.3 million, plus their many-to-many rows). Smaller sizes scale every
count.

Board 001 is the largest, and holds the pages the benchmark measures: a review at monitoring with 500 actions
and a terms-of-reference version out for comment with 200 comments (both scaled down with the size).

Rows go in with `bulk_create` (the access log, notifications and history with COPY), so no signal runs and
no service writes anything of its own; everything the pages read is consistent with what the services would
have written (states and their dates, the next deadline, signed digests, history rows that end on each
object as it is). Dates go in as given, auto_now ones included, so each row's dates and its history agree. Every person signs in with `PASSWORD` and is excused two-factor authentication:
the data is made up, and the benchmark signs chairs in with a password alone."""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice, pairwise

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.models import (
    AgencyInvolvement,
    Factor,
    FactorAssessment,
    InputInvitation,
    InputReply,
    InputRound,
    LineOfEnquiry,
    Scope,
    ToRComment,
    ToRSection,
    ToRVersion,
    Weight,
)
from commissioning.tor.assemble import SECTIONS
from demo.pdf import DEMO_PDF
from demo.scale_history import ScaleHistory, write_rows
from responses.actions.services import export_columns_refresh
from responses.actions.workflow import DEFERRED_STATUSES, DONE_STATUSES, EVIDENCED_STATUSES
from responses.models import (
    Action,
    ActionUpdate,
    Attendance,
    EngagementActivity,
    Finding,
    FindingDiscussion,
    LearningItem,
    Meeting,
    PlanPeriod,
    PlanPriority,
    Position,
    ResponseVersion,
    Theme,
    digest_of,
)
from reviews.models import (
    Agency,
    Appointment,
    Board,
    Child,
    Criteria,
    Decision,
    Membership,
    Notification,
    ParticipatingBoard,
    Review,
    ReviewAccess,
    Role,
    State,
    TimelineEntry,
)
from reviews.services import review_refresh_due
from reviews.workflow import TABLES

User = get_user_model()

PASSWORD = "scale-password"  # noqa: S105  # nosec B105 - made-up people of a synthetic dataset
BATCH = 5000
REPORT_NAME = "reports/scale/final-report.pdf"

# Size 1.0: the national figures the issue sets.
NATIONAL = {
    "boards": 150,
    "users": 2000,
    "reviews": 6000,
    "actions": 120_000,
    "updates": 300_000,
    "comments": 250_000,
    "findings": 30_000,
    "review accesses": 1_000_000,
}
LEAD_REVIEWERS = 0.05  # of the people
AGENCIES_PER_BOARD = 6
LARGEST_SHARE = 400 / 6000  # of the reviews, led by board 001
BIG_ACTIONS = 500
BIG_FINDINGS = 40
BIG_COMMENTS = 200
BIG_TIMELINE = 150
BIG_NOTIFICATIONS = 1500  # for the largest board's business manager

# An action's status before its last move (the seed's history takes it there one valid move at a time).
STATUS_BEFORE = {
    Action.Status.IN_PROGRESS: Action.Status.AGREED,
    Action.Status.COMPLETED: Action.Status.IN_PROGRESS,
    Action.Status.IMPACT_EVIDENCED: Action.Status.COMPLETED,
    Action.Status.DEFERRED: Action.Status.AGREED,
}

# The path a review takes, and how the 6,000 spread over it (plus the two ways out).
# The national dataset is of Serious Case Reviews (the legacy regime): its stages and who acts at each.
SCR = TABLES["scr"]
PATH = SCR.main_path
STATE_SHARES = {
    State.REFERRAL: 4,
    State.DECISION: 4,
    State.COMMISSIONING: 9,
    State.IN_PROGRESS: 10,
    State.REPORT_RECEIVED: 5,
    State.RESPONSE: 8,
    State.PUBLISHED: 10,
    State.MONITORING: 26,
    State.CLOSED: 19,
    State.NOT_INITIATED: 3,
    State.WITHDRAWN: 2,
}
AGENCY_KINDS = [
    ("Children's Social Care", Agency.Kind.CHILDRENS_SOCIAL_CARE),
    ("Police", Agency.Kind.POLICE),
    ("Integrated Care Board", Agency.Kind.HEALTH),
    ("Education", Agency.Kind.EDUCATION),
    ("Probation Service", Agency.Kind.PROBATION),
    ("Housing", Agency.Kind.OTHER),
]
FIRST = [
    "Sam",
    "Alex",
    "Jo",
    "Priya",
    "Tom",
    "Aisha",
    "Chris",
    "Mo",
    "Ruth",
    "Dev",
    "Ellie",
    "Ola",
    "Ken",
    "Sian",
    "Ben",
    "Nadia",
    "Rob",
    "Fay",
    "Imran",
    "Lucy",
]
LAST = [
    "Patel",
    "Jones",
    "Smith",
    "Khan",
    "Brown",
    "Taylor",
    "Evans",
    "Hughes",
    "Ahmed",
    "Walsh",
    "Price",
    "Lewis",
    "Green",
    "Ali",
    "Wood",
    "Hall",
]
SENTENCES = [
    "Agencies each held part of the picture, but no one brought it together.",
    "The health visitor knew the appointments were missed; the school knew the child was often hungry.",
    "Thresholds were applied agency by agency, so the risk never reached any one of them.",
    "Practitioners were unsure what they could share without the parents' consent.",
    "Supervision focused on throughput rather than on the child's daily experience.",
    "The father's history was known to the police but not to children's social care.",
    "Escalation was discussed but not used when the plan was not followed.",
    "Strategy discussions did not include health professionals who knew the family.",
    "The voice of the child was not recorded in any agency's assessment.",
    "Housing moves meant the family changed GP and school three times in a year.",
]
ACTIONS = [
    "Revise the multi-agency threshold document and brief every agency on it.",
    "Audit information sharing between health visiting and children's social care.",
    "Run learning events for frontline practitioners on escalation.",
    "Add the child's daily lived experience to the supervision template.",
    "Agree a protocol for inviting health professionals to strategy discussions.",
    "Report quarterly to the board on use of the escalation policy.",
]
PROGRESS = [
    "Draft circulated to agencies for comment.",
    "Briefings delivered to three teams; two more booked.",
    "Audit completed; findings going to the next sub-group.",
    "Template changed and in use since the start of the month.",
    "Delayed by staff changes; new date agreed with the lead.",
    "Evidence of impact gathered from a dip sample of cases.",
]
COMMENTS = [
    "Please include the period before the family moved into the area.",
    "Health would like the GP practice to be asked for a chronology.",
    "Could the lines of enquiry say more about the father's involvement?",
    "We agree with the proposed method.",
    "The timescale looks tight given the criminal proceedings.",
    "Education can provide attendance records for the whole period.",
]


@dataclass(frozen=True)
class Sizes:
    boards: int
    users: int
    reviews: int
    actions: int
    updates: int
    comments: int
    findings: int
    accesses: int
    big_actions: int
    big_findings: int
    big_comments: int
    big_timeline: int
    big_notifications: int

    @classmethod
    def scaled(cls, size: float) -> Sizes:
        def n(value: float, least: int) -> int:
            return max(least, round(value * size))

        boards = n(NATIONAL["boards"], 3)
        return cls(
            boards=boards,
            users=n(NATIONAL["users"], boards * 4 + 2),
            reviews=n(NATIONAL["reviews"], len(STATE_SHARES) * 2),
            actions=n(NATIONAL["actions"], 40),
            updates=n(NATIONAL["updates"], 40),
            comments=n(NATIONAL["comments"], 40),
            findings=n(NATIONAL["findings"], 30),
            accesses=n(NATIONAL["review accesses"], 200),
            # At small sizes, still well above the average review's, so they stay the biggest.
            big_actions=max(
                n(BIG_ACTIONS, 10), 5 * n(NATIONAL["actions"], 40) // max(1, n(NATIONAL["reviews"], 1))
            ),
            big_findings=n(BIG_FINDINGS, 3),
            big_comments=max(
                n(BIG_COMMENTS, 10), 4 * n(NATIONAL["comments"], 40) // max(1, n(NATIONAL["reviews"], 1))
            ),
            big_timeline=n(BIG_TIMELINE, 12),
            big_notifications=n(BIG_NOTIFICATIONS, 60),
        )


@dataclass
class Made:
    """What was made, model by model."""

    counts: Counter = field(default_factory=Counter)
    history: int = 0  # history rows (versions of objects), in all
    history_links: int = 0  # their many-to-many rows


@dataclass
class BoardPeople:
    manager: int
    chair: int
    members: list[tuple[int, int]]  # (user id, agency id)
    agencies: list[int]
    priorities: list[int] = field(default_factory=list)


@dataclass(eq=False)  # hashed by identity: used as a key when spreading counts over reviews
class R:
    """A review as built: its row and what later parts need to know of it."""

    review: Review
    board: int
    stage: int  # how far along PATH it got (for the two ways out: where it left)
    big: str = ""  # "actions" or "comments" for the two reviews the benchmark reads
    finding_ids: list[int] = field(default_factory=list)
    meeting_id: int | None = None
    actions: int = 0  # how many it has, numbered from 1
    reviewer: int | None = None  # the lead reviewer appointed
    tor: bool = False  # has terms of reference (version 1)


@contextmanager
def dates_as_given(model: type[models.Model]) -> Iterator[list[str]]:
    """`bulk_create` stamps auto_now and auto_now_add fields with the present moment; while this lasts the
    model's such fields keep the value each row gives (yields their attnames). The fields are put back."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield [f.attname for f in fields]
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def chunks(items: Iterable, size: int = BATCH) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class Builder:
    def __init__(self, size: float = 1.0, *, seed: int = 2026, log: Callable[[str], None] = print) -> None:
        self.sizes = Sizes.scaled(size)
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311 - synthetic data, reproducible by seed
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.latest = self.now - timedelta(minutes=5)
        self.zone = timezone.get_current_timezone()
        # The portal went live six years ago: the boards and their first people date from then.
        self.board_started = self.moment(self.today - timedelta(days=6 * 365), 9)
        self.log = log
        self.made = Made()
        self.people: dict[int, BoardPeople] = {}
        self.reviewers: list[int] = []
        self.reviews: list[R] = []
        self.creator: dict[int, int] = {}  # person: who added them to the portal
        self.agency_board: dict[int, int] = {}
        self.meeting_held: dict[int, date] = {}
        # person: (review id, action number, due date) of each action they own, for their notifications
        self.owned: dict[int, list[tuple[int, int, date]]] = defaultdict(list)

    # Plumbing ------------------------------------------------------------------------------------------

    def insert(self, model: type[models.Model], rows: Iterable[models.Model]) -> list[models.Model]:
        """Inserts in batches; returns the rows with their primary keys. Dates go in as each row gives them
        (the data is dated over years, and its history follows those dates), auto_now ones included."""
        made: list[models.Model] = []
        with dates_as_given(model) as automatic:
            for batch in chunks(rows):
                for row in batch:
                    for attname in automatic:
                        if getattr(row, attname) is None:
                            setattr(row, attname, self.now)
                made.extend(model.objects.bulk_create(batch, batch_size=BATCH))
        self.made.counts[str(model._meta.verbose_name_plural)] += len(made)
        return made

    def insert_links(self, through: type[models.Model], rows: Iterable[models.Model]) -> None:
        n = 0
        for batch in chunks(rows):
            through.objects.bulk_create(batch, batch_size=BATCH)
            n += len(batch)
        self.made.counts[str(through._meta.verbose_name_plural)] += n

    def moment(self, day: date, hour: int = 10) -> datetime:
        """A time on `day` (in office hours), never later than now."""
        at = datetime.combine(day, datetime.min.time(), tzinfo=self.zone) + timedelta(
            hours=hour, minutes=self.rng.randrange(60)
        )
        return min(at, self.latest)

    def text(self, n: int = 2) -> str:
        return " ".join(self.rng.sample(SENTENCES, n))

    def name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def spread(self, total: int, over: list, least: int = 0) -> Counter:
        """`total` units over `over`, at least `least` each, the rest at random (a multinomial)."""
        counts = Counter(dict.fromkeys(over, least))
        rest = total - least * len(over)
        if rest > 0 and over:
            counts.update(self.rng.choices(over, k=rest))
        return counts

    def spread_with_big(self, total: int, rows: list[R], big_each: int) -> Counter:
        """`total` over `rows`: `big_each` for each of the benchmark's big reviews among them, the rest at
        random over the others, at least one each."""
        big = [r for r in rows if r.big]
        counts = self.spread(total - big_each * len(big), [r for r in rows if not r.big], least=1)
        counts.update(dict.fromkeys(big, big_each))
        return counts

    def step(self, label: str, fn: Callable[[], None]) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            fn()
        elapsed = time.perf_counter() - started
        self.log(f"  {label:<34} {elapsed:7.1f} s")

    # The whole ------------------------------------------------------------------------------------------

    def build(self) -> Made:
        if Board.objects.filter(name=self.board_name(1)).exists():
            raise ValueError(
                "The scale dataset is already in this database. Build it in an empty, migrated database."
            )
        for label, fn in [
            ("boards, agencies and people", self.boards_and_people),
            ("business plans and learning", self.plans),
            ("reviews", self.make_reviews),
            ("timelines", self.timelines),
            ("commissioning", self.commissioning),
            ("terms of reference and comments", self.terms_of_reference),
            ("findings and meetings", self.findings_and_meetings),
            ("actions", self.actions),
            ("progress updates", self.updates),
            ("what exports read of findings and progress", self.export_columns),
            ("written responses", self.responses),
            ("notifications", self.notifications),
            ("review access log", self.access_log),
        ]:
            self.step(label, fn)
        history = ScaleHistory(self)
        for label, fn in [
            ("history: people and boards", history.people_and_boards),
            ("history: reviews", history.reviews),
            ("history: commissioning", history.commissioning),
            ("history: terms of reference", history.terms_of_reference),
            ("history: plans and learning", history.plans),
            ("history: findings and meetings", history.findings_and_meetings),
            ("history: actions and responses", history.actions),
        ]:
            self.step(label, fn)
        history.finish()
        return self.made

    @staticmethod
    def board_name(i: int) -> str:
        return f"Board {i:03}"

    # Boards and people ------------------------------------------------------------------------------------

    def boards_and_people(self) -> None:
        s = self.sizes
        password = make_password(PASSWORD)
        boards = self.insert(
            Board,
            (
                Board(name=self.board_name(i), local_authority_area=f"Area {i:03}")
                for i in range(1, s.boards + 1)
            ),
        )
        self.boards = boards
        agencies = self.insert(
            Agency,
            (
                Agency(name=f"Area {i:03} {label}", kind=kind)
                for i in range(1, s.boards + 1)
                for label, kind in AGENCY_KINDS
            ),
        )
        Link = Agency.boards.through
        self.insert_links(
            Link,
            (
                Link(agency_id=agency.pk, board_id=boards[n // AGENCIES_PER_BOARD].pk)
                for n, agency in enumerate(agencies)
            ),
        )
        self.agency_board = {
            agency.pk: boards[n // AGENCIES_PER_BOARD].pk for n, agency in enumerate(agencies)
        }
        first = self.today - timedelta(days=6 * 365)

        def person(email: str, job: str, *, founder: bool = False) -> User:
            """Business managers and chairs were there from the start; the others joined since."""
            joined = (
                self.board_started
                if founder
                else self.moment(first + timedelta(days=self.rng.randrange(2, 2000)))
            )
            return User(
                email=email,
                full_name=self.name(),
                job_title=job,
                password=password,
                two_factor_waived=True,
                date_joined=joined,
            )

        n_reviewers = max(2, round(s.users * LEAD_REVIEWERS))
        n_members = s.users - n_reviewers - 2 * s.boards
        staff: list[User] = []
        for i in range(1, s.boards + 1):
            slug = f"board-{i:03}.example"
            staff += [
                person(f"manager@{slug}", "Business manager", founder=True),
                person(f"chair@{slug}", "Independent chair", founder=True),
            ]
        members_of = self.spread(n_members, list(range(s.boards)), least=2)
        for b in range(s.boards):
            slug = f"board-{b + 1:03}.example"
            staff += [
                person(f"member-{m:02}@{slug}", "Designated safeguarding lead")
                for m in range(1, members_of[b] + 1)
            ]
        staff += [
            person(f"reviewer-{r:03}@reviewers.example", "Independent reviewer")
            for r in range(1, n_reviewers + 1)
        ]
        users = self.insert(User, staff)
        by_email = {u.email: u.pk for u in users}
        joined = {u.pk: u.date_joined for u in users}
        self.reviewers = [u.pk for u in users if u.email.endswith("@reviewers.example")]

        memberships: list[Membership] = []
        for b, board in enumerate(boards):
            slug = f"board-{b + 1:03}.example"
            board_agencies = [a.pk for a in agencies[b * AGENCIES_PER_BOARD : (b + 1) * AGENCIES_PER_BOARD]]
            people = BoardPeople(by_email[f"manager@{slug}"], by_email[f"chair@{slug}"], [], board_agencies)
            memberships += [
                Membership(
                    user_id=people.manager,
                    board_id=board.pk,
                    role=Role.BUSINESS_MANAGER,
                    created_at=joined[people.manager],
                ),
                Membership(
                    user_id=people.chair, board_id=board.pk, role=Role.CHAIR, created_at=joined[people.chair]
                ),
            ]
            # Who added each person to the portal: the business manager (the chair added the manager).
            self.creator[people.manager] = people.chair
            self.creator[people.chair] = people.manager
            for m in range(1, members_of[b] + 1):
                user_id, agency_id = (
                    by_email[f"member-{m:02}@{slug}"],
                    board_agencies[(m - 1) % AGENCIES_PER_BOARD],
                )
                people.members.append((user_id, agency_id))
                self.creator[user_id] = people.manager
                memberships.append(
                    Membership(
                        user_id=user_id,
                        board_id=board.pk,
                        role=Role.BOARD_MEMBER,
                        agency_id=agency_id,
                        created_at=joined[user_id],
                    )
                )
            self.people[board.pk] = people
            board.independent_chair_id = people.chair
        for r, reviewer in enumerate(self.reviewers):
            board_id = boards[r % len(boards)].pk
            self.creator[reviewer] = self.people[board_id].manager
            memberships.append(
                Membership(
                    user_id=reviewer, board_id=board_id, role=Role.LEAD_REVIEWER, created_at=joined[reviewer]
                )
            )
        self.insert(Membership, memberships)
        Board.objects.bulk_update(boards, ["independent_chair"], batch_size=BATCH)

    def plans(self) -> None:
        themes = list(Theme.objects.values_list("pk", flat=True))
        start = date(self.today.year - 1, 4, 1)
        periods = self.insert(
            PlanPeriod,
            (
                PlanPeriod(
                    board=board,
                    title=f"{board.words.Plan} {start.year} to {start.year + 3}",
                    starts_on=start,
                    ends_on=date(start.year + 3, 3, 31),
                )
                for board in self.boards
            ),
        )
        titles = ["Neglect", "Information sharing", "Escalation", "Voice of the child", "Domestic abuse"]
        priorities = self.insert(
            PlanPriority,
            (
                PlanPriority(period=period, number=n, title=title, description=self.text(1))
                for period in periods
                for n, title in enumerate(titles, 1)
            ),
        )
        for priority in priorities:
            self.people[priority.period.board_id].priorities.append(priority.pk)
        Link = PlanPriority.themes.through
        self.insert_links(
            Link, (Link(planpriority_id=p.pk, theme_id=self.rng.choice(themes)) for p in priorities if themes)
        )
        items = self.insert(
            LearningItem,
            (
                LearningItem(
                    board=board,
                    title=f"Learning from audit {n}",
                    source=LearningItem.Source.AUDIT,
                    source_reference=f"Multi-agency audit {self.today.year - n}",
                    summary=self.text(2),
                    learned_on=self.today - timedelta(days=200 * n),
                    created_by_id=self.people[board.pk].manager,
                    created_at=self.moment(self.today - timedelta(days=200 * n - 7)),
                )
                for board in self.boards
                for n in range(1, 6)
            ),
        )
        Link = LearningItem.themes.through
        self.insert_links(
            Link, (Link(learningitem_id=i.pk, theme_id=self.rng.choice(themes)) for i in items if themes)
        )

    # Reviews ----------------------------------------------------------------------------------------------

    def state_list(self, n: int) -> list[str]:
        states = list(STATE_SHARES)
        return self.rng.choices(states, weights=[STATE_SHARES[s] for s in states], k=n)

    def make_reviews(self) -> None:
        s = self.sizes
        # Board 001 leads the most: its share of the national figure, or twice the average when small.
        largest = max(round(s.reviews * LARGEST_SHARE), 2 * s.reviews // s.boards + 1)
        per_board = self.spread(s.reviews - largest, [b.pk for b in self.boards[1:]] or [self.boards[0].pk])
        per_board[self.boards[0].pk] += largest
        # The two reviews the benchmark reads, on the largest board; then every state at least once.
        big = {"actions": State.MONITORING, "comments": State.COMMISSIONING}
        plan: list[tuple[int, str, str]] = [(self.boards[0].pk, state, which) for which, state in big.items()]
        per_board[self.boards[0].pk] -= len(big)
        states = self.state_list(s.reviews - len(big))
        states[: len(STATE_SHARES)] = list(STATE_SHARES)
        board_slots = [pk for pk, n in per_board.items() for _ in range(n)]
        self.rng.shuffle(board_slots)
        plan += [(board, state, "") for board, state in zip(board_slots, states, strict=True)]
        boards = {b.pk: b for b in self.boards}
        sequence: Counter = Counter()
        rows: list[R] = []
        for board_id, state, which in plan:
            rows.append(self.review_row(boards[board_id], state, which, sequence))
        self.insert(Review, (r.review for r in rows))
        self.reviews = rows
        # A few cross-border reviews, each with a neighbouring board taking part.
        others = [b.pk for b in self.boards]
        self.insert(
            ParticipatingBoard,
            (
                ParticipatingBoard(
                    review=r.review,
                    board_id=others[(others.index(r.board) + 1) % len(others)],
                    joined_at=self.moment(r.review.notification_date + timedelta(days=10)),
                )
                for r in rows
                if self.rng.random() < 0.03 and len(others) > 1
            ),
        )
        self.insert(
            Child,
            (
                Child(
                    review=r.review,
                    pseudonym="Child A",
                    age=f"{self.rng.randrange(1, 17)} years",
                    outcome=self.rng.choice(Child.Outcome.values),
                    circumstances=self.text(1),
                )
                for r in rows
            ),
        )
        Known = Review.agencies_known.through
        self.insert_links(
            Known,
            (
                Known(review_id=r.review.pk, agency_id=agency)
                for r in rows
                for agency in self.rng.sample(self.people[r.board].agencies, 3)
            ),
        )
        appointed = [
            r
            for r in rows
            if r.stage >= PATH.index(State.IN_PROGRESS) and r.review.state != State.NOT_INITIATED
        ]
        appointments = self.insert(
            Appointment,
            (
                Appointment(
                    review=r.review,
                    reviewer_id=self.rng.choice(self.reviewers),
                    appointed_at=self.moment(r.review.started_on, 11),
                )
                for r in appointed
            ),
        )
        for appointment, r in zip(appointments, appointed, strict=True):
            r.reviewer = appointment.reviewer_id

    def review_row(self, board: Board, state: str, which: str, sequence: Counter) -> R:
        if state == State.NOT_INITIATED:
            stage = PATH.index(State.DECISION)
        elif state == State.WITHDRAWN:
            stage = self.rng.choice([PATH.index(State.COMMISSIONING), PATH.index(State.IN_PROGRESS)])
        else:
            stage = PATH.index(state)
        # Reviews further along started longer ago: about four months a stage, up to six years back.
        age_days = min(6 * 365, stage * 120 + self.rng.randrange(0, 150) + 10)
        notified = self.today - timedelta(days=age_days)
        sequence[(board.pk, notified.year)] += 1
        review = Review(
            reference=f"B{board.name[-3:]}-{notified.year}-{sequence[(board.pk, notified.year)]:02}",
            lead_board=board,
            state=state,
            case_summary=self.text(2),
            incident_date=notified - timedelta(days=self.rng.randrange(1, 20)),
            notification_date=notified,
            criteria=Criteria.STATUTORY,
            criteria_notes=self.text(1),
            created_at=self.moment(notified, 9),
        )
        people = self.people[board.pk]
        day = notified

        def reached(s: str) -> bool:
            return stage >= PATH.index(s)

        if reached(State.DECISION):
            review.national_panel_notified_on = notified + timedelta(days=3)
            review.inspectorate_notified_on = notified + timedelta(days=3)
        if stage > PATH.index(State.DECISION) or state == State.NOT_INITIATED:
            day = notified + timedelta(days=self.rng.randrange(10, 28))
            review.decision = Decision.NO_REVIEW if state == State.NOT_INITIATED else Decision.INITIATE
            review.decision_date = day
            review.decision_rationale = self.text(1)
            review.decided_by_id = people.chair
        if reached(State.IN_PROGRESS):
            day = review.decision_date + timedelta(days=self.rng.randrange(20, 50))
            review.started_on = day
        if reached(State.REPORT_RECEIVED):
            day = review.started_on + timedelta(days=self.rng.randrange(120, 200))
            review.report_received_on = min(day, self.today - timedelta(days=5))
            review.final_report = REPORT_NAME
            review.final_report_name = "Final report.pdf"
        if reached(State.PUBLISHED):
            day = review.report_received_on + timedelta(days=self.rng.randrange(40, 80))
            review.report_published_on = review.response_published_on = min(
                day, self.today - timedelta(days=3)
            )
        if state == State.CLOSED:
            review.closed_on = min(
                review.response_published_on + timedelta(days=365), self.today - timedelta(days=1)
            )
        if state == State.WITHDRAWN:
            review.closed_on = self.today - timedelta(days=self.rng.randrange(5, 60))
            review.end_reason = "New medical evidence showed the injuries were accidental."
        review.state_changed_at = self.moment(min(review.closed_on or day, self.today))
        review_refresh_due(review)
        return R(review=review, board=board.pk, stage=stage, big=which)

    def timelines(self) -> None:
        def entries(r: R) -> Iterator[TimelineEntry]:
            people = self.people[r.board]
            path = PATH[: r.stage + 1]
            if r.review.state in (State.NOT_INITIATED, State.WITHDRAWN):
                path = [*path, r.review.state]
            when = r.review.notification_date
            yield TimelineEntry(
                review=r.review,
                at=self.moment(when),
                actor_id=people.manager,
                kind=TimelineEntry.Kind.TRANSITION,
                title="Referral recorded",
                to_state=State.REFERRAL,
            )
            last = r.review.state_changed_at.date()
            for before, after in pairwise(path):
                when = min(when + timedelta(days=30), last)
                yield TimelineEntry(
                    review=r.review,
                    at=self.moment(when),
                    actor_id=people.chair
                    if after in (State.COMMISSIONING, State.NOT_INITIATED)
                    else people.manager,
                    kind=TimelineEntry.Kind.TRANSITION,
                    title=f"Moved to {State(after).label.lower()}",
                    from_state=before,
                    to_state=after,
                )
            extra = self.sizes.big_timeline if r.big else self.rng.randrange(0, 4)
            for n in range(extra):
                yield TimelineEntry(
                    review=r.review,
                    at=self.moment(min(r.review.notification_date + timedelta(days=3 * n + 1), self.today)),
                    actor_id=people.manager,
                    kind=TimelineEntry.Kind.UPDATE,
                    title=f"Update {n + 1}",
                    body=self.text(1),
                )

        self.insert(TimelineEntry, (e for r in self.reviews for e in entries(r)))

    # Commissioning ----------------------------------------------------------------------------------------

    def commissioned(self) -> list[R]:
        return [r for r in self.reviews if r.stage >= PATH.index(State.COMMISSIONING)]

    def commissioning(self) -> None:
        factors = list(Factor.objects.filter(key__isnull=False).values_list("pk", flat=True))
        weights = Weight.values
        rows = self.commissioned()
        self.insert(
            Scope,
            (
                Scope(
                    review=r.review,
                    period_from=r.review.incident_date - timedelta(days=540),
                    period_to=r.review.incident_date,
                    breadth_and_depth=self.text(2),
                    method=self.rng.choice(["systems", "silp", "hybrid"]),
                    method_detail=self.text(1),
                    reviewer_knowledge=self.text(1),
                    rationale=self.text(2),
                    updated_at=self.moment(r.review.decision_date + timedelta(days=15)),
                )
                for r in rows
            ),
        )
        self.insert(
            FactorAssessment,
            (
                FactorAssessment(
                    review=r.review,
                    factor_id=factor,
                    assessment=self.text(1),
                    weight=self.rng.choice(weights),
                    updated_by_id=self.people[r.board].manager,
                    updated_at=self.moment(r.review.decision_date + timedelta(days=12), 14),
                )
                for r in rows
                for factor in factors
            ),
        )
        self.insert(
            LineOfEnquiry,
            (
                LineOfEnquiry(review=r.review, order=n, question=f"How well did agencies {q}?")
                for r in rows
                for n, q in enumerate(["share what they knew", "hear the child", "escalate concerns"], 1)
            ),
        )
        self.insert(
            AgencyInvolvement,
            (
                AgencyInvolvement(review=r.review, agency_id=agency, chronology=True, report=n % 2 == 0)
                for r in rows
                for n, agency in enumerate(self.people[r.board].agencies[:4])
            ),
        )
        # Reviews at commissioning ask board members for information: a round open until next week.
        asking = [r for r in rows if r.review.state == State.COMMISSIONING]
        rounds = self.insert(
            InputRound,
            (
                InputRound(
                    review=r.review,
                    request="What does your agency know that would help decide the scope?",
                    closes_on=self.today + timedelta(days=7),
                    opened_by_id=self.people[r.board].manager,
                    opened_at=self.moment(self.today - timedelta(days=7)),
                )
                for r in asking
            ),
        )
        invitations = self.insert(
            InputInvitation,
            (
                InputInvitation(round=round_, member_id=member, board_id=r.board)
                for round_, r in zip(rounds, asking, strict=True)
                for member, _ in self.people[r.board].members
            ),
        )
        self.insert(
            InputReply,
            (
                InputReply(
                    invitation=invitation,
                    text=self.rng.choice(COMMENTS),
                    created_at=self.moment(self.today - timedelta(days=self.rng.randrange(0, 7)), 12),
                )
                for invitation in invitations
                if self.rng.random() < 0.5
            ),
        )

    def terms_of_reference(self) -> None:
        rows = [r for r in self.commissioned() if r.review.state != State.WITHDRAWN or r.stage > 2]
        versions: list[ToRVersion] = []
        for r in rows:
            people = self.people[r.board]
            created = r.review.decision_date + timedelta(days=3)
            r.tor = True
            if r.review.state == State.COMMISSIONING:
                versions.append(
                    ToRVersion(
                        review=r.review,
                        number=1,
                        status=ToRVersion.Status.OUT_FOR_COMMENT,
                        created_by_id=people.manager,
                        created_at=self.moment(created),
                        comments_close_on=self.today + timedelta(days=10),
                        sent_for_comment_at=self.moment(self.today - timedelta(days=4)),
                    )
                )
            else:
                versions.append(
                    ToRVersion(
                        review=r.review,
                        number=1,
                        status=ToRVersion.Status.APPROVED,
                        created_by_id=people.manager,
                        created_at=self.moment(created),
                        comments_close_on=created + timedelta(days=10),
                        sent_for_comment_at=self.moment(created + timedelta(days=1)),
                        approved_by_id=people.chair,
                        approved_at=self.moment(created + timedelta(days=14)),
                    )
                )
        versions = self.insert(ToRVersion, versions)
        keys = [(key, title) for key, title in SECTIONS if key != "cross-border"]
        sections = self.insert(
            ToRSection,
            (
                ToRSection(version=v, key=key, title=title, order=n, body=self.text(2))
                for v in versions
                for n, (key, title) in enumerate(keys, 1)
            ),
        )
        review_of = {v.pk: r for v, r in zip(versions, rows, strict=True)}
        big = next(v for v, r in zip(versions, rows, strict=True) if r.big == "comments")
        big_sections = [s for s in sections if s.version_id == big.pk]
        other_sections = [s for s in sections if s.version_id != big.pk]
        counts = self.spread(self.sizes.comments - self.sizes.big_comments, other_sections)
        for s in big_sections:
            counts[s] = 0
        counts.update(self.rng.choices(big_sections, k=self.sizes.big_comments))

        def comments(replies: bool) -> Iterator[ToRComment]:
            for section, n in counts.items():
                r = review_of[section.version_id]
                people = self.people[r.board]
                version = section.version
                opened = version.sent_for_comment_at or version.created_at
                # A third of the comments answer the one before them in the same section.
                for i in range(n):
                    is_reply = i % 3 == 2
                    if is_reply != replies:
                        continue
                    author = self.rng.choice(people.members)[0] if people.members else people.manager
                    addressed = version.status == ToRVersion.Status.APPROVED and not is_reply
                    made = min(opened + timedelta(hours=i + 1), self.now - timedelta(minutes=10))
                    yield ToRComment(
                        section=section,
                        parent_id=self.top_level[section.pk][i // 3] if is_reply else None,
                        author_id=people.manager if is_reply else author,
                        text=self.rng.choice(COMMENTS),
                        created_at=made,
                        addressed_at=max(opened + timedelta(days=5), made + timedelta(hours=1))
                        if addressed
                        else None,
                        addressed_by_id=people.manager if addressed else None,
                        addressed_how="Added to the section." if addressed else "",
                    )

        self.top_level: dict[int, list[int]] = defaultdict(list)
        for comment in self.insert(ToRComment, comments(replies=False)):
            self.top_level[comment.section_id].append(comment.pk)
        self.insert(ToRComment, comments(replies=True))
        del self.top_level

    # Findings, meetings, actions ------------------------------------------------------------------------

    def reported(self) -> list[R]:
        return [r for r in self.reviews if r.stage >= PATH.index(State.REPORT_RECEIVED)]

    def responding(self) -> list[R]:
        return [r for r in self.reviews if r.stage >= PATH.index(State.RESPONSE)]

    def findings_and_meetings(self) -> None:
        themes = list(Theme.objects.values_list("pk", flat=True))
        rows = self.reported()
        counts = self.spread_with_big(self.sizes.findings, rows, self.sizes.big_findings)
        responding = set(self.responding())
        meetings = self.insert(
            Meeting,
            (
                Meeting(
                    review=r.review,
                    kind=Meeting.Kind.EXTRAORDINARY,
                    held_on=min(
                        r.review.report_received_on + timedelta(days=14), self.today - timedelta(days=1)
                    ),
                    minutes_given=90,
                    chaired_by="The independent chair",
                    summary=self.text(2),
                    created_by_id=self.people[r.board].manager,
                    created_at=self.moment(
                        min(r.review.report_received_on + timedelta(days=14), self.today - timedelta(days=1)),
                        17,
                    ),
                )
                for r in rows
                if r in responding
            ),
        )
        for meeting, r in zip(meetings, [r for r in rows if r in responding], strict=True):
            r.meeting_id = meeting.pk
            self.meeting_held[meeting.pk] = meeting.held_on
        self.insert(
            Attendance,
            (
                Attendance(
                    meeting_id=r.meeting_id,
                    agency_id=agency,
                    attendees=f"{self.name()}, Head of Safeguarding",
                )
                for r in rows
                if r.meeting_id
                for agency in self.people[r.board].agencies[:4]
            ),
        )
        positions = Position.values

        def findings() -> Iterator[Finding]:
            for r in rows:
                for n in range(1, counts[r] + 1):
                    agreed = r.meeting_id is not None
                    yield Finding(
                        review=r.review,
                        number=n,
                        title=f"Finding {n}: {self.rng.choice(['Information sharing', 'Escalation', 'Voice of the child', 'Thresholds', 'Supervision'])}",
                        text=self.text(3),
                        position=self.rng.choice(positions) if agreed else "",
                        position_reason=self.text(1) if agreed else "",
                        position_meeting_id=r.meeting_id if agreed else None,
                        created_at=self.moment(r.review.report_received_on + timedelta(days=1)),
                    )

        made = self.insert(Finding, findings())
        by_review = {r.review.pk: r for r in rows}
        for finding in made:
            by_review[finding.review_id].finding_ids.append(finding.pk)
        Link = Finding.themes.through
        self.insert_links(
            Link, (Link(finding_id=f.pk, theme_id=self.rng.choice(themes)) for f in made if themes)
        )
        self.insert(
            FindingDiscussion,
            (
                FindingDiscussion(
                    meeting_id=r.meeting_id, finding_id=f, discussion=self.text(2), challenge=self.text(1)
                )
                for r in rows
                if r.meeting_id
                for f in r.finding_ids
            ),
        )
        self.insert(
            EngagementActivity,
            (
                EngagementActivity(
                    review=r.review,
                    audience=audience,
                    description="Seven-minute briefing on the review's learning",
                    method=EngagementActivity.Method.BRIEFING,
                    planned_on=r.review.report_received_on + timedelta(days=60),
                    status=EngagementActivity.Status.DONE
                    if r.review.state in (State.MONITORING, State.CLOSED)
                    else EngagementActivity.Status.PLANNED,
                )
                for r in rows
                if r.meeting_id
                for audience in (EngagementActivity.Audience.FRONTLINE, EngagementActivity.Audience.MANAGERS)
            ),
        )

    def due_on(self, r: R, status: str) -> date:
        """Done actions fell due after the report; open ones mostly lie ahead, a fifth of them overdue."""
        if status in DONE_STATUSES or status in DEFERRED_STATUSES:
            return r.review.report_received_on + timedelta(days=self.rng.randrange(60, 540))
        return self.today + timedelta(days=self.rng.randrange(-60, 240))

    def actions(self) -> None:
        rows = self.responding()
        counts = self.spread_with_big(self.sizes.actions, rows, self.sizes.big_actions)
        kinds, functions, levels = Action.Kind.values, Action.Function.values, Action.Level.values

        def status_of(r: R, agreed: date) -> tuple[str, date | None]:
            state = r.review.state
            if state == State.CLOSED:
                return self.rng.choice(DONE_STATUSES), r.review.closed_on
            if state == State.RESPONSE:
                return Action.Status.AGREED, None
            roll = self.rng.random()
            if roll < 0.3:
                done = max(
                    agreed + timedelta(days=10), self.today - timedelta(days=self.rng.randrange(1, 200))
                )
                return Action.Status.COMPLETED, min(done, self.today - timedelta(days=1))
            if roll < 0.35:
                return Action.Status.DEFERRED, None
            return (Action.Status.IN_PROGRESS if roll < 0.8 else Action.Status.AGREED), None

        def last_moved(status: str, agreed: datetime, completed: date | None) -> datetime:
            """When the action last changed: its status's last move (agreed: when it was agreed)."""
            if status == Action.Status.AGREED:
                return agreed
            if status in EVIDENCED_STATUSES:
                return self.moment(min(completed + timedelta(days=30), self.today), 16)
            if status in DONE_STATUSES:
                return self.moment(completed, 15)
            since = (self.today - agreed.date()).days
            return self.moment(agreed.date() + timedelta(days=self.rng.randrange(10, max(11, since))))

        def actions() -> Iterator[Action]:
            for r in rows:
                people = self.people[r.board]
                r.actions = counts[r]
                agreed_on = min(
                    r.review.report_received_on + timedelta(days=25), self.today - timedelta(days=1)
                )
                for n in range(1, counts[r] + 1):
                    agency = self.rng.choice(people.agencies)
                    owners = [m for m, a in people.members if a == agency] or [people.manager]
                    agreed = self.moment(agreed_on, 11)
                    status, completed = status_of(r, agreed_on)
                    yield Action(
                        review=r.review,
                        number=n,
                        description=self.rng.choice(ACTIONS),
                        kind=self.rng.choice(kinds),
                        function=self.rng.choice(functions),
                        level=self.rng.choice(levels),
                        owner_agency_id=agency,
                        owner_id=self.rng.choice(owners),
                        priority=self.rng.choice([1, 2, 3]),
                        priority_reason="The finding put children at continuing risk.",
                        plan_priority_id=self.rng.choice(people.priorities) if people.priorities else None,
                        due_on=self.due_on(r, status),
                        status=status,
                        completed_on=completed,
                        deferred_reason="Waiting for the national review's guidance."
                        if status in DEFERRED_STATUSES
                        else "",
                        deferred_until=self.today + timedelta(days=self.rng.randrange(-30, 90))
                        if status in DEFERRED_STATUSES
                        else None,
                        created_by_id=people.manager,
                        created_at=agreed,
                        updated_at=last_moved(status, agreed, completed),
                    )

        made = self.insert(Action, actions())
        finding_ids = {r.review.pk: r.finding_ids for r in rows}
        Link = Action.findings.through
        self.insert_links(
            Link, (Link(action_id=a.pk, finding_id=self.rng.choice(finding_ids[a.review_id])) for a in made)
        )
        for a in made:
            self.owned[a.owner_id].append((a.review_id, a.number, a.due_on))
        # Only what the next step needs: which actions have progress, by whom, since when, last moved when.
        self.progressing = [
            (a.pk, a.owner_id, a.status, a.created_at, a.updated_at)
            for a in made
            if a.status != Action.Status.AGREED or a.review.state in (State.PUBLISHED, State.MONITORING)
        ]

    def updates(self) -> None:
        actions = self.progressing
        if not actions:
            return
        counts = self.spread(self.sizes.updates, list(range(len(actions))))

        def updates() -> Iterator[ActionUpdate]:
            """Spread from when the action was agreed to its last move (the last update records that move,
            from the status before it), or to today for one never moved."""
            for index, n in counts.items():
                action, owner, status, agreed, moved = actions[index]
                end = moved if status != Action.Status.AGREED else self.now
                for i in range(n):
                    last = i == n - 1 and status != Action.Status.AGREED
                    at = (
                        moved
                        if last
                        else self.moment((agreed + (end - agreed) * (i + 1) / (n + 1)).date(), 12)
                    )
                    at = max(at, agreed)
                    yield ActionUpdate(
                        action_id=action,
                        author_id=owner,
                        on=timezone.localdate(at),
                        text=self.rng.choice(PROGRESS),
                        status_from=STATUS_BEFORE[status] if last else "",
                        status_to=status if last else "",
                        created_at=at,
                    )

        self.insert(ActionUpdate, updates())
        del self.progressing

    def export_columns(self) -> None:
        """The actions' findings and latest progress as exports read them, kept on each action as the
        services keep them."""
        export_columns_refresh(action_ids=Action.objects.values_list("pk", flat=True))

    def responses(self) -> None:
        if not default_storage.exists(REPORT_NAME):
            default_storage.save(REPORT_NAME, ContentFile(DEMO_PDF))
        versions: list[ResponseVersion] = []
        for r in self.responding():
            people = self.people[r.board]
            content = (
                f"The board's response to {r.review.reference}\n\n{self.text(3)}\n\n"
                f"The board accepted the findings and agreed {self.rng.randrange(3, 30)} actions.\n"
            )
            drafted = self.moment(r.review.report_received_on + timedelta(days=20))
            signed = r.review.state != State.RESPONSE
            versions.append(
                ResponseVersion(
                    review=r.review,
                    number=1,
                    introduction=self.text(1),
                    monitoring="The board's quality assurance sub-group reviews progress every quarter.",
                    content=content,
                    created_by_id=people.manager,
                    created_at=drafted,
                    updated_at=drafted,
                    signed_by_id=people.chair if signed else None,
                    signed_at=drafted + timedelta(days=10) if signed else None,
                    digest=digest_of(content.encode("utf-8")) if signed else "",
                )
            )
        self.insert(ResponseVersion, versions)

    def notifications(self) -> None:
        """About a year of each person's notifications (the portal purges read ones after a year), of the
        kinds it sends them, about what they may see: business managers hear of stages, deadlines, actions
        moved and overdue actions summed up; chairs of stages, deadlines and terms of reference out for
        comment; members of terms of reference and of the actions they own; lead reviewers of the reviews
        they lead. The newest are unread, a few older ones too. The largest board's business manager has
        the benchmark's BIG_NOTIFICATIONS."""
        of_board: dict[int, list[R]] = defaultdict(list)
        led: dict[int, list[R]] = defaultdict(list)
        for r in self.reviews:
            of_board[r.board].append(r)
            if r.reviewer:
                led[r.reviewer].append(r)
        largest = self.boards[0].pk
        kinds = Notification.Kind
        serial = 0

        def review_path(r: R) -> str:
            return reverse("review_detail", args=[r.review.pk])

        def stage(r: R) -> tuple:
            label = State(r.review.state).label.lower()
            title = f"{r.review.reference} is at the {label} stage"
            who, what = SCR.next_steps.get(r.review.state, ("Business manager", "See the review's page."))
            body = f"{who}: {what}"
            return kinds.ACTION_NEEDED, r, title, body, review_path(r)

        def deadline(r: R) -> tuple:
            passed = self.rng.random() < 0.3
            kind = kinds.DEADLINE_PASSED if passed else kinds.DEADLINE_APPROACHING
            title = f"{r.review.reference}: deadline {'passed' if passed else 'approaching'}"
            body = f"{'Passed' if passed else 'Due within 10 working days'}. See the review's timescales."
            return kind, r, title, body, review_path(r)

        def tor(r: R) -> tuple:
            title = f"{r.review.reference}: comment on the terms of reference (version 1)"
            body = "The draft terms of reference are out for comment. Comment on any section."
            return kinds.ACTION_NEEDED, r, title, body, reverse("tor_comments", args=[r.review.pk, 1])

        def moved(r: R, number: int) -> tuple:
            to = self.rng.choice(["in progress", "completed", "deferred"])
            body = f"{self.name()} moved action {number} to {to}: {self.rng.choice(PROGRESS)}"
            path = reverse("action_detail", args=[r.review.pk, number])
            return kinds.INFORMATION, r, f"{r.review.reference}: action {number} is {to}", body, path

        def owned(review_id: int, number: int, due: date) -> tuple:
            r = by_pk[review_id]
            path = reverse("action_detail", args=[review_id, number])
            if due < self.today:
                title = f"{r.review.reference}: action {number} is overdue"
                body = (
                    f"Your action was due on {due:%-d %B %Y}. Record its progress, or agree a new date with "
                    "the business manager."
                )
                return kinds.DEADLINE_PASSED, r, title, body, path
            title = f"{r.review.reference}: action {number} is due on {due:%-d %B %Y}"
            body = "Your action is due within two weeks. Record its progress on the action's page."
            return kinds.DEADLINE_APPROACHING, r, title, body, path

        def summary() -> tuple:
            n = self.rng.randrange(2, 40)
            overdue = self.rng.randrange(0, n)
            title = f"{n} actions need attention" + (f" ({overdue} overdue)" if overdue else "")
            kind = kinds.DEADLINE_PASSED if overdue else kinds.DEADLINE_APPROACHING
            body = "Owners have been reminded. See the action plans of your reviews."
            return kind, None, title, body, reverse("home")

        by_pk = {r.review.pk: r for r in self.reviews}

        def maker(user: int, role: str, reviews: list[R]) -> Callable[[], tuple] | None:
            """What the person's next notification is about, picked by their role's mix."""
            with_actions = [r for r in reviews if r.actions]
            with_tor = [r for r in reviews if r.tor]
            mine = self.owned.get(user, [])
            options: list[tuple[int, Callable[[], tuple]]] = []
            if reviews:
                options.append(
                    (
                        {"manager": 15, "chair": 40, "reviewer": 50}.get(role, 0),
                        lambda: stage(self.rng.choice(reviews)),
                    )
                )
                options.append(
                    ({"manager": 15, "chair": 40}.get(role, 0), lambda: deadline(self.rng.choice(reviews)))
                )
            if with_tor:
                options.append(
                    (
                        {"manager": 10, "chair": 20, "member": 30, "reviewer": 50}[role],
                        lambda: tor(self.rng.choice(with_tor)),
                    )
                )
            if with_actions and role == "manager":
                options.append(
                    (
                        40,
                        lambda: moved(
                            r := self.rng.choice(with_actions), self.rng.randrange(1, r.actions + 1)
                        ),
                    )
                )
                options.append((20, summary))
            if mine:
                options.append((40, lambda: owned(*self.rng.choice(mine))))
                options.append((30, lambda: moved(by_pk[(a := self.rng.choice(mine))[0]], a[1])))
            options = [(w, f) for w, f in options if w]
            if not options:
                return None
            weights, makers = zip(*options, strict=True)
            return lambda: self.rng.choices(makers, weights)[0]()

        def notes() -> Iterator[tuple]:
            nonlocal serial
            people: list[tuple[int, str, list[R], int]] = []
            for board_id, p in self.people.items():
                reviews = of_board[board_id]
                people.append(
                    (
                        p.manager,
                        "manager",
                        reviews,
                        self.sizes.big_notifications if board_id == largest else self.rng.randrange(200, 600),
                    )
                )
                people.append((p.chair, "chair", reviews, self.rng.randrange(100, 300)))
                people += [(m, "member", reviews, self.rng.randrange(20, 120)) for m, _ in p.members]
            people += [(u, "reviewer", led[u], self.rng.randrange(20, 80)) for u in self.reviewers]
            for user, role, reviews, n in people:
                make = maker(user, role, reviews)
                if make is None:
                    continue
                unread = max(3, n // 12)
                for i in range(n):
                    kind, r, title, body, path = make()
                    serial += 1
                    created = self.moment(
                        self.today - timedelta(days=i * 365 // n), 8 + self.rng.randrange(9)
                    )
                    is_read = i >= unread and self.rng.random() > 0.03
                    read = (
                        min(created + timedelta(minutes=self.rng.randrange(10, 4000)), self.now)
                        if is_read
                        else None
                    )
                    yield (
                        user,
                        r.review.pk if r else None,
                        kind,
                        title,
                        body,
                        path,
                        f"scale:{serial}",
                        created,
                        read,
                        min(created + timedelta(minutes=5), self.now),
                    )

        columns = [
            "recipient_id",
            "review_id",
            "kind",
            "title",
            "body",
            "path",
            "key",
            "created_at",
            "read_at",
            "emailed_at",
        ]
        self.made.counts[str(Notification._meta.verbose_name_plural)] += write_rows(
            Notification, columns, notes()
        )

    def access_log(self) -> None:
        """Who opened which review, when: the review access log the portal writes on every view of a review.
        Open reviews are opened three times as often as ended ones, the benchmark's two big reviews twenty
        times; each opening is by someone on the review (the business manager most, then the board's
        members, the chair and the lead reviewer), at a time between the referral and the review's end."""
        ended = (State.CLOSED, State.WITHDRAWN, State.NOT_INITIATED)
        weights = [20 if r.big else 1 if r.review.state in ended else 3 for r in self.reviews]
        counts = Counter(self.rng.choices(self.reviews, weights, k=self.sizes.accesses))

        def rows() -> Iterator[tuple]:
            for r, n in counts.items():
                p = self.people[r.board]
                who = [p.manager, p.chair, *(m for m, _ in p.members)]
                weight = [35, 10, *([45 / max(1, len(p.members))] * len(p.members))]
                if r.reviewer:
                    who.append(r.reviewer)
                    weight.append(10)
                start = datetime.combine(r.review.notification_date, datetime.min.time(), tzinfo=self.zone)
                days = ((r.review.closed_on or self.today) - r.review.notification_date).days + 1
                path = reverse("review_detail", args=[r.review.pk])
                for user in self.rng.choices(who, weight, k=n):
                    # A day in the review's life, in office hours (8:00 to 18:00).
                    offset = int(self.rng.random() * days) * 86400 + 28800 + self.rng.random() * 36000
                    at = min(start + timedelta(seconds=offset), self.latest)
                    yield (r.review.pk, user, at, path, f"10.{user >> 8 & 255}.{user & 255}.{1 + user % 200}")

        made = write_rows(ReviewAccess, ["review_id", "user_id", "at", "path", "ip_address"], rows())
        self.made.counts[str(ReviewAccess._meta.verbose_name_plural)] += made
