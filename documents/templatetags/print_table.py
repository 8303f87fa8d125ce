"""The head row of a table in a printed document: `{% print_head "number:No." "Business" %}` gives each
column its heading and, before a colon, the `col-` class that sets its width in the print stylesheet."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def print_head(*columns: str) -> SafeString:
    cells = []
    for column in columns:
        width, colon, text = column.rpartition(":")
        cells.append((format_html(' class="col-{}"', width) if colon else "", text))
    return format_html("<thead><tr>{}</tr></thead>", format_html_join("", '<th scope="col"{}>{}</th>', cells))
