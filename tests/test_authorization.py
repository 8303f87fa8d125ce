"""The authorization walk: every URL pattern the project has, checked for who may reach it.

Each pattern must appear in ROUTES (or, for the Django admin, under the admin rule). For each: anonymous
visitors are sent to sign in (unless the page is public); on object pages, people of an unrelated board
get 403 or 404, and someone entitled gets through, so the table cannot pass by testing nothing. A new URL
pattern missing from the table fails `test_every_url_pattern_is_in_the_table`, so no view can escape.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conduct import routes as routes_conduct
from tests.conduct import routes_report
from tests.conftest import World
from tests.documents import routes as routes_documents
from tests.records import routes as routes_records
from tests.responses import routes_actions, routes_discussion, routes_plan, routes_response
from tests.routes import Route, _object


def _commissioning(review) -> int:
    """Puts a world review at the commissioning stage (where commissioning pages can be changed)."""
    type(review).objects.filter(pk=review.pk).update(state="commissioning")
    return review.pk


def _input_round(w) -> dict:
    """The north review's open input round (one at a time: the same round however often this is called)."""
    from django.utils import timezone

    from commissioning.inputs import services as inputs
    from scr_portal.workdays import add_working_days

    _commissioning(w.north_review)
    w.north_review.refresh_from_db()
    current = inputs.open_round_of(w.north_review) or inputs.input_round_open(
        review=w.north_review,
        user=w.north_manager,
        request="Anything relevant?",
        closes_on=add_working_days(timezone.localdate(), 5),
    )
    return {"pk": w.north_review.pk, "round_pk": current.pk}


def _rapid_review(w) -> dict:
    """A practice review led by North (made a safeguarding partnership for the walk) at its rapid review,
    North's member's agency asked for a summary and another agency not yet asked (the same review and
    summary however often called)."""
    from django.utils import timezone

    from reviews.models import Agency, AgencySummary, Board, Membership, Review

    Board.objects.filter(pk=w.north.pk).update(kind="partnership")
    # An agency not asked yet, so the business manager has one to ask
    Agency.objects.get_or_create(name="North Health", kind="health")[0].boards.add(w.north)
    today = timezone.localdate()
    review, _ = Review.objects.get_or_create(
        lead_board=w.north,
        reference="NSCP-RR",
        defaults={"regime": "cspr", "state": "rapid_review", "incident_notified_on": today},
    )
    agency = Membership.objects.get(user=w.north_member, board=w.north, role="board_member").agency
    summary, _ = AgencySummary.objects.get_or_create(
        review=review,
        agency=agency,
        defaults={"requested_by": w.north_manager, "requested_on": today, "due_on": today},
    )
    return {"pk": review.pk, "summary_pk": summary.pk}


def _registry_entry(user) -> int:
    from commissioning.models import LeadReviewer

    return LeadReviewer.objects.get_or_create(user=user)[0].pk


def _proposal(w) -> dict:
    from commissioning.models import Proposal

    proposal = Proposal.objects.create(
        review=w.north_review, author=w.north_reviewer, topic="scope", text="x"
    )
    return {"pk": w.north_review.pk, "proposal_pk": proposal.pk}


def _tor(w, status: str = "draft"):
    """The north review's latest terms-of-reference version, made (and sent out) when needed."""
    from datetime import timedelta

    from django.utils import timezone

    from commissioning.tor import services as tor

    _commissioning(w.north_review)
    w.north_review.refresh_from_db()
    version = w.north_review.tor_versions.order_by("-number").first() or tor.tor_draft_create(
        review=w.north_review, user=w.north_manager
    )
    if status == "out_for_comment" and version.status == "draft":
        tor.tor_send_for_comment(
            version=version, user=w.north_manager, closes_on=timezone.localdate() + timedelta(days=7)
        )
    return version


def _tor_kwargs(w, status: str = "draft", **extra) -> dict:
    return {"pk": w.north_review.pk, "number": _tor(w, status).number, **extra}


def _tor_comment(w) -> dict:
    from commissioning.models import ToRComment
    from commissioning.tor import services as tor

    version = _tor(w, "out_for_comment")
    comment = ToRComment.objects.filter(section__version=version).first() or tor.tor_comment_add(
        section=version.sections.first(), user=w.north_member, text="x"
    )
    return {"pk": w.north_review.pk, "number": version.number, "comment_pk": comment.pk}


def _invitation(w, review=None) -> dict:
    """A waiting invitation from North to East to take part in North's cross-border review (made once)."""
    from reviews import services

    review = review or w.cross_border_review
    made = review.invitations.filter(board=w.east).first() or services.board_invite(
        review=review, user=w.north_manager, board=w.east, note="Join us"
    )
    return {"pk": review.pk, "invitation_pk": made.pk}


ROUTES: dict[str, Route] = {
    # Portal
    "home": Route(),
    "healthz": Route(public=True),
    "accessibility": Route(public=True),
    "help": Route(),
    "waiting": Route(),
    # Signing in, out, and passwords (Django's views in our templates)
    "login": Route(public=True),
    "admin_login": Route(public=True),  # hands over to "login"
    "logout": Route(method="post"),
    "password_change": Route(),
    "password_change_done": Route(),
    "password_reset": Route(public=True),
    "password_reset_done": Route(public=True),
    "password_reset_confirm": Route(kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}, public=True),
    "password_reset_complete": Route(public=True),
    # The person's own account
    "account": Route(),
    "two_factor_setup": Route(),
    "two_factor_verify": Route(),
    "two_factor_remove": Route(method="post"),
    # Boards
    "board_list": Route(),
    "board_detail": _object(
        lambda w: {"pk": w.north.pk}, allowed="north_member", denied=("east_manager", "north_reviewer")
    ),
    "board_history": _object(
        lambda w: {"pk": w.north.pk}, allowed="north_manager", denied=("east_manager", "north_member")
    ),
    "board_timescales": _object(
        lambda w: {"pk": w.north.pk}, allowed="north_manager", denied=("east_manager", "north_chair")
    ),
    # Reviews
    "review_list": Route(),
    "review_detail": _object(
        lambda w: {"pk": w.north_review.pk}, allowed="north_reviewer", denied=("east_manager", "south_member")
    ),
    "review_history": _object(
        lambda w: {"pk": w.cross_border_review.pk},
        allowed="south_manager",
        denied=("east_manager", "north_member"),
    ),
    "review_create": Route(),
    "review_edit": _object(
        lambda w: {"pk": w.north_review.pk},
        allowed="north_manager",
        denied=("east_manager", "north_member", "south_manager"),
    ),
    "child_add": _object(
        lambda w: {"pk": w.north_review.pk},
        allowed="north_manager",
        denied=("east_manager", "north_reviewer"),
    ),
    "child_edit": _object(
        lambda w: {"pk": w.north_review.pk, "child_pk": w.north_child.pk},
        allowed="north_manager",
        denied=("east_manager", "north_chair"),
    ),
    "parallel_process_add": _object(
        lambda w: {"pk": w.cross_border_review.pk},
        allowed="north_manager",
        denied=("east_manager", "south_member", "south_manager"),
    ),
    "parallel_process_edit": _object(
        lambda w: {"pk": w.north_review.pk, "process_pk": w.north_process.pk},
        allowed="north_manager",
        denied=("east_manager", "north_member"),
    ),
    "review_step": _object(
        lambda w: {"pk": w.north_review.pk, "name": "send_for_decision"},
        allowed="north_manager",
        denied=("east_manager", "north_member", "south_manager"),
    ),
    # A practice review's rapid review: everyone on it reads it; the business manager asks agencies for
    # summaries; the manager or the agency's own member records one
    "rapid_review": _object(
        lambda w: {"pk": _rapid_review(w)["pk"]},
        allowed="north_member",
        denied=("east_manager", "south_manager"),
    ),
    "agency_summaries_request": _object(
        lambda w: {"pk": _rapid_review(w)["pk"]},
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair"),
    ),
    "agency_summary_record": _object(
        _rapid_review, allowed="north_member", denied=("east_manager", "south_manager", "north_chair")
    ),
    # Commissioning (QM 6): everyone on the review sees it; the business manager changes it
    "commissioning": _object(
        lambda w: {"pk": _commissioning(w.cross_border_review)},
        allowed="south_member",
        denied=("east_manager",),
    ),
    "commissioning_self_check": _object(
        lambda w: {"pk": _commissioning(w.north_review)},
        allowed="north_reviewer",
        denied=("east_manager", "south_member"),
    ),
    **{
        name: _object(
            lambda w: {"pk": _commissioning(w.north_review)},
            allowed="north_manager",
            denied=("east_manager", "north_member", "north_chair", "north_reviewer"),
        )
        for name in (
            "factors_edit",
            "custom_factor_add",
            "scope_edit",
            "lines_of_enquiry_edit",
            "agency_involvement_edit",
            "rationale_edit",
        )
    },
    # Board input round
    "input_rounds": _object(
        lambda w: {"pk": _commissioning(w.north_review)},
        allowed="north_reviewer",
        denied=("east_manager", "south_member"),
    ),
    "input_round_open": _object(
        lambda w: {"pk": _commissioning(w.north_review)},
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_reviewer"),
    ),
    "input_reply": Route(
        kwargs=_input_round,
        method="post",
        data={"text": "Relevant."},
        allowed="north_member",
        denied=("east_manager", "north_manager", "north_reviewer"),
        ok_status=302,
    ),
    # Lead reviewer registry, appointments, declarations and proposals
    "registry_list": Route(allowed="north_chair", denied=("north_member", "north_reviewer")),
    "registry_create": Route(allowed="north_manager", denied=("north_chair",)),
    "registry_edit": _object(
        lambda w: {"pk": _registry_entry(w.south_reviewer)}, allowed="north_manager", denied=("north_chair",)
    ),
    "appointment_manage": _object(
        lambda w: {"pk": w.north_review.pk},
        allowed="north_manager",
        denied=("east_manager", "north_chair", "south_manager"),
    ),
    "appointment_create": _object(
        lambda w: {"pk": w.north_review.pk, "reviewer_pk": _registry_entry(w.south_reviewer)},
        allowed="north_manager",
        denied=("east_manager", "north_member"),
    ),
    "appointment_end": _object(
        lambda w: {"pk": w.north_review.pk, "appointment_pk": w.north_review.appointments.get().pk},
        allowed="north_manager",
        denied=("east_manager", "north_reviewer"),
    ),
    "appointment_conflict_declare": _object(
        lambda w: {"pk": w.north_review.pk, "reviewer_pk": _registry_entry(w.north_reviewer)},
        allowed="north_reviewer",
        denied=("east_manager", "north_chair", "south_reviewer"),
    ),
    "proposal_list": _object(
        lambda w: {"pk": w.north_review.pk}, allowed="north_member", denied=("east_manager", "south_member")
    ),
    "proposal_create": _object(
        lambda w: {"pk": w.north_review.pk},
        allowed="north_reviewer",
        denied=("east_manager", "north_manager"),
    ),
    "proposal_answer": _object(
        _proposal, allowed="north_chair", denied=("east_manager", "north_reviewer", "north_member")
    ),
    # Terms of reference: versions, comments, approval
    "tor_list": _object(
        lambda w: {"pk": _commissioning(w.north_review)},
        allowed="north_reviewer",
        denied=("east_manager", "south_member"),
    ),
    "tor_draft_create": _object(
        lambda w: {"pk": _commissioning(w.north_review)},
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair"),
    ),
    "tor_diff": _object(
        lambda w: {"pk": _commissioning(w.north_review)},
        allowed="north_member",
        denied=("east_manager", "south_manager"),
    ),
    "tor_version": _object(_tor_kwargs, allowed="north_reviewer", denied=("east_manager", "south_member")),
    "tor_section_edit": _object(
        lambda w: _tor_kwargs(w, key="purpose"),
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair"),
    ),
    "tor_send": _object(
        _tor_kwargs, allowed="north_manager", denied=("east_manager", "north_member", "north_chair")
    ),
    "tor_approve": _object(
        lambda w: _tor_kwargs(w, "out_for_comment"),
        allowed="north_chair",
        denied=("east_manager", "north_manager", "north_member"),
    ),
    "tor_close_comments": _object(
        lambda w: _tor_kwargs(w, "out_for_comment"),
        allowed="north_chair",
        denied=("east_manager", "north_manager", "north_member"),
    ),
    "tor_comments": _object(
        lambda w: _tor_kwargs(w, "out_for_comment"),
        allowed="north_reviewer",
        denied=("east_manager", "south_member"),
    ),
    "tor_comment_add": _object(
        lambda w: _tor_kwargs(w, "out_for_comment", key="purpose"),
        allowed="north_reviewer",
        denied=("east_manager", "south_member"),
    ),
    "tor_comment_reply": _object(
        _tor_comment, allowed="north_member", denied=("east_manager", "south_member")
    ),
    "tor_comment_address": _object(
        _tor_comment, allowed="north_manager", denied=("east_manager", "north_member", "north_chair")
    ),
    # Cross-border reviews: the lead board's business manager invites and removes boards; the invited board's
    # business manager answers or withdraws.
    "review_boards": _object(
        lambda w: {"pk": w.cross_border_review.pk}, allowed="south_member", denied=("east_manager",)
    ),
    "review_board_invite": _object(
        lambda w: {"pk": w.cross_border_review.pk},
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair", "south_manager", "south_chair"),
    ),
    "review_board_remove": _object(
        _invitation,
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair", "south_manager", "south_chair"),
    ),
    "invitation_list": Route(
        allowed="east_manager", denied=("north_member", "north_chair", "north_reviewer")
    ),
    "invitation_answer": _object(
        lambda w: {"pk": _invitation(w)["invitation_pk"]},
        allowed="east_manager",
        denied=("north_manager", "south_manager", "north_chair"),
    ),
    "invitation_withdraw": _object(
        lambda w: {"pk": _invitation(w)["invitation_pk"]},
        allowed="east_manager",
        denied=("north_manager", "south_manager", "north_chair"),
    ),
    # A cross-border review's terms of reference: a participating board's chair agrees or objects to a
    # version; the lead chair may record why approval goes ahead without every board's answer.
    "tor_agreement": _object(
        lambda w: _x_tor(w, "out_for_comment"),
        allowed="south_chair",
        denied=("east_manager", "north_chair", "north_manager", "south_manager", "south_member"),
    ),
    "tor_agreement_waive": _object(
        lambda w: _x_tor(w, "out_for_comment"),
        allowed="north_chair",
        denied=("east_manager", "north_manager", "south_manager", "south_chair"),
    ),
    # Notifications: only the recipient's own
    "notification_list": Route(),
    "notifications_read_all": Route(method="post"),
    "notification_open": _object(
        lambda w: {"pk": w.north_notification.pk},
        allowed="north_manager",
        denied=("east_manager", "north_member", "north_chair"),
        ok_status=302,
    ),
}
# Each part of the response keeps its rows beside its own tests.
for _part in (
    routes_conduct,
    routes_report,
    routes_actions,
    routes_discussion,
    routes_plan,
    routes_response,
    routes_documents,
    routes_records,
):
    assert not set(_part.ROUTES) & set(ROUTES), f"{_part.__name__} repeats names already in the table"
    ROUTES.update(_part.ROUTES)

# The lead board runs a cross-border review: its appointments, approvals, sign-off, documents and lifecycle
# steps are refused to the participating board's business manager and chair, however they hold the same
# roles on their own board. Each row: a URL of the cross-border review (led by North, South taking part).


def _x_at(w, state: str):
    """The cross-border review at `state` (with a final report on file from the report on)."""
    from tests.responses.helpers import at_stage

    review = w.cross_border_review
    if state in ("report_received", "response"):
        return at_stage(review, state)
    type(review).objects.filter(pk=review.pk).update(state=state)
    review.refresh_from_db()
    return review


def _x_appointment(w) -> dict:
    from tests.factories import AppointmentFactory

    _x_at(w, "commissioning")
    appointment = w.cross_border_review.appointments.first() or AppointmentFactory(
        review=w.cross_border_review, reviewer=w.north_reviewer
    )
    return {"pk": w.cross_border_review.pk, "appointment_pk": appointment.pk}


def _x_proposal(w) -> dict:
    from commissioning.models import Proposal

    _x_appointment(w)
    proposal = Proposal.objects.create(
        review=w.cross_border_review, author=w.north_reviewer, topic="scope", text="x"
    )
    return {"pk": w.cross_border_review.pk, "proposal_pk": proposal.pk}


def _x_tor(w, status: str = "draft") -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from commissioning.tor import services as tor

    _x_at(w, "commissioning")
    review = type(w.cross_border_review).objects.get(pk=w.cross_border_review.pk)
    version = review.tor_versions.order_by("-number").first() or tor.tor_draft_create(
        review=review, user=w.north_manager
    )
    if status == "out_for_comment" and version.status == "draft":
        tor.tor_send_for_comment(
            version=version, user=w.north_manager, closes_on=timezone.localdate() + timedelta(days=7)
        )
    return {"pk": review.pk, "number": version.number}


def _x_response_draft(w) -> dict:
    from responses.document import services
    from tests.responses.helpers import finding

    review = _x_at(w, "response")
    if not review.findings.exists():
        finding(review)
    version = review.response_versions.filter(
        signed_at__isnull=True
    ).first() or services.response_version_create(review=review, user=w.north_manager)
    return {"pk": review.pk, "number": version.number}


PARTICIPATING = ("south_manager", "south_chair")
LEAD_BOARD_ONLY: dict[str, Route] = {
    "appointment_manage": _object(
        lambda w: {"pk": _x_appointment(w)["pk"]}, allowed="north_manager", denied=PARTICIPATING
    ),
    "appointment_end": _object(_x_appointment, allowed="north_manager", denied=PARTICIPATING),
    "proposal_answer": _object(_x_proposal, allowed="north_chair", denied=PARTICIPATING),
    # A draft is open already, so the lead manager is sent back to the list with the reason (not refused).
    "tor_draft_create": _object(
        lambda w: {"pk": _x_tor(w)["pk"]}, allowed="north_manager", denied=PARTICIPATING, ok_status=302
    ),
    "tor_send": _object(_x_tor, allowed="north_manager", denied=PARTICIPATING),
    "tor_approve": _object(
        lambda w: _x_tor(w, "out_for_comment"), allowed="north_chair", denied=PARTICIPATING
    ),
    "review_step": _object(
        lambda w: {"pk": _x_at(w, "commissioning").pk, "name": "withdraw"},
        allowed="north_chair",
        denied=PARTICIPATING,
    ),
    "response_version_sign": _object(_x_response_draft, allowed="north_chair", denied=PARTICIPATING),
    "response_version_create": _object(
        lambda w: {"pk": _x_at(w, "response").pk}, allowed="north_manager", denied=PARTICIPATING
    ),
    "document_make": Route(
        kwargs=lambda w: {"pk": _x_at(w, "response").pk},
        method="post",
        data={"kind": "board_pack"},
        allowed="north_manager",
        denied=PARTICIPATING,
        ok_status=302,
    ),
    # The case record, meetings and actions of a cross-border review are the lead board's to record.
    "review_edit": _object(
        lambda w: {"pk": _x_at(w, "commissioning").pk}, allowed="north_manager", denied=PARTICIPATING
    ),
    "child_add": _object(
        lambda w: {"pk": _x_at(w, "commissioning").pk}, allowed="north_manager", denied=PARTICIPATING
    ),
    "parallel_process_add": _object(
        lambda w: {"pk": _x_at(w, "commissioning").pk}, allowed="north_manager", denied=PARTICIPATING
    ),
    "meeting_create": _object(
        lambda w: {"pk": _x_at(w, "response").pk}, allowed="north_manager", denied=PARTICIPATING
    ),
    "action_create": _object(
        lambda w: {"pk": _x_at(w, "response").pk}, allowed="north_manager", denied=PARTICIPATING
    ),
}


def _lead_request(client, name: str, world: World):
    route = LEAD_BOARD_ONLY[name]
    return getattr(client, route.method)(reverse(name, kwargs=route.kwargs(world)), route.data)


@pytest.mark.parametrize(
    ("name", "person"), sorted((n, p) for n, r in LEAD_BOARD_ONLY.items() for p in r.denied)
)
def test_a_participating_board_is_refused_what_the_lead_board_runs(client, world, name, person):
    client.force_login(getattr(world, person))
    response = _lead_request(client, name, world)
    assert response.status_code == 403, f"{name} as {person}: {response.status_code}"


@pytest.mark.parametrize("name", sorted(LEAD_BOARD_ONLY))
def test_the_lead_board_runs_its_cross_border_review(client, world, name):
    route = LEAD_BOARD_ONLY[name]
    client.force_login(getattr(world, route.allowed))
    response = _lead_request(client, name, world)
    assert response.status_code == route.ok_status, f"{name} as {route.allowed}: {response.status_code}"


ADMIN_NAMESPACE = "admin"
# Values for the admin's URL parameters; any value reaches the view's own permission check first.
ADMIN_KWARGS = {
    "object_id": "1",
    "app_label": "reviews",
    "content_type_id": "1",
    "id": "1",
    "pk": "1",
    "url": "x",
}
# The admin's own sign-in page hands over to the portal's (one sign-in page, with lockout and two-factor);
# its sign-out view needs a POST and only ends a session.
ADMIN_EXCEPTIONS = {"admin:login": {302}, "admin:logout": {302, 405}}


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield name, prefix + str(p.pattern), namespace


ALL_PATTERNS = list(_walk(get_resolver().url_patterns))
PROJECT_PATTERNS = [(name, route) for name, route, ns in ALL_PATTERNS if ns != ADMIN_NAMESPACE]
ADMIN_PATTERNS = [(name, route) for name, route, ns in ALL_PATTERNS if ns == ADMIN_NAMESPACE]


def test_every_url_pattern_is_in_the_table():
    unnamed = [route for name, route in PROJECT_PATTERNS if not name]
    missing = sorted({name for name, _ in PROJECT_PATTERNS if name} - set(ROUTES))
    stale = sorted(set(ROUTES) - {name for name, _ in PROJECT_PATTERNS})
    assert not unnamed, f"URL patterns without a name cannot be checked: {unnamed}"
    assert not missing, f"URL patterns missing from the authorization table: {missing}"
    assert not stale, f"table entries for URL patterns that no longer exist: {stale}"
    assert ADMIN_PATTERNS, "the admin's URL patterns were not found"


def _url(name: str, world: World) -> str:
    return reverse(name, kwargs=ROUTES[name].kwargs(world))


def _request(client, name: str, world: World):
    route = ROUTES[name]
    return getattr(client, route.method)(_url(name, world), route.data)


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if not r.public))
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name):
    response = _request(client, name, world)
    assert response.status_code == 302, f"{name}: {response.status_code}"
    assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.public))
def test_public_pages_answer_without_signing_in(client, world, name):
    response = _request(client, name, world)
    assert response.status_code in (200, 302), f"{name}: {response.status_code}"
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("login") + "?next="), name


OBJECT_ROUTES = sorted(n for n, r in ROUTES.items() if r.allowed)
DENIALS = sorted((n, person) for n in OBJECT_ROUTES for person in ROUTES[n].denied)


@pytest.mark.parametrize(("name", "person"), DENIALS)
def test_people_without_a_role_on_the_object_are_refused(client, world, name, person):
    client.force_login(getattr(world, person))
    response = _request(client, name, world)
    assert response.status_code in (403, 404), f"{name} as {person}: {response.status_code}"


@pytest.mark.parametrize("name", OBJECT_ROUTES)
def test_an_action_owner_is_refused_everything_but_their_own_actions(client, world, name):
    """An action owner of North's board member's agency, owning an action of each of North's reviews, gets
    nothing of any page the walk has about a board, a review, or another person's action."""
    from tests.responses.helpers import action, action_owner_for, agency_of

    url = _url(name, world)  # the route's own objects first: the owner's actions come after them
    agency = agency_of(world.north_member, world.north)
    owner = action_owner_for(agency, world.north, email="owner@north.example")
    for review in (world.north_review, world.cross_border_review):
        action(review, owner, owner_agency=agency)
    client.force_login(owner)
    route = ROUTES[name]
    response = getattr(client, route.method)(url, route.data)
    assert response.status_code in (403, 404), f"{name} as an action owner: {response.status_code}"


@pytest.mark.parametrize("name", sorted(set(OBJECT_ROUTES) - routes_conduct.AUTHOR_ROUTES))
def test_an_agency_author_is_refused_everything_but_their_own_request(client, world, name):
    """An agency author of North's board member's agency, named on a request of each of North's reviews in
    progress, gets nothing of any page the walk has about a board, a review, another agency's request or
    another person's action."""
    from tests.conduct.helpers import in_progress, request_to

    url = _url(name, world)  # the route's own objects first: the author's requests come after them
    author = world.north_author
    for review in (world.north_review, world.cross_border_review):
        if not review.information_requests.filter(author=author).exists():
            request_to(in_progress(review), author)
    client.force_login(author)
    route = ROUTES[name]
    response = getattr(client, route.method)(url, route.data)
    assert response.status_code in (403, 404), f"{name} as an agency author: {response.status_code}"


@pytest.mark.parametrize("name", sorted(routes_conduct.AUTHOR_ROUTES))
def test_an_agency_author_of_another_agency_never_finds_the_request(client, world, name):
    """Another agency's author, with a request of their own on the same review, gets a 404: they are not
    told the other agency's request exists."""
    from tests.conduct.helpers import author_for, other_agency, request_to

    url = _url(name, world)
    stranger = author_for(other_agency(world.north), world.north, email="author@health.example")
    request_to(world.north_review, stranger)
    client.force_login(stranger)
    route = ROUTES[name]
    response = getattr(client, route.method)(url, route.data)
    assert response.status_code == 404, f"{name} as another agency's author: {response.status_code}"


@pytest.mark.parametrize("name", OBJECT_ROUTES)
def test_someone_entitled_gets_through(client, world, name):
    client.force_login(getattr(world, ROUTES[name].allowed))
    response = _request(client, name, world)
    assert response.status_code == ROUTES[name].ok_status, (
        f"{name} as {ROUTES[name].allowed}: {response.status_code}"
    )


def _admin_url(route: str) -> str:
    """Fills the admin pattern's parameters with plausible values."""
    for name, value in ADMIN_KWARGS.items():
        route = (
            route.replace(f"<path:{name}>", value).replace(f"<int:{name}>", value).replace(f"<{name}>", value)
        )
    route = route.replace("(?P<url>.*)$", "x").replace("^", "")
    assert "<" not in route, f"unfilled admin parameter in {route}"
    return "/" + route


@pytest.mark.parametrize(("name", "route"), ADMIN_PATTERNS, ids=[n or r for n, r in ADMIN_PATTERNS])
def test_admin_needs_a_staff_account(client, world, name, route):
    url = _admin_url(route)
    if name in ADMIN_EXCEPTIONS:
        response = client.get(url)
        assert response.status_code in ADMIN_EXCEPTIONS[name], f"{url}: {response.status_code}"
        if response.status_code == 302:
            assert response["Location"].startswith((reverse("login"), "/admin/login/")), response["Location"]
        return
    anonymous = client.get(url)
    assert anonymous.status_code in (302, 404), f"{url} as anonymous: {anonymous.status_code}"
    if anonymous.status_code == 302:
        assert "/admin/login/" in anonymous["Location"] or anonymous["Location"].startswith(
            reverse("login")
        ), f"{url} as anonymous went to {anonymous['Location']}"
    client.force_login(world.north_manager)  # a busy, legitimate user: but not staff
    member = client.get(url)
    # Refused outright: sending a signed-in person to sign in would bring them straight back (a loop).
    assert member.status_code in (403, 404), f"{url} as a board member: {member.status_code}"


# A practice review's written response: each statutory partner of the lead partnership signs it (a lead or
# delegated partner), nobody else does; a partner of another partnership does not see the review at all.
def _partnership_draft(p) -> dict:
    from responses.document import services
    from tests.responses.helpers import at_stage, finding

    review = at_stage(p.review)
    finding(review)
    version = services.response_version_create(review=review, user=p.manager)
    return {"pk": review.pk, "number": version.number}


PARTNERSHIP_SIGNING = [
    ("response_version_sign", "leads.local_authority", 200),
    ("response_version_sign", "delegates.icb", 200),
    ("response_version_sign", "delegates.police", 200),
    ("response_version_sign", "chair", 403),
    ("response_version_sign", "manager", 403),
    ("response_version_sign", "member", 403),
    ("response_version_sign", "scrutineer", 403),
    ("response_version_sign", "reviewer", 404),  # a lead reviewer not appointed to it sees nothing
    ("response_version_sign", "coast_delegate", 404),
    ("response_version_sign", "coast_manager", 404),
    ("response_version", "delegates.police", 200),
    ("response_version", "scrutineer", 200),
    ("response_version", "coast_delegate", 404),
]


@pytest.mark.parametrize(("name", "person", "status"), PARTNERSHIP_SIGNING)
def test_only_the_lead_partnership_s_partners_sign_a_practice_review_s_response(
    client, partnership, standard_themes, name, person, status
):
    kwargs = _partnership_draft(partnership)
    who = partnership
    for part in person.split("."):
        who = who[part] if isinstance(who, dict) else getattr(who, part)
    client.force_login(who)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == status, f"{name} as {person}: {response.status_code}"
