"""Shared makers for the response's tests: a world review put at the response stage, findings, plan
priorities and actions. Plain functions (usable from fixtures and from authorization-walk rows)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from demo.pdf import DEMO_PDF
from responses.actions.services import export_columns_refresh
from responses.models import Action, Finding, PlanPeriod, PlanPriority, Theme
from responses.themes import ensure_standard_themes
from reviews.models import Agency, Membership, Review, Role
from tests.factories import MembershipFactory, UserFactory

PDF_BYTES = DEMO_PDF  # a small, valid PDF: uploads of PDFs are parsed


def at_stage(review: Review, state: str = "response") -> Review:
    """Puts `review` at `state` with a final report on file (as the lifecycle would have)."""
    if not review.final_report:
        review.final_report.save("final-report.pdf", ContentFile(PDF_BYTES), save=False)
        review.final_report_name = "Final report.pdf"
        review.report_received_on = timezone.localdate() - timedelta(days=30)
        review.save(update_fields=["final_report", "final_report_name", "report_received_on"])
    Review.objects.filter(pk=review.pk).update(state=state)
    review.refresh_from_db()
    return review


def theme(name: str = "Neglect") -> Theme:
    ensure_standard_themes()
    return Theme.objects.get(name=name)


def finding(review: Review, number: int | None = None, *, themes=("Neglect",), **fields) -> Finding:
    number = number or (review.findings.count() + 1)
    made = Finding.objects.create(
        review=review,
        number=number,
        title=fields.pop("title", f"Finding {number}"),
        text=fields.pop("text", f"What the report found, number {number}."),
        **fields,
    )
    made.themes.set([theme(t) for t in themes])
    return made


def plan_priority(board, number: int = 1, *, themes=("Neglect",)) -> PlanPriority:
    today = timezone.localdate()
    period, _ = PlanPeriod.objects.get_or_create(
        board=board,
        title="Business plan",
        defaults={"starts_on": date(today.year - 1, 4, 1), "ends_on": date(today.year + 1, 3, 31)},
    )
    priority, _ = PlanPriority.objects.get_or_create(
        period=period, number=number, defaults={"title": f"Priority {number}"}
    )
    priority.themes.set([theme(t) for t in themes])
    return priority


def agency_of(user, board) -> Agency:
    """The agency `user` represents on `board` (board members have one), or the board's first agency."""
    membership = Membership.objects.filter(user=user, board=board, agency__isnull=False).first()
    if membership:
        return membership.agency
    agency = board.agencies.first()
    if agency is None:
        agency = Agency.objects.create(name=f"{board.name} council", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)
        agency.boards.add(board)
    return agency


def action_owner_for(agency: Agency, board, **user_fields):
    """A person of `agency` who owns actions for it, with no other role (an action owner on `board`)."""
    user_fields.setdefault("full_name", "Olu Owner")
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, board=board, role=Role.ACTION_OWNER, agency=agency)
    return user


def action(review: Review, owner, *, findings=None, number: int | None = None, **fields) -> Action:
    """An agreed action owned by `owner` (and the agency they represent on the lead board)."""
    number = number or (
        (review.actions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    )
    creator = (
        fields.pop("created_by", None)
        or Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER).first().user
    )
    made = Action.objects.create(
        review=review,
        number=number,
        description=fields.pop("description", f"Action {number}"),
        kind=fields.pop("kind", Action.Kind.PRACTICAL),
        function=fields.pop("function", Action.Function.COORDINATE),
        level=fields.pop("level", Action.Level.MULTI_AGENCY),
        owner_agency=fields.pop("owner_agency", None) or agency_of(owner, review.lead_board),
        owner=owner,
        priority=fields.pop("priority", Action.Priority.HIGH),
        priority_reason=fields.pop("priority_reason", "Children are at risk now."),
        due_on=fields.pop("due_on", timezone.localdate() + timedelta(days=60)),
        created_by=creator,
        **fields,
    )
    made.findings.set(findings if findings is not None else [finding(review)])
    export_columns_refresh(action_ids=[made.pk])  # as the services keep what exports read
    return made


_ACTION_LINK = re.compile(r'href="/reviews/(\d+)/response/actions/(\d+)/"')


def shown_actions(response) -> list[Action]:
    """The actions a page of an action plan shows, in its order, read from the page as rendered."""
    shown = [(int(review), int(number)) for review, number in _ACTION_LINK.findall(response.content.decode())]
    found = {
        (a.review_id, a.number): a
        for a in Action.objects.select_related("review").filter(
            review_id__in={r for r, _ in shown}, number__in={n for _, n in shown}
        )
    }
    return [found[key] for key in shown]
