"""The person's roles, for pages outside the reviews app that show them (the account page), so those pages'
views need not read memberships."""

from __future__ import annotations

from django import template

from reviews import access

register = template.Library()


@register.inclusion_tag("reviews/includes/your_roles.html")
def your_roles(user) -> dict:
    return {"memberships": access.memberships_of(user)}
