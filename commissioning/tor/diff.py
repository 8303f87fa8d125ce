"""Side-by-side comparison of two versions of the terms of reference, section by section, word by word.

Every piece of text is escaped here before any markup is added, so templates print the result without
trusting what people typed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from commissioning.models import ToRSection

# A text is compared as a sequence of tokens: words, punctuation marks and line breaks. The spaces between
# tokens are not compared (two texts differing only in spacing are the same), only remembered so each side is
# written as it was; a word at the end of a paragraph is the same word as anywhere else, and "here." becoming
# "here, now." changes the punctuation, not the word. A run of two or more line breaks is one paragraph break.
_PIECES = re.compile(r"[^\S\n]*\n\s*|[^\S\n]+|\w+(?:['’-]\w+)*|[^\w\s]")
LINE, PARAGRAPH = "\n", "\n\n"


@dataclass(frozen=True)
class SectionDiff:
    key: str
    title: str
    old: SafeString  # the old text, removals marked
    new: SafeString  # the new text, additions marked
    status: str  # "same", "changed", "added" or "removed"

    @property
    def changed(self) -> bool:
        return self.status != "same"


@dataclass(frozen=True)
class Text:
    """A text split for comparing: its tokens, and for each whether a space came before it."""

    tokens: list[str]
    spaced: list[bool]


def split(text: str) -> Text:
    """The tokens of `text` (words, punctuation marks, "\\n" for a line break, "\\n\\n" for a paragraph
    break), in order, without the spaces and the breaks at either end."""
    tokens: list[str] = []
    spaced: list[bool] = []
    space = False
    for piece in _PIECES.findall(text.strip()):
        if piece.strip():
            tokens.append(piece)
            spaced.append(space)
            space = False
        elif "\n" in piece:
            tokens.append(PARAGRAPH if piece.count("\n") > 1 else LINE)
            spaced.append(False)
            space = False
        else:
            space = True
    return Text(tokens, spaced)


def tokens(text: str) -> list[str]:
    return split(text).tokens


def _is_break(token: str) -> bool:
    return token in (LINE, PARAGRAPH)


def _html(text: Text, start: int, end: int) -> str:
    """Tokens start..end as HTML, escaped, each after its space (none at the start of a line)."""
    parts = []
    for i in range(start, end):
        token = text.tokens[i]
        if _is_break(token):
            parts.append("<br>" if token == LINE else "<br><br>")
            continue
        if i > start and text.spaced[i] and not _is_break(text.tokens[i - 1]):
            parts.append(" ")
        parts.append(escape(token))
    return "".join(parts)


def _lead(text: Text, start: int) -> str:
    """The space before token `start`, written outside any mark."""
    if 0 < start < len(text.tokens) and text.spaced[start] and not _is_break(text.tokens[start - 1]):
        return " "
    return ""


def _marked(text: Text, start: int, end: int, tag: str, label: str) -> str:
    """Removed or added tokens inside <del> or <ins>, with a label for screen readers; the space before the
    first token and the breaks before or after the words stay outside it. A paragraph or line break alone is
    shown with a pilcrow."""
    run = text.tokens[start:end]
    if all(_is_break(t) for t in run):
        what = "paragraph break" if PARAGRAPH in run else "line break"
        mark = f'<{tag}><span class="govuk-visually-hidden">{label} {what}</span>¶</{tag}>'
        return mark + _html(text, start, end)
    first, last = start, end
    while _is_break(text.tokens[first]):  # breaks before the first word and after the last stay unmarked
        first += 1
    while _is_break(text.tokens[last - 1]):
        last -= 1
    label_html = f'<span class="govuk-visually-hidden">{label} </span>'
    mark = f"{_lead(text, first)}<{tag}>{label_html}{_html(text, first, last)}</{tag}>"
    return _html(text, start, first) + mark + _html(text, last, end)


def words(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The two texts as HTML, with words removed from `old` in <del> and words added to `new` in <ins>.
    Unchanged words are never marked, wherever they fall in a paragraph."""
    a, b = split(old), split(new)
    left, right = [], []
    matcher = difflib.SequenceMatcher(None, a.tokens, b.tokens, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(_lead(a, i1) + _html(a, i1, i2))
            right.append(_lead(b, j1) + _html(b, j1, j2))
            continue
        if i2 > i1:
            left.append(_marked(a, i1, i2, "del", "Removed:"))
        if j2 > j1:
            right.append(_marked(b, j1, j2, "ins", "Added:"))
    # Every piece of text was escaped by _html above; only our own <ins>/<del>/<br> markup is added.
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308  # nosec B308 B703


def compare(old_sections: list[ToRSection], new_sections: list[ToRSection]) -> list[SectionDiff]:
    """Pairs sections by key in the new version's order (sections only in the old version come last)."""
    old_by_key = {s.key: s for s in old_sections}
    new_keys = {s.key for s in new_sections}
    rows = []
    for section in new_sections:
        before = old_by_key.get(section.key)
        left, right = words(before.body if before else "", section.body)
        same = before is not None and tokens(before.body) == tokens(section.body)  # spacing aside
        status = "added" if before is None else "same" if same else "changed"
        rows.append(SectionDiff(section.key, section.title, left, right, status))
    for section in old_sections:
        if section.key not in new_keys:
            left, right = words(section.body, "")
            rows.append(SectionDiff(section.key, section.title, left, right, "removed"))
    return rows
