"""The agency rules file: checked whole, refused with line and reason, versioned."""

from __future__ import annotations

from pathlib import Path

import pytest

from piodesk.screening.engine import Screener
from piodesk.screening.rules import (
    ALL_NAMES_RULES_NAME,
    DEFAULT_RULES_NAME,
    RulesError,
    load_rules,
    load_shipped_rules,
    parse_rules,
)


def test_default_rules_load_and_version() -> None:
    rules = load_rules()
    assert rules.version == "default-2026.11.1"
    assert rules.version_string.startswith("default-2026.11.1+sha256:")
    assert len(rules.version_string.split(":")[1]) == 8
    assert rules.categories["profanity"].threshold == 0.6


GOOD = """\
version: "agency-7"
categories:
  profanity:
    words:
      - "frak 0.9 p"
    allow:
      - "Frakville"
  pii:
    allow:
      - "719-444-7000"
  ip:
    enabled: false
  safety:
    patterns:
      - name: tower_code
        regex: 'tower\\s+gate\\s+code'
        score: 0.9
disabled_rules: ["pii.ip"]
models:
  thresholds:
    solicitation.linear: 0.9
"""


def test_agency_words_patterns_allow_and_switches(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD, encoding="utf-8")
    s = Screener.load(path, models=[])
    assert s.ruleset_version.startswith("agency-7+sha256:")
    assert "profanity" in s.screen_comment("what the frakking hell").categories
    assert s.screen_comment("welcome to Frakville").findings == ()
    assert "pii" not in s.screen_comment("call the front desk at 719-444-7000").categories
    assert "pii" in s.screen_comment("call me at 719-555-0134").categories
    assert "ip" not in s.screen_comment("free movies at putlocker.to/x").categories
    assert "pii" not in s.screen_comment("my IP is 203.0.113.45").categories
    (f,) = s.screen_comment("the tower gate code is 1234").findings
    assert f.rule == "safety.agency.tower_code"
    assert s.rules.model_thresholds == {"solicitation.linear": 0.9}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('version: "x"\ncategories:\n  pii:\n\tenabled: true\n', 4, "not valid YAML"),
        ('version: "x"\ncategories: {pii: {enabled: true}\nallow: []\n', 3, "not valid YAML"),
        ('version: "x"\ncategories:\n  profanity:\n    enabled: maybe\n', 4, "true or false"),
        (
            'version: "x"\ncategories:\n  rudeness:\n    enabled: true\n',
            3,
            "unknown key 'rudeness'",
        ),
        (
            (
                'version: "x"\ncategories:\n  threat:\n    patterns:\n      - name: bad\n'
                "        regex: '(unclosed'\n"
            ),
            6,
            "invalid regex",
        ),
        ('version: "x"\ncategories:\n  pii:\n    threshold: 3\n', 4, "between 0 and 1"),
        ('version: "x"\ncategories:\n  pii:\n    threshold: "high"\n', 4, "must be a number"),
        ('version: "x"\ncategories:\n  pii:\n    words: "one"\n', 4, "must be a list"),
        ('version: "x"\ndisabled_rules:\n  - "nope.rule"\n', 3, "unknown category"),
        ("categories: {}\n", 1, "needs a 'version:'"),
        ('version: "x"\nextra: 1\n', 2, "unknown key 'extra'"),
        (
            (
                'version: "x"\ncategories:\n  safety:\n    patterns:\n      - name: e\n'
                "        regex: 'a*'\n"
            ),
            6,
            "matches empty text",
        ),
        ('version: "x"\ndrafts:\n  rules:\n    gossip: {enabled: true}\n', 4, "unknown key"),
        ('version: "x"\ncategories:\n  pii:\n    person_names: "some"\n', 4, "must be one of"),
        ('version: "x"\ncategories:\n  threat:\n    person_names: "all"\n', 4, "unknown key"),
    ],
)
def test_bad_files_are_refused_with_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(RulesError) as err:
        parse_rules(text, "agency.yaml")
    assert err.value.line == line, str(err.value)
    assert reason in err.value.reason
    assert f"line {line}" in str(err.value)


def test_a_bad_reload_keeps_the_running_rules(tmp_path: Path) -> None:
    s = Screener.load(models=[])
    before = s.ruleset_version
    bad = tmp_path / "bad.yaml"
    bad.write_text('version: "v2"\ncategories:\n  pii:\n    enabled: perhaps\n', encoding="utf-8")
    with pytest.raises(RulesError) as err:
        s.reload(bad)
    assert err.value.line == 4
    assert s.ruleset_version == before
    assert "pii" in s.screen_comment("call 719-555-0134").categories

    good = tmp_path / "good.yaml"
    good.write_text('version: "v2"\ncategories:\n  pii:\n    enabled: false\n', encoding="utf-8")
    s.reload(good)
    assert s.ruleset_version.startswith("v2+sha256:")
    assert "pii" not in s.screen_comment("call 719-555-0134").categories


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")


def test_all_names_rules_differ_from_the_default_only_in_person_names() -> None:
    """The all-names variant (what eval scores Presidio's bare names with) is the shipped rules
    with `person_names: "all"`: nothing else may drift between the two files."""
    default, all_names = load_rules(), load_shipped_rules(ALL_NAMES_RULES_NAME)
    assert default.categories["pii"].person_names == "with_details"
    assert all_names.categories["pii"].person_names == "all"
    assert all_names.version == "all-names-2026.11.1"
    assert load_shipped_rules(DEFAULT_RULES_NAME) == default
    for name, cat in default.categories.items():
        other = all_names.categories[name]
        if name == "pii":
            other = type(other)(
                other.enabled, other.threshold, other.words, other.patterns, other.allow
            )
        assert other == cat, name
    assert (all_names.drafts, all_names.allow, all_names.disabled_rules) == (
        default.drafts,
        default.allow,
        default.disabled_rules,
    )
    assert (all_names.models_enabled, all_names.model_thresholds) == (
        default.models_enabled,
        default.model_thresholds,
    )
