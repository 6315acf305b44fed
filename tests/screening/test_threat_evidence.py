"""Findings need evidence (issue 13): a profanity finding a profane word, a model-only threat a
word of harm aimed at someone, with no sign that the text is about peace, courts or a question.
"""

from __future__ import annotations

import pytest

from piodesk.screening import devsets
from piodesk.screening.detectors.threat import model_only_is_evidence
from piodesk.screening.engine import Screener
from piodesk.screening.labeled_data import PROFANE_WORD


@pytest.mark.parametrize(
    "text",
    [
        "He faces assault charges",
        "the assistant chief",
        "Hello, Sergeant",
        "an analysis of stops",
        "Cockburn St",
        "Officer Dickinson",
        "the cumulative total",
        "homogeneous data",
        "a prickly issue",
        "a pimple on the report",
    ],
)
def test_ordinary_words_hold_no_profane_word(text: str) -> None:
    assert PROFANE_WORD.search(text) is None


@pytest.mark.parametrize(
    "text, word",
    [
        ("what the hell", "hell"),
        ("fucking cops", "fucking"),
        ("shitty response", "shitty"),
        ("damned fools", "damned"),
        ("a bunch of dicks", "dicks"),
    ],
)
def test_profane_words_with_endings_are_found(text: str, word: str) -> None:
    found = PROFANE_WORD.search(text)
    assert found is not None and found.group() == word


def test_every_profanity_finding_shows_a_profane_word() -> None:
    """On every written line (lawful criticism and the rest), a profanity finding's span is a
    profane word or a lexicon entry: the model may rank, not invent."""
    screener = Screener.load()
    texts = [e.text for name in devsets.FILES for e in devsets.load(name)]
    for text, result in zip(texts, screener.screen_many(texts), strict=True):
        for f in result.findings:
            if f.rule == "profanity.linear":
                assert f.spans, (text, f)
                assert PROFANE_WORD.fullmatch(text[f.spans[0].start : f.spans[0].end]), text


@pytest.mark.parametrize(
    "text",
    [
        "Every officer on that force should be shot on sight",
        "You won't make it home from your shift tonight, Deputy",
        "Sergeant, I'd stay away from windows if I were you",
    ],
)
def test_a_model_score_may_stand_on_harm_aimed_at_someone(text: str) -> None:
    assert model_only_is_evidence(text)


@pytest.mark.parametrize(
    "text",
    [
        "We will not riot. We will vote.",  # negated harm, the ballot
        "Nobody wants to see cops get hurt. We want them to stop hurting us.",
        "We'll see you at the ballot box, chief.",
        "Bring your neighbors to city hall on Tuesday",  # no word of harm
        "Are the officers who shot the dog still on duty?",  # a question
        "The mayor burned every bridge with the police union",  # idiom
        "Bring your kids to the open house, they'll love the fire trucks",
        "He should face murder charges",  # the law, not violence
        'Someone wrote "you are next" under the chief\'s photo, please remove it',
    ],
)
def test_a_model_score_alone_is_not_a_threat_here(text: str) -> None:
    assert not model_only_is_evidence(text)
