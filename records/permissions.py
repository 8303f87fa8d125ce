"""The rules of records (retention and subject access), declared into the one rule set of `reviews.access`.
The business manager sets the board's retention period and decides, review by review, what happens to
reviews whose period has run out; only a superuser exports everything held about a person."""

from __future__ import annotations

import rules

from reviews.access import add_rule, on_board
from reviews.models import Role

add_rule("manage_retention", on_board(Role.BUSINESS_MANAGER))
add_rule("export_subject_access", rules.predicate(lambda user: bool(user.is_active and user.is_superuser)))
