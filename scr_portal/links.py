"""Links for long lists: a page with hundreds of rows links each row, and `reverse` once per row was a
good part of such a page's time."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# Numbers no real id is given in a test or a demo, each found once in the reversed URL.
_STAND_INS = (918273645, 918273646, 918273647)


def url_for_each(url_name: str, *fixed, variable: int = 1) -> Callable[..., str]:
    """`reverse(url_name, args=[*fixed, *ids])` for any integer `ids` (the last `variable` arguments), at
    the cost of one `reverse`: the URL is reversed once with stand-ins, which each call replaces."""
    stand_ins = _STAND_INS[:variable]
    url = reverse(url_name, args=[*fixed, *stand_ins])

    def url_with(*ids: int) -> str:
        made = url
        for stand_in, value in zip(stand_ins, ids, strict=True):
            made = made.replace(str(stand_in), str(int(value)), 1)
        return made

    return url_with
