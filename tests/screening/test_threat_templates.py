"""Templated threats at groups of people, and their lawful look-alikes (functional tests).

Written for piodesk in the style of public functional test suites for hate speech: each
template is filled with every group, so a rule that knows only some groups, or only one
wording, fails here. Direct threats ("I will kill all {g}") and normative ones ("{G} should
be shot") must get a threat finding; negated violence, counter-speech quoting a threat,
support for the group and violence at things must not.
"""

from __future__ import annotations

import pytest

from piodesk.screening.engine import Screener

GROUPS = {
    "women": "woman",
    "trans people": "trans person",
    "gay people": "gay man",
    "black people": "black person",
    "disabled people": "disabled person",
    "Muslims": "Muslim",
    "immigrants": "immigrant",
    "Jews": "Jew",
    "refugees": "refugee",
    "cops": "cop",
}

THREATS = (
    "I will kill all {g}.",
    "I'm going to murder those {g}.",
    "I am going to hurt the next {s} I meet.",
    "I want to shoot every {s} in this town.",
    "I'll beat up any {s} I see.",
    "We will slaughter {g}.",
    "I'm gonna stab the first {s} who talks to me.",
    "{G} should be shot.",
    "{G} should all be killed.",
    "{G} deserve to die.",
    "{G} must be executed.",
    "{G} need to be wiped out.",
    "All {g} should be hanged.",
    "Death to all {g}.",
    "Kill all {g}.",
    "Someone should shoot these {g}.",
    "It's time to exterminate {g}.",
    "I hope all {g} die.",
    "The only good {s} is a dead {s}.",
    "I'm going to make every {s} suffer.",
    # added in the fifth round: starting or planning to kill, removal by force, hunting
    "We need to start killing {g}.",
    "{G} should be sent to the gas chambers.",
    "I want to kill as many {g} as I can.",
    "I'm going to hunt {g} like animals.",
    "It's time we killed all {g}.",
    # added in the seventh round: a lined-up execution, wiping a group out, "legal to kill",
    # "have to be", conditional threats told of the victim, putting people in the ground
    "{G} should be lined up against a wall and shot.",
    "The world needs to wipe out {g}.",
    "It should be legal to shoot {g}.",
    "{G} have to be exterminated.",
    "Any {s} who walks past my house gets shot.",
    "Put every last one of those {g} in the ground.",
)

NOT_THREATS = (
    "I would never hurt {g}.",
    "Nobody should kill {g}.",
    'Saying "{g} should be shot" is disgusting.',
    'Someone wrote "kill all {g}" here, please delete it.',
    "{G} should be respected.",
    "{G} deserve equal treatment.",
    "Threats against {g} are unacceptable.",
    "If you say {g} deserve to die you are the problem.",
    "I hate how {g} are treated by this city.",
    "{G} should be allowed to live in peace.",
    "The man who said he'd kill {g} was arrested.",
    "I'm going to kill this exam.",
    "Nobody is going to hurt {g} in this town.",
    "We should get rid of the laws that hurt {g}.",
    "Violence against {g} is never okay.",
    # seventh round
    "Threats like 'kill all {g}' must be reported.",
    "There is no excuse for hurting {g}.",
    "The man who threatened to kill {g} was arrested.",
    "We stand with {g} against every threat.",
    "No {s} deserves to be beaten.",
    "None of us would ever attack {g}.",
    "I'd take a bullet for any {s} in my family.",
    "Teaching kids that {g} should be killed is how genocide starts.",
    "He yelled that he would stab the next {s} he saw, so I called 911.",
)


def _fill(template: str) -> list[str]:
    return [template.format(g=g, G=g[0].upper() + g[1:], s=s) for g, s in GROUPS.items()]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.load()


@pytest.mark.parametrize("template", THREATS)
def test_templated_threat_is_found_for_every_group(screener: Screener, template: str) -> None:
    texts = _fill(template)
    missed = [t for t, r in zip(texts, screener.screen_many(texts), strict=True)
              if "threat" not in r.categories]  # fmt: skip
    assert not missed, missed


@pytest.mark.parametrize("template", NOT_THREATS)
def test_templated_lawful_text_has_no_threat(screener: Screener, template: str) -> None:
    texts = _fill(template)
    flagged = [t for t, r in zip(texts, screener.screen_many(texts), strict=True)
               if "threat" in r.categories]  # fmt: skip
    assert not flagged, flagged


def test_threat_findings_point_at_the_words(screener: Screener) -> None:
    """A rule finding keeps the span of the threatening words, not the whole text."""
    text = "Honestly, immigrants should all be killed."
    (finding,) = [f for f in screener.screen_comment(text).findings if f.category == "threat"]
    assert finding.spans
    assert "killed" in text[finding.spans[0].start : finding.spans[-1].end]
