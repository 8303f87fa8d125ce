"""A state machine declared as data: the states, the transitions (who may make each, what must be true first,
what it changes) and named groups of states, for the tables each app declares in its workflow module.

The review's own lifecycle (`reviews/workflow.py`) has the same shape with richer steps (a form per step,
timeline text). A service asks its table whether a transition may be made from the object's state now,
by whom, and what blocks it; then applies it (`apply`), which runs the effect and sets the new state. Pages
ask the same table which transitions to offer. Nothing else sets these states."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def nothing_blocks(obj: Any, context: Any) -> list[str]:
    return []


def no_effect(obj: Any, context: Any) -> None:
    return None


@dataclass(frozen=True)
class Transition(Generic[T]):
    name: str
    label: str  # what the person does, as a button would say it
    source: frozenset[str]
    target: str
    roles: frozenset[str]  # who may make it (role names on the review)
    guard: Callable[[T, Any], list[str]] = nothing_blocks  # what stops it now, in words; empty when nothing
    effect: Callable[[T, Any], None] = no_effect  # what it changes besides the state


class Machine(Generic[T]):
    """One object's states and transitions. `state_of` reads an object's state; `field`, when the state is
    a model field, is where `apply` writes the target (a state derived from other fields has none: the
    effect makes the change)."""

    def __init__(
        self,
        *,
        states: Iterable[str],
        transitions: Iterable[Transition[T]],
        field: str | None = None,
        state_of: Callable[[T], str] | None = None,
    ):
        self.states = tuple(states)
        self.transitions = {t.name: t for t in transitions}
        self.field = field
        self._state_of = state_of or (lambda obj: getattr(obj, field))
        for t in self.transitions.values():
            unknown = (t.source | {t.target}) - set(self.states)
            if unknown:
                raise ValueError(f"Transition {t.name} names unknown states: {sorted(unknown)}")

    def state_of(self, obj: T) -> str:
        return self._state_of(obj)

    def __getitem__(self, name: str) -> Transition[T]:
        return self.transitions[name]

    def from_state(self, state: str) -> list[Transition[T]]:
        """The transitions that start from `state`, in the table's order."""
        return [t for t in self.transitions.values() if state in t.source]

    def targets(self, state: str) -> list[str]:
        """The states reachable in one step from `state`, in the table's order (what a page offers)."""
        return [t.target for t in self.from_state(state)]

    def between(self, source: str, target: str) -> Transition[T] | None:
        """The transition from `source` to `target`, or None when there is none."""
        return next((t for t in self.from_state(source) if t.target == target), None)

    def allows(self, name: str, obj: T) -> bool:
        """Whether the transition can start from the object's state now (guards aside)."""
        return self.state_of(obj) in self.transitions[name].source

    @staticmethod
    def permitted(transition: Transition[T], roles: Iterable[str]) -> bool:
        return bool(transition.roles & set(roles))

    def blockers(self, transition: Transition[T], obj: T, context: Any = None) -> list[str]:
        return transition.guard(obj, context)

    def apply(self, transition: Transition[T], obj: T, context: Any = None) -> str:
        """Runs the effect and moves the object to the target state (not saved); returns the state before."""
        before = self.state_of(obj)
        transition.effect(obj, context)
        if self.field:
            setattr(obj, self.field, transition.target)
        return before
