"""PII detectors (§.20): table-driven positives and negatives, one detector id per case."""

from __future__ import annotations

import pytest

from piodesk.screening.detectors.pii import luhn_ok, person_name_spans
from piodesk.screening.engine import Screener


def _rules(screener: Screener, text: str) -> set[str]:
    found = set()
    for f in screener.screen_comment(text).findings:
        if f.category == "pii":
            found.add(f.rule)
            found.update(
                r.strip() for r in f.evidence.partition("(also ")[2].rstrip(")").split(",")
            )
    return {r for r in found if r}


POSITIVE = [
    ("pii.phone", "call me at (719) 555-0134 after 5"),
    ("pii.phone", "my cell is +1 719 555 0134"),
    ("pii.phone", "ring me on +44 20 7946 0958"),
    ("pii.email", "write to jane.doe+cops@example.org please"),
    ("pii.ssn", "his SSN is 078-05-1121"),
    ("pii.ssn", "social security number 219 09 9999"),
    ("pii.dob", "she was born on 04/12/1987"),
    ("pii.dob", "DOB: March 3, 1990"),
    ("pii.address", "he lives at 1234 North Academy Blvd, Colorado Springs, CO 80909"),
    ("pii.address", "send it to 55 W Elm St Apt 4"),
    ("pii.address", "PSC 1234, Box 5678 APO AE 09012"),
    ("pii.plate", "the car had plate number ABC-1234"),
    ("pii.plate", "license plate is 7XYZ123"),
    ("pii.drivers_license", "driver's license number D1234567"),
    ("pii.card", "card 4111 1111 1111 1111 exp 12/27"),
    ("pii.card", "visa 4012888888881881"),
    ("pii.ip", "her IP is 203.0.113.45"),
    ("pii.ip", "connect from 2001:db8::8a2e:370:7334"),
    ("pii.person_details", "John Smith lives at the corner house"),
    ("pii.person_details", "Maria Lopez's phone number is on the flyer"),
]

NEGATIVE = [
    ("pii.phone", "we have 1,234,567 residents"),
    ("pii.phone", "the year 2024 was hard"),
    ("pii.ssn", "case 000-12-3456 is closed"),  # area 000 is never issued
    ("pii.ssn", "order 123456789 shipped"),  # nine digits without context score too low
    ("pii.dob", "the meeting is on 04/12/2026"),  # a date without birth words
    ("pii.address", "I waited 45 minutes on the phone"),
    ("pii.address", "42 U.S.C. 1983 exists for a reason"),
    ("pii.card", "4111 1111 1111 1112 is not a card"),  # fails Luhn
    ("pii.card", "0000 0000 0000 0000"),
    ("pii.ip", "version 1.2.3 released"),
    ("pii.ip", "999.1.1.1 is not an address"),
    ("pii.ip", "meet at 12:30:45"),
    ("pii.email", "tag me @someone on the post"),
    ("pii.person_details", "The chief should resign"),
    ("pii.plate", "the plates were all broken at the diner"),
]


@pytest.mark.parametrize(("rule", "text"), POSITIVE)
def test_finds(rules_only: Screener, rule: str, text: str) -> None:
    assert rule in _rules(rules_only, text)


@pytest.mark.parametrize(("rule", "text"), NEGATIVE)
def test_does_not_find(rules_only: Screener, rule: str, text: str) -> None:
    assert rule not in _rules(rules_only, text)


def test_span_is_the_number_in_the_original_text(rules_only: Screener) -> None:
    text = "Call 719-555-0134 now"
    (f,) = [f for f in rules_only.screen_comment(text).findings if f.rule == "pii.phone"]
    (span,) = f.spans
    assert text[span.start : span.end] == "719-555-0134"
    assert f.section == "§.20"
    assert f.explanation


@pytest.mark.parametrize(
    ("number", "ok"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", False)],
)
def test_luhn(number: str, ok: bool) -> None:
    assert luhn_ok(number) is ok


def test_person_name_candidates() -> None:
    text = "My name is Dana Whitfield and Officer Brooks took the report."
    names = [text[s:e] for s, e in person_name_spans(text)]
    assert "Dana Whitfield" in names
    assert any("Brooks" in n for n in names)
