"""One text validator for what people type (core/text.py), used by people/ and pages/."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piodesk.core.errors import InvalidInput
from piodesk.core.text import clean_line, clean_text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("before \x1b[2J after", "reason contains a control character (U+001B)"),
        ("nul\x00", "U+0000"),
        ("bell\x07", "U+0007"),
        ("c1 \x9b31m", "U+009B"),
        ("reads \u202ebackwards", "U+202E"),
        ("x" * 501, "reason is too long (501 characters; the limit is 500)"),
        ("   ", "reason is required"),
    ],
)
def test_refusals_name_the_field(value: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        clean_text("reason", value, max_len=500, required=True)


def test_normalises_and_keeps_layout() -> None:
    assert (
        clean_text("note", "  Cafe\u0301\r\nline two\tend  ", max_len=100) == "Café\nline two\tend"
    )
    with pytest.raises(InvalidInput, match="name contains a line break or tab"):
        clean_line("name", "two\nlines", max_len=100)


@given(st.text(max_size=200))
def test_anything_accepted_is_clean(value: str) -> None:
    try:
        out = clean_text("note", value, max_len=200)
    except InvalidInput:
        return
    assert out == out.strip() and len(out) <= 200
    assert all(c in "\n\t" or (ord(c) >= 32 and not 0x7F <= ord(c) <= 0x9F) for c in out)


def test_people_and_pages_use_it(sessions, staff, agency) -> None:
    """An escape sequence in a reason never reaches the audit log (it did before)."""
    from piodesk.core.db import transaction
    from piodesk.core.permissions import Role
    from piodesk.pages import actions as pages
    from piodesk.people import actions as people

    with pytest.raises(InvalidInput, match="U\\+001B"), transaction(sessions) as s:
        people.set_active(
            s, staff[Role.EMPLOYEE].account_id, actor=staff.admin, active=False, reason="\x1b[31mx"
        )
    with transaction(sessions) as s:
        page = pages.register_page(
            s,
            actor=staff.admin,
            agency=agency,
            platform="x",
            handle="h1",
            name="H",
            administering_unit="Patrol",
        )
    with pytest.raises(InvalidInput, match="U\\+009B"), transaction(sessions) as s:
        pages.reject_page(s, page.id, actor=staff[Role.CHIEF], reason="no \x9b2J")
