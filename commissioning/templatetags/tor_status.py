"""Template filters that ask the terms-of-reference workflow about a version's status, so templates name no
status."""

from __future__ import annotations

from django import template

from commissioning.models import ToRVersion
from commissioning.tor import workflow

register = template.Library()

Status = ToRVersion.Status
TAG_CLASSES = {
    Status.DRAFT: "govuk-tag--yellow",
    Status.OUT_FOR_COMMENT: "govuk-tag--blue",
    Status.APPROVED: "govuk-tag--green",
    Status.SUPERSEDED: "govuk-tag--grey",
}


@register.filter
def tor_tag_class(version: ToRVersion) -> str:
    """The colour of the version's status tag."""
    return TAG_CLASSES[version.status]


@register.filter
def tor_out_for_comment(version: ToRVersion) -> bool:
    return workflow.is_commentable(version)


@register.filter
def tor_approved(version: ToRVersion) -> bool:
    return workflow.is_approved(version)
