"""`{% plan_row row board_plan %}`: one row of an action plan's table, written at once.

A board's plan page shows 25 rows of seven cells; through the template engine each row cost some forty
variable and filter lookups, most of the page's rendering. Written here, every value is escaped as the
template escaped it, and the HTML is the same (tests/responses/test_plan_row.py compares the
two)."""

from __future__ import annotations

from html import escape

from django import template
from django.template.defaultfilters import pluralize
from django.utils.safestring import SafeString, mark_safe

from responses.actions.selectors import PlanRow
from scr_portal.dates import long_date

register = template.Library()


def _date(value) -> str:
    # The portal's DATE_FORMAT ("j F Y") written directly, as `scr_portal.dates.long_date` does: through
    # Django's formatter each date cost a lookup of the format and a parse of it, 50 times a page.
    return long_date(value)


def _e(value) -> str:
    """`value` escaped as the template escapes it (Django's `escape` is the standard library's on its text),
    without the checks for lazy strings Django's makes on each of a page's hundreds of calls."""
    return escape(str(value))


@register.simple_tag
def plan_row(row: PlanRow, board_plan: bool) -> SafeString:
    """The row of `row` (a selectors.PlanRow with its `url`); `board_plan` names the review in the link."""
    link = f"{_e(row.reference)} action {row.number}" if board_plan else f"Action {row.number}"
    plan_priority = f"; business plan priority {row.plan_priority}" if row.plan_priority else ""
    deferred = (
        f'<br><span class="govuk-body-s">until {_date(row.deferred_until)}</span>'
        if row.deferred_until
        else ""
    )
    # Every text from the database is escaped here (`_e`); numbers, dates written by `_date` and the
    # module's own class names and labels are not text anyone entered.
    html = (
        '<tr class="govuk-table__row">'
        f'<td class="govuk-table__cell"><a class="govuk-link" href="{_e(row.url)}">{link}</a></td>'
        f'<td class="govuk-table__cell">{_e(row.summary)}<br><span class="govuk-body-s app-secondary-text">'
        f"Responds to finding{pluralize(len(row.findings))} {row.finding_numbers}{plan_priority}</span></td>"
        f'<td class="govuk-table__cell">{_e(row.agency or "")}<br>'
        f'<span class="govuk-body-s app-secondary-text">{_e(row.owner_name or "")}</span></td>'
        f'<td class="govuk-table__cell">{_e(row.priority)}</td>'
        f'<td class="govuk-table__cell app-nowrap">{_date(row.due_on)}</td>'
        f'<td class="govuk-table__cell"><strong class="govuk-tag {row.status_class}">{_e(row.status)}</strong>'
        f"{deferred}</td>"
        f'<td class="govuk-table__cell"><strong class="govuk-tag {row.rag_item.tag_class}">'
        f"{_e(row.rag_item.label)}</strong></td>"
        "</tr>"
    )
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - each value is escaped above
