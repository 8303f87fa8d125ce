"""The demo's review in progress (NSCB-2025-04, Child D): the agencies asked for information, through the
real services, then dated to the story. Five requests: three in (the children's services' chronology of 40
entries, the police's and the health trust's), one overdue with its author reminded and the agency's board
member told, one not yet due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from conduct import services
from conduct.models import InformationRequest
from demo.reviews import _demo_pdf, _person
from reviews.models import Agency, Membership, Review, Role

User = get_user_model()
REFERENCE = "NSCB-2025-04"


@dataclass(frozen=True)
class Author:
    local: str  # the email's local part, at north.example
    name: str
    title: str
    agency: str


AUTHORS = (
    Author(
        "author-csc", "Joanne Pryce", "Team Manager, Safeguarding", "North City Council Children's Services"
    ),
    Author("author-police", "Mark Ellison", "Review Officer, Public Protection", "Shire Constabulary"),
    Author(
        "author-health", "Fiona Grant", "Named Nurse for Safeguarding", "Shire Community Health NHS Trust"
    ),
    Author("author-probation", "Lewis Kaur", "Senior Probation Officer", "Shire Probation Service"),
    Author(
        "author-schools", "Nadia Brooks", "Designated Safeguarding Lead", "North City Schools Partnership"
    ),
)

WHY = {
    "North City Council Children's Services": "Children's social care assessed the family twice; the review needs "
    "every contact, referral and decision in the two years before Child D died, and the agency's own analysis.",
    "Shire Constabulary": "The police attended two domestic incidents at the address; the review needs what was "
    "known about the mother's partner and what was shared with children's social care.",
    "Shire Community Health NHS Trust": "Health visitors saw Child D at home; the review needs each contact, what "
    "was seen of the home and who else was present.",
    "Shire Probation Service": "The mother's partner was supervised by probation; the review needs what probation "
    "knew of his contact with children and how the risk was assessed and shared.",
    "North City Schools Partnership": "Child D's older sibling attended a North City school; the review needs any "
    "safeguarding concerns the school recorded about the household.",
}

# What happened, agency by agency, as a chronology tells it (fictional). Children's social care's 40 entries
# are made from the episodes below, in date order; the others are written out.
CSC_EPISODES = (
    (
        "Referral from the health visitor: concerns about home conditions and a new partner in the home.",
        "concern",
    ),
    ("Referral screened by the front door team; passed for a single assessment.", "routine"),
    ("Home visit by the social worker; mother present, partner not seen.", "routine"),
    ("Checks with the police: the partner has convictions for violence against a former partner.", "key"),
    ("Strategy discussion with the police after a report of shouting at the address.", "key"),
    ("Home visit; Child D seen asleep, the home cluttered but warm.", "routine"),
    ("Mother says the partner does not live at the address.", "concern"),
    ("Telephone call to the health visitor to share the plan.", "routine"),
    ("Single assessment completed: child in need plan; weekly visits.", "concern"),
    ("Child in need meeting; probation not invited.", "key"),
    ("Unannounced visit; no answer at the door.", "concern"),
    ("Home visit; the partner present and declined to speak to the social worker.", "concern"),
    ("Supervision: the case discussed, risk from the partner recorded as unknown.", "concern"),
    ("Child in need review meeting; the school and the health visitor attend.", "routine"),
    ("Social worker changes; handover visit with the new worker.", "routine"),
    ("Mother cancels the visit; rearranged for the following week.", "routine"),
    ("Police notification of a domestic incident received and screened.", "concern"),
    ("Home visit; Child D has a bruise to the cheek, explained as a fall from the sofa.", "key"),
    ("Advice sought from the child protection team; no strategy discussion held.", "key"),
    ("Child in need plan stepped down to early help.", "concern"),
)
CSC_FOLLOW_UPS = (
    ("Letter to mother confirming the assessment.", "routine"),
    ("Team manager's decision recorded: proceed to assessment.", "routine"),
    ("Case note: mother's account of the partner recorded.", "routine"),
    ("Information shared with the health visitor by email.", "routine"),
    ("Outcome of the strategy discussion: single-agency enquiries.", "concern"),
    ("Case note: the partner's belongings seen in the hallway.", "concern"),
    ("Case note: no check made with probation.", "key"),
    ("Health visitor reports a missed appointment.", "concern"),
    ("Plan sent to the family and agencies.", "routine"),
    ("Minutes circulated; actions for the school and the health visitor.", "routine"),
    ("Calling card left; mother rings back the next day.", "routine"),
    ("Manager's oversight: continue the plan, seek the partner's details.", "concern"),
    ("Request to the police for the partner's history not sent.", "key"),
    ("Review minutes: progress said to be good.", "routine"),
    ("Case summary written for the new worker.", "routine"),
    ("Visit completed; Child D seen in the bath, no marks noted.", "routine"),
    ("Mother says the incident was an argument and the partner has left.", "concern"),
    ("Photograph of the bruise not taken; the body map not completed.", "key"),
    ("Case note: the health visitor not told of the bruise.", "key"),
    ("Closure letter sent to mother; early help worker allocated.", "concern"),
)
OTHER_ENTRIES = {
    "Shire Constabulary": (
        ("Domestic incident at the address; partner arrested, released without charge.", "key"),
        ("Risk assessment (DASH) recorded as standard risk.", "concern"),
        ("Notification sent to children's social care.", "routine"),
        ("Second domestic incident; neighbours reported a child crying.", "key"),
        ("Partner's previous convictions checked on the police national computer.", "routine"),
        ("MARAC referral considered and not made.", "concern"),
        ("Officers attended after Child D was taken to hospital.", "key"),
        ("Partner arrested on suspicion of causing grievous bodily harm.", "key"),
    ),
    "Shire Community Health NHS Trust": (
        ("New birth visit; mother reported feeling low.", "routine"),
        ("Six to eight week review; weight on the 25th centile.", "routine"),
        ("Missed appointment at the clinic.", "concern"),
        ("Home visit; an unknown man answered the door and left.", "concern"),
        ("Referral to children's social care about home conditions.", "key"),
        ("One year review; bruise on the forehead explained as a fall.", "key"),
        ("Missed appointment; letter sent.", "concern"),
        ("Telephone contact with mother; no concerns reported.", "routine"),
        ("Two year review not attended.", "concern"),
        ("Emergency department attendance: head injury.", "key"),
    ),
}


def seed_conduct(password: str) -> None:
    """Idempotent: the review's requests are made once, when it has none."""
    review = Review.objects.filter(reference=REFERENCE).select_related("lead_board").first()
    if review is None:
        return
    authors = _authors(review, password)
    if review.information_requests.exists():
        return
    manager = Membership.objects.get(board=review.lead_board, role=Role.BUSINESS_MANAGER, is_active=True).user
    started = review.started_on or timezone.localdate() - timedelta(days=40)
    today = timezone.localdate()
    with transaction.atomic():
        plan = {
            # agency: (asked for, days after the start asked, days allowed, how it ends)
            "North City Council Children's Services": (["chronology", "report"], 3, 21, "accepted"),
            "Shire Constabulary": (["chronology"], 3, 21, "accepted"),
            "Shire Community Health NHS Trust": (["chronology"], 3, 28, "submitted"),
            "Shire Probation Service": (["chronology", "records"], 5, (today - started).days - 10, "overdue"),
            "North City Schools Partnership": (["report"], 30, (today - started).days - 20, "asked"),
        }
        for agency_name, (asked_for, after, allowed, ends) in plan.items():
            agency = Agency.objects.get(name=agency_name)
            asked_on = min(started + timedelta(days=after), today)
            due_on = asked_on + timedelta(days=max(allowed, 1))
            request = services.information_request_create(
                review=review,
                user=manager,
                agency=agency,
                author=authors[agency_name],
                asked_for=asked_for,
                reason=WHY[agency_name],
                due_on=max(due_on, today),
            )
            InformationRequest.objects.filter(pk=request.pk).update(asked_on=asked_on, due_on=due_on)
            request.refresh_from_db()
            if ends in ("accepted", "submitted"):
                _entries(request, authors[agency_name], review)
                if request.wants_report:
                    services.information_report_store(
                        request=request, user=authors[agency_name], upload=_report(agency_name)
                    )
                services.information_submit(request=request, user=authors[agency_name])
                submitted = timezone.make_aware(
                    timezone.datetime.combine(min(due_on - timedelta(days=2), today), time(15, 30))
                )
                InformationRequest.objects.filter(pk=request.pk).update(submitted_at=submitted)
                if ends == "accepted":
                    request.refresh_from_db()
                    services.information_answer(request=request, user=manager, accept=True)
                    InformationRequest.objects.filter(pk=request.pk).update(
                        answered_at=submitted + timedelta(days=1)
                    )
            elif ends == "overdue":
                InformationRequest.objects.filter(pk=request.pk).update(
                    reminded_on=due_on - timedelta(days=2), escalated_on=due_on + timedelta(days=1)
                )


def _authors(review: Review, password: str) -> dict[str, User]:
    made = {}
    for author in AUTHORS:
        user = _person(f"{author.local}@north.example", author.name, author.title, password)
        Membership.objects.update_or_create(
            user=user,
            board=review.lead_board,
            role=Role.AGENCY_AUTHOR,
            defaults={"agency": Agency.objects.get(name=author.agency), "is_active": True},
        )
        made[author.agency] = user
    return made


def _entries(request: InformationRequest, author, review: Review) -> None:
    """The agency's chronology, dated across the two years before the incident."""
    incident = review.incident_date or timezone.localdate() - timedelta(days=160)
    if request.agency.name == "North City Council Children's Services":
        # The episodes and what followed each: 40 entries.
        events = [entry for pair in zip(CSC_EPISODES, CSC_FOLLOW_UPS, strict=True) for entry in pair]
    else:
        events = list(OTHER_ENTRIES.get(request.agency.name, ()))
    span = 700
    for i, (event, significance) in enumerate(events):
        on: date = incident - timedelta(days=span - (span * i) // len(events))
        services.chronology_entry_save(
            request=request,
            user=author,
            occurred_on=on,
            occurred_at=time(9 + i % 8, (i * 7) % 60) if i % 3 else None,
            event=event,
            source=f"{request.agency.name.split()[0]} case record, entry {i + 1}",
            significance=significance,
        )


def _report(agency_name: str):
    upload = _demo_pdf()
    upload.name = upload.display_name = f"{agency_name.split()[0].lower()}-agency-report.pdf"
    return upload
