"""The standard themes learning is filed under. Administrators can add more in the admin."""

from __future__ import annotations

from .models import Theme

STANDARD_THEMES = [
    ("Assessment of risk", "How risk to the child was assessed and re-assessed."),
    ("Domestic abuse", "Recognising and responding to domestic abuse in the household."),
    ("Escalation and challenge", "Professionals escalating concerns and challenging each other's decisions."),
    ("Information sharing", "Sharing information between agencies at the right time."),
    ("Neglect", "Recognising and acting on the cumulative harm of neglect."),
    ("Parental mental health", "The effect of parents' and carers' mental health on the child."),
    ("Parental substance misuse", "The effect of parents' and carers' use of drugs or alcohol."),
    ("Professional curiosity", "Asking, checking and not taking accounts at face value."),
    ("Safe sleep", "Advice and practice on safe sleeping arrangements for babies."),
    ("Supervision and workload", "Supervision, caseloads and the conditions practitioners work in."),
    ("Unseen men", "Fathers, partners and other men in the child's life who are not engaged."),
    ("Voice of the child", "Seeing the child, hearing them and acting on what they say."),
    ("Child exploitation", "Criminal and sexual exploitation of children outside the home."),
    ("Disabled children", "Safeguarding disabled children and children with complex health needs."),
]


def ensure_standard_themes(theme_model: type[Theme] = Theme) -> None:
    """Creates any standard theme that is missing (for the migration, the demo and the tests)."""
    for name, description in STANDARD_THEMES:
        theme_model.objects.get_or_create(name=name, defaults={"description": description})
