"""Who sees and does what, for the whole portal: memberships → roles → the reviews a person sees → what
they may do. Every view, the admin, notifications, dashboards and exports ask this module; nothing else
reads memberships to decide access.

Views load objects through a scoping selector built on `visible_reviews` / `visible_boards` (an invisible
object is a 404, so existence is never revealed) and then call `require(user, action, obj)` (403 when the
object is visible but the action is not allowed). Templates get booleans from `can`, passed in by views.

The rule set is one: this module holds it and the predicates; each app declares its own rules into it
from its `permissions.py` (loaded by the app's `ready()`), using the stage capabilities the workflow
exports (`review_allows(workflow.RESPONSE_OPEN)`), never lists of states. We keep our own RuleSet rather
than Django's permission backend because `user.has_perm()` answers True to everything for a superuser,
and nobody, however privileged in the admin, may see a review outside their boards or appointments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value

from scr_portal.queries import IdsParam, InIds, InParam, Param

from . import workflow
from .models import (
    BOARD_ROLES,
    PARTNER_ROLES,
    ROLE_IMPLIES,
    Appointment,
    Board,
    BoardInvitation,
    Membership,
    ParticipatingBoard,
    Review,
    Role,
)

rule_set = rules.RuleSet()


# Who holds what ----------------------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def board_roles(user) -> dict[int, frozenset[str]]:
    """Each board's id mapped to the roles `user` actively holds on it: one query (which also reads the
    agencies of `board_agencies`), kept on the user object for the rest of the request (a request never
    outlives a membership change it should see)."""
    if not _active(user):
        return {}
    known = getattr(user, "_board_roles", None)
    if known is None:
        _read_memberships(user)
        known = user._board_roles
    return known


def board_agencies(user) -> dict[int, frozenset[int]]:
    """Each board's id mapped to the agencies `user` represents on it as an active board member."""
    if not _active(user):
        return {}
    known = getattr(user, "_board_agencies", None)
    if known is None:
        _read_memberships(user)
        known = user._board_agencies
    return known


def action_owner_agencies(user) -> frozenset[int]:
    """The agencies for which the person owns actions as an action owner (someone of a partner agency
    without a board role, who sees only the actions they own: `responses.actions.selectors.owned_by`)."""
    if not _active(user):
        return frozenset()
    known = getattr(user, "_owner_agencies", None)
    if known is None:
        _read_memberships(user)
        known = user._owner_agencies
    return known


def author_agencies(user) -> dict[int, frozenset[int]]:
    """Each board's id mapped to the agencies for which the person writes as an agency author there
    (someone of an agency without a board role, who sees only the information requests naming them:
    `conduct.selectors`)."""
    if not _active(user):
        return {}
    known = getattr(user, "_author_agencies", None)
    if known is None:
        _read_memberships(user)
        known = user._author_agencies
    return known


def _read_memberships(user) -> None:
    roles: dict[int, set[str]] = defaultdict(set)
    agencies: dict[int, set[int]] = defaultdict(set)
    owner_agencies: set[int] = set()
    authoring: dict[int, set[int]] = defaultdict(set)
    rows = (
        Membership.objects.active().filter(user=user).order_by().values_list("board_id", "role", "agency_id")
    )
    for board_id, role, agency_id in rows:
        roles[board_id].add(role)
        roles[board_id].update(ROLE_IMPLIES.get(role, ()))
        if agency_id is None:
            continue
        if role == Role.ACTION_OWNER:
            owner_agencies.add(agency_id)
        elif role == Role.AGENCY_AUTHOR:
            authoring[board_id].add(agency_id)
        else:
            agencies[board_id].add(agency_id)
    user._board_roles = {board_id: frozenset(r) for board_id, r in roles.items()}
    user._board_agencies = {board_id: frozenset(a) for board_id, a in agencies.items()}
    user._owner_agencies = frozenset(owner_agencies)
    user._author_agencies = {board_id: frozenset(a) for board_id, a in authoring.items()}


def with_implied(roles: Iterable[str]) -> set[str]:
    """`roles` and every role that counts as one of them (a statutory partner counts as a member), for
    queries on memberships themselves."""
    wanted = set(roles)
    return wanted | {role for role, implied in ROLE_IMPLIES.items() if wanted & set(implied)}


def _labelled(roles: Iterable[str]) -> list[str]:
    """Role names as pages show them: a role held only because another implies it is not named."""
    held = set(roles)
    implied = {r for role in held for r in ROLE_IMPLIES.get(role, ())}
    return sorted(Role(r).label for r in held if r not in implied)


def roles_held(user) -> frozenset[str]:
    """Every role the person holds on any board (a lead reviewer's registry role included)."""
    return frozenset(role for roles in board_roles(user).values() for role in roles)


def holds_role(user, role: str) -> bool:
    """Whether the person holds `role` on at least one board (which sections their home page shows)."""
    return role in roles_held(user)


def participant_board_ids(user) -> list[int]:
    """The boards on which `user` takes part in reviews (business manager, board member or chair)."""
    return sorted(board for board, roles in board_roles(user).items() if roles & set(BOARD_ROLES))


def boards_where(user, *roles: str) -> list[int]:
    """The boards on which the person holds any of `roles`."""
    wanted = set(roles)
    return sorted(board for board, held in board_roles(user).items() if held & wanted)


def memberships_of(user) -> QuerySet[Membership]:
    """The person's active memberships, as their account page lists them."""
    if not _active(user):
        return Membership.objects.none()
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("board", "agency")
        .order_by("board__name", "role")
    )


def roles_on_board(user, board: Board) -> frozenset[str]:
    return board_roles(user).get(board.pk, frozenset())


def review_board_ids(review: Review) -> list[int]:
    """The lead board first, then participating boards (uses prefetched participations when present)."""
    prefetched = getattr(review, "_prefetched_objects_cache", {}).get("participations")
    participating = (
        [p.board_id for p in prefetched]
        if prefetched is not None
        else list(review.participations.values_list("board_id", flat=True))
    )
    return [review.lead_board_id, *participating]


def _appointed(user, review: Review) -> bool:
    """Whether `user` is the review's lead reviewer now: from its current appointments when the review was
    read with them (`selectors.review_for` prefetches them for the page), else by one query."""
    current = getattr(review, "current_appointments", None)
    if current is not None:
        return any(a.reviewer_id == user.pk for a in current)
    return review.appointments.filter(reviewer_id=user.pk, ended_at__isnull=True).exists()


def roles_on_review(user, review: Review) -> frozenset[str]:
    """The roles `user` holds on the review: their board roles on its lead or any participating board, and
    lead reviewer while appointed to it. Kept on the review object for the rest of the request."""
    known = review.__dict__.setdefault("_roles_by_user", {})
    if user.pk in known:
        return known[user.pk]
    held = board_roles(user)
    roles: set[str] = set()
    for board_id in review_board_ids(review):
        roles |= held.get(board_id, frozenset()) & set(BOARD_ROLES)
    if _active(user) and _appointed(user, review):
        roles.add(Role.LEAD_REVIEWER)
    known[user.pk] = result = frozenset(roles)
    return result


def roles_running(user, review: Review) -> frozenset[str]:
    """The roles by which `user` runs the review: their board roles on its lead board, and lead reviewer
    while appointed to it. A participating board's people take part in a cross-border review (input,
    comments, their agencies' actions, reading the response), but appointments, approvals, sign-off,
    documents and the lifecycle's steps stay with the lead board's roles."""
    lead = board_roles(user).get(review.lead_board_id, frozenset()) & set(BOARD_ROLES)
    return frozenset(lead | (roles_on_review(user, review) & {Role.LEAD_REVIEWER}))


def participating_boards_as(user, review: Review, *roles: str) -> list[int]:
    """The review's participating boards (never its lead board) on which the person holds any of `roles`:
    the boards a participating chair speaks for, for one."""
    held = board_roles(user)
    wanted = set(roles)
    return [board for board in review_board_ids(review)[1:] if held.get(board, frozenset()) & wanted]


def participating_boards_chaired(user, review: Review) -> list[int]:
    """The boards taking part in the review (not its lead board) that the person chairs: those whose
    agreement to the terms of reference they record."""
    return participating_boards_as(user, review, Role.CHAIR)


def role_labels_on_review(user, review: Review) -> list[str]:
    """The person's roles on the review, as the page names them."""
    return _labelled(roles_on_review(user, review))


def role_labels_on_board(user, board: Board) -> list[str]:
    return _labelled(roles_on_board(user, board))


def manageable_boards(user) -> list[Board]:
    """Boards on which the person is a business manager (where they may open reviews)."""
    return list(Board.objects.filter(pk__in=boards_where(user, Role.BUSINESS_MANAGER)).order_by("name"))


# What they see -----------------------------------------------------------------------------------------


def reviews_joined(user) -> frozenset[int]:
    """The reviews the person sees other than through the board that leads them: those their boards take part
    in, and those they are appointed to as lead reviewer. One query, kept on the user object for the rest of
    the request like `board_roles` (a person takes part in tens of reviews this way, not thousands)."""
    if not _active(user):
        return frozenset()
    known = getattr(user, "_reviews_joined", None)
    if known is None:
        ids = (
            Appointment.objects.filter(reviewer=user, ended_at__isnull=True)
            .order_by()
            .annotate(through=Value(_APPOINTED, output_field=IntegerField()))
            .values_list("review_id", "through")
        )
        boards = participant_board_ids(user)
        if boards:
            taking_part = (
                ParticipatingBoard.objects.filter(board_id__in=boards)
                .order_by()
                .values_list("review_id", "board_id")
            )
            ids = ids.union(taking_part)
        rows = list(ids)
        known = user._reviews_joined = frozenset(review_id for review_id, _ in rows)
        user._joined_through = rows
    return known


_APPOINTED = 0  # in `_joined_through`: joined by appointment rather than through a board


def _joined_through(user) -> list[tuple[int, int]]:
    """The reviews of `reviews_joined`, each with the board the person joins it through (or _APPOINTED)."""
    reviews_joined(user)
    return getattr(user, "_joined_through", [])


def visible_reviews(user, queryset: QuerySet[Review] | None = None) -> QuerySet[Review]:
    """The reviews `user` may see: those of boards they take part in (lead or participating), and those
    they are appointed to as lead reviewer. Nothing for anonymous or inactive people; nothing by virtue of
    being staff.

    The boards, and the reviews joined by taking part or by appointment, are known before the query
    (`reviews_joined`), so the query compares ids with two lists: PostgreSQL reads only the matching reviews
    by index, where a subquery inside the OR had it read all of a national installation's reviews, and every
    query of a page that reads the person's reviews is built, planned and run without subqueries."""
    queryset = Review.objects.all() if queryset is None else queryset
    if not _active(user):
        return queryset.none()
    return queryset.filter(_seen(user, id_column="pk", lead_board="lead_board_id"))


def sees_review_of(user, field: str = "review") -> Q:
    """`visible_reviews`'s rule as a condition on another model's foreign key `field` to reviews (an action's
    review): rows of reviews the person may see, without a subquery of their reviews."""
    if not _active(user):
        return Q(pk__in=[])
    return _seen(user, id_column=f"{field}_id", lead_board=f"{field}__lead_board_id")


def sees_anyone(*, id_column: str = "pk", lead_board: str = "lead_board_id") -> Q:
    """`visible_reviews`'s rule (as `sees_review_of` writes it on another model's columns) for a query built
    once and run for anyone (scr_portal.queries.shaped): the reviews the person joined, or led by their
    boards, given when the query runs from the values' "user"."""
    return Q(InParam(id_column, PersonIds("reviews joined"))) | Q(InParam(lead_board, PersonIds("boards")))


class PersonId(Param):
    """The person's id (`values["user"].pk`) in a query built once and run for anyone."""

    def __init__(self) -> None:
        super().__init__("person", IntegerField())

    def value(self, values) -> int:
        return values["user"].pk


PERSON_ID = PersonId()


class PersonIds(IdsParam):
    """Ids this module reads of the person (`values["user"]`) for a query built once and run for anyone:
    the reviews they joined other than through their boards' lead (`reviews_joined`), the boards they take
    part in (`participant_board_ids`), the boards where they hold one of `roles` (`boards_where`), or the
    agencies they own actions for as an action owner (`action_owner_agencies`)."""

    def __init__(self, what: str, *roles: str) -> None:
        self.what, self.roles = what, tuple(sorted(roles))
        super().__init__(f"{what} {'+'.join(self.roles)}".strip())

    def value(self, values) -> list[int]:
        user = values["user"]
        if self.what == "reviews joined":
            return sorted(reviews_joined(user))
        if self.what == "boards":
            return participant_board_ids(user) if not self.roles else boards_where(user, *self.roles)
        if self.what == "owner agencies":
            return sorted(action_owner_agencies(user))
        raise ValueError(f"PersonIds: nothing called {self.what!r}")


def _seen(user, *, id_column: str, lead_board: str) -> Q:
    """The rule itself, on a review's id and its lead board's: the reviews joined, or led by their boards."""
    visible = Q(InIds(id_column, sorted(reviews_joined(user))))
    boards = participant_board_ids(user)
    if boards:
        visible |= Q(**{f"{lead_board}__in": boards})
    return visible


def holds_on_anyone(*roles: str, at: str, field: str = "review", running: bool = False) -> Q:
    """The rule `on_review(*roles) & review_allows(at)` as a condition on rows whose `field` is a review
    (`field=""`: on reviews), for a query built once and run for anyone (scr_portal.queries.shaped): the
    person (`values["user"]`) holds one of `roles` on the row's review (a board role on its lead or a
    participating board; lead reviewer by current appointment) and its stage has capability `at`. With
    `running`, the rule `runs_review(*roles) & review_allows(at)`: board roles count on the lead board only.
    Lists of what a person may do are read with it, never with a list of reviews of their own.

    The person's boards and reviews are parameters (`HeldIds`) read when the query runs. On rows of another
    table it is one semi-join to reviews whose own conditions (ids, lead boards, stage) are all on the
    reviews table, so the database reads only the person's reviews by index, then their rows."""
    condition = Q(InParam("pk", HeldIds("reviews", roles, running))) | Q(
        InParam("lead_board_id", HeldIds("boards", roles, running))
    )
    condition &= Q(state__in=workflow.states_allowing(at))
    if not field:
        return condition
    return Q(**{f"{field}_id__in": Review.objects.filter(condition).values("pk")})


def held_on(user, *roles: str, running: bool = False) -> tuple[list[int], list[int]]:
    """What `holds_on_anyone` reads of the person: the boards on which they hold one of `roles` (board
    roles), and the reviews they hold one on other than through those boards' lead: taking part through
    those boards (not with `running`), or appointed as lead reviewer when `roles` has it. Empty for someone
    inactive."""
    if not _active(user):
        return [], []
    boards = set(boards_where(user, *(set(roles) & set(BOARD_ROLES))))
    appointed = Role.LEAD_REVIEWER in roles
    joined = {
        review_id
        for review_id, through in _joined_through(user)
        if (through in boards and not running) or (appointed and through == _APPOINTED)
    }
    return sorted(boards), sorted(joined)


class HeldIds(IdsParam):
    """The boards (`part="boards"`) or the reviews (`part="reviews"`) of `held_on(values["user"], *roles,
    running=running)`, given when a `holds_on_anyone` query runs."""

    def __init__(self, part: str, roles: Iterable[str], running: bool) -> None:
        self.part, self.roles, self.running = part, tuple(sorted(roles)), running
        super().__init__(f"held {part} {'+'.join(self.roles)}{' running' if running else ''}")

    def value(self, values) -> list[int]:
        boards, reviews = held_on(values["user"], *self.roles, running=self.running)
        return boards if self.part == "boards" else reviews


@dataclass(frozen=True)
class Reach:
    """People told about a review without seeing it: an action owner, about the actions they own. Each app
    that reaches people this way registers one from its ready() (`add_reach`), so this module imports no app
    above it: `notifications(user)` is a condition on the person's notifications' `review` (None when it
    reaches them about nothing), `people(review)` the ids of the people it reaches about the review."""

    notifications: Callable[[object], Q | None]
    people: Callable[[Review], QuerySet]


_reaches: list[Reach] = []


def add_reach(reach: Reach) -> None:
    if reach not in _reaches:
        _reaches.append(reach)


def told_about(user) -> Q | None:
    """Notifications the person may read about reviews they do not see (None: none such)."""
    if not _active(user):
        return None
    condition = None
    for reach in _reaches:
        extra = reach.notifications(user)
        if extra is not None:
            condition = extra if condition is None else condition | extra
    return condition


def people_told_about(review: Review) -> list[int]:
    """The ids of the people who may be told about the review without seeing it."""
    return [pk for reach in _reaches for pk in reach.people(review)]


def may_see_review(user, review_id: int) -> bool:
    return visible_reviews(user).filter(pk=review_id).exists()


def visible_boards(user) -> QuerySet[Board]:
    """Boards on which the person takes part (business manager, board member or chair)."""
    if not _active(user):
        return Board.objects.none()
    return Board.objects.filter(pk__in=participant_board_ids(user))


def people_on_review(review: Review, roles: Iterable[str]) -> QuerySet:
    """Active people holding any of `roles` on the review (board roles on its boards; lead reviewers by
    current appointment), as a queryset: who is told about it, and who may be."""
    roles = set(roles)
    board_ids = [
        review.lead_board_id,
        *ParticipatingBoard.objects.filter(review=review).values_list("board_id", flat=True),
    ]
    condition = Q(pk__in=[])
    on_boards = with_implied(roles) & set(BOARD_ROLES)
    if on_boards:
        condition |= Exists(
            Membership.objects.active().filter(
                user=OuterRef("pk"), board_id__in=board_ids, role__in=on_boards
            )
        )
    if Role.LEAD_REVIEWER in roles:
        condition |= Exists(
            Appointment.objects.filter(reviewer=OuterRef("pk"), review=review, ended_at__isnull=True)
        )
    return get_user_model().objects.filter(condition, is_active=True)


def people_on_board(board_id: int, roles: Iterable[str]) -> QuerySet:
    """Active people holding any of `roles` on one board (whom a board's invitation is sent to, for one)."""
    return people_on_boards([board_id], roles)


def people_on_boards(board_ids: Iterable[int], roles: Iterable[str]) -> QuerySet:
    """Active people holding any of `roles` on any of the boards."""
    members = Membership.objects.active().filter(
        user=OuterRef("pk"), board_id__in=list(board_ids), role__in=with_implied(roles)
    )
    return get_user_model().objects.filter(Exists(members), is_active=True)


def agency_people_on_board(board_id: int, agency_id: int) -> QuerySet:
    """Active people representing the agency on the board: its board members, and a partnership's lead and
    delegated partners for that organisation (whom an agency's request for a summary goes to)."""
    members = Membership.objects.active().filter(
        user=OuterRef("pk"),
        board_id=board_id,
        agency_id=agency_id,
        role__in=with_implied([Role.BOARD_MEMBER]),
    )
    return get_user_model().objects.filter(Exists(members), is_active=True)


def represents_agency(user, board_id: int, agency_id: int) -> bool:
    """Whether the person represents the agency on the board (a board member or a partner holding it)."""
    return agency_id in board_agencies(user).get(board_id, frozenset())


def participating_board_ids(review: Review) -> list[int]:
    """The boards taking part in the review other than its lead board."""
    return review_board_ids(review)[1:]


def invitation_parties(user, invitation: BoardInvitation) -> frozenset[str]:
    """Which side of an invitation the person is on (`workflow.LEAD_MANAGER`, `workflow.INVITED_MANAGER`):
    a business manager of the review's lead board, or of the invited board."""
    held = board_roles(user)
    parties = set()
    if Role.BUSINESS_MANAGER in held.get(invitation.review.lead_board_id, ()):
        parties.add(workflow.LEAD_MANAGER)
    if Role.BUSINESS_MANAGER in held.get(invitation.board_id, ()):
        parties.add(workflow.INVITED_MANAGER)
    return frozenset(parties)


def invitations_to(user) -> QuerySet[BoardInvitation]:
    """Invitations to the boards on which the person is business manager (who answers them)."""
    return BoardInvitation.objects.filter(board_id__in=boards_where(user, Role.BUSINESS_MANAGER))


def people_who_may_see(review: Review) -> QuerySet:
    """Everyone who may see the review: the same rule as `visible_reviews`, asked from the review's side."""
    return people_on_review(review, (*BOARD_ROLES, Role.LEAD_REVIEWER))


# Predicates the apps build their rules from --------------------------------------------------------------


def on_board(*roles: str) -> rules.Predicate:
    """True when the person holds any of `roles` on the board (the rule's object)."""

    @rules.predicate(name=f"on_board_as_{'_or_'.join(roles)}")
    def predicate(user, board: Board) -> bool:
        return bool(roles_on_board(user, board) & set(roles))

    return predicate


def on_review(*roles: str) -> rules.Predicate:
    """True when the person holds any of `roles` on the review (the rule's object)."""

    @rules.predicate(name=f"on_review_as_{'_or_'.join(roles)}")
    def predicate(user, review: Review) -> bool:
        return bool(roles_on_review(user, review) & set(roles))

    return predicate


def runs_review(*roles: str) -> rules.Predicate:
    """True when the person holds any of `roles` on the review's lead board (lead reviewer: while appointed
    to it): the rules of what the lead board keeps to itself in a cross-border review (`roles_running`)."""

    @rules.predicate(name=f"runs_review_as_{'_or_'.join(roles)}")
    def predicate(user, review: Review) -> bool:
        return bool(roles_running(user, review) & set(roles))

    return predicate


def review_allows(capability: str) -> rules.Predicate:
    """True when the review's stage has `capability` (see workflow.CAPABILITIES)."""

    @rules.predicate(name=f"review_allows_{capability}")
    def predicate(user, review: Review) -> bool:
        return workflow.allows(review, capability)

    return predicate


def anywhere(*roles: str) -> rules.Predicate:
    """True when the person holds any of `roles` on at least one board (for rules with no object)."""

    @rules.predicate(name=f"anywhere_as_{'_or_'.join(roles)}")
    def predicate(user) -> bool:
        return bool(roles_held(user) & set(roles))

    return predicate


_refusals: dict[str, str] = {}


def add_rule(name: str, predicate: rules.Predicate, *, refusal: str = "") -> None:
    """Declares a rule (once; a second declaration of the same name is a programming error). `refusal` is
    what the 403 page says when it is refused; without one it names the rule."""
    rule_set.add_rule(name, predicate)
    if refusal:
        _refusals[name] = refusal


# Asking ------------------------------------------------------------------------------------------------


def can(user, action: str, obj=None) -> bool:
    return rule_set.test_rule(action, user, obj)


def require(user, action: str, obj=None) -> None:
    """Raises PermissionDenied (403) unless `user` may do `action` to `obj`."""
    if not can(user, action, obj):
        raise PermissionDenied(
            _refusals.get(action) or f"You do not have permission to {action.replace('_', ' ')}."
        )


def may_take_step(user, review: Review, step: workflow.Transition) -> bool:
    """Whether the person may take this step of the review's lifecycle (the table names the roles)."""
    return can(user, "take_review_step", review) and workflow.permitted(step, roles_running(user, review))


def require_step(user, review: Review, step: workflow.Transition) -> None:
    if not may_take_step(user, review, step):
        raise PermissionDenied(f"Only the lead board's {workflow.roles_named(step)} can do this.")


def step_options(user, review: Review) -> list[workflow.Option]:
    """The lifecycle steps the person may take from the review's stage, each with what must happen first
    (the lead board's people only: participating boards take part, the lead board runs the review)."""
    if not can(user, "take_review_step", review):
        return []
    return workflow.options(review, roles_running(user, review))


def chairs_somewhere(user) -> bool:
    """Chairs and statutory partners decide, approve and sign: they must use a second factor (registered
    with the accounts policy)."""
    return bool(roles_held(user) & {Role.CHAIR, *PARTNER_ROLES})


def acting_partner(user, review: Review) -> Membership | None:
    """The membership by which `user` signs for a statutory partner on the review's lead partnership (its
    `partner` and `agency`): their lead partner role before a delegated one; None when they hold neither.
    Signing the partners' decision and their written response both ask this."""
    held = list(
        Membership.objects.active()
        .filter(user=user, board_id=review.lead_board_id, role__in=PARTNER_ROLES)
        .select_related("agency")
    )
    held.sort(key=lambda m: PARTNER_ROLES.index(m.role))
    return held[0] if held else None
