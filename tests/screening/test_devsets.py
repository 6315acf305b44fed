"""piodesk's written development sets, and the cue rules scored on them (issue 13).

The figures asserted are on the dev side, which the rules were written from: they guard the
rules against regressions. The held-out side is only reported (`piodesk screening eval`).
"""

from __future__ import annotations

import pytest

from piodesk.screening import devsets
from piodesk.screening.engine import Screener
from piodesk.screening.model import LABEL_FOR, Category


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.load()


@pytest.mark.parametrize("name", ["investigation", "safety", "ip", "threat"])
def test_each_policy_category_has_150_positives_and_150_hard_negatives(name: str) -> None:
    examples = devsets.load(name)
    assert sum(e.positive for e in examples) >= 150
    assert sum(not e.positive for e in examples) >= 150
    assert len({e.text for e in examples}) == len(examples), "a line appears twice"


def test_sides_are_fixed_by_the_text_and_both_hold_lines() -> None:
    for name in devsets.FILES:
        every = devsets.load(name)
        dev, held = devsets.load(name, "dev"), devsets.load(name, "held_out")
        assert dev and held
        assert len(dev) + len(held) == len(every)
        assert all(devsets.side_of(e.text) == e.side for e in every)
    assert devsets.side_of("Some   Text") == devsets.side_of("some text")


def test_an_unknown_set_is_refused() -> None:
    with pytest.raises(ValueError, match="no development set"):
        devsets.load("nonsense")


@pytest.mark.parametrize(
    ("name", "minimum"), [("investigation", 0.8), ("safety", 0.8), ("ip", 0.8), ("threat", 0.8)]
)
def test_dev_side_recall_and_false_findings(screener: Screener, name: str, minimum: float) -> None:
    examples = devsets.load(name, "dev")
    results = screener.screen_many([e.text for e in examples])
    pos = [r for e, r in zip(examples, results, strict=True) if e.positive]
    neg = [r for e, r in zip(examples, results, strict=True) if not e.positive]
    assert sum(name in r.categories for r in pos) / len(pos) >= minimum
    assert sum(name in r.categories for r in neg) / len(neg) <= 0.02


def test_lawful_opinion_gets_almost_no_finding(screener: Screener) -> None:
    examples = devsets.load("lawful", "dev")
    results = screener.screen_many([e.text for e in examples])
    flagged = [e.text for e, r in zip(examples, results, strict=True) if r.findings]
    assert len(flagged) / len(examples) <= 0.01, flagged


def test_every_new_finding_names_its_rule_spans_evidence_and_label(screener: Screener) -> None:
    texts = [e.text for name in ("investigation", "safety", "ip", "threat")
             for e in devsets.load(name, "dev") if e.positive]  # fmt: skip
    seen_rules = set()
    for text, result in zip(texts, screener.screen_many(texts), strict=True):
        for f in result.findings:
            if f.rule.endswith(".linear"):
                continue
            seen_rules.add(f.rule)
            assert f.spans, f
            assert f.explanation and f.label == LABEL_FOR[f.category]
            for s in f.spans:
                assert 0 <= s.start < s.end <= len(text)
    assert {"investigation.tip_off", "safety.access_code", "ip.counterfeit",
            "threat.family_home"} <= seen_rules  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        'A man wrote "I will kill every cop in this town" on the bridge. Please paint over it.',
        "My coworker keeps saying he'll shoot up the station someday, I reported it to you.",
        "The suspect was charged with threatening to burn down city hall, the paper says.",
        "I would never hurt an officer or anyone in their family.",
        "I'm going to kill my inbox tonight, 400 unread emails.",
    ],
)
def test_counter_speech_negation_and_idiom_are_not_threats(screener: Screener, text: str) -> None:
    assert Category.THREAT.value not in screener.screen_comment(text).categories


@pytest.mark.parametrize(
    ("text", "category", "rule"),
    [
        ("heads up, narcs hitting the house on Birch tomorrow at 5am, move everything",
         "investigation", "investigation.tip_off"),
        ("the code on the back door of the jail annex is 8812, nobody ever changed it",
         "safety", "safety.access_code"),
        ("selling replica Gucci belts $20 each, pickup downtown", "ip", "ip.counterfeit"),
        ("Deputy Shaw, your wife's minivan is easy to find. Think about that.",
         "threat", "threat.family_home"),
    ],
)  # fmt: skip
def test_new_cue_rules_fire_on_texts_written_for_this_test(
    screener: Screener, text: str, category: str, rule: str
) -> None:
    result = screener.screen_comment(text)
    assert any(f.category == category and rule in f.rule for f in result.findings), result


#: Hard negatives written after the cue rules, to find what they still caught (news of crimes,
#: hyperbole about oneself, violence at things, counter-speech). None may be a threat.
LATER_NEGATIVES = (
    "Two men were shot outside the bar on 5th last night, police said. No arrests yet.",
    "The guy who stabbed his neighbor got 15 years. Good.",
    "A woman was killed in a hit and run on Route 9, the driver fled.",
    "The man who threatened to kill the mayor was arrested Friday, per WSAZ.",
    "Police say the suspect shot at officers before fleeing on foot.",
    "I'm going to scream if they close the park again.",
    "This heat is killing my tomatoes.",
    "I'd kill to have a patrol car on my street at night.",
    "My boss is going to murder me if I'm late again lol",
    "I'm gonna destroy my brother at Mario Kart tonight",
    "That speed bump is going to wreck my car one day.",
    "I will never forgive the officer who arrested my son, but I'd never hurt him.",
    "Nobody is saying the officers should be harmed. We want them fired.",
    "Violence is never the answer, even when cops are wrong.",
    "Whoever posted the chief's address with threats should be charged.",
    "I reported the guy who said he'd hurt officers at the rally.",
    'Somebody wrote "pigs will hang" on my fence. Please send someone.',
    "My ex said he would burn my house down. I have a protective order.",
    "The shooter at the school last year used his dad's gun.",
    "Cops shot a 15 year old in the back and nobody was charged.",
    "He was beaten by three officers on camera. Watch the video.",
    "If you're thinking of hurting yourself, call 988.",
    "The officer's widow spoke at the memorial. So sad.",
    "Stop killing our kids with your reckless chases.",
    "I want to beat this speeding ticket in court.",
    "My son wants to shoot hoops with the officers at the community day.",
    "We are going to fight this budget with everything we have.",
    "The new chief is going to clean house and fire the bad cops, I hope.",
    "Bomb squad was called to the mall for a suspicious bag, turned out to be nothing.",
    "The guy on my street keeps threatening people with a bat. Please patrol.",
    "I'll be there at the council meeting with my whole family and our signs.",
    "We're bringing 200 people to the school board meeting to protest the cuts.",
    "The kid who brought a knife to school was expelled. Right call.",
    "I could strangle whoever designed this parking lot lol",
    "Dead tired after the 5k for the police charity. Great event.",
    "He deserves to rot in prison for what he did to that child.",
    "The officers who killed him should face murder charges.",
    "I hope the judge throws the book at him.",
    "My dad was a cop and got shot on duty in 1998. Thank you for your service.",
    "Our dog attacked the mailman and animal control came. Embarrassing.",
    "I'm going to kill myself laughing at this post",
    "If I have to sit through another 4 hour meeting I'll shoot myself lol",
    "I want to burn this stupid ticket",
    "I'm going to break my phone if it freezes again",
    "I'll murder this plate of wings at the fundraiser",
    "The council should be ashamed. I'll be voting every one of them out.",
    'Everyone at the rally was saying "kill the pigs" and the organizers did nothing. Shameful.',
    "Someone on Twitter said they'd shoot the next cop they see. Reported it.",
    "News: Man charged after saying he would bomb the police station in a Facebook post.",
    "A teen was arrested for threatening to shoot up Lincoln High on Snapchat.",
    'The officer said he would "beat the hell out of" my son. That\'s on the bodycam.',
    "I would never kill anyone, I'm just angry.",
    "I don't want anyone to get hurt, I want the truth.",
    "Nobody here is threatening the chief. Calm down.",
    "My car's engine is dead again, third time this month.",
    "Kill the lights when you leave the station, save some money lol",
    "That cop car is a death trap, the tires are bald.",
    "Those potholes will be the end of my suspension.",
    "I'm dying to know what the chief will say tonight.",
    "This budget is going to slaughter the parks department.",
    "Crush the competition at the charity softball game, officers!",
    "Break a leg at the talent show, Officer Kim!",
    "The protesters wanted to storm the meeting room but were stopped. Good job security.",
    "They were going to attack the precinct last summer but the FBI caught them.",
    "Burn the mortgage party at the VFW was great.",
    "The mayor shot down the proposal again.",
    "I'd fight for this department any day.",
    "I'll beat you to the coffee shop, Sarge!",
    "We're going to hit the streets and knock on every door for the election.",
)


@pytest.mark.parametrize("text", LATER_NEGATIVES)
def test_later_hard_negatives_are_not_threats(screener: Screener, text: str) -> None:
    assert Category.THREAT.value not in screener.screen_comment(text).categories


def test_literal_gates_never_change_a_cue_finding() -> None:
    """Each rule is tried only when a literal word of one of its classes is in the text."""
    from piodesk.screening.detectors import cues, investigation, ip, offers, safety, threat_cues
    from piodesk.screening.detectors.base import ScanContext

    texts = [e.text for name in devsets.FILES for e in devsets.load(name)]
    for module in (investigation, safety, ip, threat_cues, offers):
        gated = module.build()[0]
        assert isinstance(gated, cues.CueDetector)
        assert gated.triggers, "every rule should have literal words to wake it"
        full = cues.CueDetector(
            gated.id,
            gated.category,
            module.CUES,
            module.RULES,
            gated.explanation,
            gate=False,
            at_risk=gated.at_risk_of,
        )
        for text in texts:
            assert gated.detect(ScanContext(text)) == full.detect(ScanContext(text)), text


def test_literal_keys_read_off_a_pattern() -> None:
    from piodesk.screening.detectors.cues import literal_keys, words

    assert literal_keys(words(r"raid(?:s|ing)?", r"warrants?", r"sting")) == {
        "raid",
        "warrant",
        "sting",
    }
    assert literal_keys(words(r"(?:search\s+)?warrants?")) is None  # may start with "warrant"
    assert literal_keys(r"\d+\s*%\s*off") is None
