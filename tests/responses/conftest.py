from __future__ import annotations

import pytest

from responses.themes import STANDARD_THEMES, ensure_standard_themes


@pytest.fixture(autouse=True)
def standard_themes(db) -> None:
    """The standard themes come from a migration; a transactional test's flush removes them."""
    from responses.models import Theme

    if Theme.objects.count() < len(STANDARD_THEMES):
        ensure_standard_themes()
