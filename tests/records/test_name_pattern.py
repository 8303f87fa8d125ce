"""The pattern that finds names in text (anonymising, and "[another person]" in subject-access exports) is
built as a trie for speed; it must find exactly what one flat alternation of the names, longest first,
finds: the same places, the same lengths, whole words only, case ignored."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from records.services import name_pattern


def flat_pattern(names: list[str]) -> re.Pattern:
    """The plain way to write it (what the portal used before): every name in turn, longest first."""
    ordered = sorted(set(names), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in ordered) + r")(?!\w)", re.IGNORECASE)


# Few letters, so names share beginnings and appear in the text often; spaces, dots, @ and hyphens as in
# full names and email addresses.
LETTERS = "abAB .@-é"
names = st.lists(st.text(LETTERS, min_size=1, max_size=8), min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(names=names, text=st.text(LETTERS + "xZ\n", max_size=60))
def test_the_trie_finds_what_the_flat_alternation_finds(names, text):
    expected = [m.span() for m in flat_pattern(names).finditer(text)]
    assert [m.span() for m in name_pattern(names).finditer(text)] == expected


def test_the_longest_name_wins_and_words_are_whole():
    pattern = name_pattern(["Jo", "Jo Bloggs", "jo bloggs-smith", "ann@example.org"])
    assert pattern.sub("[X]", "Jo met JO BLOGGS-Smith and jo bloggs; Jon, ann@example.org.") == (
        "[X] met [X] and [X]; Jon, [X]."
    )
    assert pattern.sub("[X]", "Joanne and ann@example.orgs") == "Joanne and ann@example.orgs"


def test_no_names_no_pattern():
    assert name_pattern([]) is None
    assert name_pattern([""]) is None
