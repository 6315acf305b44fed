"""Investigation findings name what is compromised; safety findings the system or people at risk.

Issue 13, item 3: a PIO reads on the finding itself whether a comment endangers a witness, an
informant, a juvenile, the location of evidence or an operation's timing, and which public
system or which people a safety finding puts at risk (`Finding.at_risk`).
"""

from __future__ import annotations

import io
import json

import pytest

from piodesk.screening import devsets
from piodesk.screening.cli import run_check
from piodesk.screening.engine import Screener
from piodesk.screening.model import Finding


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.load()


def _at_risk(screener: Screener, text: str, category: str) -> list[str]:
    return [f.at_risk for f in screener.screen_comment(text).findings if f.category == category]


#: Comments written for this test (not in the development sets), and a word each finding's
#: `at_risk` must hold.
INVESTIGATION = [
    ("yo the feds are raiding Dre's spot friday morning, tell him move the stuff", "timing"),
    ("heads up narcs hitting the house on Elm tomorrow at 6am", "timing"),
    ("Jalen Ortiz is the one who called 911 on them, everybody knows", "witness"),
    ("Kayla Price snitched, she's been working with the cops since June", "informant"),
    ("the 14 year old they arrested for the break-ins is Tyler Voss, he goes to Roosevelt",
     "juvenile"),
    ("the knife is still under the porch at the Maple St house, cops never checked lol",
     "evidence"),
]  # fmt: skip

SAFETY = [
    ("the gate code at the impound lot is 4471, been the same for years", "impound lot"),
    ("the side door of the courthouse doesn't latch, you can walk right in", "courthouse"),
    ("county dispatch talkgroup 2201 is the tac channel, scanner it", "radio"),
]


@pytest.mark.parametrize(("text", "word"), INVESTIGATION)
def test_investigation_findings_name_what_is_compromised(
    screener: Screener, text: str, word: str
) -> None:
    got = _at_risk(screener, text, "investigation")
    assert got, f"no investigation finding: {text}"
    assert any(word in a for a in got), got


@pytest.mark.parametrize(("text", "word"), SAFETY)
def test_safety_findings_name_the_system_or_people_at_risk(
    screener: Screener, text: str, word: str
) -> None:
    got = _at_risk(screener, text, "safety")
    assert got, f"no safety finding: {text}"
    assert any(word in a for a in got), got


def test_every_investigation_and_safety_finding_on_the_dev_sets_names_something(
    screener: Screener,
) -> None:
    texts = [e.text for name in ("investigation", "safety") for e in devsets.load(name, "dev")]
    findings = [
        f
        for r in screener.screen_many(texts)
        for f in r.findings
        if f.category in ("investigation", "safety") and not f.rule.endswith(".linear")
    ]
    assert len(findings) > 150
    empty = [(f.rule, f.evidence) for f in findings if not f.at_risk.strip()]
    assert not empty, empty[:5]
    # each names the thing in the text, not a placeholder left unfilled
    assert not [f.at_risk for f in findings if "{" in f.at_risk or "()" in f.at_risk]


def test_at_risk_is_in_the_check_output_beside_the_existing_fields(screener: Screener) -> None:
    line = json.dumps({"id": 7, "text": INVESTIGATION[2][0]})
    out = io.StringIO()
    assert run_check(io.StringIO(line + "\n"), out, None) == 0
    row = json.loads(out.getvalue())
    finding = next(f for f in row["findings"] if f["category"] == "investigation")
    assert finding["at_risk"] == "a witness"
    for field in ("category", "label", "rule", "spans", "evidence", "score", "section",
                  "explanation", "suggestion"):  # fmt: skip
        assert field in finding


def test_a_finding_without_at_risk_keeps_its_old_shape() -> None:
    f = Finding("pii", "pii.phone", (), "719-555-0134", 0.9, "§.20", "A phone number.")
    assert f.at_risk == ""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Officer Kline, I know which daycare your little girl goes to. Have a nice day.",
         "little girl"),
        ("We are going to burn the precinct down on Saturday", "precinct"),
        ("I will kill all immigrants.", "immigrants"),
        ("next council meeting I'm coming strapped with my rifle, somebody's not walking out",
         "meeting"),
    ],
)  # fmt: skip
def test_threat_findings_name_whom_they_threaten(screener: Screener, text: str, words: str) -> None:
    got = _at_risk(screener, text, "threat")
    assert any(words in a for a in got), got
