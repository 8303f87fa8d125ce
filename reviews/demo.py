"""The demonstration dataset: two neighbouring boards, every role, and reviews, all fictional."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Agency, Appointment, Board, Membership, ParticipatingBoard, Review, Role

User = get_user_model()

AGENCIES = [
    # name, kind, boards
    ("North City Council Children's Services", Agency.Kind.CHILDRENS_SOCIAL_CARE, ["North"]),
    ("South County Council Children's Services", Agency.Kind.CHILDRENS_SOCIAL_CARE, ["South"]),
    ("Shire Constabulary", Agency.Kind.POLICE, ["North", "South"]),
    ("Shire Community Health NHS Trust", Agency.Kind.HEALTH, ["North", "South"]),
    ("North City Schools Partnership", Agency.Kind.EDUCATION, ["North"]),
    ("South County Schools Partnership", Agency.Kind.EDUCATION, ["South"]),
    ("Shire Probation Service", Agency.Kind.PROBATION, ["North", "South"]),
]

BOARDS = {
    "North": ("North Safeguarding Children Board", "North City Council"),
    "South": ("South Safeguarding Children Board", "South County Council"),
}

# email local part, full name, job title, role, agency (for board members)
PEOPLE = {
    "North": [
        ("manager", "Priya Shah", "LSCB Business Manager", Role.BUSINESS_MANAGER, None),
        (
            "member",
            "Tom Okafor",
            "Head of Safeguarding",
            Role.BOARD_MEMBER,
            "North City Council Children's Services",
        ),
        ("chair", "Helen Marsh", "Independent Chair", Role.CHAIR, None),
        ("reviewer", "David Lowe", "Independent Lead Reviewer", Role.LEAD_REVIEWER, None),
    ],
    "South": [
        ("manager", "Gareth Evans", "LSCB Business Manager", Role.BUSINESS_MANAGER, None),
        (
            "member",
            "Aisha Rahman",
            "Detective Chief Inspector, Public Protection",
            Role.BOARD_MEMBER,
            "Shire Constabulary",
        ),
        ("chair", "Margaret O'Neill", "Independent Chair", Role.CHAIR, None),
        ("reviewer", "Sam Whitfield", "Independent Lead Reviewer", Role.LEAD_REVIEWER, None),
    ],
}

# reference, lead board, participating boards, appointed reviewer (board key)
REVIEWS = [
    ("NSCB-2026-01", "North", [], "North"),
    ("NSCB-2026-02", "North", [], None),
    ("NSCB-2026-03", "North", ["South"], "North"),  # cross-border: a family that moved between the areas
    ("SSCB-2026-01", "South", [], "South"),
]


def _person(email: str, full_name: str, job_title: str, password: str, **extra) -> User:
    """Creates or refreshes a demo account, saving only when something differs (no needless history)."""
    user = User.objects.filter(email=email).first() or User(email=email)
    wanted = {"full_name": full_name, "job_title": job_title, **extra}
    dirty = user.pk is None or any(getattr(user, k) != v for k, v in wanted.items())
    for key, value in wanted.items():
        setattr(user, key, value)
    if not user.check_password(password):
        user.set_password(password)
        dirty = True
    if dirty:
        user.save()
    return user


@transaction.atomic
def seed_demo(password: str) -> dict[str, int]:
    """Creates or refreshes the demo data; running it again changes nothing but the demo passwords."""
    boards = {}
    for key, (name, area) in BOARDS.items():
        boards[key], _ = Board.objects.get_or_create(name=name, defaults={"local_authority_area": area})
    agencies = {}
    for name, kind, board_keys in AGENCIES:
        agencies[name], _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
        agencies[name].boards.add(*(boards[k] for k in board_keys))

    reviewers = {}
    for key, people in PEOPLE.items():
        domain = f"{key.lower()}.example"
        for local, full_name, title, role, agency in people:
            waived = role == Role.CHAIR  # demo only: keeps the demo walkable without an authenticator app
            user = _person(f"{local}@{domain}", full_name, title, password, two_factor_waived=waived)
            Membership.objects.update_or_create(
                user=user,
                board=boards[key],
                role=role,
                defaults={"agency": agencies.get(agency), "is_active": True},
            )
            if role == Role.CHAIR and boards[key].independent_chair_id != user.pk:
                boards[key].independent_chair = user
                boards[key].save(update_fields=["independent_chair"])
            if role == Role.LEAD_REVIEWER:
                reviewers[key] = user
    _person(
        "admin@example.com",
        "Alex Morgan",
        "Portal administrator",
        password,
        is_staff=True,
        is_superuser=True,
        two_factor_waived=True,
    )

    for reference, lead, participating, reviewer in REVIEWS:
        review, _ = Review.objects.get_or_create(lead_board=boards[lead], reference=reference)
        for key in participating:
            ParticipatingBoard.objects.get_or_create(review=review, board=boards[key])
        if (
            reviewer
            and not review.appointments.filter(reviewer=reviewers[reviewer], ended_at__isnull=True).exists()
        ):
            Appointment.objects.create(review=review, reviewer=reviewers[reviewer])

    return {
        "boards": Board.objects.count(),
        "agencies": Agency.objects.count(),
        "people": User.objects.count(),
        "reviews": Review.objects.count(),
    }
