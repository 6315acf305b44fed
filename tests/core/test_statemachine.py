"""State machines refuse undeclared moves, at definition and at run time."""

from __future__ import annotations

from enum import StrEnum

import pytest

from piodesk.core.errors import Conflict
from piodesk.core.statemachine import StateMachine
from piodesk.pages.model import PAGE_LIFECYCLE, PageState


class Light(StrEnum):
    RED = "red"
    GREEN = "green"


def test_definition_must_cover_every_state() -> None:
    with pytest.raises(TypeError, match="without a transition"):
        StateMachine("light", Light.RED, {Light.RED: {Light.GREEN}})


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (PageState.PENDING, PageState.APPROVED, True),
        (PageState.PENDING, PageState.REJECTED, True),
        (PageState.APPROVED, PageState.RETIRED, True),
        (PageState.REJECTED, PageState.PENDING, True),
        (PageState.PENDING, PageState.RETIRED, False),
        (PageState.RETIRED, PageState.APPROVED, False),
        (PageState.APPROVED, PageState.PENDING, False),
        (PageState.REJECTED, PageState.APPROVED, False),
    ],
)
def test_page_lifecycle(source: PageState, target: PageState, allowed: bool) -> None:
    if allowed:
        assert PAGE_LIFECYCLE.check(source, target) == target
    else:
        with pytest.raises(Conflict, match=f"from '{source}' to '{target}'"):
            PAGE_LIFECYCLE.check(source, target)


def test_retired_is_terminal() -> None:
    assert PAGE_LIFECYCLE.terminal(PageState.RETIRED)
