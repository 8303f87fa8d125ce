from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _themes(standard_themes) -> None:
    """Every response test has the standard themes (see tests/conftest.py)."""
