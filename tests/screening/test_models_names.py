"""The person-name finder: names with a gazetteer or context, not ordinary capitalized words."""

from __future__ import annotations

import pytest

from piodesk.screening.models.names import find_person_names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My name is Jennifer Walsh and I live on Elm", "Jennifer Walsh"),
        ("Please ask Officer Kowalczyk about the report", "Kowalczyk"),
        ("Name: Sieda Batukayev\nPhone: 555-0100", "Sieda Batukayev"),
        ("I saw Michael Brown at the corner store yesterday", "Michael Brown"),
    ],
)
def test_finds_names(text: str, name: str) -> None:
    spans = find_person_names(text)
    assert any(text[s:e] == name for s, e, _c in spans), spans
    assert all(0.0 < c < 1.0 for _s, _e, c in spans)


@pytest.mark.parametrize(
    "text",
    [
        "The Police Department should answer for this.",
        "Main Street is closed between 5th and 9th Avenue.",
        "I can't stand cops.",
        "",
        "ALL CAPS COMPLAINT ABOUT PARKING",
    ],
)
def test_ignores_ordinary_capitalized_words(text: str) -> None:
    assert find_person_names(text) == []
