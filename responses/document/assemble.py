"""The written response (the board's, or the partners' under a partnership: in the review's words) as one
text document, assembled from what the portal holds: the findings and the position on each, the actions in order of priority with their owners and business-plan
links, the monitoring arrangements and the engagement plan, around the business manager's own text.

The text is what the chair (or each statutory partner) signs: its UTF-8 bytes are hashed, and the downloaded copy is exactly those
bytes. `render_html` shows it on a page, through a template (every piece of text escaped).

Lines starting "# ", "## " and "### " are headings, lines starting "- " are list items, blank lines
separate paragraphs. Nothing else is markup."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from responses.actions.workflow import is_deferred
from responses.models import Action, EngagementActivity, Finding, ResponseVersion
from reviews.models import Review
from scr_portal.dates import long_date


def _block(text: str) -> list[str]:
    """Free text as paragraphs: markup characters at the start of a line are not markup here."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n"):
        stripped = line.rstrip()
        if stripped.startswith(("#", "- ")):
            stripped = (
                "\u200b" + stripped
            )  # a zero-width space keeps the person's text from becoming a heading
        lines.append(stripped)
    return lines


def assemble(review: Review, version: ResponseVersion) -> str:
    findings = list(Finding.objects.filter(review=review).order_by("number"))
    actions = list(
        Action.objects.filter(review=review)
        .select_related("owner_agency", "owner", "plan_priority__period")
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("number")))
        .order_by("priority", "due_on", "number")
    )
    activities = list(EngagementActivity.objects.filter(review=review).exclude(status="cancelled"))
    board = review.lead_board
    partners = [p.board.name for p in review.participations.select_related("board")]
    w = review.words
    whose = w.response.removesuffix(" response")  # "board's" / "partners'"

    out: list[str] = [
        f"# The {w.response} to review {review.reference}",
        "",
        f"Lead {w.body}: {board.name}",
    ]
    if partners:
        out.append(f"Taking part: {', '.join(partners)}")
    out += [
        f"Final report received: {long_date(review.report_received_on, 'not set')}",
        f"Version {version.number}",
        "",
    ]
    if version.introduction.strip():
        out += ["## Introduction", "", *_block(version.introduction), ""]

    out += [f"## The findings and the {whose} position", ""]
    if not findings:
        out += ["No findings are recorded.", ""]
    for f in findings:
        out += [f"### Finding {f.number}: {f.title}", "", *_block(f.text), ""]
        if f.position:
            out += [f"The {whose} position: {f.get_position_display()}.", *_block(f.position_reason), ""]
        else:
            out += [f"The {whose} position: not yet agreed.", ""]

    out += ["## Actions, in order of priority", ""]
    if not actions:
        out += ["No actions are agreed.", ""]
    for priority, label in Action.Priority.choices:
        group = [a for a in actions if a.priority == priority]
        if not group:
            continue
        out += [f"### {label} priority", ""]
        for a in group:
            linked = ", ".join(str(f.number) for f in a.findings.all())
            out.append(f"Action {a.number}: {' '.join(a.description.split())}")
            out.append(
                f"- Owner: {a.owner_agency.name} ({a.owner.get_full_name()}). Due {long_date(a.due_on, 'not set')}. "
                f"{a.get_kind_display()}; {a.get_level_display().lower()}; "
                f"{w.body} function: {a.get_function_display().lower()}."
            )
            out.append(f"- Responds to finding{'s' if ',' in linked else ''} {linked or 'none'}.")
            if a.plan_priority_id:
                p = a.plan_priority
                out.append(f"- {w.Plan}: {p.period.title}, priority {p.number}: {p.title}.")
            out.append(f"- Why this priority: {' '.join(a.priority_reason.split())}")
            if is_deferred(a.status):
                out.append(
                    f"- Deferred: {' '.join(a.deferred_reason.split())} To be looked at again on "
                    f"{long_date(a.deferred_until, 'not set')}."
                )
            out.append("")

    out += ["## Monitoring arrangements", ""]
    out += [*_block(version.monitoring), ""] if version.monitoring.strip() else ["Not yet described.", ""]

    out += ["## Engagement plan", ""]
    if not activities:
        out += ["No engagement activities are planned.", ""]
    for audience, label in EngagementActivity.Audience.choices:
        group = [e for e in activities if e.audience == audience]
        if group:
            out += [f"### {label}", ""]
            out += [
                f"- {e.description} ({e.get_method_display().split(' (')[0].lower()}, {long_date(e.planned_on, 'not set')}"
                f"{', ' + e.audience_detail if e.audience_detail else ''})"
                for e in group
            ]
            out.append("")

    if version.closing.strip():
        out += ["## Further comments", "", *_block(version.closing), ""]
    return "\n".join(out).rstrip("\n") + "\n"


@dataclass
class Block:
    """A heading (level 1 to 3, one line), a paragraph (its lines) or a list (its items)."""

    kind: str  # "heading", "paragraph" or "list"
    lines: list[str] = field(default_factory=list)
    level: int = 0


HEADINGS = {"# ": 1, "## ": 2, "### ": 3}


def blocks(content: str) -> list[Block]:
    """The document's text read as headings, paragraphs and lists."""
    found: list[Block] = []
    current: Block | None = None  # the paragraph or list being read; a blank line or a heading ends it
    for line in content.split("\n"):
        marker = next((m for m in HEADINGS if line.startswith(m)), None)
        if marker:
            found.append(Block("heading", [line[len(marker) :]], HEADINGS[marker]))
            current = None
        elif not line.strip():
            current = None
        else:
            kind = "list" if line.startswith("- ") else "paragraph"
            if current is None or current.kind != kind:
                current = Block(kind)
                found.append(current)
            current.lines.append(line[2:] if kind == "list" else line)
    return found


def render_html(content: str) -> SafeString:
    """The document as HTML for a page: headings, lists and paragraphs, every piece of text escaped by the
    template."""
    return render_to_string("responses/document/text.html", {"blocks": blocks(content)})
