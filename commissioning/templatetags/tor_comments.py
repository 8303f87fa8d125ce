"""The threads of comments on a section of the terms of reference. A version out for comment has hundreds
of comments, and a template's tags and variables, evaluated for each, were most of the page's time: each
thread is written here in Python instead.

Every value is escaped here (`html.escape`, what Django's `escape` calls) before any markup is added, as in
`commissioning.tor.diff`, so the result is marked safe once, for the whole section."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from commissioning.tor.selectors import CommentRow

register = template.Library()

ADDRESSED = '<strong class="govuk-tag govuk-tag--green">Addressed</strong>'
NOT_ADDRESSED = '<strong class="govuk-tag govuk-tag--yellow">Not addressed</strong>'


def _text(value: str) -> str:
    """What someone wrote, as the `linebreaksbr` filter shows it: escaped, each line break a <br>."""
    return escape(value).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _reply(reply: CommentRow) -> str:
    return (
        '<div class="govuk-!-margin-left-6 govuk-!-margin-bottom-3">\n'
        '<p class="govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1">'
        f'Reply from {escape(reply.author_name)} <span class="govuk-hint govuk-!-display-inline">'
        f"{escape(reply.written)}</span></p>\n"
        f'<p class="govuk-body-s govuk-!-margin-bottom-0">{_text(reply.text)}</p>\n'
        "</div>\n"
    )


def _links(thread: CommentRow, author: str) -> str:
    """Reply, and mark as addressed, each when the view gave the thread its link (`author` is escaped)."""
    links = []
    if thread.reply_url:
        links.append(
            f'<a class="govuk-link" href="{escape(thread.reply_url)}">Reply'
            f'<span class="govuk-visually-hidden"> to {author}</span></a>\n'
        )
    if thread.address_url:
        links.append(
            f'<a class="govuk-link govuk-!-margin-left-3" href="{escape(thread.address_url)}">Mark as addressed'
            f'<span class="govuk-visually-hidden"> the comment by {author}</span></a>\n'
        )
    if not links:
        return ""
    return f'<p class="govuk-body-s govuk-!-margin-bottom-0">\n{"".join(links)}</p>\n'


def _thread(thread: CommentRow) -> str:
    author = escape(thread.author_name)
    if thread.addressed_at:
        tag = ADDRESSED
        addressed = (
            f'<p class="govuk-body-s">Addressed by {escape(thread.addressed_by_name)} on '
            f"{escape(thread.addressed_on)}: {_text(thread.addressed_how)}</p>\n"
        )
    else:
        tag, addressed = NOT_ADDRESSED, ""
    return (
        '<div class="govuk-inset-text">\n'
        f'<p class="govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1">{author} '
        f'<span class="govuk-hint govuk-!-display-inline">{escape(thread.written)}</span>\n{tag}</p>\n'
        f'<p class="govuk-body">{_text(thread.text)}</p>\n'
        f"{''.join(_reply(reply) for reply in thread.replies)}{addressed}{_links(thread, author)}"
        "</div>\n"
    )


@register.simple_tag
def comment_threads(threads: Iterable[CommentRow]) -> SafeString:
    """`{% comment_threads section.threads %}`: each thread's first comment, its replies, how it was
    addressed, and the links the view gave it (see views._label_threads)."""
    # Every value in the markup is escaped by _thread, _reply, _links and _text above.
    return mark_safe("".join(_thread(thread) for thread in threads))  # noqa: S308  # nosec B308 B703
