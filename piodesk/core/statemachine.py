"""Declared states and transitions, checked once when a machine is defined and on every move.

Modelled on Takahē's stator graphs, but stricter: an undeclared transition is refused at run
time, so a page can never jump from "retired" back to "approved" by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from piodesk.core.errors import Conflict

S = TypeVar("S", bound=StrEnum)


class StateMachine(Generic[S]):
    """A set of states, the moves allowed between them, and the initial state."""

    def __init__(self, name: str, initial: S, transitions: Mapping[S, Iterable[S]]) -> None:
        self.name = name
        self.initial = initial
        self.transitions: dict[S, frozenset[S]] = {s: frozenset(t) for s, t in transitions.items()}
        states = type(initial)
        missing = [s for s in states if s not in self.transitions]
        if missing:
            raise TypeError(f"{name}: states without a transition entry: {missing}")
        for source, targets in self.transitions.items():
            for target in targets:
                if target not in states:
                    raise TypeError(f"{name}: {source} -> {target!r} is not a state")

    def allowed(self, source: S) -> frozenset[S]:
        """The states reachable in one move from ``source``."""
        return self.transitions[source]

    def check(self, source: S, target: S) -> S:
        """Return ``target`` if the move is declared; refuse it otherwise."""
        if target not in self.transitions[source]:
            raise Conflict(f"{self.name}: cannot go from '{source}' to '{target}'")
        return target

    def terminal(self, state: S) -> bool:
        """True when no move leaves ``state``."""
        return not self.transitions[state]
