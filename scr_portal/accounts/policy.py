"""Who must use a second factor at sign-in. The accounts app knows only its own people (staff); an app
that gives people powerful roles adds its own test here from its `ready()` (reviews adds chairs), so the
infrastructure imports no domain app."""

from __future__ import annotations

from collections.abc import Callable

_requirements: list[Callable[[object], bool]] = []


def require_two_factor_when(test: Callable[[object], bool]) -> None:
    """Registers a test: a person for whom it is true must use a second factor."""
    if test not in _requirements:
        _requirements.append(test)


def requires_two_factor(user) -> bool:
    """Administrators, and anyone a registered test names, must use a second factor; anyone may. Demo
    accounts can be waived."""
    if not user.is_authenticated or user.two_factor_waived:
        return False
    return user.is_staff or any(test(user) for test in _requirements)
