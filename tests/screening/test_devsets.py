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
