"""Threats (§.20): direct, conditional, wished, veiled; negations and idioms are not threats."""

from __future__ import annotations

import pytest

from piodesk.screening.detectors.base import ScanContext
from piodesk.screening.detectors.threat import ThreatDetector

_DET = ThreatDetector()


def _rules(text: str) -> list[str]:
    return [f.rule for f in _DET.detect(ScanContext(text))]


_FINDS = [
    ("I will shoot you", "threat.direct"),
    ("im gonna kill that cop", "threat.direct"),
    ("we're going to burn down the precinct", "threat.direct"),
    ("If you write me another ticket I'll beat your face in", "threat.direct"),
    ("if they evict us we will kill them", "threat.direct"),
    ("I swear I'll stab him", "threat.direct"),
    ("I hope someone kills the chief", "threat.wished"),
    ("I hope you die", "threat.wished"),
    ("that officer deserves to be shot", "threat.wished"),
    ("someone should put a bullet in him", "threat.wished"),
    ("kys", "threat.wished"),
    ("kill all cops", "threat.incitement"),
    ("It is not banned there. Kill them", "threat.incitement"),  # negation is per clause
    ("Time to nuke them", "threat.incitement"),
    ("those animals, kill them all", "threat.incitement"),
    ("what we need is a global genocide", "threat.incitement"),
    ("I'd beat the hell out of him", "threat.direct"),
    ("she needs a good beating", "threat.wished"),
    ("I wish you death", "threat.wished"),
    ("they should all die", "threat.wished"),
    ("Let's hang them all", "threat.incitement"),
    ("death to the pigs", "threat.incitement"),
    ("they must be exterminated", "threat.wished"),
    ("I know where you live", "threat.veiled"),
    ("watch your back officer", "threat.veiled"),
    ("you're dead", "threat.veiled"),
    ("gonna shoot up the school tomorrow", "threat.place"),
    ("I'll k1ll u", "threat.direct"),
    ("I wіll ѕhoot you", "threat.direct"),  # Cyrillic look-alikes
    ("Just nuke the whole country", "threat.incitement"),  # an order, any object
    ("destroy islam", "threat.incitement"),
    ("The best thing we can do is sterilize these people", "threat.incitement"),
    ("die already", "threat.wished"),
    ("Go bleach yourself", "threat.wished"),  # urging self-harm
    ("Do the world a favor and die", "threat.wished"),
    ("stoning must be legal for them", "threat.incitement"),  # approving violence
    ("Killing those people is good", "threat.incitement"),
    ("I'm looking for a hitman to deal with her", "threat.incitement"),
    ("I love watching them get killed", "threat.wished"),
    ("you will feel the wrath of my knife", "threat.direct"),
    ("Keep talking and I'll get you set on fire", "threat.direct"),
    ("I hope they knock him to the ground", "threat.wished"),
    ("I would beat the shit out of every one of them", "threat.direct"),
    ("she needs to break his face", "threat.incitement"),
    ("I liked them, not anymore, those guys should die", "threat.wished"),  # new clause
    ("TERRORISTS INSULTING ISLAM KILL THOSE TERRORISTS", "threat.incitement"),  # no marks
]


@pytest.mark.parametrize(("text", "rule"), _FINDS)
def test_finds(text: str, rule: str) -> None:
    assert rule in _rules(text)


_NOT_FOUND = [
    "I would never hurt anyone",
    "I don't want to kill anybody",
    "Nobody should threaten officers",
    "no one should shoot a fleeing man",
    "This traffic is killing me",
    "I'd kill for a decent coffee",
    "I'll shoot you an email",
    "shoot me a message when it's ready",
    "we beat the traffic today",
    "I'm going to destroy your argument at the hearing",
    "I will fight this ticket in court",
    "The police killed an unarmed man",  # a report, not a threat
    "he threatened to kill me and you did nothing",
    "the comedian killed it",
    "I'm dead serious",
    "Let's kill this bill",
    "I hope the chief resigns",
    "I hope nobody gets hurt",
    "cops shoot people and get away with it",
    "I will end this discussion now",
    "It is wrong to wish death on anyone",
    "the genocide of the Armenians must never be forgotten",
    "this bill needs a good rewrite",
    "Kill the surveillance budget, fund libraries.",  # policy, not people
    "Let's nuke this proposal at the council meeting",
    "Can we hang out after the meeting?",
    "I would never hope they hurt anyone",
    "Killing time at the DMV is never fun",
    "Go die on another hill, this ordinance is fine",  # an idiom
    "I would never, ever wish that they die",
    "No, nobody should be shot over a parking ticket",
    "they kill those people in the movie every time",  # a subject: a report, not an order
    "Officers here shoot all the time at the range",
    "my cousin will shoot all the photos at the wedding",
]


@pytest.mark.parametrize("text", _NOT_FOUND)
def test_does_not_find(text: str) -> None:
    assert _rules(text) == []


def test_span_points_at_the_threat() -> None:
    text = "Listen. I will shoot you."
    (f,) = _DET.detect(ScanContext(text))
    (span,) = f.spans
    assert text[span.start : span.end] == "I will shoot you"


def test_rule_gating_never_changes_findings() -> None:
    """Each pattern runs only when one of its words is in the text; that must be only a
    shortcut: gated and ungated detectors agree on the phrases above, the protected-speech set
    and, when the shared data is present, every ETHOS comment and OLID's held-out tweets."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[2].parent / "shared" / "data"  # as conftest.DATA
    texts = [t for t, _r in _FINDS] + _NOT_FOUND
    texts += [
        line
        for line in (Path(__file__).parent / "protected_speech.txt").read_text("utf-8").split("\n")
        if line and not line.startswith("#")
    ]
    if (data / "ethos").is_dir():
        from piodesk.screening import labeled_data as ld

        texts += [r.text for r in ld.ethos_violence(data)]
    if (data / "olid").is_dir():
        from piodesk.screening import labeled_data as ld

        texts += [r.text for r in ld.olid(data, "test")]
    ungated = ThreatDetector(gate_rules=False)
    for text in texts:
        ctx = ScanContext(text)
        assert _DET.detect(ctx) == ungated.detect(ctx), text
