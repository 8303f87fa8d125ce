"""A local child safeguarding practice review's lifecycle (the practice review's table in
reviews/workflow.py), walked the way tests/reviews/test_workflow.py walks the Serious Case Review's.

Every row of LCSPR_TRANSITIONS: each role it names takes it from each source stage, through the service and
through the step page; every other role is refused; every other stage is refused in the regime's words.
Then the table itself (reachability, terminal stages, next steps, stage names), each step's form, the
rules the forms keep (a reference per child, reasons for a recommendation or a disagreement, the 7 working
days' notice before publication), who decides, and that the regime is fixed when the review is opened.
"""

from __future__ import annotations

import hashlib
from collections import deque
from datetime import date, timedelta

import pytest
from crispy_forms_gds.fields import DateInputField
from django import forms as django_forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from demo.commissioning import approve_terms
from demo.responses import record_findings, sign_off
from reviews import access, services, workflow
from reviews.clocks import CLOCKS
from reviews.forms import (
    InitiateForm,
    NewReviewForm,
    NotInitiateForm,
    PanelReplyForm,
    PublishForm,
    RapidReviewForm,
    ReferralForm,
    TimescalesForm,
)
from reviews.models import (
    TERMINAL_STATES,
    AgencySummary,
    Criteria,
    PanelReply,
    Recommendation,
    Regime,
    Review,
    Role,
    State,
    StatutoryPartner,
    TimelineEntry,
    regime_problem,
)
from reviews.services import TransitionRefused
from reviews.words import LCSPR as LCSPR_WORDS
from reviews.words import SCR as SCR_WORDS
from reviews.workflow import LCSPR_TRANSITIONS as TRANSITIONS
from reviews.workflow import OPEN_STATES
from scr_portal import workdays
from scr_portal.dates import long_date
from tests.conftest import Partnership
from tests.factories import AppointmentFactory, ChildFactory
from tests.reviews.test_workflow import date_input, pdf_upload

PR = workflow.TABLES[Regime.PRACTICE_REVIEW]
PR_STATES = [*PR.main_path, State.NOT_INITIATED, State.NATIONAL_REVIEW, State.WITHDRAWN]
PR_OPEN = [s for s in PR_STATES if s in OPEN_STATES]
PR_TERMINAL = [s for s in PR_STATES if s in TERMINAL_STATES]

# Every role a person can hold on a partnership; which of West's people holds each.
ROLES = (
    Role.BUSINESS_MANAGER,
    Role.LEAD_PARTNER,
    Role.DELEGATED_PARTNER,
    Role.CHAIR,
    Role.BOARD_MEMBER,
    Role.SCRUTINEER,
    Role.LEAD_REVIEWER,
)


def person(p: Partnership, role: str):
    return {
        Role.BUSINESS_MANAGER: p.manager,
        Role.LEAD_PARTNER: p.leads[StatutoryPartner.LOCAL_AUTHORITY],
        Role.DELEGATED_PARTNER: p.delegates[StatutoryPartner.POLICE],
        Role.CHAIR: p.chair,
        Role.BOARD_MEMBER: p.member,
        Role.SCRUTINEER: p.scrutineer,
        Role.LEAD_REVIEWER: p.reviewer,
    }[role]


def actor(p: Partnership, step: workflow.Transition):
    """One of West's people allowed to take `step` (the business manager where they may)."""
    return person(p, next(r for r in ROLES if r in step.roles))


def transitions_from(state: str) -> list[workflow.Transition]:
    return [t for t in TRANSITIONS.values() if state in t.source]


def _paths_from_referral() -> dict[State, list[str]]:
    """The shortest sequence of steps from a new referral to each stage (table order breaks ties)."""
    paths: dict[State, list[str]] = {State.REFERRAL: []}
    queue = deque([State.REFERRAL])
    while queue:
        current = queue.popleft()
        for step in transitions_from(current):
            if step.target not in paths:
                paths[State(step.target)] = [*paths[current], step.name]
                queue.append(State(step.target))
    return paths


PATHS = _paths_from_referral()

LEARNED = date.today() - timedelta(days=60)  # when the local authority became aware, by default
ON_THE_DAY = date.today() - timedelta(days=1)  # every other date a step records, by default

# Dates a partnership keeps to its clocks with, counted from the day the local authority became aware.
TIMELY_DAYS_AFTER_LEARNING = {
    "incident_notified_on": 2,
    "rapid_review_meeting_on": 8,
    "sent_to_panel_on": 10,
    "panel_replied_on": 15,
    "decision_date": 20,
    "national_panel_notified_on": 21,
    "inspectorate_notified_on": 21,
}


def _timely_date(review: Review, field_name: str) -> date:
    if field_name in TIMELY_DAYS_AFTER_LEARNING and review.notification_date:
        return review.notification_date + timedelta(days=TIMELY_DAYS_AFTER_LEARNING[field_name])
    if field_name == "publication_notice_on":
        return ON_THE_DAY - timedelta(days=21)  # well over 7 working days before publication
    return ON_THE_DAY


def step_input(review: Review, name: str, **overrides) -> dict:
    """What a person would submit for step `name` on `review`, valid by default (as test_workflow's)."""
    step = TRANSITIONS[name]
    form = step.form_class(review=review)
    posted: dict = {}
    for field_name, field in form.fields.items():
        if field_name in overrides:
            value = overrides[field_name]
        elif isinstance(field, DateInputField):
            value = _timely_date(review, field_name)
        elif isinstance(field, django_forms.ModelChoiceField):
            value = field.queryset.first()
            value = value.pk if value is not None else None
        elif isinstance(field, django_forms.FileField):
            value = pdf_upload()
        elif isinstance(field, django_forms.BooleanField):
            value = None
        elif isinstance(field, django_forms.ChoiceField):
            value = next(v for v, _ in field.choices if v)
        else:
            value = f"{field.label} for {step.label.lower()}."[: getattr(field, "max_length", None) or None]
        if isinstance(field, DateInputField):
            posted.update(date_input(field_name, value))
        elif value is not None:
            posted[field_name] = getattr(value, "pk", value)
    return posted


def _split(posted: dict) -> tuple[dict, dict]:
    files = {k: v for k, v in posted.items() if hasattr(v, "read")}
    return {k: v for k, v in posted.items() if k not in files}, files


def step_data(review: Review, name: str, **overrides) -> dict:
    """The cleaned data the step's own form gives for `step_input` (what the view hands the service)."""
    data, files = _split(step_input(review, name, **overrides))
    form = TRANSITIONS[name].form_class(data, files, review=review)
    assert form.is_valid(), (name, form.errors.as_data())
    return form.cleaned_data


def make_ready(p: Partnership, review: Review | None = None) -> Review:
    """A complete referral about Child W, West's lead reviewer appointed and the agencies' summaries in, so
    every guard on the main path passes."""
    review = Review.objects.get(pk=(review or p.review).pk)
    review.case_summary = "Admitted to hospital with a head injury; known to three agencies."
    review.incident_date = LEARNED - timedelta(days=2)
    review.notification_date = LEARNED
    review.criteria = Criteria.STATUTORY
    review.criteria_notes = "Abuse is suspected and agencies did not share what they knew."
    services.review_refresh_due(review)
    review.save()
    if not review.children.exists():
        ChildFactory(review=review, pseudonym="Child V")
    if not review.appointments.filter(reviewer=p.reviewer, ended_at__isnull=True).exists():
        AppointmentFactory(review=review, reviewer=p.reviewer)
    for agency in (p.agencies[StatutoryPartner.POLICE], p.agencies["schools"]):
        AgencySummary.objects.get_or_create(
            review=review,
            agency=agency,
            defaults={
                "requested_by": p.manager,
                "requested_on": LEARNED,
                "due_on": LEARNED + timedelta(days=5),
                "received_on": LEARNED + timedelta(days=4),
                "summary": "Seen twice at home in the month before.",
            },
        )
    return review


def _prepare(p: Partnership, review: Review, name: str) -> None:
    """What the apps above the lifecycle require first (approved terms, findings, a signed response)."""
    if name == "start_review" and review.state == State.COMMISSIONING:
        approve_terms(review, p.manager, p.chair)
    if name == "begin_response" and review.state == State.REPORT_RECEIVED:
        record_findings(review, p.manager)
    if name == "publish" and review.state == State.RESPONSE:
        # Signed by each of the three statutory partners (a lead or a delegate for each).
        signers = [
            p.leads[StatutoryPartner.LOCAL_AUTHORITY],
            p.delegates[StatutoryPartner.INTEGRATED_CARE_BOARD],
            p.leads[StatutoryPartner.POLICE],
        ]
        sign_off(review, p.manager, p.chair, signers=signers)


def other_partners(p: Partnership, review: Review, user) -> list:
    """A lead partner for each statutory partner other than the one `user` signs for."""
    own = access.acting_partner(user, review).partner
    return [p.leads[partner] for partner in StatutoryPartner if partner != own]


def take(p: Partnership, review: Review, name: str, user, **overrides) -> Review:
    """Takes the step as `user`; a decision the partners sign is then signed by the other two partners too
    (the same decision), so that it is made."""
    fresh = Review.objects.get(pk=review.pk)
    _prepare(p, fresh, name)
    data = step_data(fresh, name, **overrides)
    services.review_transition(review_id=review.pk, name=name, user=user, data=data)
    if TRANSITIONS[name].signed_by_partners:
        for other in other_partners(p, fresh, user):
            services.review_transition(review_id=review.pk, name=name, user=other, data=data)
    return Review.objects.get(pk=review.pk)


def at_state(p: Partnership, state: State, review: Review | None = None) -> Review:
    """A practice review at `state`, walked there through the real workflow, ready for its next step."""
    review = make_ready(p, review)
    for name in PATHS[state]:
        review = take(p, review, name, actor(p, TRANSITIONS[name]))
    assert review.state == state
    for name in (t.name for t in transitions_from(state)):
        _prepare(p, review, name)
    return Review.objects.get(pk=review.pk)


def snapshot(review: Review) -> dict:
    fresh = Review.objects.get(pk=review.pk)
    row = {f.attname: getattr(fresh, f.attname) for f in Review._meta.concrete_fields}
    row["final_report"] = fresh.final_report.name
    return {
        "row": row,
        "timeline": list(fresh.timeline.values_list("pk", flat=True)),
        "history": fresh.history.count(),
        "references": list(fresh.children.values_list("panel_reference", flat=True)),
    }


def refused(review: Review, name: str, user, data: dict | None = None) -> str:
    """Asserts the step is refused and changes nothing; returns the refusal's message."""
    before = snapshot(review)
    with pytest.raises(TransitionRefused) as refusal:
        services.review_transition(review_id=review.pk, name=name, user=user, data=data or {})
    assert snapshot(review) == before
    return str(refusal.value)


def nearest_source(name: str) -> State:
    return min((State(s) for s in TRANSITIONS[name].source), key=lambda s: (len(PATHS[s]), s.value))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


# Parametrisations over the table --------------------------------------------------------------------

ALLOWED = [
    pytest.param(t.name, State(source), role, id=f"{t.name}-from-{source}-by-{role}")
    for t in TRANSITIONS.values()
    for source in sorted(t.source)
    for role in sorted(t.roles)
]
# The step page is taken by each role from the step's nearest source (the service, from every source).
ALLOWED_ON_PAGE = [
    pytest.param(t.name, role, id=f"{t.name}-by-{role}")
    for t in TRANSITIONS.values()
    for role in sorted(t.roles)
]


# Every allowed role, from every source stage --------------------------------------------------------


@pytest.mark.parametrize(("name", "source", "role"), ALLOWED)
def test_allowed_role_takes_the_step_through_the_service(partnership, name, source, role):
    step = TRANSITIONS[name]
    review = at_state(partnership, source)
    user = person(partnership, role)
    before = set(review.timeline.values_list("pk", flat=True))
    data = step_data(review, name)

    services.review_transition(review_id=review.pk, name=name, user=user, data=data)
    if step.signed_by_partners:
        # One partner's signature does not decide: the other two sign the same decision, the last one's
        # signature making it.
        assert Review.objects.get(pk=review.pk).state == source
        others = other_partners(partnership, review, user)
        for other in others:
            services.review_transition(review_id=review.pk, name=name, user=other, data=data)
        user = others[-1]
        signed = review.timeline.exclude(pk__in=before).exclude(transition=name)
        assert [e.title.rsplit("(", 1)[1] for e in signed.order_by("pk")] == ["1 of 3)", "2 of 3)"]
        before |= set(signed.values_list("pk", flat=True))

    review.refresh_from_db()
    assert review.state == step.target
    (entry,) = review.timeline.exclude(pk__in=before)
    assert (entry.from_state, entry.to_state, entry.transition, entry.actor) == (
        source,
        step.target,
        name,
        user,
    )
    expected_kind = TimelineEntry.Kind.DECISION if step.is_decision else TimelineEntry.Kind.TRANSITION
    assert entry.kind == expected_kind


@pytest.mark.parametrize(("name", "role"), ALLOWED_ON_PAGE)
def test_allowed_role_takes_the_step_on_its_page(partnership, client, name, role):
    step = TRANSITIONS[name]
    review = at_state(partnership, nearest_source(name))
    client.force_login(person(partnership, role))
    url = reverse("review_step", args=[review.pk, name])

    assert client.get(url).status_code == 200
    posted = step_input(review, name)
    response = client.post(url, posted)

    assert response.status_code == 302, response.content.decode()[:2000]
    if step.signed_by_partners:  # the other two partners sign the same decision on the same page
        for other in other_partners(partnership, review, person(partnership, role)):
            client.force_login(other)
            assert client.post(url, posted).status_code == 302
    review.refresh_from_db()
    assert review.state == step.target


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_roles_not_named_for_step_are_refused_and_nothing_changes(partnership, client, name):
    # One review for every role the step does not name: a refusal changes nothing.
    step = TRANSITIONS[name]
    review = at_state(partnership, nearest_source(name))
    others = [role for role in ROLES if role not in step.roles]
    assert others
    for role in others:
        user = person(partnership, role)

        message = refused(review, name, user, step_data(review, name))

        assert message == f"Only a {workflow.roles_named(step)} can {step.label[0].lower()}{step.label[1:]}."
        assert name not in {o.transition.name for o in access.step_options(user, review)}
        client.force_login(user)
        response = client.post(reverse("review_step", args=[review.pk, name]), step_input(review, name))
        assert response.status_code in (403, 404), role
        assert snapshot(review)["row"]["state"] == review.state


@pytest.mark.parametrize("state", PR_STATES)
def test_steps_from_another_stage_are_refused_naming_the_stage_in_the_regimes_words(partnership, state):
    # One review at `state` for every step that does not start there.
    review = at_state(partnership, state)
    for step in TRANSITIONS.values():
        if state in step.source:
            continue

        message = refused(review, step.name, actor(partnership, step))

        assert f"now at the {PR.words.stage(state).lower()} stage" in message, step.name
        assert step.label.lower() in message
        assert message.endswith("Nothing was changed.")


def test_a_serious_case_reviews_step_is_no_step_of_a_practice_review(partnership):
    review = make_ready(partnership)
    assert refused(review, "send_for_decision", partnership.manager, {"note": ""}) == "There is no such step."


# The table itself ---------------------------------------------------------------------------------


def test_every_stage_can_be_reached_from_a_referral():
    assert set(PATHS) == set(PR_STATES)


def test_every_open_stage_has_a_way_out():
    for state in PR_OPEN:
        assert transitions_from(state), f"no step leaves {state}"


def test_terminal_stages_have_no_way_out():
    for state in TERMINAL_STATES:
        assert transitions_from(state) == []


@pytest.mark.parametrize("state", PR_TERMINAL)
def test_terminal_stage_offers_no_options_to_anyone(partnership, state):
    review = at_state(partnership, state)
    assert workflow.options(review, frozenset(ROLES)) == []
    assert workflow.next_step(review) is None
    for role in ROLES:
        assert access.step_options(person(partnership, role), review) == []


def test_next_steps_name_someone_for_every_open_stage():
    assert set(PR.next_steps) == set(PR_OPEN)
    for state, (who, what) in PR.next_steps.items():
        assert who and what, state
        assert "chair" not in f"{who} {what}".lower(), state
        assert "board" not in f"{who} {what}".lower(), state


def test_actors_are_named_for_every_open_stage():
    assert set(PR.actors) == set(PR_OPEN)
    assert set(PR.actors[State.DECISION]) == {Role.LEAD_PARTNER, Role.DELEGATED_PARTNER}


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_transition_row_is_well_formed(name):
    step = TRANSITIONS[name]
    assert step.name == name
    assert step.target in State.values
    assert step.source and set(step.source) <= set(PR_STATES)
    assert step.target in PR_STATES and step.target not in step.source
    assert step.roles and set(step.roles) <= set(ROLES)
    assert step.label and step.explanation


@pytest.mark.parametrize("state", PR.main_path)
def test_stage_path_is_in_the_practice_reviews_words(state):
    review = Review(state=state, regime=Regime.PRACTICE_REVIEW)
    path = workflow.stage_path(review)
    position = PR.main_path.index(state)
    labels = [label for label, _ in path]
    assert labels == [PR.words.stage(s) for s in PR.main_path]
    assert labels[0] == "Serious incident notification"
    assert "Partners' decision" in labels and "Partners' response" in labels
    assert "Referral" not in labels and "Decision" not in labels
    assert [status for _, status in path] == ["done"] * position + ["current"] + ["to do"] * (
        len(PR.main_path) - position - 1
    )


@pytest.mark.parametrize(
    ("state", "label"),
    [
        (State.NOT_INITIATED, "No local review"),
        (State.NATIONAL_REVIEW, "Taken on by the national Panel"),
        (State.WITHDRAWN, "Withdrawn"),
    ],
)
def test_stage_path_of_a_practice_review_that_ended_early_is_its_end(state, label):
    review = Review(state=state, regime=Regime.PRACTICE_REVIEW)
    assert workflow.stage_path(review) == [(label, "current")]


# Options per role -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "role", "expected"),
    [
        (State.REFERRAL, Role.BUSINESS_MANAGER, ["notify_incident"]),
        (State.REFERRAL, Role.LEAD_PARTNER, ["withdraw"]),
        (State.REFERRAL, Role.SCRUTINEER, []),
        (State.RAPID_REVIEW, Role.BUSINESS_MANAGER, ["send_rapid_review"]),
        (State.RAPID_REVIEW, Role.BOARD_MEMBER, []),
        (State.WITH_PANEL, Role.BUSINESS_MANAGER, ["record_panel_reply", "panel_takes_national_review"]),
        (State.WITH_PANEL, Role.DELEGATED_PARTNER, ["withdraw"]),
        (State.DECISION, Role.BUSINESS_MANAGER, []),
        (State.DECISION, Role.LEAD_PARTNER, ["initiate", "do_not_initiate", "withdraw"]),
        (State.DECISION, Role.DELEGATED_PARTNER, ["initiate", "do_not_initiate", "withdraw"]),
        (State.DECISION, Role.CHAIR, ["withdraw"]),
        (State.DECISION, Role.SCRUTINEER, []),
        (State.COMMISSIONING, Role.LEAD_PARTNER, ["start_review", "withdraw"]),
        (State.IN_PROGRESS, Role.BUSINESS_MANAGER, ["receive_report"]),
        (State.IN_PROGRESS, Role.LEAD_REVIEWER, []),
        (State.MONITORING, Role.BUSINESS_MANAGER, ["close"]),
        (State.MONITORING, Role.DELEGATED_PARTNER, ["close", "withdraw"]),
    ],
)
def test_options_list_only_the_steps_the_persons_role_permits(partnership, state, role, expected):
    review = at_state(partnership, state)
    assert [o.transition.name for o in workflow.options(review, frozenset({role}))] == expected
    held = access.step_options(person(partnership, role), review)
    assert sorted(o.transition.name for o in held) == sorted(expected)


@pytest.mark.parametrize("state", sorted(PR_STATES, key=lambda s: len(PATHS[s])))
def test_options_agree_with_the_table_for_every_stage_and_role(partnership, state):
    review = at_state(partnership, state)
    for role in ROLES:
        offered = {o.transition.name for o in workflow.options(review, frozenset({role}))}
        assert offered == {t.name for t in TRANSITIONS.values() if state in t.source and role in t.roles}


# Each step's form -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_each_step_form_renders_and_its_required_fields_are_required(partnership, client, name):
    review = at_state(partnership, nearest_source(name))
    client.force_login(actor(partnership, TRANSITIONS[name]))
    response = client.get(reverse("review_step", args=[review.pk, name]))
    assert response.status_code == 200
    page = response.content.decode()
    form = TRANSITIONS[name].form_class(review=review)
    shown = form.layout_fields or list(form.fields)
    for field_name in form.fields:
        # Every field is on the page, but a note the step does not keep (its own reasons say it).
        assert f'name="{field_name}' in page or (field_name == "note" and field_name not in shown), field_name

    empty = TRANSITIONS[name].form_class({}, {}, review=review)
    assert not empty.is_valid() or not any(f.required for f in form.fields.values())
    required = {n for n, f in form.fields.items() if f.required and f.initial is None}
    assert required <= set(empty.errors), (required, set(empty.errors))

    before = snapshot(review)
    response = client.post(reverse("review_step", args=[review.pk, name]), {})
    assert response.status_code == 200 if required else 302
    if required:
        assert snapshot(review) == before


WRONG_WORDS = ("Serious Case Review", "serious case review", " board", "Board ", " chair", "Chair ")


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_each_step_page_speaks_of_the_partnership_not_the_board(partnership, client, name):
    review = at_state(partnership, nearest_source(name))
    client.force_login(actor(partnership, TRANSITIONS[name]))
    page = _main(client.get(reverse("review_step", args=[review.pk, name])).content.decode())
    found = [w for w in WRONG_WORDS if w in page]
    assert not found, (found, page)


# What the steps record ------------------------------------------------------------------------------


def test_the_notification_records_a_reference_for_each_child(partnership):
    review = make_ready(partnership)
    second = ChildFactory(review=review, pseudonym="Child X")
    first = partnership.child
    notified = LEARNED + timedelta(days=3)

    review = take(
        partnership,
        review,
        "notify_incident",
        partnership.manager,
        incident_notified_on=notified,
        incident_notified_by="Sam Ode, head of service",
        **{f"reference_{first.pk}": "SIN-2026-0101", f"reference_{second.pk}": "SIN-2026-0102"},
    )

    assert review.state == State.RAPID_REVIEW
    assert (review.incident_notified_on, review.incident_notified_by) == (
        notified,
        "Sam Ode, head of service",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.panel_reference, second.panel_reference) == ("SIN-2026-0101", "SIN-2026-0102")
    assert review.timeline.latest("pk").title == "Serious incident notification → Rapid review"


def test_the_notification_needs_each_childs_reference(partnership):
    review = make_ready(partnership)
    posted = step_input(review, "notify_incident", **{f"reference_{partnership.child.pk}": ""})
    form = TRANSITIONS["notify_incident"].form_class(posted, review=review)
    assert not form.is_valid()
    assert list(form.errors) == [f"reference_{partnership.child.pk}"]


def test_the_notification_cannot_come_before_the_local_authority_became_aware(partnership):
    review = make_ready(partnership)
    posted = step_input(review, "notify_incident", incident_notified_on=LEARNED - timedelta(days=1))
    form = TRANSITIONS["notify_incident"].form_class(posted, review=review)
    assert not form.is_valid()
    assert "before the local authority became aware" in form.errors["incident_notified_on"][0]


def test_the_notification_is_blocked_by_an_incomplete_referral_in_the_partnerships_words(partnership):
    review = partnership.review  # Child W, nothing else
    message = refused(review, "notify_incident", partnership.manager, step_data(review, "notify_incident"))
    assert message.startswith("First: Write a summary of the case.")
    assert "the local authority became aware of the incident" in message
    assert "board" not in message


def test_the_rapid_review_waits_for_the_agencies_summaries(partnership):
    review = at_state(partnership, State.RAPID_REVIEW)
    review.agency_summaries.update(received_on=None)
    message = refused(
        review, "send_rapid_review", partnership.manager, step_data(review, "send_rapid_review")
    )
    assert message == "First: Record the summaries still awaited from West Police, West Schools."
    review.agency_summaries.all().delete()
    message = refused(
        review, "send_rapid_review", partnership.manager, step_data(review, "send_rapid_review")
    )
    assert message == "First: Ask at least one agency for a summary of its involvement."


@pytest.mark.parametrize(
    ("recommendation", "needs_reasons"),
    [
        (Recommendation.LOCAL_REVIEW, False),
        (Recommendation.NO_FURTHER_REVIEW, True),
        (Recommendation.NATIONAL_REVIEW, True),
    ],
)
def test_the_rapid_reviews_recommendation_needs_reasons_unless_it_is_a_local_review(
    partnership, recommendation, needs_reasons
):
    review = at_state(partnership, State.RAPID_REVIEW)
    posted = step_input(
        review, "send_rapid_review", recommendation=recommendation, recommendation_reasons="  "
    )
    form = RapidReviewForm(posted, review=review)
    assert form.is_valid() is not needs_reasons
    if needs_reasons:
        assert form.errors["recommendation_reasons"] == ["Give the reasons for this recommendation"]


def test_the_rapid_review_is_recorded(partnership):
    review = at_state(partnership, State.RAPID_REVIEW)
    review = take(
        partnership,
        review,
        "send_rapid_review",
        partnership.manager,
        recommendation=Recommendation.NO_FURTHER_REVIEW,
        recommendation_reasons="Single-agency learning, already in hand.",
    )
    assert review.state == State.WITH_PANEL
    assert review.recommendation == Recommendation.NO_FURTHER_REVIEW
    assert review.recommendation_reasons == "Single-agency learning, already in hand."
    assert review.sent_to_panel_on == LEARNED + timedelta(days=10)
    assert "Recommendation: No further review." in review.timeline.latest("pk").body


@pytest.mark.parametrize(
    ("reply", "reasons", "valid"),
    [
        (PanelReply.AGREES, "", True),
        (PanelReply.DISAGREES, "", False),
        (PanelReply.DISAGREES, "The Panel sees learning for the whole partnership.", True),
    ],
)
def test_the_panels_reply_needs_reasons_when_it_disagrees(partnership, reply, reasons, valid):
    review = at_state(partnership, State.WITH_PANEL)
    form = PanelReplyForm(
        step_input(review, "record_panel_reply", panel_reply=reply, panel_reply_reasons=reasons),
        review=review,
    )
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["panel_reply_reasons"] == ["Enter the Panel's reasons for disagreeing"]


def test_the_panels_reply_offers_no_national_review(partnership):
    review = at_state(partnership, State.WITH_PANEL)
    choices = [v for v, _ in PanelReplyForm(review=review).fields["panel_reply"].choices]
    assert PanelReply.NATIONAL_REVIEW not in choices


def test_a_national_review_ends_the_practice_review_and_its_appointments(partnership):
    review = at_state(partnership, State.WITH_PANEL)
    assert review.appointments.filter(ended_at__isnull=True).exists()

    review = take(
        partnership,
        review,
        "panel_takes_national_review",
        partnership.manager,
        panel_reply_reasons="Part of the Panel's national review of infant head injuries.",
    )

    assert review.state == State.NATIONAL_REVIEW
    assert review.panel_reply == PanelReply.NATIONAL_REVIEW
    assert not review.appointments.filter(ended_at__isnull=True).exists()
    assert review.due_on is None
    assert not review.is_open
    assert access.step_options(partnership.manager, review) == []
    assert workflow.stage_path(review) == [("Taken on by the national Panel", "current")]


def test_the_partners_decision_names_no_single_decider(partnership):
    review = at_state(partnership, State.DECISION)
    form = InitiateForm(review=review)
    assert "decided_by" not in form.fields and "reviewers_named" not in form.fields
    assert form.submit_label == "Sign the decision to hold a local review"
    assert "decided_by" not in NotInitiateForm(review=review).fields


def test_a_delegated_partner_signs_the_partners_decision_for_their_organisation(partnership):
    review = at_state(partnership, State.DECISION)
    delegate = partnership.delegates[StatutoryPartner.INTEGRATED_CARE_BOARD]
    data = step_data(review, "initiate")

    services.review_transition(review_id=review.pk, name="initiate", user=delegate, data=data)

    review.refresh_from_db()
    assert review.state == State.DECISION and review.decision == ""
    (signature,) = review.decision_signatures.all()
    assert (signature.partner, signature.organisation, signature.user, signature.step) == (
        StatutoryPartner.INTEGRATED_CARE_BOARD,
        partnership.agencies[StatutoryPartner.INTEGRATED_CARE_BOARD],
        delegate,
        "initiate",
    )
    assert signature.digest == hashlib.sha256(signature.text.encode()).hexdigest()
    entry = review.timeline.latest("pk")
    assert (entry.kind, entry.actor, entry.title) == (
        TimelineEntry.Kind.DECISION,
        delegate,
        f"{partnership.agencies[StatutoryPartner.INTEGRATED_CARE_BOARD]} signed the partners' decision (1 of 3)",
    )

    for other in other_partners(partnership, review, delegate):
        services.review_transition(review_id=review.pk, name="initiate", user=other, data=data)

    review.refresh_from_db()
    assert review.state == State.COMMISSIONING
    assert review.decided_by == partnership.leads[StatutoryPartner.POLICE]  # the last to sign
    entry = review.timeline.latest("pk")
    assert (entry.kind, entry.title) == (
        TimelineEntry.Kind.DECISION,
        "Record the decision to hold a local child safeguarding practice review",
    )
    assert review.due_kind == "completion_target"


@pytest.mark.parametrize("who", ["chair", "scrutineer", "member"])
def test_the_partnership_chair_and_scrutineer_may_not_decide(partnership, who):
    review = at_state(partnership, State.DECISION)
    user = getattr(partnership, who)
    for name in ("initiate", "do_not_initiate"):
        message = refused(review, name, user, step_data(review, name))
        assert message.startswith("Only a delegated safeguarding partner or lead safeguarding partner")


def test_a_partner_of_another_partnership_may_not_decide(partnership):
    review = at_state(partnership, State.DECISION)
    message = refused(review, "initiate", partnership.coast_delegate, step_data(review, "initiate"))
    assert message.startswith("Only a")


def test_a_decision_not_to_hold_a_local_review_ends_it(partnership):
    review = at_state(partnership, State.DECISION)
    review = take(partnership, review, "do_not_initiate", partnership.leads[StatutoryPartner.POLICE])
    assert review.state == State.NOT_INITIATED
    assert review.stage_label == "No local review"
    assert not review.appointments.filter(ended_at__isnull=True).exists()
    assert review.due_on is None


# Publication: at least 7 working days' notice --------------------------------------------------------

# Sent Wednesday 17 December 2025: Christmas Day and Boxing Day 2025 fall on Thursday and Friday.
NOTICE = date(2025, 12, 17)
EARLIEST = date(2025, 12, 30)  # 18, 19, 22, 23, 24, 29, 30 December


def _publish_form(review: Review, published: date) -> PublishForm:
    return PublishForm(
        step_input(
            review,
            "publish",
            publication_notice_on=NOTICE,
            report_published_on=published,
            response_published_on=published,
        ),
        review=review,
    )


def test_the_earliest_publication_date_is_counted_in_working_days():
    assert workdays.add_working_days(NOTICE, 7) == EARLIEST


def test_publication_less_than_7_working_days_after_the_notice_is_refused(partnership):
    review = at_state(partnership, State.RESPONSE)
    Review.objects.filter(pk=review.pk).update(report_received_on=date(2025, 12, 1))
    review.refresh_from_db()

    form = _publish_form(review, EARLIEST - timedelta(days=1))

    assert not form.is_valid()
    assert form.errors["report_published_on"] == [
        "The report can be published no earlier than 30 December 2025: 7 working days after it was sent "
        "to the national Panel, the Secretary of State and Ofsted (17 December 2025)"
    ]


def test_publication_exactly_7_working_days_after_the_notice_is_allowed(partnership):
    review = at_state(partnership, State.RESPONSE)
    Review.objects.filter(pk=review.pk).update(report_received_on=date(2025, 12, 1))
    review.refresh_from_db()

    form = _publish_form(review, EARLIEST)
    assert form.is_valid(), form.errors
    services.review_transition(
        review_id=review.pk, name="publish", user=partnership.manager, data=form.cleaned_data
    )

    review.refresh_from_db()
    assert review.state == State.PUBLISHED
    assert (review.publication_notice_on, review.report_published_on) == (NOTICE, EARLIEST)


def test_a_practice_reviews_publication_needs_the_notice_date(partnership):
    review = at_state(partnership, State.RESPONSE)
    form = PublishForm(step_input(review, "publish", publication_notice_on=None), review=review)
    assert not form.is_valid()
    assert "publication_notice_on" in form.errors


# One regime per body, fixed once opened ---------------------------------------------------------------


def test_a_practice_review_cannot_be_opened_on_an_lscb(world):
    assert regime_problem(world.north, Regime.PRACTICE_REVIEW)
    assert regime_problem(world.north, Regime.SERIOUS_CASE_REVIEW) == ""
    count = Review.objects.count()
    form = NewReviewForm(
        {
            "lead_board": world.north.pk,
            "reference": "NSCB-LCSPR",
            "regime": Regime.PRACTICE_REVIEW,
            "pseudonym": "Child Q",
            "outcome": "died",
            "case_summary": "Summary.",
            **date_input("incident_date", LEARNED - timedelta(days=1)),
            **date_input("notification_date", LEARNED),
            "criteria": Criteria.STATUTORY,
        },
        boards=[world.north],
    )
    assert not form.is_valid()
    assert list(form.errors) == ["regime"]
    assert "only a safeguarding partnership holds local child safeguarding practice reviews" in str(
        form.errors["regime"]
    )
    with pytest.raises(ValidationError):
        services.review_create(
            board=world.north, user=world.north_manager, reference="NSCB-LCSPR", regime=Regime.PRACTICE_REVIEW
        )
    assert Review.objects.count() == count


def test_a_practice_review_cannot_be_opened_on_an_lscb_through_the_page(world, client):
    client.force_login(world.north_manager)
    count = Review.objects.count()
    response = client.post(
        reverse("review_create"),
        {
            "lead_board": world.north.pk,
            "reference": "NSCB-LCSPR",
            "regime": Regime.PRACTICE_REVIEW,
            "pseudonym": "Child Q",
            "outcome": "died",
            "case_summary": "Summary.",
            **date_input("incident_date", LEARNED - timedelta(days=1)),
            **date_input("notification_date", LEARNED),
            "criteria": Criteria.STATUTORY,
        },
    )
    assert response.status_code == 200
    assert "only a safeguarding partnership holds" in response.content.decode()
    assert Review.objects.count() == count


def test_a_partnership_opens_a_practice_review_by_default(partnership):
    form = NewReviewForm(boards=[partnership.west])
    assert form.fields["regime"].initial == Regime.PRACTICE_REVIEW


def test_the_referral_edit_has_no_regime_and_keeps_it(partnership, client):
    review = make_ready(partnership)
    form = ReferralForm(instance=review, board=partnership.west)
    assert "regime" not in form.fields
    assert form.fields["notification_date"].label == "Date the local authority became aware of the incident"

    client.force_login(partnership.manager)
    url = reverse("review_edit", args=[review.pk])
    response = client.post(
        url,
        {
            "reference": review.reference,
            "regime": Regime.SERIOUS_CASE_REVIEW,
            "case_summary": review.case_summary,
            **date_input("incident_date", review.incident_date),
            **date_input("notification_date", review.notification_date),
            "criteria": review.criteria,
            "criteria_notes": "Changed.",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.criteria_notes == "Changed."
    assert review.regime == Regime.PRACTICE_REVIEW


def test_the_admin_shows_the_regime_read_only_once_opened(partnership, rf):
    review_admin = admin.site._registry[Review]
    request = rf.get("/")
    request.user = partnership.manager
    assert "regime" in review_admin.get_readonly_fields(request, partnership.review)
    assert "regime" not in review_admin.get_readonly_fields(request, None)


# The next deadline kept on the review ----------------------------------------------------------------


def test_every_clocks_name_fits_the_reviews_next_deadline():
    limit = Review._meta.get_field("due_kind").max_length
    assert all(len(key) <= limit for key in CLOCKS), [key for key in CLOCKS if len(key) > limit]


def test_a_practice_review_opened_with_the_day_the_local_authority_became_aware_is_due_for_notification(
    partnership,
):
    review = services.review_create(
        board=partnership.west,
        user=partnership.manager,
        reference="WSCP-2",
        regime=Regime.PRACTICE_REVIEW,
        incident_date=date(2026, 12, 19),
        notification_date=date(2026, 12, 21),
        pseudonym="Child U",
        outcome="seriously_harmed",
    )
    review.refresh_from_db()
    assert (review.due_kind, review.due_on) == ("incident_notification", date(2026, 12, 30))


def test_after_the_notification_the_next_deadline_is_the_rapid_review(partnership):
    review = make_ready(partnership)
    notified = LEARNED + timedelta(days=2)
    review = take(partnership, review, "notify_incident", partnership.manager, incident_notified_on=notified)
    assert (review.due_kind, review.due_on) == ("rapid_review", workdays.add_working_days(notified, 15))
    review = take(partnership, review, "send_rapid_review", partnership.manager)
    assert (review.due_kind, review.due_on) == ("", None)  # nothing runs while the Panel replies


def test_the_words_name_every_stage_as_the_models_do():
    """Where a regime names a stage no differently, its words give the stage's own label."""
    for words in (SCR_WORDS, LCSPR_WORDS):
        for state in State:
            assert words.stage(state) == words.stage_names.get(state, state.label)


def test_a_partnership_sets_its_rapid_review_target_and_open_reviews_follow(partnership, client):
    review = make_ready(partnership)
    notified = date(2026, 12, 1)
    review = take(partnership, review, "notify_incident", partnership.manager, incident_notified_on=notified)
    client.force_login(partnership.manager)
    url = reverse("board_timescales", args=[partnership.west.pk])
    assert 'name="rapid_review_working_days"' in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "notification_working_days": 5,
            "rapid_review_working_days": 10,
            "decision_months": 1,
            "completion_months": 6,
            "publication_months": 3,
        },
    )

    assert response.status_code == 302
    partnership.west.refresh_from_db()
    assert partnership.west.rapid_review_working_days == 10
    review.refresh_from_db()
    assert (review.due_kind, review.due_on) == ("rapid_review", date(2026, 12, 15))


def test_an_lscb_has_no_rapid_review_target(world):
    assert "rapid_review_working_days" not in TimescalesForm(instance=world.north).fields


def test_the_partners_decision_on_the_timeline_says_whom_it_was_told_to(partnership):
    review = at_state(partnership, State.DECISION)
    lead = partnership.leads[StatutoryPartner.LOCAL_AUTHORITY]
    told = LEARNED + timedelta(days=21)

    review = take(partnership, review, "initiate", lead, decision_rationale="Learning for all.")

    signatures = list(review.decision_signatures.order_by("signed_at", "pk"))
    assert review.timeline.latest("pk").body.splitlines() == [
        "Decision: hold a local child safeguarding practice review.",
        f"Date of the decision: {LEARNED + timedelta(days=20):%-d %B %Y}.",
        "Why: Learning for all.",
        f"National Panel told of the decision on {told:%-d %B %Y}.",
        f"Ofsted told of the decision on {told:%-d %B %Y}.",
        "Signed by each statutory partner:",
        *(
            f"{s.get_partner_display()}, {s.organisation}: {s.user.get_full_name()} on "
            f"{long_date(timezone.localtime(s.signed_at))}."
            for s in signatures
        ),
    ]
    assert [s.partner for s in signatures] == [
        StatutoryPartner.LOCAL_AUTHORITY,
        StatutoryPartner.INTEGRATED_CARE_BOARD,
        StatutoryPartner.POLICE,
    ]
