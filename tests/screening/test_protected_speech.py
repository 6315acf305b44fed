"""Protected speech gets no finding; evasions of flagged text are still flagged.

GO 409 §.20: comments on a government page may be protected by the First Amendment, and
criticism of the department, however harsh, is never a finding by itself. The comments in
protected_speech.txt were written for this test: harsh criticism, dislike of nobody in
particular, counter-speech quoting an insult to condemn it, negations, sarcasm, strong but
non-profane complaints and quoted law.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from piodesk.screening.engine import Screener

PROTECTED = [
    line.strip()
    for line in (Path(__file__).parent / "protected_speech.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
MAX_FALSE_FINDING_RATE = 0.02


def test_the_set_is_big_enough() -> None:
    assert len(PROTECTED) >= 300
    assert len(set(PROTECTED)) == len(PROTECTED)


def _false_findings(screener: Screener) -> list[tuple[str, list[str]]]:
    results = screener.screen_many(PROTECTED)
    return [
        (text, [f"{f.rule}={f.score}" for f in r.findings])
        for text, r in zip(PROTECTED, results, strict=True)
        if r.findings
    ]


def _report(bad: list[tuple[str, list[str]]]) -> str:
    by_rule = Counter(rule.split("=")[0] for _t, rules in bad for rule in rules)
    lines = [f"{len(bad)}/{len(PROTECTED)} protected comments flagged; by rule: {dict(by_rule)}"]
    lines += [f"  {text!r}: {rules}" for text, rules in bad[:15]]
    return "\n".join(lines)


def test_rules_alone_pass_protected_speech(rules_only: Screener) -> None:
    bad = _false_findings(rules_only)
    assert len(bad) / len(PROTECTED) < MAX_FALSE_FINDING_RATE, _report(bad)


def test_whole_engine_passes_protected_speech(full: Screener) -> None:
    """Rules plus every installed trained model."""
    bad = _false_findings(full)
    assert len(bad) / len(PROTECTED) < MAX_FALSE_FINDING_RATE, _report(bad)


# Evasions of text that is flagged when written plainly: leetspeak, look-alike letters,
# spacing, masks, repeated, deleted and swapped letters.
EVASIONS = [
    ("fuck the police", "f*ck the police"),
    ("fuck the police", "f**k the police"),
    ("fuck the police", "f u c k the police"),
    ("fuck the police", "f.u.c.k the police"),
    ("fuck the police", "fuuuuuck the police"),
    ("fuck the police", "ƒuck the police"),
    ("fuck the police", "ｆｕｃｋ the police"),
    ("fuck the police", "fυck the police"),  # Greek upsilon
    ("fuck the police", "f\u200buck the police"),
    ("fuck the police", "fück the police"),
    ("fuck the police", "fck the police"),  # deleted letter
    ("fuck the police", "fcuk the police"),  # swapped letters
    ("you are a bitch", "you are a b1tch"),
    ("you are a bitch", "you are a b!tch"),
    ("you are a bitch", "you are a btch"),
    ("you are a bitch", "you are a bitсh"),  # Cyrillic es
    ("piece of shit", "piece of sh1t"),
    ("piece of shit", "piece of $hit"),
    ("piece of shit", "piece of s h i t"),
    ("piece of shit", "piece of sh*t"),
    ("piece of shit", "piece of shti"),
    ("what an asshole", "what an a$$hole"),
    ("what an asshole", "what an @sshole"),
    ("what an asshole", "what an 𝐚𝐬𝐬𝐡𝐨𝐥𝐞"),
    ("shut up faggot", "shut up f4gg0t"),
    ("shut up faggot", "shut up fagot"),
    ("I will kill you", "I will k1ll you"),
    ("I will kill you", "I w1ll kill y0u"),
    ("I will kill you", "I will kіll you"),  # Cyrillic i
    ("I will kill you", "I will k i l l you"),
    ("I will kill you", "I will kiiiiill you"),
    ("I will kill you", "I will kil you"),  # deleted letter
    ("I will shoot you", "I wіll ѕhoot уou"),
    ("selling xans dm me", "$elling xans dm me"),
    ("bomb at the mall", "b0mb at the mall"),
]


@pytest.mark.parametrize(("plain", "evaded"), EVASIONS)
def test_evasions_are_still_flagged(rules_only: Screener, plain: str, evaded: str) -> None:
    want = rules_only.screen_comment(plain).categories
    assert want, f"the plain text {plain!r} must be flagged for this test to mean anything"
    got = rules_only.screen_comment(evaded).categories
    assert want & got, f"{evaded!r} got {set(got)}, plain {plain!r} got {set(want)}"
