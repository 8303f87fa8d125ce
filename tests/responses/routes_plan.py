"""Authorization-walk rows for the board's business plan and learning and improvement framework (merged
into tests/test_authorization.py). Board members and chairs read them; the business manager changes them;
people of another board, and lead reviewers (who see only the reviews they are appointed to), get nothing."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from responses.models import LearningItem
from tests.responses.helpers import plan_priority, theme
from tests.routes import Route, _object

# Who may never reach a board's plan pages, even to read: another board's people and a lead reviewer.
OUTSIDERS = ("east_manager", "north_reviewer", "south_manager")
# Who must be refused the pages that change the plan: readers too.
NOT_MANAGERS = (*OUTSIDERS, "north_member", "north_chair")


def _board(w) -> dict:
    return {"pk": w.north.pk}


def _period(w) -> dict:
    return {"pk": w.north.pk, "period_pk": plan_priority(w.north).period_id}


def _priority(w) -> dict:
    return {"pk": w.north.pk, "priority_pk": plan_priority(w.north).pk}


def _item(w) -> dict:
    item, created = LearningItem.objects.get_or_create(
        board=w.north,
        title="Bruising in non-mobile babies",
        defaults={
            "source": LearningItem.Source.AUDIT,
            "summary": "Bruising was not always referred.",
            "learned_on": date(timezone.localdate().year - 1, 6, 1),
            "created_by": w.north_manager,
        },
    )
    if created:
        item.themes.set([theme("Neglect")])
    return {"pk": w.north.pk, "item_pk": item.pk}


def _reader(kwargs) -> Route:
    return _object(kwargs, allowed="north_member", denied=OUTSIDERS)


def _manager(kwargs) -> Route:
    return _object(kwargs, allowed="north_manager", denied=NOT_MANAGERS)


ROUTES: dict[str, Route] = {
    "business_plan": _object(_board, allowed="north_chair", denied=OUTSIDERS),
    "plan_period_create": _manager(_board),
    "plan_period_edit": _manager(_period),
    "plan_period_delete": _manager(_period),
    "plan_priority_create": _manager(_period),
    "plan_priority_edit": _manager(_priority),
    "plan_priority_delete": _manager(_priority),
    "learning_framework": _reader(_board),
    "learning_item": _reader(_item),
    "learning_item_create": _manager(_board),
    "learning_item_edit": _manager(_item),
    "learning_item_delete": _manager(_item),
}
