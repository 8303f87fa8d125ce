"""Authorization-walk rows for the response's actions pages (merged into tests/test_authorization.py)."""

from __future__ import annotations

from tests.routes import Route, _object  # noqa: F401

ROUTES: dict[str, Route] = {}
