"""The authorization walk's table rows (see tests/test_authorization.py), shared so each part of the
project can keep its own rows beside its tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import World


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[World], dict] = lambda w: {}
    method: str = "get"
    public: bool = False  # reachable without signing in
    allowed: str | None = None  # a World person who may use it (object routes)
    denied: tuple[str, ...] = ()  # World people who must get 403 or 404
    data: dict = field(default_factory=dict)
    ok_status: int = 200  # what someone entitled gets (302 where the view redirects onward)


def _object(kwargs, allowed, denied=("east_manager",), ok_status=200) -> Route:
    return Route(kwargs=kwargs, allowed=allowed, denied=denied, ok_status=ok_status)
