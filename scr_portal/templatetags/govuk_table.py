"""One GOV.UK table: `{% govuk_table %}` writes the table, its caption and its head, so a page writes only
its rows. It is a template builtin (settings.TEMPLATES), so pages use it without `{% load %}`.

    {% govuk_table "Board" "Reviews led:numeric" caption="Boards you take part in" %}
      {% for board in boards %}<tr class="govuk-table__row">…</tr>{% endfor %}
    {% endgovuk_table %}

Each positional argument is a column heading; a suffix styles it (`:numeric`, `:one-third`, `:one-half`,
`:hidden` for a heading only screen readers hear), and an empty value leaves the column out
(`can_manage|yesno:"Actions:hidden,"`). The caption is visually hidden unless `caption_size` is "s" or
"m"; a caption that needs tags goes in the block, straight after the tag and up to `{% rows %}`
(`{% govuk_table "Name" %}People on {{ board.name }}{% rows %}…`), instead of in `caption`.
`small_text` and `id` are the table's own options.

The table sits in its own scrolling region, named by the caption and reachable by keyboard, so a table
wider than a phone's screen scrolls by itself and the page never scrolls sideways (WCAG 1.4.10)."""

from __future__ import annotations

from html import unescape

from django import template
from django.template.base import token_kwargs
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, strip_tags

register = template.Library()

HEADING_STYLES = {
    "numeric": "govuk-table__header--numeric",
    "one-third": "govuk-!-width-one-third",
    "one-half": "govuk-!-width-one-half",
    "hidden": "",
}


def heading(spec: str) -> dict:
    """A column heading from its argument: the text, then an optional `:style`."""
    text, colon, style = spec.rpartition(":")
    if not colon or style not in HEADING_STYLES:
        text, style = spec, ""
    return {"text": text, "class": HEADING_STYLES.get(style, ""), "hidden": style == "hidden"}


def region_label(caption: str) -> str:
    """The caption as one line of plain text (the template escapes it), for the scrolling region's name."""
    return " ".join(unescape(strip_tags(conditional_escape(caption))).split())


class GovukTableNode(template.Node):
    def __init__(self, headings, options, caption, rows):
        self.headings, self.options, self.caption, self.rows = headings, options, caption, rows

    def render(self, context) -> str:
        options = {name: value.resolve(context) for name, value in self.options.items()}
        caption = self.caption.render(context) if self.caption is not None else options.get("caption", "")
        specs = (str(h.resolve(context)) for h in self.headings)
        return render_to_string(
            "includes/govuk_table.html",
            {
                "caption": caption,
                "label": region_label(caption),
                "caption_size": options.get("caption_size", ""),
                "small_text": options.get("small_text", False),
                "id": options.get("id", ""),
                "headings": [heading(spec) for spec in specs if spec],
                "rows": self.rows.render(context),
            },
        )


@register.tag
def govuk_table(parser, token) -> GovukTableNode:
    bits = token.split_contents()[1:]
    headings = []
    while bits and "=" not in bits[0]:
        headings.append(parser.compile_filter(bits.pop(0)))
    options = token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"govuk_table: cannot read {bits[0]!r}")
    caption = None
    body = parser.parse(("rows", "endgovuk_table"))
    if parser.next_token().contents == "rows":
        caption, body = body, parser.parse(("endgovuk_table",))
        parser.delete_first_token()
    return GovukTableNode(headings, options, caption, body)
