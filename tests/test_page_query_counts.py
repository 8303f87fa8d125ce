"""Every key page (issue 17) runs a fixed number of SQL queries: the same with little data as with much,
the same on the first request with the cache emptied and a new session (cold) as on the request right
after it (warm), and the number pinned below, so that a page that starts to cost more shows as a changed
number with its queries listed.

The cache is a DummyCache, so cold and warm must be equal: no page leans on a cache. The data is made the
way the portal makes it where that matters (history rows through the services, so simple-history writes
them; comments, progress updates and evidence files through their services)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from commissioning.models import InputInvitation, InputRound, Proposal, ToRComment, ToRSection, ToRVersion
from commissioning.tor import services as tor
from documents.models import Document
from responses.actions import services as actions
from responses.actions.workflow import DONE_STATUSES
from responses.models import Action, ActionUpdate
from reviews import services as reviews
from reviews import workflow
from reviews.models import AgencySummary, Board, Notification, Review, State
from scr_portal.uploads import sniff
from tests.conftest import World
from tests.factories import (
    AgencyFactory,
    AppointmentFactory,
    ParticipatingBoardFactory,
    ReviewFactory,
    UserFactory,
)
from tests.querycount import cold_and_warm, listing
from tests.responses.helpers import PDF_BYTES, action, agency_of, at_stage, finding, plan_priority

pytestmark = pytest.mark.django_db

# The queries of each page's cold request, whatever the data's size; the same on SQLite and PostgreSQL.
# Ten of them are every page's: the session, the user, their second factor, their roles (with the agencies
# they represent) and the reviews they take part in other than through their boards' lead (access); the
# layout's unread count and boards (none to read for someone with no board's reviews to see, such as a lead
# reviewer); and the session's save on every request, in a savepoint (3).
COLD_QUERIES = {
    # Each home's "waiting for you": one UNION of every kind of thing the person's roles are asked, the oldest
    # first, with their count on each row (1); the business manager's also counts the invitations to take
    # part in another board's review waiting for their answer (1). A manager's and a chair's deadlines,
    # overdue and due within a fortnight, are one query (1).
    "home, business manager": 16,
    "home, chair": 17,
    "home, board member": 15,
    "home, lead reviewer": 13,
    "review list": 16,
    "review list, filtered by board": 16,
    "review list, filtered by stage": 16,
    "review page": 21,  # the person's own next step: what waits for them on this review (1)
    "ToR comments": 16,
    "review action plan": 18,
    "board action plan": 17,
    "board action plan, by owner": 17,
    "board action plan, by owner agency": 17,
    "board action plan, by RAG": 17,
    "board action plan, overdue": 17,
    "board action plan, mine": 17,
    "board action plan, by review": 18,
    "board action plan, page 2": 17,
    "action page": 17,
    "review history": 18,
    "board history": 17,
    "notifications": 12,
    "documents": 16,  # + when the response was last signed (a board pack made before is out of date)
    # The review with its boards and appointments (3), the opening logged (1), its children, the agencies asked
    # and their summaries, the agencies not yet asked, and what sending it waits for (4), the agencies asked
    # that nobody represents on the partnership (1)
    "rapid review": 19,
}


# Making data ------------------------------------------------------------------------------------------

Status = Action.Status
ACTION_STATUSES = [
    Status.AGREED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.IMPACT_EVIDENCED,
    Status.DEFERRED,
]
REVIEW_STATES = [
    State.REFERRAL,
    State.DECISION,
    State.COMMISSIONING,
    State.IN_PROGRESS,
    State.REPORT_RECEIVED,
    State.RESPONSE,
    State.PUBLISHED,
    State.MONITORING,
    State.CLOSED,
]


def _owners(world: World) -> list[tuple]:
    """Three owners of North's actions, each with their agency: North's board member (the agency they
    represent), its manager and its chair."""
    return [
        (world.north_member, agency_of(world.north_member, world.north)),
        (world.north_manager, AgencyFactory(name="North Police", boards=[world.north])),
        (world.north_chair, AgencyFactory(name="North Health", boards=[world.north])),
    ]


def _actions(world: World, review: Review, start: int, count: int) -> None:
    """`count` actions of `review` numbered from `start`, in every status, spread over the three owners
    (number 1 is the board member's), priorities and due dates (some overdue), each answering two findings
    and with a progress update; made in bulk, for speed."""
    today = timezone.localdate()
    findings = list(review.findings.all()) or [finding(review, 1), finding(review, 2)]
    owners = _owners(world)
    priority = plan_priority(world.north)
    made = []
    for n in range(start, start + count):
        status = ACTION_STATUSES[n % len(ACTION_STATUSES)]
        owner, agency = owners[(n - 1) % len(owners)]
        made.append(
            Action(
                review=review,
                number=n,
                description=f"Action number {n}",
                kind=Action.Kind.PRACTICAL,
                function=Action.Function.COORDINATE,
                level=Action.Level.MULTI_AGENCY,
                owner_agency=agency,
                owner=owner,
                priority=1 + n % 3,
                priority_reason="Because.",
                plan_priority=priority if n % 2 else None,
                due_on=today + timedelta(days=n % 40 - 10),
                status=status,
                deferred_reason="Later." if status == Status.DEFERRED else "",
                deferred_until=today + timedelta(days=n % 7 - 3) if status == Status.DEFERRED else None,
                completed_on=today if status in DONE_STATUSES else None,
                created_by=world.north_manager,
            )
        )
    made = Action.objects.bulk_create(made)
    through = Action.findings.through
    through.objects.bulk_create([through(action_id=a.pk, finding_id=f.pk) for a in made for f in findings])
    ActionUpdate.objects.bulk_create(
        [ActionUpdate(action=a, author=owner, on=today, text=f"Progress on {a.number}") for a in made]
    )


def _board_actions(world: World, start: int, count: int) -> None:
    """Actions on both reviews North leads (at the response stage), about two thirds on NSCB-1."""
    on_cross = count // 3
    _actions(world, at_stage(world.north_review), 1 + start, count - on_cross)
    _actions(world, at_stage(world.cross_border_review), 1 + start, on_cross)


def _review_actions(world: World, start: int, count: int) -> None:
    _actions(world, at_stage(world.north_review), 1 + start, count)


def _home_reviews(world: World, start: int, count: int) -> None:
    """North reviews in every stage, due at assorted times, each with a participating board and North's
    lead reviewer appointed; those at the response stage with open actions, some overdue. Every section of
    every role's home page has rows."""
    today = timezone.localdate()
    other = Board.objects.get_or_create(name="Elsewhere Safeguarding Children Board")[0]
    for n in range(start, start + count):
        review = ReviewFactory(lead_board=world.north, reference=f"NSCB-H{n:03d}")
        Review.objects.filter(pk=review.pk).update(
            state=REVIEW_STATES[n % len(REVIEW_STATES)],
            due_on=today + timedelta(days=(n % 9) * 3 - 10),
            due_kind="completion",
            state_changed_at=timezone.now() - timedelta(days=n),
        )
        ParticipatingBoardFactory(review=review, board=world.south if n % 2 else other)
        AppointmentFactory(review=review, reviewer=world.north_reviewer)
        if n % 3 == 0:
            _actions(world, at_stage(review), 1, 3)
        _waiting_for_people(world, review, n)


def _waiting_for_people(world: World, review: Review, n: int) -> None:
    """What the home pages' "waiting for you" lists: a proposal by the lead reviewer (answered on every other
    review), a failed document now and then, and on reviews being commissioned the terms of reference out
    for comment with a comment to address and a request for input to North's member."""
    answered = {"answer": "accepted", "answer_reason": "Agreed", "answered_by": world.north_chair}
    Proposal.objects.create(
        review=review,
        author=world.north_reviewer,
        topic="scope",
        text="Go back further.",
        **({"answered_at": timezone.now()} | answered if n % 2 else {}),
    )
    if n % 5 == 0:
        Document.objects.create(
            review=review,
            kind="tor",
            status=Document.Status.FAILED,
            data_version=f"{n:064d}",
            label="Terms of reference, version 1",
            html="<p>x</p>",
            requested_by=world.north_manager,
        )
    review.refresh_from_db()
    if review.state in workflow.states_allowing(workflow.COMMISSIONING_OPEN):
        version = ToRVersion.objects.create(
            review=review,
            number=1,
            status=ToRVersion.Status.OUT_FOR_COMMENT,
            created_by=world.north_manager,
            comments_close_on=timezone.localdate() + timedelta(days=10 + n),
            sent_for_comment_at=timezone.now() - timedelta(days=n),
        )
        section = ToRSection.objects.create(
            version=version, key="purpose", title="Purpose", order=1, body="x"
        )
        ToRComment.objects.create(section=section, author=world.south_member, text="Add the GP.")
        round_ = InputRound.objects.create(
            review=review,
            request="Anything?",
            closes_on=timezone.localdate() + timedelta(days=5),
            opened_by=world.north_manager,
        )
        InputInvitation.objects.create(round=round_, member=world.north_member, board=world.north)


def _list_reviews(world: World, start: int, count: int) -> None:
    """North reviews in assorted stages, each with a participating board and a lead reviewer."""
    for n in range(start, start + count):
        review = ReviewFactory(lead_board=world.north, reference=f"NSCB-L{n:03d}")
        Review.objects.filter(pk=review.pk).update(state=REVIEW_STATES[n % 4])
        ParticipatingBoardFactory(review=review, board=world.south if n % 2 else world.east)
        AppointmentFactory(review=review, reviewer=UserFactory())


def _review_parts(world: World, start: int, count: int) -> None:
    """On NSCB-1, through the services: children, parallel processes (each noted on the timeline); and
    participating boards, lead reviewers and agencies known to the case."""
    review, manager = world.north_review, world.north_manager
    for n in range(start, start + count):
        reviews.child_save(review=review, user=manager, pseudonym=f"Child P{n}", outcome="died")
        reviews.parallel_process_save(
            review=review,
            user=manager,
            kind="criminal",
            description=f"Proceedings {n}",
            may_delay_publication=True,
        )
        ParticipatingBoardFactory(review=review)
        AppointmentFactory(review=review)
        review.agencies_known.add(AgencyFactory(boards=[world.north]))


def _tor_version(world: World) -> ToRVersion:
    """NSCB-1's terms of reference, out for comment."""
    Review.objects.filter(pk=world.north_review.pk).update(state=State.COMMISSIONING)
    world.north_review.refresh_from_db()
    version = tor.tor_draft_create(review=world.north_review, user=world.north_manager)
    return tor.tor_send_for_comment(
        version=version, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=14)
    )


def _tor_comments(world: World, start: int, count: int) -> None:
    """Comments on the sections of NSCB-1's version out for comment: every third a new thread (from the
    board member), the others replies (from the lead reviewer); every other thread answered."""
    version = ToRVersion.objects.get(review=world.north_review)
    sections = list(version.sections.order_by("pk"))
    for n in range(start, start + count):
        thread = ToRComment.objects.filter(section__version=version, parent=None).order_by("-pk").first()
        if thread is None or n % 3 == 0:
            section = sections[n % len(sections)]
            comment = tor.tor_comment_add(section=section, user=world.north_member, text=f"Comment {n}.")
            if n % 2 == 0:
                tor.tor_comment_address(comment=comment, user=world.north_manager, how=f"Answered {n}.")
        else:
            tor.tor_comment_add(
                section=thread.section, user=world.north_reviewer, text=f"Reply {n}.", parent=thread
            )


def _evidence_action(world: World) -> None:
    """Action 1 of NSCB-1, owned by North's board member."""
    action(at_stage(world.north_review), world.north_member, number=1)


def _progress(world: World, start: int, count: int) -> None:
    """Progress updates on action 1 through the service, each with one or two evidence files; one more
    finding answered per update."""
    review = Review.objects.get(pk=world.north_review.pk)
    act = Action.objects.get(review=review, number=1)
    act.review = review
    for n in range(start, start + count):
        files = [SimpleUploadedFile(f"Evidence {n}.pdf", PDF_BYTES, content_type="application/pdf")]
        if n % 2:
            files.append(SimpleUploadedFile(f"Minutes {n}.pdf", PDF_BYTES, content_type="application/pdf"))
        actions.action_progress_record(
            action=act,
            user=world.north_member,
            on=timezone.localdate() - timedelta(days=n),
            text=f"Progress {n}.",
            files=[actions.Upload(f, sniff(f)) for f in files],
        )
        act.findings.add(finding(review))


def _review_changes(world: World, start: int, count: int) -> None:
    """Changes to NSCB-1's referral through the service (each a history row of the review); the first
    also adds a participating board (a history row of another source)."""
    if start == 0:
        ParticipatingBoardFactory(review=world.north_review, board=world.south)
    for n in range(start, start + count):
        review = Review.objects.get(pk=world.north_review.pk)
        reviews.review_update(
            review=review,
            user=world.north_manager,
            reference=review.reference,
            case_summary=f"What happened, as told the {n + 1}th time.",
            incident_date=review.incident_date,
            notification_date=review.notification_date,
            criteria="statutory" if n % 2 else "discretionary",
            criteria_notes=review.criteria_notes,
            agencies_known=review.agencies_known.all(),
        )


def _board_changes(world: World, start: int, count: int) -> None:
    """Changes to North's local targets through the service (each a history row of the board)."""
    for n in range(start, start + count):
        reviews.board_timescales_update(
            board=world.north,
            notification_working_days=5,
            decision_months=1 + (n + 1) % 2,
            completion_months=6 + (n + 1) % 6,
            publication_months=3,
        )


def _notifications(world: World, start: int, count: int) -> None:
    """Notifications to North's manager: about NSCB-1, NSCB-X or no review, some read."""
    about = [world.north_review, world.cross_border_review, None]
    Notification.objects.bulk_create(
        Notification(
            recipient=world.north_manager,
            review=about[n % 3],
            kind=Notification.Kind.INFORMATION,
            title=f"Notification {n}",
            path="/",
            key=f"test:page-counts:{n}",
            created_at=timezone.now() - timedelta(minutes=n),
            read_at=timezone.now() if n % 2 else None,
        )
        for n in range(start, start + count)
    )


def _documents(world: World, start: int, count: int) -> None:
    """Documents of NSCB-1 (at the response stage), of both kinds and every status, asked for by assorted
    people."""
    review = at_stage(world.north_review)
    people = [world.north_manager, world.north_chair, world.north_member]
    statuses = list(Document.Status)
    for n in range(start, start + count):
        status = statuses[n % len(statuses)]
        ready = status == Document.Status.READY
        Document.objects.create(
            review=review,
            kind=Document.Kind.BOARD_PACK if n % 2 else Document.Kind.TERMS_OF_REFERENCE,
            data_version=f"{n:064x}",
            label=f"Document {n}",
            status=status,
            html="<p>Content</p>",
            file=f"documents/{review.pk}/{n}.pdf" if ready else "",
            sha256=f"{n:064x}" if ready else "",
            requested_by=people[n % len(people)],
        )


def _practice_review(world: World) -> Review:
    """A practice review led by North (made a safeguarding partnership) at its rapid review, two children
    notified; the same review however often called."""
    Board.objects.filter(pk=world.north.pk).update(kind="partnership")
    today = timezone.localdate()
    review, made = Review.objects.get_or_create(
        lead_board=world.north,
        reference="NSCP-R",
        defaults={"regime": "cspr", "state": State.RAPID_REVIEW, "incident_notified_on": today},
    )
    if made:
        for n in range(2):
            review.children.create(pseudonym=f"Child R{n}", outcome="died", panel_reference=f"CSPRP-{n}")
    return review


def _summaries(world: World, start: int, count: int) -> None:
    """`count` more agencies of North asked for a summary on the practice review, every other one received."""
    review = _practice_review(world)
    today = timezone.localdate()
    for n in range(start, start + count):
        agency = AgencyFactory(name=f"Agency {n:03d}", boards=[world.north])
        AgencySummary.objects.create(
            review=review,
            agency=agency,
            requested_by=world.north_manager,
            requested_on=today,
            due_on=today + timedelta(days=n % 5),
            received_on=today if n % 2 else None,
            summary=f"Summary {n}." if n % 2 else "",
        )


# The pages --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    who: str  # the World person who reads it
    url: Callable[[World], str]
    grow: Callable[[World, int, int], None]  # grow(world, start, count): adds `count` more of the data
    sizes: tuple[int, int]  # small and larger
    shows: str  # what the page shows of the data made, at either size (so it is not an empty page)
    prepare: Callable[[World], object] = lambda w: None


def _home(who: str) -> Page:
    return Page(who, lambda w: reverse("home"), _home_reviews, (3, 40), "NSCB-H00")


def _review_list(query: Callable[[World], str] = lambda w: "") -> Page:
    return Page(
        "north_manager", lambda w: reverse("review_list") + query(w), _list_reviews, (1, 40), "NSCB-L000"
    )


def _board_plan(query: Callable[[World], str] = lambda w: "", who="north_manager", sizes=(3, 60)) -> Page:
    url = lambda w: reverse("board_action_plan", args=[w.north.pk]) + query(w)  # noqa: E731
    return Page(who, url, _board_actions, sizes, "Action number")


PAGES = {
    "home, business manager": _home("north_manager"),
    "home, chair": _home("north_chair"),
    "home, board member": _home("north_member"),
    "home, lead reviewer": _home("north_reviewer"),
    "review list": _review_list(),
    "review list, filtered by board": _review_list(lambda w: f"?board={w.north.pk}"),
    "review list, filtered by stage": _review_list(lambda w: "?state=referral"),
    "review page": Page(
        "north_manager",
        lambda w: reverse("review_detail", args=[w.north_review.pk]),
        _review_parts,
        (1, 30),
        "Child P0",
    ),
    "ToR comments": Page(
        "north_manager",
        lambda w: reverse("tor_comments", args=[w.north_review.pk, 1]),
        _tor_comments,
        (1, 30),
        "Comment 0.",
        prepare=_tor_version,
    ),
    "review action plan": Page(
        "north_manager",
        lambda w: reverse("action_plan", args=[w.north_review.pk]),
        _review_actions,
        (3, 60),
        "Action number",
    ),
    "board action plan": _board_plan(),
    "board action plan, by owner": _board_plan(lambda w: f"?owner={w.north_member.pk}"),
    "board action plan, by owner agency": _board_plan(
        lambda w: f"?owner_agency={agency_of(w.north_member, w.north).pk}"
    ),
    "board action plan, by RAG": _board_plan(lambda w: "?rag=red"),
    "board action plan, overdue": _board_plan(lambda w: "?overdue=on"),
    "board action plan, mine": _board_plan(lambda w: "?mine=on", who="north_member"),
    "board action plan, by review": _board_plan(lambda w: f"?review={w.north_review.pk}"),
    "board action plan, page 2": _board_plan(lambda w: "?page=2", sizes=(30, 90)),
    "action page": Page(
        "north_manager",
        lambda w: reverse("action_detail", args=[w.north_review.pk, 1]),
        _progress,
        (1, 30),
        "Evidence 0.pdf",
        prepare=_evidence_action,
    ),
    "review history": Page(
        "north_manager",
        lambda w: reverse("review_history", args=[w.north_review.pk]),
        _review_changes,
        (1, 29),
        "Participating board: South",
    ),
    "board history": Page(
        "north_manager",
        lambda w: reverse("board_history", args=[w.north.pk]),
        _board_changes,
        (1, 29),
        "Complete within (months): 6 → 7",
    ),
    "notifications": Page(
        "north_manager", lambda w: reverse("notification_list"), _notifications, (1, 40), "Notification 0"
    ),
    "documents": Page(
        "north_manager",
        lambda w: reverse("documents", args=[w.north_review.pk]),
        _documents,
        (1, 30),
        "Document 0",
    ),
    "rapid review": Page(
        "north_manager",
        lambda w: reverse("rapid_review", args=[_practice_review(w).pk]),
        _summaries,
        (2, 30),
        "Agency 000",
    ),
}
NOT_CONSTANT: dict[str, str] = {}  # page: why its count grows with the data (a known defect)


def _params():
    for name in PAGES:
        marks = [pytest.mark.xfail(strict=True, reason=NOT_CONSTANT[name])] if name in NOT_CONSTANT else []
        yield pytest.param(name, marks=marks, id=name)


def _read(client, person, url: str, page: Page, size: int) -> tuple[list[str], list[str]]:
    cold, warm, response = cold_and_warm(client, person, url)
    html = response.content.decode()
    assert page.shows in html, f"{url} with {size}: {page.shows!r} is not shown"
    assert "not understood" not in html, f"{url}: the filters were refused"
    return cold, warm


@pytest.mark.parametrize("name", list(_params()))
def test_the_page_runs_a_fixed_number_of_queries_cold_and_warm_whatever_the_data_size(client, world, name):
    page = PAGES[name]
    person = getattr(world, page.who)
    page.prepare(world)
    few, many = page.sizes
    page.grow(world, 0, few)
    url = page.url(world)
    few_cold, few_warm = _read(client, person, url, page, few)
    page.grow(world, few, many - few)
    many_cold, many_warm = _read(client, person, url, page, many)
    shown = listing(
        (f"{few}, cold", few_cold),
        (f"{few}, warm", few_warm),
        (f"{many}, cold", many_cold),
        (f"{many}, warm", many_warm),
    )

    assert (len(few_cold), len(many_cold)) == (len(few_warm), len(many_warm)), f"cold and warm differ:{shown}"
    assert len(few_cold) == len(many_cold), f"{few} and {many} differ:{shown}"
    pinned = COLD_QUERIES[name]
    assert len(few_cold) == pinned, f"{len(few_cold)} queries on {connection.vendor}, pinned {pinned}:{shown}"
