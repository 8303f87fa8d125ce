"""Writes for the review's plan and governance (SCIE Quality Markers 7, 8 and 9): the plan made from its
regime's template, milestones added, moved (with the reason the lead board is told) and marked done; the
governance set at the start; the lead reviewer's independence declaration; challenges and impasses raised
and resolved. Each write locks the review, checks what must be true, changes, records on the review's
timeline and tells people once the transaction commits (`notifications.notify`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reviews import access, notifications, workflow
from reviews.clocks import review_clocks
from reviews.models import BOARD_ROLES, PARTNER_ROLES, Notification, Review, Role
from reviews.services import review_lock, timeline_add
from scr_portal import workdays
from scr_portal.dates import long_date

from ..models import Challenge, Governance, IndependenceDeclaration, Milestone, MilestoneDelay

BM = Role.BUSINESS_MANAGER
# Who is told of a delay: those who decide for the lead board, and its business manager.
TOLD_OF_DELAYS = (Role.CHAIR, *PARTNER_ROLES, BM)
# The clocks the plan is set against: the review's completion (each regime's name for it).
COMPLETION_CLOCKS = ("completion", "completion_target")
# A practice review's report goes to the national Panel, the Secretary of State and Ofsted at least 7
# working days before publication (Working Together 2018, ch. 4): two calendar weeks keep clear of that.
COPY_BEFORE_PUBLICATION = timedelta(days=14)


class PlanRefused(Exception):
    """The action cannot be taken now; the message says why in plain words. Nothing was changed. `field`
    names the form field the message belongs beside, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Step:
    """A milestone of a regime's default plan: its name (with `{body}` for the regime's word), how far
    through the review's time it falls (0 to 1: 1 is the date the review should be complete), and whether
    the lead reviewer owns it (else the business manager)."""

    name: str
    share: float
    reviewer_owns: bool = False


SHARED_STEPS = (
    Step("Family told of the review and invited to take part", 0.1),
    Step("Agency information in", 0.3),
    Step("Practitioner event held", 0.45, reviewer_owns=True),
    Step("First draft of the report", 0.6, reviewer_owns=True),
    Step("Factual accuracy checked with the agencies", 0.75),
    Step("Final report to the {body}", 1.0, reviewer_owns=True),
)
PLAN_TEMPLATES: dict[str, tuple[Step, ...]] = {
    "scr": SHARED_STEPS,
    # A practice review's plan runs on to its publication clock (share > 1: after completion, by the
    # partnership's publication target).
    "cspr": (
        *SHARED_STEPS,
        Step("Report copied to the national Panel, the Secretary of State and Ofsted", 2.0),
        Step("Report published", 3.0),
    ),
}


def plan_path(review: Review) -> str:
    return reverse("review_plan", args=[review.pk])


def completion_due(review: Review) -> date | None:
    """The day the review should be complete by its regime's clock, or None before the decision."""
    for clock in review_clocks(review):
        if clock.key in COMPLETION_CLOCKS:
            return clock.due
    return None


def _template_dates(review: Review, start: date) -> dict[float, date]:
    end = completion_due(review) or workdays.add_months(start, review.lead_board.completion_months)
    end = max(end, start + timedelta(weeks=4))  # a plan made late still spreads its steps out
    published = workdays.add_months(end, review.lead_board.publication_months)
    span = (end - start).days
    dates = {s.share: start + timedelta(days=round(span * s.share)) for s in SHARED_STEPS}
    dates[3.0] = published
    dates[2.0] = max(end, published - COPY_BEFORE_PUBLICATION)
    return dates


def _current_reviewer(review: Review):
    appointment = review.appointments.filter(ended_at__isnull=True).select_related("reviewer").first()
    return appointment.reviewer if appointment else None


def plan_from_template(*, review: Review, user) -> list[Milestone]:
    """Makes the review's plan from its regime's template when it has none yet (else changes nothing):
    dates spread from today to the review's completion clock, owned by the lead reviewer or `user` (the
    business manager). Notes it on the timeline."""
    with transaction.atomic():
        review = review_lock(review.pk)
        if review.milestones.exists():
            return []
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise PlanRefused("The plan is made while the review is in progress.")
        today = timezone.localdate()
        dates = _template_dates(review, today)
        reviewer = _current_reviewer(review)
        words = vars(review.words)
        made = Milestone.objects.bulk_create(
            Milestone(
                review=review,
                name=step.name.format(**words),
                owner=(reviewer if step.reviewer_owns and reviewer else user),
                planned_on=dates[step.share],
                due_on=dates[step.share],
            )
            for step in PLAN_TEMPLATES.get(review.regime, SHARED_STEPS)
        )
        timeline_add(
            review=review,
            user=user,
            title="Review plan made",
            body=f"{len(made)} milestones from the {review.words.review}'s plan, to be complete by "
            f"{long_date(max(m.due_on for m in made))}.",
        )
    return made


def owner_problem(review: Review, owner) -> str:
    """Why `owner` cannot own a milestone of the review, or "" when they can (anyone on the review)."""
    if owner is None:
        return ""
    on_review = access.people_on_review(review, [*BOARD_ROLES, Role.LEAD_REVIEWER])
    if not on_review.filter(pk=owner.pk).exists():
        return f"{owner.get_full_name()} is not on the review: choose someone who is"
    return ""


def _delay_told(review: Review, user, milestone: Milestone, delay: MilestoneDelay) -> None:
    """The delay on the timeline, and the lead board's chair (or partners) and business manager told."""
    title = (
        f"Delay: {milestone.name} moved from {long_date(delay.was_due_on)} to {long_date(delay.now_due_on)}"
    )
    timeline_add(review=review, user=user, title=title[:200], body=f"Reason: {delay.reason}")
    notifications.notify(
        review=review,
        recipients=access.people_on_board(review.lead_board_id, TOLD_OF_DELAYS).exclude(pk=user.pk),
        kind=Notification.Kind.INFORMATION,
        title=f"{review.reference}: {milestone.name} is delayed to {long_date(delay.now_due_on)}",
        body=f"It was due on {long_date(delay.was_due_on)}. Reason: {delay.reason}",
        path=plan_path(review),
        key=f"plan:{milestone.pk}:delay:{delay.pk}",
    )


def milestone_save(
    *,
    review: Review,
    user,
    name: str,
    owner,
    due_on: date,
    reason: str = "",
    milestone: Milestone | None = None,
) -> Milestone:
    """Adds a milestone to the plan (`milestone` None) or changes one not yet done. Moving it later, or
    keeping an overdue one undone, needs `reason`: the delay is recorded, put on the timeline, and the lead
    board's chair (or partners) and business manager are told. A milestone is never moved earlier than first
    planned; an overdue one needs a new date from today on."""
    name, reason = name.strip(), reason.strip()
    if not name:
        raise PlanRefused("Enter the milestone.", field="name")
    today = timezone.localdate()
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise PlanRefused("The plan changes only while the review is in progress.")
        problem = owner_problem(review, owner)
        if problem:
            raise PlanRefused(f"{problem}.", field="owner")
        if milestone is None:
            if due_on < today:
                raise PlanRefused("A new milestone cannot be due in the past.", field="due_on")
            milestone = Milestone(review=review, planned_on=due_on)
            delay = None
            created = True
        else:
            milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, review=review)
            if milestone.done_on:
                raise PlanRefused("The milestone is done: it no longer changes.")
            if due_on < milestone.planned_on:
                raise PlanRefused(
                    f"It cannot be due before the date first planned, {long_date(milestone.planned_on)}.",
                    field="due_on",
                )
            overdue = milestone.is_overdue(today)
            if overdue and due_on < today:
                raise PlanRefused(
                    "The milestone is overdue: give the date it is now expected, today or later.",
                    field="due_on",
                )
            if (due_on > milestone.due_on or overdue) and not reason:
                raise PlanRefused(
                    f"Say why it is {'overdue' if overdue else 'moved later'}: the {review.words.body} is told.",
                    field="reason",
                )
            created = False
            delay = (
                MilestoneDelay(
                    milestone=milestone, was_due_on=milestone.due_on, now_due_on=due_on, reason=reason
                )
                if due_on > milestone.due_on
                else None
            )
        milestone.name, milestone.owner, milestone.due_on = name, owner, due_on
        milestone.full_clean()
        milestone.save()
        if delay is not None:
            delay.milestone, delay.recorded_by = milestone, user
            delay.full_clean()
            delay.save()
            _delay_told(review, user, milestone, delay)
        elif created:
            timeline_add(review=review, user=user, title=f"Milestone added: {name}"[:200])
    return milestone


def milestone_done(*, review: Review, user, milestone: Milestone, done_on: date) -> Milestone:
    """Marks a milestone done on `done_on` (not in the future); notes it on the timeline."""
    if done_on > timezone.localdate():
        raise PlanRefused("The date it was done cannot be in the future.", field="done_on")
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise PlanRefused("The plan changes only while the review is in progress.")
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk, review=review)
        if milestone.done_on:
            raise PlanRefused("The milestone is already done.")
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        late = (
            f", {(done_on - milestone.due_on).days} days after it was due"
            if done_on > milestone.due_on
            else ""
        )
        timeline_add(
            review=review,
            user=user,
            title=f"Milestone done: {milestone.name}"[:200],
            body=f"Done on {long_date(done_on)}{late}.",
        )
    return milestone


def governance_save(
    *, review: Review, user, quality_assured_by: str, quality_assurance: str, sign_off: str
) -> Governance:
    """Sets (or changes) who quality-assures the review and how, and how the final report is signed off."""
    values = {
        "quality_assured_by": quality_assured_by.strip(),
        "quality_assurance": quality_assurance.strip(),
        "sign_off": sign_off.strip(),
    }
    for field, value in values.items():
        if not value:
            raise PlanRefused(f"Enter {Governance._meta.get_field(field).verbose_name}.", field=field)
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise PlanRefused("The governance changes only while the review is in progress.")
        governance = Governance.objects.filter(review=review).first() or Governance(review=review)
        verb = "changed" if governance.pk else "set"
        for field, value in values.items():
            setattr(governance, field, value)
        governance.updated_by = user
        governance.full_clean()
        governance.save()
        timeline_add(
            review=review,
            user=user,
            title=f"Quality assurance and sign-off {verb}",
            body=f"Quality-assured by {governance.quality_assured_by}.",
        )
    return governance


def independence_declare(
    *, review: Review, user, independent: bool, interests: str = "", managed_how: str = ""
) -> IndependenceDeclaration:
    """The lead reviewer declares their independence (or their interests and how they are managed),
    dated today, in place of any declaration of theirs before; the business manager is told."""
    interests, managed_how = interests.strip(), managed_how.strip()
    if not independent:
        if not interests:
            raise PlanRefused("Describe the interests you declare.", field="interests")
        if not managed_how:
            raise PlanRefused("Say how the interests are managed.", field="managed_how")
    else:
        interests = managed_how = ""
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise PlanRefused("Independence is declared while the review is in progress.")
        if not review.appointments.filter(reviewer=user, ended_at__isnull=True).exists():
            raise PlanRefused("Only the review's lead reviewer declares their independence.")
        declaration = IndependenceDeclaration.objects.select_for_update().filter(
            review=review, reviewer=user
        ).first() or IndependenceDeclaration(review=review, reviewer=user)
        declaration.independent, declaration.interests, declaration.managed_how = (
            independent,
            interests,
            managed_how,
        )
        declaration.declared_on = timezone.localdate()
        declaration.full_clean()
        declaration.save()
        said = (
            "no line management of, or involvement with, the case or its agencies"
            if independent
            else "interests, and how they are managed"
        )
        timeline_add(
            review=review, user=user, title="Lead reviewer's independence declared", body=f"Declared {said}."
        )
        notifications.notify_roles(
            review,
            [BM],
            actor=user,
            kind=Notification.Kind.INFORMATION,
            title=f"{review.reference}: the lead reviewer declared their independence",
            body=f"{user.get_full_name()} declared {said}.",
            path=plan_path(review),
            key=f"plan:independence:{declaration.pk}:{declaration.history.count()}",
        )
    return declaration


def challenge_record(
    *, review: Review, user, kind: str, issue: str, raised_by: str, raised_on: date, escalated: bool
) -> Challenge:
    """Logs a challenge or impasse: who raised what, when, and whether it goes to the lead board's chair
    (or partners), who are then told."""
    issue, raised_by = issue.strip(), raised_by.strip()
    if not issue:
        raise PlanRefused("Enter the issue.", field="issue")
    if not raised_by:
        raise PlanRefused("Enter who raised it.", field="raised_by")
    if raised_on > timezone.localdate():
        raise PlanRefused("The date it was raised cannot be in the future.", field="raised_on")
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise PlanRefused("Challenges are logged while the review is in progress.")
        challenge = Challenge(
            review=review,
            kind=kind,
            issue=issue,
            raised_by=raised_by,
            raised_on=raised_on,
            escalated=escalated,
            recorded_by=user,
        )
        challenge.full_clean()
        challenge.save()
        what = challenge.get_kind_display()
        timeline_add(review=review, user=user, title=f"{what} raised by {raised_by}"[:200], body=issue)
        if escalated:
            _escalate(review, user, challenge)
    return challenge


def _escalate(review: Review, user, challenge: Challenge) -> None:
    notifications.notify(
        review=review,
        recipients=access.people_on_board(review.lead_board_id, (Role.CHAIR, *PARTNER_ROLES)).exclude(
            pk=user.pk
        ),
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference}: a{'n' if challenge.kind == Challenge.Kind.IMPASSE else ''} "
        f"{challenge.get_kind_display().lower()} is taken to the {review.words.accountable}",
        body=f"Raised by {challenge.raised_by}: {challenge.issue}",
        path=plan_path(review),
        key=f"plan:challenge:{challenge.pk}:escalated",
    )


def challenge_resolve(
    *, review: Review, user, challenge: Challenge, resolution: str, resolved_on: date, escalated: bool
) -> Challenge:
    """Records how a challenge or impasse was resolved and when, and whether it went to the chair (or
    partners); those told if it newly went to them."""
    resolution = resolution.strip()
    if not resolution:
        raise PlanRefused("Enter how it was resolved.", field="resolution")
    if resolved_on > timezone.localdate():
        raise PlanRefused("The date it was resolved cannot be in the future.", field="resolved_on")
    with transaction.atomic():
        review = review_lock(review.pk)
        if not workflow.allows(review, workflow.INFORMATION_OPEN):
            raise PlanRefused("Challenges are resolved while the review is in progress.")
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk, review=review)
        if challenge.resolved_on:
            raise PlanRefused("It is already resolved.")
        if resolved_on < challenge.raised_on:
            raise PlanRefused(
                f"It cannot be resolved before it was raised, on {long_date(challenge.raised_on)}.",
                field="resolved_on",
            )
        newly_escalated = escalated and not challenge.escalated
        challenge.resolution, challenge.resolved_on = resolution, resolved_on
        challenge.escalated = challenge.escalated or escalated
        challenge.full_clean()
        challenge.save()
        timeline_add(
            review=review,
            user=user,
            title=f"{challenge.get_kind_display()} resolved"[:200],
            body=resolution,
        )
        if newly_escalated:
            _escalate(review, user, challenge)
    return challenge
