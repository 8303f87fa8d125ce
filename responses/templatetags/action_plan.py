"""`{% plan_row row board_plan %}`: one row of an action plan's table, written at once.

A board's plan page shows 25 rows of seven cells; through the template engine each row cost some forty
variable and filter lookups, most of the page's rendering. Written here with `format_html`, every value is
escaped as the template escaped it, and the HTML is the same (tests/responses/test_plan_row.py compares the
two)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html
from django.utils.safestring import SafeString

from responses.actions.selectors import PlanRow
from scr_portal.dates import long_date

register = template.Library()


def _date(value) -> str:
    # The portal's DATE_FORMAT ("j F Y") written directly, as `scr_portal.dates.long_date` does: through
    # Django's formatter each date cost a lookup of the format and a parse of it, 50 times a page.
    return long_date(value)


@register.simple_tag
def plan_row(row: PlanRow, board_plan: bool) -> SafeString:
    """The row of `row` (a selectors.PlanRow with its `url`); `board_plan` names the review in the link."""
    link = (
        format_html("{} action {}", row.reference, row.number)
        if board_plan
        else format_html("Action {}", row.number)
    )
    plan_priority = format_html("; business plan priority {}", row.plan_priority) if row.plan_priority else ""
    deferred = (
        format_html('<br><span class="govuk-body-s">until {}</span>', _date(row.deferred_until))
        if row.deferred_until
        else ""
    )
    return format_html(
        '<tr class="govuk-table__row">'
        '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a></td>'
        '<td class="govuk-table__cell">{}<br><span class="govuk-body-s app-secondary-text">Responds to finding{} {}{}'
        "</span></td>"
        '<td class="govuk-table__cell">{}<br><span class="govuk-body-s app-secondary-text">{}</span></td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell app-nowrap">{}</td>'
        '<td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong>{}</td>'
        '<td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong></td>'
        "</tr>",
        row.url,
        link,
        row.summary,
        pluralize(len(row.findings)),
        row.finding_numbers,
        plan_priority,
        row.agency or "",
        row.owner_name or "",
        row.priority,
        _date(row.due_on),
        row.status_class,
        row.status,
        deferred,
        row.rag_item.tag_class,
        row.rag_item.label,
    )
