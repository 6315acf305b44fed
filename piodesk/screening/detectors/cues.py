"""Cue rules: a finding when several kinds of evidence meet in one sentence (or one comment).

A tip-off is not one phrase: it is a police operation ("raid", "warrant", "undercover"), a time
("tomorrow", "at dawn") and a warning to someone ("tell him", "move the stuff"), in any order
and any wording. A `CueRule` names the cue classes that must all be present in one unit (a
sentence, or the whole comment) and the classes that cancel it (a question, a news report, a
request to fix something). Every cue's span is kept, so the PIO sees each piece of evidence
the rule rests on, and the explanation says what the text puts at risk.

Cues are regular expressions over the lower-cased original text, so spans need no mapping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from piodesk.screening.detectors.base import Detector, ScanContext, clip
from piodesk.screening.model import Finding, Span

# Sentence ends: ". ", "!", "?", ";", a line break. A "." inside "st." or "1.5" does not end one.
_SENTENCE_END = re.compile(r"[!?;\n]+|\.(?=\s|$)")


def words(*items: str) -> str:
    """A regex matching any of the items as whole words (items are regex fragments)."""
    return r"(?<![\w'])(?:" + "|".join(items) + r")(?![\w'])"


@dataclass(frozen=True, slots=True)
class CueRule:
    """All of `needs` in one unit, none of `unless` there: a finding of `rule`."""

    rule: str  # finding rule id, e.g. "investigation.tip_off"
    needs: tuple[str, ...]  # cue class names, all required
    explanation: str  # one sentence for the PIO: what the text puts at risk
    score: float = 0.75
    unless: tuple[str, ...] = ()  # cue class names that cancel the rule in the same unit
    scope: str = "sentence"  # "sentence" or "text"
    unless_in_text: bool = False  # `unless` cancels from anywhere in the text, not the unit
    distinct: bool = False  # each class must be met by different words


class CueDetector(Detector):
    """Runs `CueRule`s over one text; each cue class is searched at most once per text."""

    def __init__(
        self,
        id: str,
        category: str,
        cues: Mapping[str, str | Callable[[str], list[tuple[int, int]]]],
        rules: Sequence[CueRule],
        explanation: str,
        *,
        case_sensitive: Iterable[str] = (),
    ) -> None:
        self.id = id
        self.category = category
        self.explanation = explanation
        # case-sensitive classes (names: a capital letter) read the original text, the rest
        # its lower-cased copy; both have the same offsets
        self._original = frozenset(case_sensitive)
        # a class is a regex, or a function of the original text giving spans (a name finder)
        self._cues: dict[str, Any] = {
            name: re.compile(rx, 0 if name in self._original else re.IGNORECASE)
            if isinstance(rx, str)
            else rx
            for name, rx in cues.items()
        }
        self._rules = tuple(rules)
        for r in self._rules:
            missing = [n for n in (*r.needs, *r.unless) if n not in self._cues]
            if missing:
                raise ValueError(f"{r.rule}: unknown cue classes {missing}")

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """At most one finding per rule: the first unit in which all its cues meet."""
        text = ctx.lower
        original = ctx.text if len(ctx.lower) == len(ctx.text) else ctx.lower
        hits: dict[str, list[tuple[int, int]]] = {}

        def find(name: str) -> list[tuple[int, int]]:
            got = hits.get(name)
            if got is None:
                cue = self._cues[name]
                if isinstance(cue, re.Pattern):
                    source = original if name in self._original else text
                    got = [m.span() for m in cue.finditer(source) if m.end() > m.start()]
                else:
                    got = sorted(cue(ctx.text))

                hits[name] = got
            return got

        units: list[tuple[int, int]] | None = None
        out: list[Finding] = []
        for r in self._rules:
            if not all(find(n) for n in r.needs):  # cheap: most texts miss the first cue
                continue
            if r.scope == "text":
                candidates: Iterable[tuple[int, int]] = ((0, len(text)),)
            else:
                if units is None:
                    units = _sentences(text)
                candidates = units
            for lo, hi in candidates:
                picked = [_first_in(find(n), lo, hi) for n in r.needs]
                if any(p is None for p in picked):
                    continue
                if r.distinct and len(set(picked)) < len(picked):
                    continue  # each class needs its own words ("for sale" is not two cues)
                ulo, uhi = (0, len(text)) if r.unless_in_text else (lo, hi)
                if any(_first_in(find(n), ulo, uhi) is not None for n in r.unless):
                    continue
                spans = sorted({p for p in picked if p is not None})
                out.append(
                    self.finding(
                        [Span(s, e) for s, e in spans],
                        " … ".join(clip(ctx.text, s, e, 40) for s, e in spans),
                        r.score,
                        rule=r.rule,
                        explanation=r.explanation,
                    )
                )
                break
        return out


def _sentences(text: str) -> list[tuple[int, int]]:
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            out.append((start, m.end()))  # the "?" or "!" belongs to its sentence
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def _first_in(spans: list[tuple[int, int]], lo: int, hi: int) -> tuple[int, int] | None:
    for s, e in spans:
        if s >= lo and e <= hi:
            return s, e
        if s >= hi:
            return None
    return None
