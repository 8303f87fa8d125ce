"""The response's part of the demonstration data, and the shortest real path through it (used by the
lifecycle's tests as demo.commissioning.approve_terms is): findings recorded, and a version of the board's
response signed by the chair, through the same services the pages use."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from demo.pdf import EVIDENCE_PDF
from responses.document import services as document
from responses.findings import services as findings
from responses.models import (
    Action,
    ActionUpdate,
    Attendance,
    EngagementActivity,
    Evidence,
    Finding,
    FindingDiscussion,
    LearningItem,
    Meeting,
    PlanPeriod,
    PlanPriority,
    ResponseVersion,
    Theme,
)
from reviews.models import Agency, Membership, Review, Role


def record_findings(review: Review, manager, texts: list[tuple[str, str, list[str]]] | None = None) -> None:
    """Records findings (title, text, theme names) unless the review has some already."""
    if Finding.objects.filter(review=review).exists():
        return
    texts = texts or [
        ("Information was not shared", "Agencies held pieces of the picture that no one put together.", [])
    ]
    for number, (title, text, themes) in enumerate(texts, 1):
        findings.finding_save(
            review=review,
            user=manager,
            number=number,
            title=title,
            text=text,
            themes=list(Theme.objects.filter(name__in=themes)),
        )


def sign_off(review: Review, manager, chair, at=None, *, signers=None) -> ResponseVersion:
    """The latest version of the response, signed by `chair` (made and rebuilt first when needed), or under
    a partnership by each of `signers` in turn (all three partners make it final; fewer leave it waiting)."""
    latest = ResponseVersion.objects.filter(review=review).order_by("-number").first()
    if latest and latest.is_signed:
        return latest
    version = latest or document.response_version_create(review=review, user=manager)
    version = document.response_version_rebuild(version=version, user=manager)
    for n, signer in enumerate(signers or [chair]):
        version = document.response_version_sign(
            version=ResponseVersion.objects.get(pk=version.pk),
            user=signer,
            seen_digest=version.content_digest(),
            at=at + timedelta(hours=n) if at else None,
        )
    return version


FINDINGS = [
    (
        "Information about the mother's partner was not shared",
        "Police held intelligence about the mother's partner's violence in a previous relationship. Health "
        "visitors and children's social care did not know of it when they assessed the home.",
        ["Information sharing", "Domestic abuse", "Unseen men"],
    ),
    (
        "Missed health appointments were not seen as a pattern",
        "Seven missed health appointments over five months were each followed up on their own; no agency saw "
        "them together as a sign of neglect.",
        ["Neglect", "Professional curiosity"],
    ),
    (
        "Practitioners did not escalate their disagreement",
        "The school disagreed with the decision to close the case but did not use the local escalation "
        "procedure, which few practitioners knew about.",
        ["Escalation and challenge"],
    ),
    (
        "The child's own experience was rarely recorded",
        "Records describe the parents' accounts in detail; what the child said, or how the child seemed, is "
        "recorded on two occasions in a year.",
        ["Voice of the child"],
    ),
]


def demo_board_plan(board, manager, today) -> None:
    """A business plan (a partnership's priorities, titled in its words) and a few items of the learning
    framework for `board` (once)."""

    if PlanPeriod.objects.filter(board=board).exists():
        return
    start = date(today.year - 1 if today.month < 4 else today.year, 4, 1)
    period = PlanPeriod.objects.create(
        board=board,
        title=f"{board.words.Plan} {start.year} to {start.year + 2}",
        starts_on=start,
        ends_on=date(start.year + 2, 3, 31),
    )
    for number, (title, themes) in enumerate(
        [
            ("Tackle neglect earlier", ["Neglect", "Professional curiosity"]),
            ("Keep children safe from domestic abuse", ["Domestic abuse", "Unseen men"]),
            (
                "Agencies share information and challenge each other",
                ["Information sharing", "Escalation and challenge"],
            ),
            ("Hear the voice of the child", ["Voice of the child"]),
        ],
        1,
    ):
        priority = PlanPriority.objects.create(period=period, number=number, title=title)
        priority.themes.set(Theme.objects.filter(name__in=themes))
    for title, source, themes, months in [
        ("Audit of neglect cases: chronologies rarely used", LearningItem.Source.AUDIT, ["Neglect"], 10),
        (
            "Joint inspection: domestic abuse referrals lacked detail about partners",
            LearningItem.Source.INSPECTION,
            ["Domestic abuse", "Unseen men"],
            14,
        ),
        (
            "National review of escalation: procedures exist but are little used",
            LearningItem.Source.NATIONAL_REVIEW,
            ["Escalation and challenge"],
            20,
        ),
        (
            "Local review (Child F): the child was not seen alone",
            LearningItem.Source.LOCAL_REVIEW,
            ["Voice of the child", "Professional curiosity"],
            26,
        ),
    ]:
        item = LearningItem.objects.create(
            board=board,
            title=title,
            source=source,
            summary=f"{title}. The {board.words.body} agreed actions, some of which are still being embedded.",
            learned_on=today.replace(day=1) - timedelta(days=30 * months),
            created_by=manager,
        )
        item.themes.set(Theme.objects.filter(name__in=themes))


def demo_response(review: Review, manager, chair, *, on, upto: str, signers=None) -> None:
    """The response's story up to `upto`: "begin_response" (findings recorded), "draft" (discussed, actions
    agreed, a draft asked to be signed, and signed by `signers` when given: some of a partnership's) or
    "publish" (the response signed off: by `chair`, or by all of `signers`)."""
    w = review.words

    demo_board_plan(review.lead_board, manager, on)
    record_findings(review, manager, FINDINGS)
    if upto not in ("publish", "draft") or Meeting.objects.filter(review=review).exists():
        return
    agencies = list(review.lead_board.agencies.order_by("name"))
    meeting = Meeting.objects.create(
        review=review,
        kind=Meeting.Kind.EXTRAORDINARY,
        held_on=on if upto == "draft" else on - timedelta(days=14),
        minutes_given=150,
        chaired_by=chair.get_full_name(),
        summary="An extraordinary meeting given wholly to the review. The lead reviewer presented the findings; each agency said what the findings meant for it.",
        created_by=manager,
    )
    for agency in agencies:
        Attendance.objects.create(
            meeting=meeting, agency=agency, attendees=f"Safeguarding lead, {agency.name}"
        )
    positions = ["accepted", "accepted", "accepted_in_part", "accepted"]
    for finding, position in zip(review.findings.order_by("number"), positions, strict=False):
        FindingDiscussion.objects.create(
            meeting=meeting,
            finding=finding,
            discussion=f"The {w.body} discussed finding {finding.number} and what each agency would do differently.",
            challenge="The chair of the meeting asked each agency to say where its own practice fell short, not only others'.",
        )
        finding.position = position
        finding.position_reason = (
            f"The {w.body} agrees with the finding and its analysis."
            if position == "accepted"
            else f"The {w.body} accepts the pattern but not that the procedure was unknown: it was in the induction pack."
        )
        finding.position_meeting = meeting
        finding.save()
    priorities = {p.number: p for p in PlanPriority.objects.filter(period__board=review.lead_board)}
    findings = {f.number: f for f in review.findings.all()}

    # The board member owns the actions for the agency they represent (the business manager otherwise).
    member = (
        Membership.objects.active()
        .filter(board=review.lead_board, role=Role.BOARD_MEMBER)
        .select_related("user", "agency")
        .first()
    )
    owner, owner_agency = (
        (member.user, member.agency) if member else (manager, agencies[0] if agencies else None)
    )
    if owner_agency is None:
        return
    # The police's action is owned by the police's action owner on the board, when it has one.
    police = (
        Membership.objects.active()
        .filter(board=review.lead_board, role=Role.ACTION_OWNER, agency__kind=Agency.Kind.POLICE)
        .select_related("user", "agency")
        .first()
    )
    plan = [
        (
            "Share police intelligence about adults in the household at every strategy discussion.",
            "immediate",
            "coordinate",
            "multi_agency",
            1,
            2,
            [1],
            30,
        ),
        (
            "Audit how missed health appointments are followed up across agencies.",
            "practical",
            "monitor",
            "multi_agency",
            2,
            1,
            [2],
            90,
        ),
        (
            "Relaunch the escalation procedure with a seven-minute briefing and track its use.",
            "strategic",
            "coordinate",
            "multi_agency",
            2,
            3,
            [3],
            120,
        ),
        (
            "Ask the national panel to consider guidance on recording the child's lived experience.",
            "strategic",
            "monitor",
            "national",
            3,
            4,
            [4],
            180,
        ),
    ]
    for number, (text, kind, function, level, priority, plan_number, linked, days) in enumerate(plan, 1):
        action = Action.objects.create(
            review=review,
            number=number,
            description=text,
            kind=kind,
            function=function,
            level=level,
            owner_agency=police.agency if police and number == 1 else owner_agency,
            owner=police.user if police and number == 1 else owner,
            priority=priority,
            priority_reason=f"Agreed at the extraordinary meeting, weighed against the {w.plan}.",
            plan_priority=priorities.get(plan_number),
            due_on=on + timedelta(days=days),
            created_by=manager,
        )
        action.findings.set([findings[n] for n in linked if n in findings])
        Action.objects.filter(pk=action.pk).update(
            created_at=meeting.created_at.replace(
                year=meeting.held_on.year, month=meeting.held_on.month, day=meeting.held_on.day
            )
        )
    for audience, text, method, days in [
        ("frontline", "Seven-minute briefing on the review's learning", "briefing", 21),
        ("managers", "Supervision prompts on missed appointments", "supervision", 45),
        ("strategic", f"{w.Body} development session on escalation", "workshop", 60),
    ]:
        EngagementActivity.objects.create(
            review=review,
            audience=audience,
            description=text,
            method=method,
            planned_on=on + timedelta(days=days),
        )
    version = document.response_version_create(review=review, user=manager)
    document.response_version_save(
        version=version,
        user=manager,
        introduction=f"The {w.body} thanks the family and the practitioners who took part. It accepts the report and sets out here what it will do.",
        monitoring=f"The learning and improvement sub-group reviews progress on every action each quarter and reports to the {w.body}; the impact of each action is tested by audit.",
        closing="",
        seen_revision=version.revision,
    )
    signed_at = timezone.make_aware(
        timezone.datetime.combine(on - timedelta(days=3), timezone.datetime.min.time())
    )
    if upto == "draft":
        document.response_signature_request(version=ResponseVersion.objects.get(pk=version.pk), user=manager)
        if signers:
            sign_off(review, manager, chair, at=signed_at + timedelta(hours=10), signers=signers)
        return

    sign_off(review, manager, chair, at=signed_at + timedelta(hours=15), signers=signers)
    _demo_progress(review, manager, on)


def _demo_progress(review: Review, manager, on) -> None:
    """After publication, owners report progress: one action under way, one completed with evidence."""

    actions = list(Action.objects.filter(review=review).order_by("number"))
    if len(actions) < 2:
        return

    today = timezone.localdate()
    agreed, in_progress, completed = Action.Status.AGREED, Action.Status.IN_PROGRESS, Action.Status.COMPLETED

    def report(action: Action, on_day, text: str, status_from, status_to) -> ActionUpdate:
        return ActionUpdate.objects.create(
            action=action,
            author=action.owner,
            on=on_day,
            text=text,
            status_from=status_from,
            status_to=status_to,
        )

    started, done = actions[0], actions[1]
    text = "Police now attend every strategy discussion with household checks done."
    report(started, min(on + timedelta(days=7), today), text, agreed, in_progress)
    Action.objects.filter(pk=started.pk).update(status=Action.Status.IN_PROGRESS)
    text = "Audit started: 40 cases with missed appointments sampled across health and social care."
    report(done, min(on + timedelta(days=10), today), text, agreed, in_progress)
    finished = min(on + timedelta(days=30), today)
    text = "Audit completed: follow-up of missed appointments now shared across agencies."
    update = report(done, finished, text, in_progress, completed)
    evidence = Evidence(update=update, name="missed-appointments-audit.pdf", size=0)

    evidence.file.save("missed-appointments-audit.pdf", ContentFile(EVIDENCE_PDF), save=False)
    evidence.size = len(EVIDENCE_PDF)
    evidence.save()
    Action.objects.filter(pk=done.pk).update(status=Action.Status.COMPLETED, completed_on=finished)
