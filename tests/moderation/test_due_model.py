"""The pure rules of due process: the viewpoint guard, the block grounds, plain findings."""

from __future__ import annotations

import pytest

from piodesk.core.errors import InvalidInput
from piodesk.moderation.model import (
    Action,
    BlockGrounds,
    Guard,
    check_block_grounds,
    plain_finding,
    viewpoint_guard,
)


def test_the_guard_holds_what_screening_did_not_find_and_notes_about_viewpoint() -> None:
    held = viewpoint_guard(Action.REMOVE, "threat", "Disrespectful to officers", frozenset())
    assert [g for g, _ in held] == [Guard.NO_FINDING, Guard.VIEWPOINT_NOTE]
    other = viewpoint_guard(Action.HIDE, "threat", "menaces a named officer", {"profanity"})
    assert [g for g, _ in other] == [Guard.OTHER_FINDING]
    tone = viewpoint_guard(Action.HIDE, "profanity", "rude tone toward the chief", {"profanity"})
    assert [g for g, _ in tone] == [Guard.VIEWPOINT_NOTE]
    assert viewpoint_guard(Action.HIDE, "profanity", "uses the f-word twice", {"profanity"}) == []
    assert viewpoint_guard(Action.KEEP, "no_violation", "disrespectful but lawful", set()) == []


def test_a_block_needs_a_later_violation_after_a_delivered_warning() -> None:
    with pytest.raises(InvalidInput, match="warned"):
        check_block_grounds(BlockGrounds(None, None))
    with pytest.raises(InvalidInput, match="not delivered"):
        check_block_grounds(BlockGrounds(None, None, None, undelivered_warning_id=3))
    with pytest.raises(InvalidInput, match="later violation"):
        check_block_grounds(BlockGrounds(1, None))
    check_block_grounds(BlockGrounds(1, None, violation_id=7))
    check_block_grounds(BlockGrounds(None, 4))  # counsel's concurrence


def test_the_profanity_finding_speaks_of_profanity_not_hate() -> None:
    text = plain_finding(
        "profanity", 'The comment uses profane, obscene or hateful language ("fuck").'
    )
    assert "hateful" not in text and "profane or obscene" in text and "“fuck”" in text
