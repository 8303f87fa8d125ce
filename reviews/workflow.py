"""The review's lifecycle, declared as data: every state, every transition, who may make it, what must be
true first, what it records. The UI asks this module what to offer; `services.review_transition` applies
one. Nothing else in the project sets `review.state`.

Adding a regime, a state or a step means adding rows here, not changing the views."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from scr_portal.statemachine import Machine
from scr_portal.statemachine import Transition as Move

from . import forms
from .models import (
    PARTNER_ROLES,
    TERMINAL_STATES,
    BoardInvitation,
    Decision,
    InvitationStatus,
    PanelReply,
    Recommendation,
    Regime,
    Review,
    Role,
    State,
)
from .words import LCSPR, SCR, Words

BM, CHAIR = Role.BUSINESS_MANAGER, Role.CHAIR
PARTNERS = frozenset(PARTNER_ROLES)
OPEN_STATES = frozenset(s for s in State if s not in TERMINAL_STATES)
# Stages before a review is decided on: nothing of commissioning or documents exists yet.
BEFORE_DECIDED = frozenset({State.REFERRAL, State.RAPID_REVIEW, State.WITH_PANEL})
NOT_HELD = frozenset({State.NOT_INITIATED, State.NATIONAL_REVIEW})


# Stage capabilities: what a review at each stage allows, named once here. Access rules, views, selectors
# and notifications ask `allows(review, CAPABILITY)` (or filter `state__in=states_allowing(...)`), never a
# list of states of their own.
OPEN = "open"  # the review is still running
SCOPING_SHOWN = "scoping_shown"  # there is commissioning work to look at
COMMISSIONING_OPEN = "commissioning_open"  # scope, input and terms of reference can still change
DOCUMENTS_SHOWN = "documents_shown"  # the review is far enough on to have documents
FINDINGS_OPEN = "findings_open"  # the report's findings can be recorded and changed
RESPONSE_OPEN = "response_open"  # the board's response (meetings, actions, progress) can change
RESPONSE_DRAFTING = "response_drafting"  # the written response can be edited and signed
DEADLINES_RUN = "deadlines_run"  # the review's clocks still remind people
STEPS_TAKEN = "steps_taken"  # a lifecycle step can still be taken (the table says which, and by whom)
RAPID_REVIEW_OPEN = "rapid_review_open"  # agencies' summaries can be asked for and recorded
RAPID_REVIEW_SHOWN = "rapid_review_shown"  # there is a rapid review to look at (a practice review's)
INFORMATION_OPEN = "information_open"  # agencies can be asked for information, and submit and be answered
INFORMATION_SHOWN = "information_shown"  # there may be agencies' information and a chronology to read
REPORT_DRAFTING = "report_drafting"  # drafts of the report can be added, checked, assured and accepted
REPORT_SHOWN = "report_shown"  # there may be drafts of the report to read

CAPABILITIES: dict[str, frozenset[State]] = {
    OPEN: OPEN_STATES,
    SCOPING_SHOWN: frozenset(State) - BEFORE_DECIDED - NOT_HELD,
    COMMISSIONING_OPEN: frozenset({State.DECISION, State.COMMISSIONING}),
    DOCUMENTS_SHOWN: frozenset(State) - BEFORE_DECIDED - NOT_HELD - {State.DECISION},
    FINDINGS_OPEN: frozenset({State.REPORT_RECEIVED, State.RESPONSE}),
    RESPONSE_OPEN: frozenset({State.REPORT_RECEIVED, State.RESPONSE, State.PUBLISHED, State.MONITORING}),
    RESPONSE_DRAFTING: frozenset({State.RESPONSE}),
    DEADLINES_RUN: OPEN_STATES,
    # A Serious Case Review not initiated may still have its notice to the national panel to record.
    STEPS_TAKEN: OPEN_STATES | {State.NOT_INITIATED},
    RAPID_REVIEW_OPEN: frozenset({State.RAPID_REVIEW}),
    RAPID_REVIEW_SHOWN: frozenset(State) - {State.REFERRAL},
    INFORMATION_OPEN: frozenset({State.IN_PROGRESS}),
    # From the review in progress on (a review withdrawn while in progress keeps what was sent).
    INFORMATION_SHOWN: frozenset(State) - BEFORE_DECIDED - NOT_HELD - {State.DECISION, State.COMMISSIONING},
    REPORT_DRAFTING: frozenset({State.IN_PROGRESS}),
    REPORT_SHOWN: frozenset(State) - BEFORE_DECIDED - NOT_HELD - {State.DECISION, State.COMMISSIONING},
}


def states_allowing(capability: str) -> frozenset[State]:
    """The states in which a review has `capability` (for querysets: `state__in=states_allowing(...)`)."""
    return CAPABILITIES[capability]


def allows(review: Review, capability: str) -> bool:
    """Whether the review, at its current stage, has `capability`."""
    if capability in (RAPID_REVIEW_OPEN, RAPID_REVIEW_SHOWN) and review.regime != Regime.PRACTICE_REVIEW:
        return False
    return review.state in CAPABILITIES[capability]


def accepts_report(review: Review) -> frozenset[str]:
    """The roles that accept the final report of the review (its regime's accountable people): those who
    may take the "receive_report" step other than the business manager."""
    return table(review).transitions["receive_report"].roles - {BM}


def report_held(review: Review) -> bool:
    """The final report is in (or the review is at a stage that follows it): findings, the board pack and
    the response can be shown."""
    return bool(review.final_report) or allows(review, RESPONSE_OPEN)


def no_blockers(review: Review) -> list[str]:
    return []


def _referral_complete(review: Review) -> list[str]:
    missing = []
    if not review.children.exists():
        missing.append("Add at least one child, by pseudonym.")
    if not review.case_summary.strip():
        missing.append("Write a summary of the case.")
    if not review.incident_date:
        missing.append("Record the date of the incident.")
    if not review.notification_date:
        missing.append(
            "Record the date the local authority became aware of the incident."
            if review.is_practice_review
            else "Record the date the board learned of the incident."
        )
    if not review.criteria:
        missing.append("Record which criteria were considered.")
    return missing


def _lead_reviewer_appointed(review: Review) -> list[str]:
    if review.appointments.filter(ended_at__isnull=True).exists():
        return []
    return ["Appoint a lead reviewer."]


def _report_held(review: Review) -> list[str]:
    return [] if review.final_report else ["Record the final report."]


def _nothing_delays_publication(review: Review) -> list[str]:
    waiting = review.parallel_processes.filter(may_delay_publication=True, concluded_on__isnull=True)
    return [
        f"{p.get_kind_display()} ({p.description}) may delay publication: record when it concluded, "
        "or that it no longer delays publication."
        for p in waiting
    ]


def _timeline_note(data: dict) -> str:
    return data.get("note", "") or ""


def _set(**names: str) -> Callable[[Review, dict, object], None]:
    """An effect that copies cleaned form fields onto the review (review field = form field)."""

    def effect(review: Review, data: dict, user) -> None:
        for model_field, form_field in names.items():
            setattr(review, model_field, data[form_field])

    return effect


def _record_decision(decision: str | None):
    def effect(review: Review, data: dict, user) -> None:
        review.decision = decision or data["decision"]
        for name in (
            "decision_date",
            "decision_rationale",
            "decided_by",
            "national_panel_notified_on",
            "inspectorate_notified_on",
        ):
            setattr(review, name, data[name])
        if "reviewers_named" in data:
            review.reviewers_named = data["reviewers_named"]

    return effect


def _record_report(review: Review, data: dict, user) -> None:
    # The file itself is stored before the step's transaction (the step `stores` it) and named by then.
    review.final_report_name = data["final_report"].display_name
    review.report_received_on = data["report_received_on"]


# What the timeline says of the notifications a decision records, by regime: a Serious Case Review's
# notifications are made on deciding; a practice review's Panel and Ofsted are told of the partners' decision.
_DECISION_NOTICES = {
    SCR.regime: (
        ("national_panel_notified_on", "National panel notified"),
        ("inspectorate_notified_on", "Ofsted notified"),
    ),
    LCSPR.regime: (
        ("national_panel_notified_on", "National Panel told of the decision"),
        ("inspectorate_notified_on", "Ofsted told of the decision"),
    ),
}


def _decision_body_in(w: Words) -> Callable[[dict], str]:
    return lambda data: _decision_body(data, _DECISION_NOTICES[w.regime])


def _decision_body(data: dict, notices: tuple[tuple[str, str], ...]) -> str:
    lines = [
        f"Decided by {data['decided_by'].get_full_name()} on {data['decision_date']:%-d %B %Y}.",
        data["decision_rationale"],
    ]

    for name, label in notices:
        if data.get(name):
            lines.append(f"{label} on {data[name]:%-d %B %Y}.")
    if data.get("reviewers_named"):
        lines.append(f"Lead reviewers named in the notification: {data['reviewers_named']}.")
    return "\n".join(lines)


def decision_text(review: Review, step: Transition, data: dict) -> str:
    """The partners' decision as each statutory partner signs it: what was decided, when, why, and the
    notices recorded with it. The same decision gives the same text, byte for byte (its digest is what
    the partners sign)."""
    w = table(review).words
    decided = f"hold a {w.review}" if step.name == "initiate" else Decision(data["decision"]).label.lower()
    lines = [
        f"Decision: {decided}.",
        f"Date of the decision: {data['decision_date']:%-d %B %Y}.",
        f"Why: {data['decision_rationale'].strip()}",
    ]
    for name, label in _DECISION_NOTICES[w.regime]:
        if data.get(name):
            lines.append(f"{label} on {data[name]:%-d %B %Y}.")
    return "\n".join(lines)


def decision_initial(values: dict) -> dict:
    """A signed decision's kept form values as a form's initial data again (ISO dates as dates)."""
    return {
        name: date.fromisoformat(value) if isinstance(value, str) and _ISO_DATE.fullmatch(value) else value
        for name, value in values.items()
    }


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def decision_values(data: dict) -> dict:
    """The decision's form values as they can be kept with a signature (dates as ISO text), to show the
    next partner the same decision."""
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in data.items()
        if isinstance(value, str | date | int) and name != "note"
    }


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # what the person does, as a button would say it
    source: frozenset[State]
    target: State
    roles: frozenset[str]
    form_class: type[forms.NoteForm]
    explanation: str  # shown above the form: what this step means
    guard: Callable[[Review], list[str]] = no_blockers
    effect: Callable[[Review, dict, object], None] = lambda review, data, user: None
    body: Callable[[dict], str] = _timeline_note
    is_decision: bool = False
    warning: bool = False  # a step that ends the review early: shown as such
    # A step that ends the review ends its lead reviewers' appointments with it: they keep no access to a
    # review they no longer work on.
    ends_appointments: bool = False
    # Form fields holding an upload (with its display_name) that the step keeps in the review's file field
    # of the same name: `services.review_transition` stores each before the step's transaction, removes it
    # if that fails, and names it on the review inside it (files follow their rows: scr_portal/files.py).
    stores: tuple[str, ...] = ()
    # A decision the statutory partners sign (`RegimeTable.partner_signatures` of them): each partner's
    # taking of the step signs the decision's text (`decision_text`); the step moves the review only when
    # the last different partner signs the same text (`services.review_transition`).
    signed_by_partners: bool = False
    # Whether the step is offered on this review at all, beyond being at one of its source stages (a notice
    # still to give, say); a step not offered is refused like one from another stage.
    offered: Callable[[Review], bool] = lambda review: True
    extra: dict = field(default_factory=dict)


def _notify_incident(review: Review, data: dict, user) -> None:
    review.incident_notified_on = data["incident_notified_on"]
    review.incident_notified_by = data["incident_notified_by"]
    for child in review.children.all():
        reference = data.get(f"reference_{child.pk}", "")
        if reference != child.panel_reference:
            child.panel_reference = reference
            child.save(update_fields=["panel_reference"])


def _notification_body(data: dict) -> str:
    return f"Notified by {data['incident_notified_by']} on {data['incident_notified_on']:%-d %B %Y}."


def _summaries_in(review: Review) -> list[str]:
    asked = list(review.agency_summaries.select_related("agency"))
    if not asked:
        return ["Ask at least one agency for a summary of its involvement."]
    waiting = sorted(s.agency.name for s in asked if not s.is_received)
    if waiting:
        return [f"Record the summaries still awaited from {', '.join(waiting)}."]
    return []


def _rapid_review_body(data: dict) -> str:
    lines = [
        f"Rapid review meeting on {data['rapid_review_meeting_on']:%-d %B %Y}; "
        f"sent to the Panel on {data['sent_to_panel_on']:%-d %B %Y}.",
        f"Recommendation: {Recommendation(data['recommendation']).label}.",
    ]
    if data.get("recommendation_reasons"):
        lines.append(data["recommendation_reasons"])
    return "\n".join(lines)


def _panel_body(data: dict) -> str:
    lines = [f"{PanelReply(data['panel_reply']).label} (replied on {data['panel_replied_on']:%-d %B %Y})."]
    if data.get("panel_reply_reasons"):
        lines.append(data["panel_reply_reasons"])
    return "\n".join(lines)


_record_panel_reply = _set(
    panel_reply="panel_reply", panel_replied_on="panel_replied_on", panel_reply_reasons="panel_reply_reasons"
)


def _notice_body(data: dict) -> str:
    lines = [
        f"National panel told of the decision not to initiate on {data['national_panel_notified_on']:%-d %B %Y}."
    ]
    if data.get("inspectorate_notified_on"):
        lines.append(f"Ofsted told on {data['inspectorate_notified_on']:%-d %B %Y}.")
    if data.get("note"):
        lines.append(data["note"])
    return "\n".join(lines)


def _publish_effect(review: Review, data: dict, user) -> None:
    review.report_published_on = data["report_published_on"]
    review.response_published_on = data["response_published_on"]
    review.publication_notice_on = data.get("publication_notice_on")


def _decision_steps(
    w: Words, deciders: frozenset[str], decision_explanation: str, *, signed_by_partners: bool = False
) -> list[Transition]:
    return [
        Transition(
            name="initiate",
            label=f"Record the decision to hold a {w.review}"
            if w is LCSPR
            else "Record the decision to initiate a review",
            source=frozenset({State.DECISION}),
            target=State.COMMISSIONING,
            roles=deciders,
            form_class=forms.InitiateForm,
            explanation=decision_explanation,
            effect=_record_decision(Decision.INITIATE),
            body=_decision_body_in(w),
            is_decision=True,
            signed_by_partners=signed_by_partners,
        ),
        Transition(
            name="do_not_initiate",
            label="Record a decision not to hold a local review"
            if w is LCSPR
            else "Record a decision not to initiate",
            source=frozenset({State.DECISION}),
            target=State.NOT_INITIATED,
            roles=deciders,
            form_class=forms.NotInitiateForm,
            explanation=(
                f"Record the {w.accountable_possessive} decision to hold another kind of learning review, "
                "or no review, and the reasons."
                + (
                    " Each of the three statutory partners signs the same decision; it is made when the "
                    "third signs."
                    if signed_by_partners
                    else ""
                )
                + (
                    " The national panel must be told of a decision not to initiate within 14 days, with the reasons."
                    if w is SCR
                    else ""
                )
            ),
            effect=_record_decision(None),
            body=_decision_body_in(w),
            is_decision=True,
            warning=True,
            ends_appointments=True,
            signed_by_partners=signed_by_partners,
        ),
    ]


def _review_steps(w: Words, accountable: frozenset[str], open_stages: frozenset[State]) -> list[Transition]:
    """From commissioning to closure: the same steps in both regimes, in each regime's words, taken by its
    accountable people where the legacy regime names the chair."""
    return [
        Transition(
            name="start_review",
            label="Start the review",
            source=frozenset({State.COMMISSIONING}),
            target=State.IN_PROGRESS,
            roles=accountable,
            form_class=forms.StartReviewForm,
            explanation="The terms of reference are agreed and the lead reviewer begins the substantive work.",
            guard=_lead_reviewer_appointed,
            effect=_set(started_on="started_on"),
        ),
        Transition(
            name="receive_report",
            label="Record the final report",
            source=frozenset({State.IN_PROGRESS}),
            target=State.REPORT_RECEIVED,
            # The business manager records a report received; the accountable people record the final
            # report by accepting a draft on the report's page (conduct.report), which takes this step. Once
            # a review has drafts, only accepting one takes it (conduct adds that guard).
            roles=frozenset({BM}) | accountable,
            form_class=forms.ReceiveReportForm,
            explanation="Upload the lead reviewer's final report. The publication clock starts on the date received.",
            effect=_record_report,
            stores=("final_report",),
        ),
        Transition(
            name="begin_response",
            label=f"Start the {w.response}",
            source=frozenset({State.REPORT_RECEIVED}),
            target=State.RESPONSE,
            roles=frozenset({BM}),
            form_class=forms.NoteForm,
            explanation=f"The {w.body} discusses the findings and agrees its response and actions.",
            guard=_report_held,
        ),
        Transition(
            name="publish",
            label="Record publication",
            source=frozenset({State.RESPONSE}),
            target=State.PUBLISHED,
            roles=frozenset({BM}),
            form_class=forms.PublishForm,
            explanation=(
                f"Record when the report and the {w.response} were published"
                + (
                    ", and when the report was sent to the national Panel, the Secretary of State and Ofsted: "
                    "at least 7 working days before publication."
                    if w is LCSPR
                    else "."
                )
            ),
            guard=_nothing_delays_publication,
            effect=_publish_effect,
        ),
        Transition(
            name="start_monitoring",
            label="Start monitoring the actions",
            source=frozenset({State.PUBLISHED}),
            target=State.MONITORING,
            roles=frozenset({BM}),
            form_class=forms.NoteForm,
            explanation=f"The {w.body} now monitors the agreed actions until their impact is evidenced.",
        ),
        Transition(
            name="close",
            label="Close the review",
            source=frozenset({State.MONITORING}),
            target=State.CLOSED,
            roles=frozenset({BM}) | accountable,
            form_class=forms.CloseForm,
            explanation="Close the review once its actions are implemented and their impact evidenced.",
            effect=_set(closed_on="closed_on", end_reason="end_reason"),
            body=lambda data: data["end_reason"],
            ends_appointments=True,
        ),
        Transition(
            name="withdraw",
            label="Withdraw the review",
            source=open_stages,
            target=State.WITHDRAWN,
            roles=accountable,
            form_class=forms.WithdrawForm,
            explanation="Stop the review before it completes. The reason is kept on the timeline.",
            effect=lambda review, data, user: setattr(review, "end_reason", data["end_reason"]),
            body=lambda data: data["end_reason"],
            warning=True,
            ends_appointments=True,
        ),
    ]


def _table(steps: list[Transition]) -> dict[str, Transition]:
    return {t.name: t for t in steps}


# A Serious Case Review (Working Together 2015): the LSCB's chair decides and signs.
SCR_TRANSITIONS: dict[str, Transition] = _table(
    [
        Transition(
            name="send_for_decision",
            label="Send for a decision",
            source=frozenset({State.REFERRAL}),
            target=State.DECISION,
            roles=frozenset({BM}),
            form_class=forms.NoteForm,
            explanation="The referral is complete. The chair and board now decide whether to hold a review.",
            guard=_referral_complete,
        ),
        *_decision_steps(
            SCR,
            frozenset({BM, CHAIR}),
            "Record the chair's decision to initiate a Serious Case Review, and the notifications made: the "
            "national panel and Ofsted are told of the decision with the lead reviewers' names.",
        ),
        *_review_steps(SCR, frozenset({CHAIR}), OPEN_STATES - {State.RAPID_REVIEW, State.WITH_PANEL}),
        Transition(
            name="record_not_initiated_notice",
            label="Record the notice to the national panel",
            source=frozenset({State.NOT_INITIATED}),
            target=State.NOT_INITIATED,
            roles=frozenset({BM, CHAIR}),
            form_class=forms.NotInitiatedNoticeForm,
            explanation=(
                "The national panel must be told of a decision not to initiate a Serious Case Review within "
                "14 days of the decision, with the reasons. Record when it was told, and when Ofsted was."
            ),
            # Offered until the notice is recorded (with the decision, or here).
            offered=lambda review: review.national_panel_notified_on is None,
            effect=_set(
                national_panel_notified_on="national_panel_notified_on",
                inspectorate_notified_on="inspectorate_notified_on",
            ),
            body=_notice_body,
        ),
    ]
)

# A local child safeguarding practice review (Working Together 2018 and 2023): the local authority notifies
# the serious incident, the partnership holds a rapid review and sends it to the national Panel, whose reply
# is recorded; the partners decide, and the three statutory partners sign.
LCSPR_TRANSITIONS: dict[str, Transition] = _table(
    [
        Transition(
            name="notify_incident",
            label="Record the serious incident notification",
            source=frozenset({State.REFERRAL}),
            target=State.RAPID_REVIEW,
            roles=frozenset({BM}),
            form_class=forms.IncidentNotificationForm,
            explanation=(
                "The local authority notifies the Child Safeguarding Practice Review Panel and Ofsted within "
                "5 working days of becoming aware of the incident: one notification for each child. The rapid "
                "review then starts."
            ),
            guard=_referral_complete,
            effect=_notify_incident,
            body=_notification_body,
        ),
        Transition(
            name="send_rapid_review",
            label="Send the rapid review to the Panel",
            source=frozenset({State.RAPID_REVIEW}),
            target=State.WITH_PANEL,
            roles=frozenset({BM}),
            form_class=forms.RapidReviewForm,
            explanation=(
                "Record the rapid review meeting, the immediate safety actions, the learning identified and "
                "the recommendation, and when the rapid review went to the national Panel (within 15 working "
                "days of the notification)."
            ),
            guard=_summaries_in,
            effect=_set(
                rapid_review_meeting_on="rapid_review_meeting_on",
                immediate_safety_actions="immediate_safety_actions",
                learning_identified="learning_identified",
                recommendation="recommendation",
                recommendation_reasons="recommendation_reasons",
                sent_to_panel_on="sent_to_panel_on",
            ),
            body=_rapid_review_body,
        ),
        Transition(
            name="record_panel_reply",
            label="Record the Panel's reply",
            source=frozenset({State.WITH_PANEL}),
            target=State.DECISION,
            roles=frozenset({BM}),
            form_class=forms.PanelReplyForm,
            explanation="Record whether the national Panel agrees with the rapid review's recommendation. "
            "The partners then decide.",
            effect=_record_panel_reply,
            body=_panel_body,
        ),
        Transition(
            name="panel_takes_national_review",
            label="Record that the Panel takes on a national review",
            source=frozenset({State.WITH_PANEL}),
            target=State.NATIONAL_REVIEW,
            roles=frozenset({BM}),
            form_class=forms.PanelNationalReviewForm,
            explanation="The national Panel takes the case on as a national review: the partnership holds no "
            "local review, and supports the Panel's.",
            effect=_record_panel_reply,
            body=_panel_body,
            warning=True,
            ends_appointments=True,
        ),
        *_decision_steps(
            LCSPR,
            PARTNERS,
            "The three statutory partners decide together: each signs the same decision, for their "
            "organisation, and the decision is made when the third signs. Aim to complete the review within "
            "6 months of the decision (a target, not law).",
            signed_by_partners=True,
        ),
        *_review_steps(LCSPR, PARTNERS | {CHAIR}, OPEN_STATES),
    ]
)


@dataclass(frozen=True)
class RegimeTable:
    """Everything a regime decides: its steps, its stages in order, who acts at each and what they do, its
    words, and who signs."""

    regime: str
    words: Words
    transitions: dict[str, Transition]
    main_path: list[State]
    next_steps: dict[State, tuple[str, str]]
    actors: dict[State, tuple[str, ...]]
    # Who signs the response: a role set, and how many different statutory partners must sign the same text
    # (0: one signature of a signer role is final).
    signers: frozenset[str]
    partner_signatures: int


# What must be true before a step, added by the apps that hold the facts: commissioning adds "the chair
# approved the terms of reference" to starting the review, responses adds "the findings are recorded" to
# starting the response and "the chair signed the written response" to publishing. The lifecycle so
# imports no app above it; `blockers` asks the step's own guard and every added one.
_added_guards: dict[str, list[Callable[[Review], list[str]]]] = {}


def add_guard(step: str, guard: Callable[[Review], list[str]]) -> None:
    """Adds a precondition to the step named `step` (from an app's ready(); once per guard)."""
    if not any(step in t.transitions for t in TABLES.values()):
        raise KeyError(f"No lifecycle step is named {step!r}.")
    guards = _added_guards.setdefault(step, [])
    if guard not in guards:
        guards.append(guard)


# Rules for the dates a step records, added the same way: commissioning adds "a review starts no earlier
# than the day its terms of reference were approved". A rule takes the review and the step's data and
# answers {field: what is wrong}, empty when the dates are right.
_added_date_rules: dict[str, list[Callable[[Review, dict], dict[str, str]]]] = {}


def add_date_rule(step: str, rule: Callable[[Review, dict], dict[str, str]]) -> None:
    """Adds a rule for the dates the step named `step` records (from an app's ready(); once per rule)."""
    if not any(step in t.transitions for t in TABLES.values()):
        raise KeyError(f"No lifecycle step is named {step!r}.")
    rules = _added_date_rules.setdefault(step, [])
    if rule not in rules:
        rules.append(rule)


def date_problems(review: Review, step: Transition, data: dict) -> dict[str, str]:
    """What is wrong with the dates in `data` for taking `step` on `review`, by field; empty when nothing."""
    found: dict[str, str] = {}
    for rule in _added_date_rules.get(step.name, ()):
        found |= rule(review, data)
    return found


def blockers(review: Review, step: Transition) -> list[str]:
    """What must happen before `step` can be taken, in plain words; empty when it can be taken now."""
    found = step.guard(review)
    for guard in _added_guards.get(step.name, ()):
        found += guard(review)
    return found


_COMMON_NEXT = {
    State.COMMISSIONING: (
        "Business manager and {accountable}",
        "Agree the scope and terms of reference, appoint a lead reviewer, then start the review.",
    ),
    State.IN_PROGRESS: ("Lead reviewer", "Carry out the review and deliver the final report."),
    State.REPORT_RECEIVED: ("Business manager", "Start the {response} to the findings."),
    State.RESPONSE: (
        "{Body} and {accountable}",
        "Discuss the findings, agree actions, sign the response off and publish.",
    ),
    State.PUBLISHED: ("Business manager", "Start monitoring the agreed actions."),
    State.MONITORING: ("{Body} members", "Implement the actions and evidence their impact."),
}


def _in_words(w: Words, steps: dict[State, tuple[str, str]]) -> dict[State, tuple[str, str]]:
    return {state: (who.format(**vars(w)), what.format(**vars(w))) for state, (who, what) in steps.items()}


TABLES: dict[str, RegimeTable] = {
    Regime.SERIOUS_CASE_REVIEW: RegimeTable(
        regime=Regime.SERIOUS_CASE_REVIEW,
        words=SCR,
        transitions=SCR_TRANSITIONS,
        main_path=[
            State.REFERRAL,
            State.DECISION,
            State.COMMISSIONING,
            State.IN_PROGRESS,
            State.REPORT_RECEIVED,
            State.RESPONSE,
            State.PUBLISHED,
            State.MONITORING,
            State.CLOSED,
        ],
        next_steps={
            State.REFERRAL: ("Business manager", "Complete the referral and send it for a decision."),
            State.DECISION: ("Chair", "Decide whether to initiate a review, and make the notifications."),
            **_in_words(SCR, _COMMON_NEXT),
        },
        actors={
            State.REFERRAL: (BM,),
            State.DECISION: (CHAIR,),
            State.COMMISSIONING: (BM, CHAIR, Role.BOARD_MEMBER),
            State.IN_PROGRESS: (Role.LEAD_REVIEWER,),
            State.REPORT_RECEIVED: (BM,),
            State.RESPONSE: (BM, CHAIR, Role.BOARD_MEMBER),
            State.PUBLISHED: (BM,),
            State.MONITORING: (BM, Role.BOARD_MEMBER),
        },
        signers=frozenset({CHAIR}),
        partner_signatures=0,
    ),
    Regime.PRACTICE_REVIEW: RegimeTable(
        regime=Regime.PRACTICE_REVIEW,
        words=LCSPR,
        transitions=LCSPR_TRANSITIONS,
        main_path=[
            State.REFERRAL,
            State.RAPID_REVIEW,
            State.WITH_PANEL,
            State.DECISION,
            State.COMMISSIONING,
            State.IN_PROGRESS,
            State.REPORT_RECEIVED,
            State.RESPONSE,
            State.PUBLISHED,
            State.MONITORING,
            State.CLOSED,
        ],
        next_steps={
            State.REFERRAL: (
                "Business manager",
                "Record the local authority's serious incident notification to the national Panel and Ofsted.",
            ),
            State.RAPID_REVIEW: (
                "Business manager and agencies",
                "Gather the agencies' summaries, hold the rapid review meeting and send the rapid review to "
                "the Panel.",
            ),
            State.WITH_PANEL: ("Business manager", "Record the national Panel's reply."),
            State.DECISION: (
                "Partners",
                "Decide whether to hold a local child safeguarding practice review.",
            ),
            **_in_words(LCSPR, _COMMON_NEXT),
        },
        actors={
            State.REFERRAL: (BM,),
            State.RAPID_REVIEW: (BM, Role.BOARD_MEMBER),
            State.WITH_PANEL: (BM,),
            State.DECISION: PARTNER_ROLES,
            State.COMMISSIONING: (BM, CHAIR, Role.BOARD_MEMBER),
            State.IN_PROGRESS: (Role.LEAD_REVIEWER,),
            State.REPORT_RECEIVED: (BM,),
            State.RESPONSE: (BM, Role.BOARD_MEMBER, *PARTNER_ROLES),
            State.PUBLISHED: (BM,),
            State.MONITORING: (BM, Role.BOARD_MEMBER),
        },
        signers=PARTNERS,
        partner_signatures=3,
    ),
}

REGIME_OF_BODY = {"lscb": Regime.SERIOUS_CASE_REVIEW, "partnership": Regime.PRACTICE_REVIEW}


def table(review_or_regime: Review | str) -> RegimeTable:
    """The regime's table for a review (or a regime's value)."""
    regime = getattr(review_or_regime, "regime", review_or_regime)
    return TABLES.get(regime) or TABLES[Regime.SERIOUS_CASE_REVIEW]


def stage_choices(regimes) -> list[tuple[str, str]]:
    """The stages of the given regimes, in the order of `State`, each named as its regimes name it (both
    names when they differ): the review list's stage filter."""
    tables = [TABLES[r] for r in Regime if r in regimes]
    held = {s for t in tables for step in t.transitions.values() for s in (*step.source, step.target)}
    held |= {s for t in tables for s in t.main_path}
    return [
        (state.value, " / ".join(dict.fromkeys(t.words.stage(state) for t in tables)))
        for state in State
        if state in held
    ]


def step_named(review: Review, name: str) -> Transition | None:
    """The step called `name` in the review's regime, or None when the regime has no such step."""
    return table(review).transitions.get(name)


def next_step(review: Review) -> tuple[str, str] | None:
    """Who acts next at the review's stage, and what they do (the review page's "what happens next")."""
    return table(review).next_steps.get(review.state)


def actors(review: Review) -> tuple[str, ...]:
    """Who is asked to act when the review arrives at its current stage (they are notified)."""
    return table(review).actors.get(review.state, ())


def states_acting(role: str) -> list[State]:
    """The stages at which `role` is asked to act in some regime (for lists over reviews of both)."""
    found: list[State] = []
    for t in TABLES.values():
        found += [state for state, roles in t.actors.items() if role in roles and state not in found]
    return found


# Every stage on either regime's main path, in the order the paths run (for lists of reviews of both).
MAIN_PATH: list[State] = [s for s in State if any(s in t.main_path for t in TABLES.values())]


@dataclass(frozen=True)
class Option:
    transition: Transition
    blockers: list[str]

    @property
    def possible(self) -> bool:
        return not self.blockers


def stage_path(review: Review) -> list[tuple[str, str]]:
    """The regime's main stages with where the review stands on each: "done", "current" or "to do"."""
    t = table(review)
    if review.state not in t.main_path:
        return [(t.words.stage(review.state), "current")]
    position = t.main_path.index(State(review.state))
    return [
        (t.words.stage(s), "done" if i < position else "current" if i == position else "to do")
        for i, s in enumerate(t.main_path)
    ]


def transitions_from(review: Review) -> list[Transition]:
    """The steps of the review's regime offered at its current stage."""
    return [t for t in table(review).transitions.values() if review.state in t.source and t.offered(review)]


def permitted(transition: Transition, roles: frozenset[str]) -> bool:
    return bool(transition.roles & roles)


def options(review: Review, roles: frozenset[str]) -> list[Option]:
    """The steps this person may take from the review's current stage, each with what must happen first."""
    return [Option(t, blockers(review, t)) for t in transitions_from(review) if permitted(t, roles)]


def roles_named(transition: Transition) -> str:
    names = [Role(r).label.lower() for r in sorted(transition.roles)]
    return " or ".join(names)


def today() -> date:
    return timezone.localdate()


# Invitations to take part in a cross-border review ----------------------------------------------------
#
# The lead board's business manager invites another board; that board's business manager accepts (the board
# then takes part) or declines with a reason; the lead board's business manager removes a board (or cancels
# an invitation not yet answered) with a reason, and a board taking part may withdraw with one. The parties
# are named by their side of the invitation, not by a role on the review (the invited board sees nothing of
# the review until it accepts): `access.invitation_parties` says which side a person is on.

LEAD_MANAGER = "lead_business_manager"
INVITED_MANAGER = "invited_business_manager"
INVITATION_PARTIES = {
    LEAD_MANAGER: "the lead board's business manager",
    INVITED_MANAGER: "the invited board's business manager",
}

Invitation = InvitationStatus
WAITING_STATUSES = (Invitation.INVITED,)  # waiting for the invited board's answer
TAKING_PART_STATUSES = (Invitation.ACCEPTED,)  # the board takes part in the review
LIVE_STATUSES = (Invitation.INVITED, Invitation.ACCEPTED)  # one at a time per board and review
ENDED_STATUSES = (Invitation.DECLINED, Invitation.REMOVED, Invitation.WITHDRAWN)

INVITATION: Machine[BoardInvitation] = Machine(
    field="status",
    states=Invitation.values,
    transitions=[
        Move(
            name="accept",
            label="Accept",
            source=frozenset(WAITING_STATUSES),
            target=Invitation.ACCEPTED,
            roles=frozenset({INVITED_MANAGER}),
        ),
        Move(
            name="decline",
            label="Decline",
            source=frozenset(WAITING_STATUSES),
            target=Invitation.DECLINED,
            roles=frozenset({INVITED_MANAGER}),
        ),
        Move(
            name="remove",
            label="Remove",
            source=frozenset(LIVE_STATUSES),
            target=Invitation.REMOVED,
            roles=frozenset({LEAD_MANAGER}),
        ),
        Move(
            name="withdraw",
            label="Withdraw",
            source=frozenset(TAKING_PART_STATUSES),
            target=Invitation.WITHDRAWN,
            roles=frozenset({INVITED_MANAGER}),
        ),
    ],
)


def is_waiting(invitation: BoardInvitation) -> bool:
    return invitation.status in WAITING_STATUSES


def is_taking_part(invitation: BoardInvitation) -> bool:
    return invitation.status in TAKING_PART_STATUSES


def invitation_moves(invitation: BoardInvitation, parties: frozenset[str]) -> list[Move]:
    """The moves this person may make on the invitation now (what its pages offer)."""
    return [m for m in INVITATION.from_state(invitation.status) if INVITATION.permitted(m, parties)]
