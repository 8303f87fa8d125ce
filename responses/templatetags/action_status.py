"""Template filters that ask the action workflow about an action's status, so templates name no status."""

from __future__ import annotations

from django import template

from responses.actions import workflow

register = template.Library()


@register.filter
def is_deferred(action) -> bool:
    """`{% if action|is_deferred %}`: the board put the action off, with a reason and a date to look again."""
    return workflow.is_deferred(action.status)
