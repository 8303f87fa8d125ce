"""The ten factors Quality Marker 6 asks boards to weigh, in the portal's own words. Loaded as reference
data by a migration; the keys are stable, the wording can be improved in later migrations."""

from __future__ import annotations

from .models import Factor

CASE = "case"
CONTEXT = "context"

STANDARD_FACTORS = [
    (
        "family-strengths-and-risks",
        CASE,
        "The family and the risks to the child",
        "What helped and what hindered the family and carers, and what kinds of risk the child or children "
        "faced. Reviews of complex, long-standing risk usually need more breadth than a single incident.",
    ),
    (
        "practice-concerns",
        CASE,
        "How serious and complex the practice concerns are",
        "How grave the apparent concerns about professional practice are, how many agencies they touch, and "
        "how far they reach back. Wider and older concerns call for a deeper look.",
    ),
    (
        "legal-requirements",
        CASE,
        "Particular legal requirements",
        "Any law that shapes the review, for example the Human Rights Act where a child in state care died, "
        "or requirements that follow from criminal or coroner's proceedings.",
    ),
    (
        "previous-learning",
        CONTEXT,
        "What the area has already learned, and what it knows less about",
        "Earlier local reviews, audits and inspections on similar themes. Where the learning is already "
        "known, a lighter review may do; where little is known, a fuller one may be worth it.",
    ),
    (
        "reviewer-availability",
        CONTEXT,
        "Which reviewers are available, with what skills",
        "Whether a lead reviewer with the right knowledge, skills and independence is free in the time "
        "needed, and how that affects the method that can be used.",
    ),
    (
        "public-interest",
        CONTEXT,
        "Public interest",
        "Media and public attention, and the confidence of the community and of families, which may call for "
        "particular openness or timing.",
    ),
    (
        "local-capacity",
        CONTEXT,
        "Capacity against other learning work",
        "What else agencies are doing to learn and improve now, and how much this review can ask of them "
        "without crowding that out.",
    ),
    (
        "strategic-priorities",
        CONTEXT,
        "Strategic plans and priorities",
        "How the review fits the board's learning and improvement framework and business plan priorities.",
    ),
    (
        "board-capacity",
        CONTEXT,
        "The board's own capacity now",
        "Whether the board can run the review and act on its learning at this time: staffing, other reviews "
        "under way, changes in leadership.",
    ),
    (
        "practitioner-openness",
        CONTEXT,
        "What affects practitioners' openness",
        "Local conditions that may make practitioners less able to take part openly, such as disciplinary "
        "processes, restructuring or recent public criticism.",
    ),
]


def ensure_standard_factors(factor_model: type[Factor] = Factor) -> int:
    """Creates any of the standard factors that are missing (by key) and refreshes their wording; returns
    how many were created. Used by the data migration, the demo loader and the tests (which may flush)."""
    created = 0
    for order, (key, kind, title, guidance) in enumerate(STANDARD_FACTORS, start=1):
        _, made = factor_model.objects.update_or_create(
            key=key, defaults={"kind": kind, "title": title, "guidance": guidance, "order": order}
        )
        created += made
    return created
