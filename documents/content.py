"""What the two printed documents say: one context builder per document, for the templates under
`documents/templates/documents/print/`.

The builders only read, in a fixed number of queries whatever the number of sections, findings or actions,
and never look at today's date (no "overdue", no RAG): the pipeline hashes the rendered HTML to know which
version of the data a document was made from, and passes the generation date to the template separately.
Every piece of text is left to the templates to escape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch

from commissioning.models import SelfCheckAnswer, ToRVersion
from commissioning.tor import workflow as tor_workflow
from markers.checks import Marker, answers_for, evidence_for
from markers.registry import MARKERS
from responses.discussion.selectors import AUDIENCE_ORDER
from responses.document import assemble
from responses.document import workflow as response_workflow
from responses.models import (
    Action,
    EngagementActivity,
    Finding,
    LearningItem,
    Meeting,
    PlanPriority,
    ResponseVersion,
    Theme,
)
from responses.plan.selectors import related_for_findings
from reviews.models import Appointment, Child, ParticipatingBoard, Review

PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
HANDLING = (
    "This document is about children and their families. It is for the {body} and its member agencies only: "
    "handle, store and share it under your agency's procedures for OFFICIAL-SENSITIVE information, and do "
    "not copy it outside the {body} without the {accountable_possessive} agreement."
)


# Free text as blocks --------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+")


@dataclass(frozen=True)
class Block:
    """A paragraph (`kind` "p", one string in `lines` that may hold line breaks) or a list ("ul" or "ol",
    one item per line)."""

    kind: str
    lines: list[str]


def _line_kind(line: str) -> str:
    if line.startswith("- "):
        return "ul"
    if _NUMBERED.match(line):
        return "ol"
    return "p"


def text_blocks(text: str) -> list[Block]:
    """Plain text as paragraphs and lists: blank lines separate paragraphs; consecutive lines starting
    "- " make a bulleted list, lines starting "1. " a numbered list. Nothing is markup: the template
    escapes every line."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip()):
        runs: list[tuple[str, list[str]]] = []
        for line in (line.strip() for line in chunk.split("\n")):
            if not line:
                continue
            kind = _line_kind(line)
            item = line[2:].strip() if kind == "ul" else _NUMBERED.sub("", line) if kind == "ol" else line
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(item)
            else:
                runs.append((kind, [item]))
        blocks += [Block(kind, ["\n".join(lines)] if kind == "p" else lines) for kind, lines in runs]
    return blocks


# Terms of reference ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    blocks: list[Block]


def _review(pk: int) -> Review:
    """The review with its lead board and participating boards (two queries). The participations are
    prefetched, so the selectors that ask which boards take part (`review_board_ids`) ask no more."""
    participations = ParticipatingBoard.objects.select_related("board").order_by("board__name")
    return (
        Review.objects.select_related("lead_board")
        .prefetch_related(Prefetch("participations", queryset=participations))
        .get(pk=pk)
    )


def _frame(kind: str, review: Review) -> dict:
    """What every document's context begins with: its kind, the protective marking and handling, the review,
    its lead board and the participating boards (by name)."""
    return {
        "kind": kind,
        "protective_marking": PROTECTIVE_MARKING,
        "handling": HANDLING.format(**vars(review.words)),
        "review": review,
        "board": review.lead_board,
        "participating_boards": [p.board for p in review.participations.all()],
    }


def tor_context(version: ToRVersion) -> dict:
    """The scoping document / terms of reference as one version holds it. A version that is not approved
    is marked DRAFT on every page; a superseded one says so. Four queries."""
    version = ToRVersion.objects.select_related("created_by", "approved_by").get(pk=version.pk)
    review = version.review = _review(version.review_id)
    sections = [
        Section(anchor=f"section-{s.key}", title=s.title, blocks=text_blocks(s.body))
        for s in version.sections.order_by("order", "pk")
    ]
    approved = tor_workflow.is_approved(version)
    marking = "" if approved else "SUPERSEDED" if tor_workflow.is_superseded(version) else "DRAFT"
    return {
        **_frame("tor", review),
        "version": version,
        "version_number": version.number,
        "status": version.get_status_display(),
        "is_approved": approved,
        "is_out_for_comment": tor_workflow.is_commentable(version),
        "is_draft": marking == "DRAFT",
        "marking": marking,
        "approved_by": version.approved_by.get_full_name() if version.approved_by_id else "",
        "approved_at": version.approved_at,
        "sections": sections,
    }


# Board pack -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    number: int
    anchor: str
    title: str
    purpose: str


@dataclass
class FindingEntry:
    finding: Finding
    anchor: str
    themes: list[Theme]
    action_numbers: list[int]
    learning: list[LearningItem] = field(default_factory=list)
    priorities: list[PlanPriority] = field(default_factory=list)


@dataclass
class ActionEntry:
    action: Action
    finding_numbers: list[int]


@dataclass(frozen=True)
class ActionGroup:
    priority: int
    label: str
    actions: list[ActionEntry]


@dataclass(frozen=True)
class AudienceGroup:
    label: str
    activities: list[EngagementActivity]


@dataclass(frozen=True)
class CheckQuestion:
    number: int
    text: str
    evidence: str
    suggests: str
    status: str  # the board's own view, or "Not yet assessed"
    status_key: str
    comment: str


@dataclass(frozen=True)
class SelfCheck:
    marker: int
    title: str
    anchor: str
    statement: str
    questions: list[CheckQuestion]


@dataclass(frozen=True)
class PartnerSigned:
    """One statutory partner's signature, as a printed response shows it."""

    partner: str  # the statutory partner ("Chief officer of police")
    name: str
    organisation: str
    signed_at: object


@dataclass(frozen=True)
class Signature:
    version_number: int
    chair: str
    signed_at: object
    digest: str


def _self_check(review: Review, marker: Marker) -> SelfCheck:
    marker = marker.in_words(review)
    evidence = evidence_for(review, marker)
    answers = answers_for(review, marker)
    labels = dict(SelfCheckAnswer.Status.choices)
    questions = []
    for q in marker.questions:
        e, answer = evidence[q.number], answers.get(q.number)
        status = answer.status if answer else SelfCheckAnswer.Status.NOT_YET
        questions.append(
            CheckQuestion(
                number=q.number,
                text=q.text,
                evidence=e.summary,
                suggests=labels.get(e.suggests, e.suggests),
                status=labels[status],
                status_key=status,
                comment=answer.comment if answer and not marker.private_comments else "",
            )
        )
    return SelfCheck(
        marker=marker.number,
        title=f"Quality marker {marker.number}: {marker.title}",
        anchor=f"qm-{marker.number}",
        statement=marker.statement,
        questions=questions,
    )


def board_pack_context(review: Review) -> dict:
    """The board pack for a review whose final report is in: cover, agenda, the review in brief, the
    findings with the board's positions, the proposed actions by priority, related learning, the
    engagement plan, the quality-marker self-checks and the chair's sign-off. A fixed number of queries
    however many findings, actions and activities the review has."""
    review = _review(review.pk)
    children = list(Child.objects.filter(review=review).order_by("pseudonym"))
    reviewers = [
        a.reviewer.get_full_name()
        for a in Appointment.objects.filter(review=review, ended_at__isnull=True)
        .select_related("reviewer")
        .order_by("appointed_at", "pk")
    ]
    meetings = list(Meeting.objects.filter(review=review).order_by("held_on", "pk"))

    findings = list(
        Finding.objects.filter(review=review)
        .select_related("position_meeting")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("name")),
            Prefetch("actions", queryset=Action.objects.only("pk", "number").order_by("number")),
        )
        .order_by("number")
    )
    related = related_for_findings(review, findings)
    finding_entries = []
    for f in findings:
        r = related.get(f.pk)
        finding_entries.append(
            FindingEntry(
                finding=f,
                anchor=f"finding-{f.number}",
                themes=list(f.themes.all()),
                action_numbers=[a.number for a in f.actions.all()],
                learning=list(r.learning) if r else [],
                priorities=list(r.priorities) if r else [],
            )
        )

    actions = list(
        Action.objects.filter(review=review)
        .select_related("owner_agency", "owner", "plan_priority__period")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.only("pk", "number").order_by("number"))
        )
        .order_by("priority", "due_on", "number")
    )
    action_groups = [
        ActionGroup(
            priority=priority,
            label=f"{label} priority",
            actions=[
                ActionEntry(a, [f.number for f in a.findings.all()])
                for a in actions
                if a.priority == priority
            ],
        )
        for priority, label in Action.Priority.choices  # High, Medium, Low
    ]
    action_groups = [g for g in action_groups if g.actions]

    activities = list(EngagementActivity.objects.filter(review=review).order_by("planned_on", "pk"))
    audience_labels = dict(EngagementActivity.Audience.choices)
    engagement = [
        AudienceGroup(audience_labels[audience], [e for e in activities if e.audience == audience])
        for audience in AUDIENCE_ORDER
    ]
    engagement = [g for g in engagement if g.activities]

    self_checks = [_self_check(review, marker) for marker in MARKERS.values()]

    latest = (
        ResponseVersion.objects.filter(review=review).select_related("signed_by").order_by("-number").first()
    )
    signature = (
        Signature(
            version_number=latest.number,
            chair=latest.signed_by.get_full_name(),
            signed_at=latest.signed_at,
            digest=latest.digest,
        )
        if latest is not None and latest.is_signed
        else None
    )
    # Under a partnership: each statutory partner's signature on the latest version (on the signed text once
    # final, else on the draft as it stands), and who is still to sign a draft.
    partner_standings = []
    if latest is not None and response_workflow.by_partners(review):
        latest.review = review
        partner_standings = response_workflow.partner_standings(latest)
    w = review.words

    key_dates = [
        (label, value)
        for label, value in (
            ("Incident", review.incident_date),
            (
                "Local authority became aware of the incident"
                if review.is_practice_review
                else "Board learned of the incident",
                review.notification_date,
            ),
            ("Serious incident notified to the Panel and Ofsted", review.incident_notified_on),
            ("Rapid review sent to the Panel", review.sent_to_panel_on),
            ("Decision to hold the review", review.decision_date),
            ("Review started", review.started_on),
            ("Final report received", review.report_received_on),
            ("Report published", review.report_published_on),
            (f"{w.Response} published", review.response_published_on),
        )
        if value
    ]
    agenda = [
        AgendaItem(1, "summary", "The review in brief", "For information"),
        AgendaItem(
            2, "findings", f"The findings and the {w.body}'s position", "For discussion and challenge"
        ),
        AgendaItem(3, "actions", "Proposed actions, in order of priority", "For agreement"),
        AgendaItem(
            4, "learning", f"Related learning and {w.plan_priority.removesuffix('y')}ies", "For information"
        ),
        AgendaItem(5, "engagement", "Engagement plan", "For agreement"),
        AgendaItem(6, "self-check", "Quality marker self-checks", "For assurance"),
        AgendaItem(
            7, "sign-off", f"The {w.accountable_possessive} sign-off of the {w.response}", "For decision"
        ),
    ]
    return {
        **_frame("board_pack", review),
        "regime": review.words.review,
        "stage": review.stage_label,
        "agenda": agenda,
        "case_summary": review.case_summary.strip(),
        "children": children,
        "key_dates": key_dates,
        "lead_reviewers": reviewers,
        "meetings": meetings,
        "findings": finding_entries,
        "positions_agreed": sum(1 for f in findings if f.position),
        "action_groups": action_groups,
        "action_count": len(actions),
        "engagement": engagement,
        "self_checks": self_checks,
        "response_version": latest,
        "signature": signature,
        "partner_standings": partner_standings,
        "partner_signatures": [
            PartnerSigned(
                partner=s.label,
                name=s.signature.user.get_full_name(),
                organisation=str(s.signature.organisation),
                signed_at=s.signature.signed_at,
            )
            for s in partner_standings
            if s.signature is not None
        ],
    }


# The signed response ----------------------------------------------------------------------------------


def response_context(version: ResponseVersion) -> dict:
    """The written response as it was signed: the exact text (headings, paragraphs and lists as the portal
    shows it) and the signature block: the chair's under an LSCB; under a partnership each statutory
    partner's (who signed, for which organisation, when) on the signed text, and the fingerprint. Words
    are the review's regime's (`review.words`). Only a signed version is printed. Four queries."""
    version = ResponseVersion.objects.select_related("signed_by").get(pk=version.pk)
    if not version.is_signed:
        raise ValueError("Only a signed version of the response is printed.")
    review = _review(version.review_id)
    partner_signatures = []
    if response_workflow.by_partners(review):
        version.review = review
        partner_signatures = [
            PartnerSigned(
                partner=s.label,
                name=s.signature.user.get_full_name(),
                organisation=str(s.signature.organisation),
                signed_at=s.signature.signed_at,
            )
            for s in response_workflow.partner_standings(version)
            if s.signature is not None
        ]
    return {
        **_frame("response", review),
        "regime": review.words.review,
        "words": review.words,
        "version": version,
        "blocks": assemble.blocks(version.content),
        "signature": Signature(
            version_number=version.number,
            chair=version.signed_by.get_full_name(),
            signed_at=version.signed_at,
            digest=version.digest,
        ),
        "partner_signatures": partner_signatures,
        "marking": "",
    }
