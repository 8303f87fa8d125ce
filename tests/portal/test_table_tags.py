"""The table components: `{% govuk_table %}` (a builtin) for pages, `{% print_head %}` for printed documents."""

import re

from django.template import Context, Template


def _render(source: str, **context) -> str:
    return re.sub(r">\s+<", "><", Template(source).render(Context(context)).strip())


def test_govuk_table_writes_caption_head_and_rows():
    html = _render(
        '{% govuk_table "Board" "Reviews led:numeric" "Change:hidden" caption="Boards" %}'
        '<tr class="govuk-table__row"><td>x</td></tr>{% endgovuk_table %}'
    )
    assert html == (
        '<div class="app-table-scroll" role="region" aria-label="Boards" tabindex="0">'
        '<table class="govuk-table">'
        '<caption class="govuk-table__caption govuk-visually-hidden">Boards</caption>'
        '<thead class="govuk-table__head"><tr class="govuk-table__row">'
        '<th scope="col" class="govuk-table__header">Board</th>'
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Reviews led</th>'
        '<th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Change</span></th>'
        "</tr></thead>"
        '<tbody class="govuk-table__body"><tr class="govuk-table__row"><td>x</td></tr></tbody>'
        "</table></div>"
    )


def test_govuk_table_options_a_caption_with_tags_and_a_column_left_out():
    source = (
        '{% govuk_table "Date" can_manage|yesno:"Actions:hidden," caption_size="m" small_text=True id="t" %}'
        "Held by {{ board }}{% if filtered %}, filtered{% endif %}{% rows %}{% endgovuk_table %}"
    )
    html = _render(source, board="North & South", filtered=True, can_manage=False)
    # The scrolling region is named by the caption, as plain text on one line, escaped once.
    assert html.startswith(
        '<div class="app-table-scroll" role="region" aria-label="Held by North &amp; South, filtered" tabindex="0">'
        '<table class="govuk-table govuk-table--small-text-until-tablet" id="t">'
    )
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--m">Held by North &amp; South, filtered</caption>'
        in html
    )
    assert "Actions" not in html
    assert "Actions" in _render(source, board="N", can_manage=True)


def test_govuk_table_names_its_region_by_the_caption_text_without_tags():
    html = _render(
        '{% govuk_table "Name" %}People on <span lang="cy">{{ board }}</span>\n  (all){% rows %}{% endgovuk_table %}',
        board='Bwrdd "Gogledd"',
    )
    assert 'aria-label="People on Bwrdd &quot;Gogledd&quot; (all)"' in html


def test_print_head_gives_each_column_its_width_class():
    html = _render('{% load print_table %}{% print_head "number:No." "Business" "view:The board\'s view" %}')
    assert html == (
        '<thead><tr><th scope="col" class="col-number">No.</th><th scope="col">Business</th>'
        '<th scope="col" class="col-view">The board&#x27;s view</th></tr></thead>'
    )
