"""The review's lifecycle (reviews/workflow.py) applied through `services.review_transition`.

Every row of the TRANSITIONS table is exercised: each role it names can take it from each of its source
stages and leaves exactly one timeline entry; every other role, and every other stage, is refused with a
plain message and nothing changes; guards block with their own words; effects record the step's data;
and the next deadline kept on the review follows the clock that is running. The tests are parametrised
over the table, so a new transition is covered as soon as it is added (with its form's fields filled in
by `step_input`, from their types).
"""

from __future__ import annotations

import io
import zipfile
from collections import deque
from datetime import date, timedelta

import pytest
from crispy_forms_gds.fields import DateInputField
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from demo.commissioning import approve_terms
from demo.pdf import DEMO_PDF
from demo.responses import record_findings, sign_off
from reviews import access, services, workflow
from reviews.clocks import current_deadline
from reviews.forms import ParallelProcessForm, PublishForm, TimescalesForm
from reviews.models import (
    TERMINAL_STATES,
    Child,
    Criteria,
    Decision,
    ParallelProcess,
    Regime,
    Review,
    Role,
    State,
    TimelineEntry,
)
from reviews.services import TransitionRefused
from reviews.workflow import OPEN_STATES
from reviews.workflow import SCR_TRANSITIONS as TRANSITIONS
from tests.conftest import World
from tests.factories import (
    AppointmentFactory,
    ChildFactory,
    ParallelProcessFactory,
    UserFactory,
)

# These tests walk the Serious Case Review's table (the legacy regime, the world's reviews); the practice
# review's table is walked by tests/reviews/test_practice_reviews.py.
SCR = workflow.TABLES[Regime.SERIOUS_CASE_REVIEW]
SCR_STATES = [*SCR.main_path, State.NOT_INITIATED, State.WITHDRAWN]
SCR_OPEN = [s for s in SCR_STATES if s in OPEN_STATES]
SCR_TERMINAL = [s for s in SCR_STATES if s in TERMINAL_STATES]


def transitions_from(state: str) -> list:
    return [t for t in TRANSITIONS.values() if state in t.source]


# The four roles a person can hold; which of the world's North people holds each (on NSCB-1).
ROLES = (Role.BUSINESS_MANAGER, Role.BOARD_MEMBER, Role.CHAIR, Role.LEAD_REVIEWER)
NORTH_PERSON = {
    Role.BUSINESS_MANAGER: "north_manager",
    Role.BOARD_MEMBER: "north_member",
    Role.CHAIR: "north_chair",
    Role.LEAD_REVIEWER: "north_reviewer",
}

LEARNED = date.today() - timedelta(days=60)  # when the board learned of the incident, by default
ON_THE_DAY = date.today() - timedelta(days=1)  # the date every step's own date fields get, by default


# Helpers --------------------------------------------------------------------------------------------


def _paths_from_referral() -> dict[State, list[str]]:
    """The shortest sequence of steps from a new referral to each stage (table order breaks ties, so the
    main path is preferred over withdrawing)."""
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


def pdf_upload(name: str = "Final report – Child A.pdf", content: bytes = DEMO_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_bytes() -> bytes:
    """A minimal Word document: a zip holding word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Final report</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def date_input(name: str, value: date | None) -> dict[str, str]:
    """A GOV.UK date input as the browser posts it: day, month and year as three fields."""
    if value is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


# Dates a board keeps to its clocks with, counted from the day it learned of the incident.
TIMELY_DAYS_AFTER_LEARNING = {
    "national_panel_notified_on": 2,
    "inspectorate_notified_on": 2,
    "decision_date": 7,
}


def _timely_date(review: Review, field_name: str) -> date:
    if field_name in TIMELY_DAYS_AFTER_LEARNING and review.notification_date:
        return review.notification_date + timedelta(days=TIMELY_DAYS_AFTER_LEARNING[field_name])
    return ON_THE_DAY


def step_input(review: Review, name: str, **overrides) -> dict:
    """What a person would submit for step `name` on `review`, valid by default: the decision and the
    notifications soon after the board learned of the incident, other dates ON_THE_DAY, a choice its
    first option, a file a small PDF, text a sentence. `overrides` replace values (dates as `date`
    objects, None to leave a field out)."""
    form = TRANSITIONS[name].form_class(review=review)
    posted: dict = {}
    for field_name, field in form.fields.items():
        if field_name in overrides:
            value = overrides[field_name]
        elif isinstance(field, DateInputField) and name == "record_not_initiated_notice":
            value = review.decision_date + timedelta(days=3)  # a notice given late, after the decision
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
            value = f"{field.label} for {TRANSITIONS[name].label.lower()}."
        if isinstance(field, DateInputField):
            posted.update(date_input(field_name, value))
        elif value is not None:
            posted[field_name] = getattr(value, "pk", value)
    return posted


def step_data(review: Review, name: str, **overrides) -> dict:
    """The cleaned data the step's own form gives for `step_input` (what the view hands the service)."""
    posted = step_input(review, name, **overrides)
    files = {k: v for k, v in posted.items() if hasattr(v, "read")}
    data = {k: v for k, v in posted.items() if k not in files}
    form = TRANSITIONS[name].form_class(data, files, review=review)
    assert form.is_valid(), (name, form.errors.as_data())
    return form.cleaned_data


def complete_referral(
    review: Review, *, learned: date = LEARNED, criteria: str = Criteria.STATUTORY
) -> Review:
    """Fills in everything a referral needs before it can be sent for a decision."""
    review = Review.objects.get(pk=review.pk)
    review.case_summary = "Admitted to hospital with unexplained fractures; known to three agencies."
    review.incident_date = learned - timedelta(days=2)
    review.notification_date = learned
    review.criteria = criteria
    review.criteria_notes = "Abuse is suspected and agencies did not share what they knew."
    services.review_refresh_due(review)
    review.save()
    if not review.children.exists():
        ChildFactory(review=review, pseudonym="Child Z")
    return review


def make_ready(review: Review, **referral) -> Review:
    """A complete referral with a lead reviewer appointed and nothing left to delay publication, so every
    guard on the main path passes."""
    review = complete_referral(review, **referral)
    if not review.appointments.filter(ended_at__isnull=True).exists():
        AppointmentFactory(review=review, reviewer=UserFactory())
    review.parallel_processes.filter(concluded_on__isnull=True).update(concluded_on=LEARNED)
    return review


def actor(world: World, step: workflow.Transition):
    """One of the world's North people allowed to take `step` (a business manager where they may)."""
    role = next(r for r in ROLES if r in step.roles)
    return getattr(world, NORTH_PERSON[role])


def take(review: Review, name: str, user, **overrides) -> Review:
    fresh = Review.objects.get(pk=review.pk)
    if name == "do_not_initiate":
        # The national panel's notice is left to record later, by default (its own step).
        overrides.setdefault("national_panel_notified_on", None)
    if name == "start_review" and fresh.state == State.COMMISSIONING:
        ready_to_start(fresh)  # idempotent: approved terms are made once
    if name == "begin_response" and fresh.state == State.REPORT_RECEIVED:
        findings_recorded(fresh)
    if name == "publish" and fresh.state == State.RESPONSE:
        response_signed(fresh)
    services.review_transition(
        review_id=review.pk, name=name, user=user, data=step_data(fresh, name, **overrides)
    )
    return Review.objects.get(pk=review.pk)


def ready_to_start(review: Review) -> None:
    """Commissioning's end: approved terms of reference (through the real services), as the guard requires."""
    from reviews.models import Membership

    board_people = Membership.objects.active().filter(board=review.lead_board).select_related("user")
    manager = next(m.user for m in board_people if m.role == Role.BUSINESS_MANAGER)
    chair = next(m.user for m in board_people if m.role == Role.CHAIR)
    approve_terms(review, manager, chair)


def _manager_and_chair(review: Review):
    from reviews.models import Membership

    board_people = Membership.objects.active().filter(board=review.lead_board).select_related("user")
    manager = next(m.user for m in board_people if m.role == Role.BUSINESS_MANAGER)
    chair = next(m.user for m in board_people if m.role == Role.CHAIR)
    return manager, chair


def findings_recorded(review: Review) -> None:
    """The report's findings recorded (through the real services), as the response's guard requires."""
    record_findings(review, _manager_and_chair(review)[0])


def response_signed(review: Review) -> None:
    """A version of the board's response signed by the chair, as publication's guard requires."""
    sign_off(review, *_manager_and_chair(review))


def advance(world: World, review: Review, state: State) -> Review:
    """Walks a review at the referral stage to `state` through the real workflow."""
    for name in PATHS[state]:
        review = take(review, name, actor(world, TRANSITIONS[name]))
    assert review.state == state
    return review


def at_state(world: World, state: State, review: Review | None = None, **referral) -> Review:
    """A review at `state`, ready for the next step: at commissioning with its terms of reference approved,
    with the report's findings recorded once the report is received, and at the response stage with the
    board's response signed."""
    review = make_ready(review or world.north_review, **referral)
    review = advance(world, review, state)
    if state == State.COMMISSIONING:
        ready_to_start(review)
    if state == State.REPORT_RECEIVED:
        findings_recorded(review)
    if state == State.RESPONSE:
        response_signed(review)
    return Review.objects.get(pk=review.pk)


def snapshot(review: Review) -> dict:
    """Everything a refused step must leave alone: the row, its timeline and its history."""
    fresh = Review.objects.get(pk=review.pk)
    row = {f.attname: getattr(fresh, f.attname) for f in Review._meta.concrete_fields}
    row["final_report"] = fresh.final_report.name
    return {
        "row": row,
        "timeline": list(fresh.timeline.values_list("pk", flat=True)),
        "history": fresh.history.count(),
    }


def refused(review: Review, name: str, user, data: dict | None = None) -> str:
    """Asserts the step is refused and changes nothing; returns the refusal's message."""
    before = snapshot(review)
    with pytest.raises(TransitionRefused) as refusal:
        services.review_transition(review_id=review.pk, name=name, user=user, data=data or {})
    assert snapshot(review) == before
    return str(refusal.value)


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
NOT_ALLOWED = [
    pytest.param(t.name, role, id=f"{t.name}-by-{role}")
    for t in TRANSITIONS.values()
    for role in ROLES
    if role not in t.roles
]
WRONG_STATE = [
    pytest.param(t.name, state, id=f"{t.name}-from-{state.value}")
    for t in TRANSITIONS.values()
    for state in SCR_STATES
    if state not in t.source
]


def nearest_source(name: str) -> State:
    return min((State(s) for s in TRANSITIONS[name].source), key=lambda s: (len(PATHS[s]), s.value))


# Every allowed role, from every source stage --------------------------------------------------------


@pytest.mark.parametrize(("name", "source", "role"), ALLOWED)
def test_allowed_role_moves_review_to_target_with_one_timeline_entry(world, name, source, role):
    step = TRANSITIONS[name]
    review = at_state(world, source)
    user = getattr(world, NORTH_PERSON[role])
    before = set(review.timeline.values_list("pk", flat=True))

    services.review_transition(review_id=review.pk, name=name, user=user, data=step_data(review, name))

    review.refresh_from_db()
    assert review.state == step.target
    new = list(review.timeline.exclude(pk__in=before))
    assert len(new) == 1
    entry = new[0]
    assert (entry.from_state, entry.to_state, entry.transition) == (source, step.target, name)
    assert entry.actor == user
    expected_kind = TimelineEntry.Kind.DECISION if step.is_decision else TimelineEntry.Kind.TRANSITION
    assert entry.kind == expected_kind


@pytest.mark.parametrize(("name", "role"), NOT_ALLOWED)
def test_role_not_named_for_step_is_refused_and_nothing_changes(world, name, role):
    step = TRANSITIONS[name]
    review = at_state(world, nearest_source(name))
    user = getattr(world, NORTH_PERSON[role])

    message = refused(review, name, user, step_data(review, name))

    assert message == f"Only a {workflow.roles_named(step)} can {step.label[0].lower()}{step.label[1:]}."


@pytest.mark.parametrize(("name", "state"), WRONG_STATE)
def test_step_from_wrong_stage_is_refused_naming_current_stage(world, name, state):
    step = TRANSITIONS[name]
    review = at_state(world, state)

    message = refused(review, name, actor(world, step))

    assert f"now at the {review.words.stage(state).lower()} stage" in message
    assert step.label.lower() in message
    assert message.endswith("Nothing was changed.")


def test_unknown_step_is_refused(world):
    assert refused(world.north_review, "promote", world.north_manager) == "There is no such step."


def test_person_with_no_role_on_the_review_is_refused(world):
    review = make_ready(world.north_review)
    message = refused(review, "send_for_decision", world.east_manager, {"note": ""})
    assert message.startswith("Only a business manager can")


# Participating boards -------------------------------------------------------------------------------


BM_STEPS = [pytest.param(t.name, id=t.name) for t in TRANSITIONS.values() if Role.BUSINESS_MANAGER in t.roles]


@pytest.mark.parametrize("name", BM_STEPS)
def test_participating_boards_business_manager_may_not_take_the_lead_boards_steps(world, name):
    review = at_state(world, nearest_source(name), review=world.cross_border_review)
    before = review.state

    message = refused(review, name, world.south_manager, step_data(review, name))

    assert message.startswith("Only a")
    review.refresh_from_db()
    assert review.state == before


@pytest.mark.parametrize("name", BM_STEPS)
def test_the_lead_boards_business_manager_takes_the_steps_of_a_cross_border_review(world, name):
    review = at_state(world, nearest_source(name), review=world.cross_border_review)

    services.review_transition(
        review_id=review.pk, name=name, user=world.north_manager, data=step_data(review, name)
    )

    review.refresh_from_db()
    assert review.state == TRANSITIONS[name].target


def test_participating_boards_chair_may_not_withdraw_the_lead_boards_review(world):
    review = make_ready(world.cross_border_review)
    with pytest.raises(services.TransitionRefused):
        services.review_transition(
            review_id=review.pk,
            name="withdraw",
            user=world.south_chair,
            data={"end_reason": "Duplicate referral."},
        )
    review.refresh_from_db()
    assert review.state != State.WITHDRAWN
    assert access.step_options(world.south_chair, review) == []


def test_unrelated_boards_business_manager_is_refused_on_cross_border_review(world):
    review = make_ready(world.cross_border_review)
    message = refused(review, "send_for_decision", world.east_manager, {"note": ""})
    assert message.startswith("Only a business manager")


# Guards ---------------------------------------------------------------------------------------------


def _without(review: Review, missing: str) -> None:
    if missing == "child":
        review.children.all().delete()
    else:
        Review.objects.filter(pk=review.pk).update(
            **{missing: {"case_summary": "   ", "criteria": ""}.get(missing)}
        )


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("child", "Add at least one child, by pseudonym."),
        ("case_summary", "Write a summary of the case."),
        ("incident_date", "Record the date of the incident."),
        ("notification_date", "Record the date the board learned of the incident."),
        ("criteria", "Record which criteria were considered."),
    ],
)
def test_send_for_decision_is_blocked_by_incomplete_referral(world, missing, message):
    review = make_ready(world.north_review)
    _without(review, missing)

    refusal = refused(review, "send_for_decision", world.north_manager, {"note": ""})

    assert refusal == f"First: {message}"


def test_send_for_decision_lists_everything_missing_from_an_empty_referral(world):
    refusal = refused(world.south_review, "send_for_decision", world.south_manager, {"note": ""})
    assert refusal == (
        "First: Add at least one child, by pseudonym. Write a summary of the case. Record the date of the "
        "incident. Record the date the board learned of the incident. Record which criteria were considered."
    )


def test_start_review_is_blocked_without_a_lead_reviewer(world):
    review = at_state(world, State.COMMISSIONING, review=world.cross_border_review)
    review.appointments.update(ended_at=timezone.now())

    refusal = refused(review, "start_review", world.north_chair, step_data(review, "start_review"))

    assert refusal == "First: Appoint a lead reviewer."


def test_begin_response_is_blocked_without_a_report(world):
    review = at_state(world, State.REPORT_RECEIVED)
    Review.objects.filter(pk=review.pk).update(final_report="")

    refusal = refused(review, "begin_response", world.north_manager, {"note": ""})

    assert refusal == "First: Record the final report."


def _publish_data(review: Review) -> dict:
    return step_data(review, "publish")


def test_publish_is_blocked_while_a_process_that_may_delay_it_has_not_concluded(world):
    review = at_state(world, State.RESPONSE)
    ParallelProcessFactory(
        review=review, kind=ParallelProcess.Kind.INQUEST, description="Inquest into the death"
    )

    refusal = refused(review, "publish", world.north_manager, _publish_data(review))

    assert refusal == (
        "First: Inquest (Inquest into the death) may delay publication: record when it concluded, "
        "or that it no longer delays publication."
    )


def test_publish_is_allowed_once_the_delaying_process_has_concluded(world):
    review = at_state(world, State.RESPONSE)
    process = ParallelProcessFactory(review=review, kind=ParallelProcess.Kind.INQUEST, description="Inquest")
    form = ParallelProcessForm(
        {
            "kind": process.kind,
            "description": process.description,
            "may_delay_publication": "on",
            **date_input("expected_end", None),
            **date_input("concluded_on", ON_THE_DAY),
        },
        instance=process,
    )
    assert form.is_valid(), form.errors
    services.parallel_process_save(
        review=review, user=world.north_manager, process=process, **form.cleaned_data
    )

    services.review_transition(
        review_id=review.pk, name="publish", user=world.north_manager, data=_publish_data(review)
    )

    review.refresh_from_db()
    assert review.state == State.PUBLISHED


def test_publish_is_allowed_when_an_open_process_no_longer_delays_publication(world):
    review = at_state(world, State.RESPONSE)
    ParallelProcessFactory(review=review, may_delay_publication=False, concluded_on=None)

    services.review_transition(
        review_id=review.pk, name="publish", user=world.north_manager, data=_publish_data(review)
    )

    review.refresh_from_db()
    assert review.state == State.PUBLISHED


def test_guard_blockers_are_offered_with_the_option(world):
    review = world.south_review  # an empty referral
    (option,) = workflow.options(review, frozenset({Role.BUSINESS_MANAGER}))
    assert option.transition.name == "send_for_decision"
    assert not option.possible
    assert "Add at least one child, by pseudonym." in option.blockers


# Effects --------------------------------------------------------------------------------------------


def test_initiate_records_the_decision_the_chair_and_the_notifications(world):
    review = at_state(world, State.DECISION)
    decided, panel, ofsted = (
        LEARNED + timedelta(days=20),
        LEARNED + timedelta(days=3),
        LEARNED + timedelta(days=4),
    )

    review = take(
        review,
        "initiate",
        world.north_manager,
        decision_date=decided,
        decided_by=world.north_chair,
        decision_rationale="The statutory criteria are met.",
        national_panel_notified_on=panel,
        inspectorate_notified_on=ofsted,
    )

    assert review.decision == Decision.INITIATE
    assert review.decision_date == decided
    assert review.decided_by == world.north_chair
    assert review.decision_rationale == "The statutory criteria are met."
    assert (review.national_panel_notified_on, review.inspectorate_notified_on) == (panel, ofsted)
    entry = review.timeline.latest("pk")
    assert entry.kind == TimelineEntry.Kind.DECISION
    assert entry.title == TRANSITIONS["initiate"].label
    assert entry.body.splitlines() == [
        f"Decided by {world.north_chair.get_full_name()} on {decided:%-d %B %Y}.",
        "The statutory criteria are met.",
        f"National panel notified on {panel:%-d %B %Y}.",
        f"Ofsted notified on {ofsted:%-d %B %Y}.",
        f"Lead reviewers named in the notification: {review.reviewers_named}.",
    ]
    assert review.reviewers_named


@pytest.mark.parametrize("decision", [Decision.OTHER_REVIEW, Decision.NO_REVIEW])
def test_do_not_initiate_records_what_the_board_decided_instead(world, decision):
    review = at_state(world, State.DECISION, criteria=Criteria.DISCRETIONARY)

    review = take(
        review,
        "do_not_initiate",
        world.north_chair,
        decision=decision,
        decided_by=world.north_chair,
        national_panel_notified_on=None,
        inspectorate_notified_on=None,
    )

    assert review.state == State.NOT_INITIATED
    assert review.decision == decision
    assert review.decided_by == world.north_chair
    assert review.decision_date == LEARNED + timedelta(days=7)
    assert review.national_panel_notified_on is None


def test_initiate_for_statutory_criteria_needs_both_notifications(world):
    review = at_state(world, State.DECISION)
    form = TRANSITIONS["initiate"].form_class(
        step_input(review, "initiate", inspectorate_notified_on=None),
        review=review,
    )
    assert not form.is_valid()
    assert "inspectorate_notified_on" in form.errors


def test_start_review_records_the_start_date(world):
    review = at_state(world, State.COMMISSIONING)
    review = take(review, "start_review", world.north_chair, started_on=LEARNED + timedelta(days=30))
    assert review.started_on == LEARNED + timedelta(days=30)


def test_receive_report_stores_file_under_generated_name_and_keeps_display_name(world):
    review = at_state(world, State.IN_PROGRESS)
    received = LEARNED + timedelta(days=40)

    review = take(
        review,
        "receive_report",
        world.north_manager,
        final_report=pdf_upload("../../etc/Final report – Child A.PDF"),
        report_received_on=received,
    )

    assert review.final_report_name == "Final report – Child A.pdf"
    stored = review.final_report.name
    folder, _, filename = stored.rpartition("/")
    assert folder == f"reports/{world.north.pk}"
    stem, _, suffix = filename.partition(".")
    assert suffix == "pdf"
    assert len(stem) == 32 and int(stem, 16) >= 0  # a uuid4 hex, nothing of the person's file name
    with review.final_report.open("rb") as stored_file:
        assert stored_file.read() == DEMO_PDF
    assert review.report_received_on == received


def test_receive_report_accepts_a_word_document(world):
    review = at_state(world, State.IN_PROGRESS)
    upload = SimpleUploadedFile("report.docx", docx_bytes())

    review = take(review, "receive_report", world.north_manager, final_report=upload)

    assert review.final_report_name == "report.docx"
    assert review.final_report.name.endswith(".docx")


def test_publish_records_both_publication_dates(world):
    review = at_state(world, State.RESPONSE)
    report_on, response_on = review.report_received_on, ON_THE_DAY  # publication cannot precede receipt
    review = take(
        review,
        "publish",
        world.north_manager,
        report_published_on=report_on,
        response_published_on=response_on,
    )
    assert (review.report_published_on, review.response_published_on) == (report_on, response_on)


def test_publish_refuses_a_publication_date_before_the_report_was_received(world):
    review = at_state(world, State.RESPONSE)
    form = PublishForm(
        _date_post("report_published_on", review.report_received_on - timedelta(days=1))
        | _date_post("response_published_on", review.report_received_on),
        review=review,
    )
    assert not form.is_valid()
    assert "cannot come before the report was received" in str(form.errors["report_published_on"])


@pytest.mark.parametrize("role", [Role.BUSINESS_MANAGER, Role.CHAIR])
def test_close_records_the_date_and_the_reason(world, role):
    review = at_state(world, State.MONITORING)
    review = take(
        review,
        "close",
        getattr(world, NORTH_PERSON[role]),
        closed_on=ON_THE_DAY,
        end_reason="All actions evidenced by audit.",
    )
    assert review.state == State.CLOSED
    assert (review.closed_on, review.end_reason) == (ON_THE_DAY, "All actions evidenced by audit.")
    assert review.timeline.latest("pk").body == "All actions evidenced by audit."


@pytest.mark.parametrize("state", sorted(SCR_OPEN, key=lambda s: len(PATHS[s])))
def test_chair_may_withdraw_from_every_open_stage_and_the_reason_is_kept(world, state):
    review = at_state(world, state)
    assert "withdraw" in {o.transition.name for o in workflow.options(review, frozenset({Role.CHAIR}))}

    review = take(review, "withdraw", world.north_chair, end_reason="New medical evidence.")

    assert review.state == State.WITHDRAWN
    assert review.end_reason == "New medical evidence."
    entry = review.timeline.latest("pk")
    assert (entry.from_state, entry.to_state, entry.body) == (state, State.WITHDRAWN, "New medical evidence.")
    assert review.due_on is None and review.due_kind == ""


def test_note_is_kept_on_the_timeline(world):
    review = make_ready(world.north_review)
    review = take(review, "send_for_decision", world.north_manager, note="All agencies confirmed.")
    entry = review.timeline.latest("pk")
    assert entry.body == "All agencies confirmed."
    assert entry.title == "Referral → Decision"


def test_state_changed_at_moves_with_the_stage(world):
    review = make_ready(world.north_review)
    Review.objects.filter(pk=review.pk).update(state_changed_at=timezone.now() - timedelta(days=5))
    review = take(review, "send_for_decision", world.north_manager)
    assert timezone.now() - review.state_changed_at < timedelta(minutes=1)


# Terminal stages and options -------------------------------------------------------------------------


@pytest.mark.parametrize("state", SCR_TERMINAL)
def test_terminal_stage_offers_no_way_out_to_anyone(world, state):
    """An ended review goes nowhere; a review not initiated offers only the notice to the national panel
    still owed (a record kept at the same stage), and nothing once it is recorded."""
    review = at_state(world, state)
    offered = workflow.options(review, frozenset(ROLES))
    assert [o.transition.name for o in offered] == (
        ["record_not_initiated_notice"] if state == State.NOT_INITIATED else []
    )
    assert all(o.transition.target == state for o in offered)
    assert workflow.next_step(review) is None
    if state == State.NOT_INITIATED:
        review = take(review, "record_not_initiated_notice", world.north_manager)
        assert workflow.options(review, frozenset(ROLES)) == []


@pytest.mark.parametrize(
    ("state", "role", "expected"),
    [
        (State.REFERRAL, Role.BUSINESS_MANAGER, ["send_for_decision"]),
        (State.REFERRAL, Role.CHAIR, ["withdraw"]),
        (State.REFERRAL, Role.BOARD_MEMBER, []),
        (State.REFERRAL, Role.LEAD_REVIEWER, []),
        (State.DECISION, Role.BUSINESS_MANAGER, ["initiate", "do_not_initiate"]),
        (State.DECISION, Role.CHAIR, ["initiate", "do_not_initiate", "withdraw"]),
        (State.COMMISSIONING, Role.BUSINESS_MANAGER, []),
        (State.COMMISSIONING, Role.CHAIR, ["start_review", "withdraw"]),
        (State.IN_PROGRESS, Role.BUSINESS_MANAGER, ["receive_report"]),
        (State.IN_PROGRESS, Role.LEAD_REVIEWER, []),
        (State.MONITORING, Role.CHAIR, ["close", "withdraw"]),
        (State.MONITORING, Role.BUSINESS_MANAGER, ["close"]),
    ],
)
def test_options_lists_only_the_steps_the_persons_role_permits(world, state, role, expected):
    review = at_state(world, state)
    assert [o.transition.name for o in workflow.options(review, frozenset({role}))] == expected


@pytest.mark.parametrize("state", sorted(SCR_STATES, key=lambda s: len(PATHS[s])))
@pytest.mark.parametrize("role", ROLES)
def test_options_agree_with_the_table_for_every_stage_and_role(world, state, role):
    review = at_state(world, state)
    offered = {o.transition.name for o in workflow.options(review, frozenset({role}))}
    assert offered == {
        t.name for t in TRANSITIONS.values() if state in t.source and role in t.roles and t.offered(review)
    }


def test_options_for_several_roles_are_the_union(world):
    review = at_state(world, State.DECISION)
    both = workflow.options(review, frozenset({Role.BUSINESS_MANAGER, Role.CHAIR}))
    assert sorted(o.transition.name for o in both) == ["do_not_initiate", "initiate", "withdraw"]


def test_options_for_no_role_are_empty(world):
    assert workflow.options(world.north_review, frozenset()) == []


# The table itself ---------------------------------------------------------------------------------


def test_every_open_stage_has_a_way_out():
    for state in SCR_OPEN:
        assert transitions_from(state), f"no step leaves {state}"


def test_terminal_stages_have_no_way_out():
    """Nothing leaves an ended review; only a record kept at the same stage (the national panel's notice of
    a decision not to initiate) is taken there."""
    for state in TERMINAL_STATES:
        assert all(t.target == state for t in transitions_from(state))
    assert [t.name for t in transitions_from(State.NOT_INITIATED)] == ["record_not_initiated_notice"]


def test_every_stage_can_be_reached_from_a_referral():
    assert set(PATHS) == set(SCR_STATES)


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_transition_row_is_well_formed(name):
    step = TRANSITIONS[name]
    assert step.name == name
    assert step.target in State.values
    assert step.source and set(step.source) <= set(State.values)
    # A step moves the review on, or keeps a record at the one stage it is taken from.
    assert step.target not in step.source or step.source == {step.target}
    assert step.roles and set(step.roles) <= set(Role.values)
    assert step.label and step.explanation
    assert callable(step.guard) and callable(step.effect) and callable(step.body)


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_form_class_accepts_review(world, name):
    review = make_ready(world.north_review)
    form = TRANSITIONS[name].form_class(review=review)
    assert form.review == review
    assert form.helper.layout  # renders with the design system's layout
    bound = TRANSITIONS[name].form_class({}, {}, review=review)
    bound.is_valid()  # an empty submission is judged, not crashed on


STEP_DATES = [
    pytest.param(t.name, field_name, id=f"{t.name}-{field_name}")
    for t in TRANSITIONS.values()
    for field_name, field in t.form_class.base_fields.items()
    if isinstance(field, DateInputField)
]


@pytest.mark.parametrize(("name", "field_name"), STEP_DATES)
def test_every_date_a_step_records_cannot_be_in_the_future(world, name, field_name):
    # Each step records when something happened (a decision, a notification, a start, a publication,
    # a closure): none of them can have happened tomorrow.
    review = at_state(world, nearest_source(name))
    posted = step_input(review, name, **{field_name: date.today() + timedelta(days=1)})
    files = {k: v for k, v in posted.items() if hasattr(v, "read")}
    form = TRANSITIONS[name].form_class(
        {k: v for k, v in posted.items() if k not in files}, files, review=review
    )
    assert not form.is_valid()
    assert list(form.errors) == [field_name]
    assert "cannot be in the future" in form.errors[field_name][0]


def test_next_steps_name_someone_for_every_open_stage():
    assert set(SCR.next_steps) == set(SCR_OPEN)


@pytest.mark.parametrize("state", SCR.main_path)
def test_stage_path_marks_done_current_and_to_do(state):
    review = Review(state=state)
    path = workflow.stage_path(review)
    position = SCR.main_path.index(state)
    assert [label for label, _ in path] == [SCR.words.stage(s) for s in SCR.main_path]
    assert [status for _, status in path] == ["done"] * position + ["current"] + ["to do"] * (
        len(SCR.main_path) - position - 1
    )


@pytest.mark.parametrize("state", [State.NOT_INITIATED, State.WITHDRAWN])
def test_stage_path_of_review_that_ended_early_is_its_end(state):
    assert workflow.stage_path(Review(state=state)) == [(state.label, "current")]


# Deadlines ------------------------------------------------------------------------------------------

# Fixed past dates so the deadlines can be written out: learned Monday 3 March 2025.
CLOCK_LEARNED = date(2025, 3, 3)
DECIDED = date(2025, 3, 31)
NOTIFIED = date(2025, 3, 5)


def _decided(world: World, review: Review | None = None) -> Review:
    review = at_state(world, State.DECISION, review=review, learned=CLOCK_LEARNED)
    return take(
        review,
        "initiate",
        world.north_chair,
        decision_date=DECIDED,
        national_panel_notified_on=NOTIFIED,
        inspectorate_notified_on=NOTIFIED,
    )


def test_referral_is_due_for_notification_five_working_days_after_learning(world):
    review = complete_referral(world.north_review, learned=CLOCK_LEARNED)
    assert (review.due_kind, review.due_on) == ("notification", date(2025, 3, 10))
    review = take(review, "send_for_decision", world.north_manager)
    assert (review.due_kind, review.due_on) == ("notification", date(2025, 3, 10))


def test_after_notifications_the_next_deadline_is_the_decision(world):
    review = at_state(world, State.DECISION, learned=CLOCK_LEARNED)
    Review.objects.filter(pk=review.pk).update(
        national_panel_notified_on=NOTIFIED, inspectorate_notified_on=NOTIFIED
    )
    review.refresh_from_db()
    services.review_refresh_due(review)
    assert (review.due_kind, review.due_on) == ("decision", date(2025, 4, 3))


def test_after_initiate_the_next_deadline_is_completion_six_months_after_the_decision(world):
    review = _decided(world)
    assert review.due_kind == "completion"
    assert review.due_on == date(2025, 9, 30)  # 31 March + 6 months, clamped to the end of September


def test_after_receiving_the_report_the_next_deadline_is_publication(world):
    review = _decided(world)
    review = take(review, "start_review", world.north_chair, started_on=date(2025, 4, 14))
    review = take(review, "receive_report", world.north_manager, report_received_on=date(2025, 9, 15))
    assert (review.due_kind, review.due_on) == ("publication", date(2025, 12, 15))


def test_after_publication_no_deadline_is_running(world):
    review = _decided(world)
    review = take(review, "start_review", world.north_chair, started_on=date(2025, 4, 14))
    review = take(review, "receive_report", world.north_manager, report_received_on=date(2025, 9, 15))
    review = take(review, "begin_response", world.north_manager)
    review = take(
        review,
        "publish",
        world.north_manager,
        report_published_on=date(2025, 11, 3),
        response_published_on=date(2025, 11, 3),
    )
    assert (review.due_kind, review.due_on) == ("", None)


def test_ending_a_review_clears_its_deadline(world):
    review = _decided(world)
    assert review.due_on is not None
    review = take(review, "withdraw", world.north_chair)
    assert (review.due_kind, review.due_on) == ("", None)


def _new_targets(board, **targets) -> None:
    fields = ("notification_working_days", "decision_months", "completion_months", "publication_months")
    data = {name: targets.get(name, getattr(board, name)) for name in fields}
    form = TimescalesForm(data, instance=board)
    assert form.is_valid(), form.errors
    services.board_timescales_update(board=board, **form.cleaned_data)


def test_new_local_targets_move_open_reviews_deadlines(world):
    review = _decided(world)

    _new_targets(world.north, completion_months=3)

    review.refresh_from_db()
    assert (review.due_kind, review.due_on) == ("completion", date(2025, 6, 30))


def test_new_local_notification_target_moves_referral_deadline(world):
    review = complete_referral(world.north_review, learned=CLOCK_LEARNED)

    _new_targets(world.north, notification_working_days=10)

    review.refresh_from_db()
    assert (review.due_kind, review.due_on) == ("notification", date(2025, 3, 17))


def test_new_local_targets_leave_ended_reviews_and_other_boards_alone(world):
    ended = _decided(world)
    ended = take(ended, "withdraw", world.north_chair)
    south = complete_referral(world.south_review, learned=CLOCK_LEARNED)

    _new_targets(world.north, notification_working_days=10, completion_months=3)

    ended.refresh_from_db()
    south.refresh_from_db()
    assert (ended.due_kind, ended.due_on) == ("", None)
    assert (south.due_kind, south.due_on) == ("notification", date(2025, 3, 10))


def test_due_on_always_matches_the_current_clock_along_the_main_path(world):
    review = make_ready(world.north_review)
    for name in PATHS[State.CLOSED]:
        review = take(review, name, actor(world, TRANSITIONS[name]))
        current = current_deadline(review)
        expected = (current.due, current.key) if current else (None, "")
        assert (review.due_on, review.due_kind) == expected, name


# Only the workflow writes the stage ---------------------------------------------------------------


def test_review_create_starts_at_referral_with_a_child_and_one_timeline_entry(world):
    review = services.review_create(
        board=world.north,
        user=world.north_manager,
        reference="NSCB-NEW",
        regime="scr",
        case_summary="Summary.",
        incident_date=CLOCK_LEARNED - timedelta(days=1),
        notification_date=CLOCK_LEARNED,
        criteria=Criteria.STATUTORY,
        criteria_notes="",
        pseudonym="  Child Q ",
        outcome=Child.Outcome.DIED,
    )
    assert review.state == State.REFERRAL
    assert list(review.children.values_list("pseudonym", flat=True)) == ["Child Q"]
    (entry,) = review.timeline.all()
    assert (entry.title, entry.actor) == ("Referral opened", world.north_manager)
    assert (review.due_kind, review.due_on) == ("notification", date(2025, 3, 10))


def _date_post(name: str, value) -> dict:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def test_start_review_is_blocked_until_the_chair_approves_the_terms_of_reference(world):
    review = advance(world, make_ready(world.north_review), State.COMMISSIONING)
    refusal = refused(review, "start_review", world.north_chair, step_data(review, "start_review"))
    assert "The chair approves the terms of reference" in refusal
    ready_to_start(review)
    assert take(review, "start_review", world.north_chair).state == State.IN_PROGRESS


def test_a_start_date_before_the_terms_were_approved_needs_a_note(world, client):
    """Starting a review on a date before the chair approved its terms of reference is said, on the date:
    it is refused without a note, and taken with one (terms agreed before they were recorded here)."""
    review = advance(world, make_ready(world.north_review), State.COMMISSIONING)
    ready_to_start(review)
    before = timezone.localdate() - timedelta(days=90)

    refusal = refused(
        review,
        "start_review",
        world.north_chair,
        step_data(review, "start_review", started_on=before, note=""),
    )
    assert "before the chair approved the terms of reference" in refusal

    client.force_login(world.north_chair)
    url = reverse("review_step", args=[review.pk, "start_review"])
    response = client.post(url, {**_date_post("started_on", before), "note": ""})
    assert response.status_code == 200
    assert "before the chair approved the terms of reference" in response.content.decode()
    assert Review.objects.get(pk=review.pk).state == State.COMMISSIONING

    explained = "The terms were agreed at the board meeting in the spring, before we used the portal."
    started = take(review, "start_review", world.north_chair, started_on=before, note=explained)
    assert (started.state, started.started_on) == (State.IN_PROGRESS, before)
