"""What a hand-written detector cannot find anything without: regexes for the compiled gate.

The pattern and cue detectors hand their regexes to the engine's compiled gate
(multimatch.py) themselves. The detectors written as code (phone, card, IP, address, person
details, sales links, copied articles, the threat phrases) each report only what some regex of
theirs matches; this module names those regexes, read off the detectors' own modules, so the
gate can tell that a text cannot wake them and the engine need not call them. Nothing here
changes what a detector finds when it runs: the gate skips only calls whose answer is empty.

`requirements(detector)` gives a tuple of groups of (view, compiled regex): the detector can
find something only when every regex of at least one group may match its view of the text
("lower", "text" or "norm", as in multimatch.VIEWS). None: no requirement known (always run).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from piodesk.screening.detectors import conduct, pii, solicitation, threat, threat_scored
from piodesk.screening.detectors.base import Detector
from piodesk.screening.detectors.lexicon import LexiconDetector

#: One group: every regex in it must be able to match for the detector to find anything.
Group = tuple[tuple[str, re.Pattern[str]], ...]


def _any_of(view: str, *rxs: re.Pattern[str]) -> tuple[Group, ...]:
    return tuple(((view, rx),) for rx in rxs)


def _threat(d: Detector) -> tuple[Group, ...] | None:
    # every finding comes from `rx.finditer(ctx.norm.text)` for one of the phrase rules
    rules = getattr(threat, "_RULES", None)
    if not rules:
        return None
    return _any_of("norm", *(rule[1] for rule in rules))


def _scored_threat(d: Detector) -> tuple[Group, ...]:
    # a finding needs a hit of a menace class and one of an aim class (threat_scored); the
    # other classes ride along in groups that need that pair too (so they wake nothing more)
    # only to have the gate read them: the scorer then skips the ones it rules out
    ts = threat_scored
    rx = {n: re.compile(p) for n, p in ts.CLASSES.items()}
    pairs = tuple((("lower", rx[m]), ("lower", rx[a])) for m in ts.WAKE for a in ts.AIM)
    first = pairs[0]
    rest = tuple((*first, ("lower", rx[n])) for n in ts.CLASSES if n not in (*ts.WAKE, *ts.AIM))
    return pairs + rest


def _address(d: Detector) -> tuple[Group, ...]:
    a = pii.AddressDetector
    # the leads' follow-up (_after_lead) runs only after a lead matched
    return _any_of("text", a._us, a._nwn, pii._BLOCK_HEAD, a._mil, a._wns, a._unit, a._lead_ci)


def _sales_link(d: Detector) -> tuple[Group, ...]:
    # a domain-like dot, a link and a sales word, all three
    return (
        (
            ("text", solicitation._DOMAIN_DOT),
            ("text", solicitation.URL),
            ("text", solicitation._SALES),
        ),
    )


def _lexicon(d: Detector) -> tuple[Group, ...] | None:
    # every hit is an automaton key found in the normalized text: one of the keys must be in it
    assert isinstance(d, LexiconDetector)
    auto = getattr(d.lexicon, "_auto", None)
    if not d.lexicon.size or auto is None:
        return None
    keys = sorted(set(auto.keys()), key=lambda k: (-len(k), k))
    # in parts: Hyperscan takes no pattern much longer than 16,000 characters
    parts: list[list[str]] = [[]]
    size = 0
    for k in keys:
        if size > 6000:
            parts.append([])
            size = 0
        parts[-1].append(re.escape(k))
        size += len(parts[-1][-1]) + 1
    return _any_of("norm", *(re.compile("|".join(p)) for p in parts if p))


#: Detector class -> its requirement (by class, so an agency's own detectors never match).
_BY_CLASS: dict[type[Detector], Callable[[Detector], tuple[Group, ...] | None]] = {
    threat.ThreatDetector: _threat,
    threat_scored.ScoredThreatDetector: _scored_threat,
    pii.PhoneDetector: lambda d: _any_of("text", pii._PHONE_CANDIDATE),
    pii.CardDetector: lambda d: _any_of("text", pii._CARD),
    pii.IpDetector: lambda d: _any_of("text", pii._IPV4, pii._IPV6),
    pii.AddressDetector: _address,
    pii.PersonDetailsDetector: lambda d: _any_of("text", pii.PersonDetailsDetector._rx),
    solicitation.SalesLinkDetector: _sales_link,
    conduct.CopiedArticleDetector: lambda d: _any_of("text", conduct.CopiedArticleDetector._marker),
    LexiconDetector: _lexicon,
}


def requirements(detector: Detector) -> tuple[Group, ...] | None:
    """The regex groups one of which must be able to match for `detector` to find anything."""
    make = _BY_CLASS.get(type(detector))
    if make is None:
        return None
    # a subclass or an instance that overrides detect may read other things: no requirement
    if "detect" in vars(detector):
        return None
    return make(detector)
