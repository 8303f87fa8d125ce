"""An action plan's row, written by `{% plan_row %}` for speed (issue 17), is the HTML the template wrote
before: every value escaped the same way, dates in the portal's format, the deferred date and business plan
priority only when there are."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from django.template import Context, Template

from responses.actions.selectors import RAG_BY_VALUE, PlanRow

# The row as plan.html wrote it with the template engine, before the tag.
TEMPLATE_ROW = Template(
    """<tr class="govuk-table__row">
  <td class="govuk-table__cell"><a class="govuk-link" href="{{ a.url }}">{% if board %}{{ a.reference }} action {{ a.number }}{% else %}Action {{ a.number }}{% endif %}</a></td>
  <td class="govuk-table__cell">{{ a.summary }}<br><span class="govuk-body-s app-secondary-text">Responds to finding{{ a.findings|length|pluralize }} {{ a.finding_numbers }}{% if a.plan_priority %}; business plan priority {{ a.plan_priority }}{% endif %}</span></td>
  <td class="govuk-table__cell">{{ a.agency }}<br><span class="govuk-body-s app-secondary-text">{{ a.owner_name }}</span></td>
  <td class="govuk-table__cell">{{ a.priority }}</td>
  <td class="govuk-table__cell app-nowrap">{{ a.due_on|date }}</td>
  <td class="govuk-table__cell"><strong class="govuk-tag {{ a.status_class }}">{{ a.status }}</strong>{% if a.deferred_until %}<br><span class="govuk-body-s">until {{ a.deferred_until|date }}</span>{% endif %}</td>
  <td class="govuk-table__cell"><strong class="govuk-tag {{ a.rag_item.tag_class }}">{{ a.rag_item.label }}</strong></td>
</tr>"""
)
TAG_ROW = Template("{% load action_plan %}{% plan_row a board_plan=board %}")

HOSTILE = "<script>alert('x')</script> & \"quotes\" =SUM(A1) " + "long " * 60
ROW = PlanRow(
    review_id=1,
    number=7,
    reference="B<1>&'2026",
    description=HOSTILE,
    findings=(1, 3),
    plan_priority=None,
    agency="Children's <Services> & Co",
    owner_name='Jo "O\'Brien"',
    priority="High",
    due_on=date(2026, 3, 27),
    status="In progress",
    status_value="in_progress",
    deferred_until=None,
    rag_item=RAG_BY_VALUE["red"],
    url="/reviews/1/response/actions/7/?a=1&b=<2>",
)


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    "row",
    [
        ROW,
        replace(ROW, findings=(2,), plan_priority=3),
        replace(ROW, status="Deferred", status_value="deferred", deferred_until=date(2027, 1, 5)),
        replace(
            ROW, findings=(), rag_item=RAG_BY_VALUE["green"], status="Completed", status_value="completed"
        ),
    ],
)
@pytest.mark.parametrize("board", [None, "Board 1"])
def test_the_tag_writes_the_row_the_template_wrote(row, board):
    context = {"a": row, "board": board}
    ours = TAG_ROW.render(Context(context))
    assert _same(ours) == _same(TEMPLATE_ROW.render(Context(context)))
    assert "<script>" not in ours and "&lt;script&gt;" in ours
