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

_TOKENS = re.compile(r"\s+|\S+\s*")  # each word with the space after it, so spaces alone never match


@dataclass(frozen=True)
class SectionDiff:
    key: str
    title: str
    old: SafeString  # the old text, removals marked
    new: SafeString  # the new text, additions marked
    status: str  # "same", "changed", "added" or "removed"


def _text(tokens: list[str]) -> str:
    return escape("".join(tokens)).replace("\n", "<br>")


def _marked(tokens: list[str], tag: str, label: str) -> str:
    if not "".join(tokens).strip():
        return _text(tokens)
    return f'<{tag}><span class="govuk-visually-hidden">{label} </span>{_text(tokens)}</{tag}>'


def words(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The two texts as HTML, with words removed from `old` in <del> and words added to `new` in <ins>."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(_text(a[i1:i2]))
            right.append(_text(b[j1:j2]))
            continue
        if i2 > i1:
            left.append(_marked(a[i1:i2], "del", "Removed:"))
        if j2 > j1:
            right.append(_marked(b[j1:j2], "ins", "Added:"))
    # Every piece was escaped by _text/_marked above; only our own <ins>/<del> markup is added.
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308  # nosec B308 B703


def compare(old_sections: list[ToRSection], new_sections: list[ToRSection]) -> list[SectionDiff]:
    """Pairs sections by key in the new version's order (sections only in the old version come last)."""
    old_by_key = {s.key: s for s in old_sections}
    new_keys = {s.key for s in new_sections}
    rows = []
    for section in new_sections:
        before = old_by_key.get(section.key)
        left, right = words(before.body if before else "", section.body)
        status = "added" if before is None else "same" if before.body == section.body else "changed"
        rows.append(SectionDiff(section.key, section.title, left, right, status))
    for section in old_sections:
        if section.key not in new_keys:
            left, right = words(section.body, "")
            rows.append(SectionDiff(section.key, section.title, left, right, "removed"))
    return rows
