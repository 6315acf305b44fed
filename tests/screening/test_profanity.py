"""The profanity lexicon (§.20): word boundaries, inflections, the Scunthorpe allow-list."""

from __future__ import annotations

import pytest

from piodesk.screening.detectors.base import ScanContext
from piodesk.screening.detectors.lexicon import Entry, Lexicon, LexiconDetector, profanity_lexicon

_DET = LexiconDetector("profanity.lexicon", "profanity", profanity_lexicon(), "uses {word}")


def _hits(text: str) -> list[str]:
    return [f.evidence for f in _DET.detect(ScanContext(text)) if f.score >= 0.6]


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("what the fuck is this", "fuck"),
        ("absolute bullshit", "bullshit"),
        ("motherfucker", "motherfucker"),
        ("you are a bitch", "bitch"),
        ("fucking cops", "fucking"),
        ("shut up asshole", "asshole"),
        ("send nudes", "nudes"),
        ("check my onlyfans", "onlyfans"),
        ("stupid retard", "retard"),
        ("what a dickhead", "dickhead"),
        ("piece of sh*t", "sh*t"),
        ("f**k off", "f**k"),
        ("a$$hole", "a$$hole"),
        ("fcuk that", "fcuk"),
        ("btch please", "btch"),
    ],
)
def test_finds(text: str, evidence: str) -> None:
    assert evidence in _hits(text)


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe United won on Saturday",
        "Middlesex County Sheriff",
        "the crash on Cockburn St this morning",
        "Emily Dickinson wrote about death",
        "a cocktail party at the station",
        "the assassin was never caught",
        "please assess the damage",
        "my class starts at nine",
        "shiitake mushrooms at the market",
        "Essex and Sussex",
        "the analysis was wrong",
        "a raccoon got into the trash",
        "Dick's Sporting Goods on Academy",
        "I can't stand cops",
        "the chief should resign",
        "sex offender registry",  # the registry is not profanity
        "he was a passenger",
    ],
)
def test_does_not_find(text: str) -> None:
    assert _hits(text) == []


def test_span_covers_the_written_word() -> None:
    text = "this is f.u.c.k.i.n.g ridiculous"
    (f,) = _DET.detect(ScanContext(text))
    (span,) = f.spans
    assert text[span.start : span.end] == "f.u.c.k.i.n.g"


def test_custom_lexicon_whole_word_and_allow() -> None:
    lx = Lexicon([Entry("badword", 0.9)], allow=["badwordia street"])
    det = LexiconDetector("x.words", "profanity", lx, "uses {word}")
    assert [f.evidence for f in det.detect(ScanContext("a badword here"))] == ["badword"]
    assert det.detect(ScanContext("notbadwords")) == []
    assert det.detect(ScanContext("on Badwordia Street")) == []
