"""Detectors: one small class per kind of content (GO 409 §.20), registered from the rules file.

`REGISTRY` maps each category to the functions that build its shipped detectors; the rules
file turns categories on or off, drops single detectors by id (`disabled_rules`) and adds an
agency's own words and patterns, which become detectors of the same kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from piodesk.screening.detectors import (
    conduct,
    investigation,
    ip,
    offers,
    pii,
    safety,
    solicitation,
    threat,
    threat_cues,
    threat_scored,
)
from piodesk.screening.detectors.base import Detector, Pattern, PatternDetector, ScanContext
from piodesk.screening.detectors.lexicon import Lexicon, LexiconDetector, profanity_lexicon
from piodesk.screening.model import Category

if TYPE_CHECKING:
    from piodesk.screening.rules import RuleSet

__all__ = ["REGISTRY", "Detector", "ScanContext", "build_detectors"]


def _pii() -> list[Detector]:
    return [
        pii.PhoneDetector(),
        pii.CardDetector(),
        pii.IpDetector(),
        pii.AddressDetector(),
        pii.PersonDetailsDetector(),
        *pii.build_pattern_detectors(),
    ]


#: Category -> builders of its shipped detectors (the profanity lexicon is built with the rules).
REGISTRY: dict[str, list[Callable[[], list[Detector]]]] = {
    Category.PROFANITY.value: [],
    Category.PII.value: [_pii],
    Category.THREAT.value: [
        lambda: [threat.ThreatDetector()],
        threat_cues.build,
        threat_scored.build,
    ],
    Category.SOLICITATION.value: [solicitation.build, offers.build],
    Category.INVESTIGATION.value: [conduct.build_investigation, investigation.build],
    Category.ILLEGAL.value: [conduct.build_illegal],
    Category.SAFETY.value: [conduct.build_safety, safety.build],
    Category.IP.value: [conduct.build_ip, ip.build],
}

_PROFANITY_TEXT = 'The comment uses profane, obscene or hateful language ("{word}").'


def build_detectors(rules: RuleSet) -> list[Detector]:
    """Every detector the rules switch on, including the agency's own words and patterns."""
    out: list[Detector] = []
    for cat, builders in REGISTRY.items():
        cr = rules.categories[cat]
        if not cr.enabled:
            continue
        if cat == Category.PROFANITY.value:
            out.append(
                LexiconDetector(
                    "profanity.lexicon",
                    cat,
                    profanity_lexicon(cr.words, cr.allow),
                    _PROFANITY_TEXT,
                )
            )
        else:
            for build in builders:
                out.extend(build())
            if cr.words:
                out.append(
                    LexiconDetector(
                        f"{cat}.agency_words",
                        cat,
                        Lexicon(cr.words, cr.allow),
                        f'The text uses "{{word}}", a word the agency listed under {cat}.',
                    )
                )
        for p in cr.patterns:
            out.append(
                PatternDetector(
                    f"{cat}.agency.{p.name}",
                    cat,
                    [Pattern(p.name, p.regex, p.score, p.flags)],
                    p.explanation or f"The text matches the agency's {cat} pattern “{p.name}”.",
                    use_normalized=p.normalized,
                )
            )
    return [d for d in out if d.id not in rules.disabled_rules]
