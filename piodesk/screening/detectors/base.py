"""What every detector is made of: an id, a category, patterns or words, and explained hits.

Modelled on Presidio's recognizers: a detector is a small class; each hit names the rule that
fired, the evidence, a score and one plain sentence, and points at the original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from piodesk.screening.detectors import multimatch
from piodesk.screening.model import SECTION_FOR, Finding, Span, TextKind
from piodesk.screening.normalize import Normalized, normalize

_DIGITS = re.compile(r"\d")

_T = TypeVar("_T")


class _once(Generic[_T]):  # a decorator, named like functools.cached_property
    """`functools.cached_property` without its lock (Python 3.11 takes one on every first
    read, a few microseconds a text): the value is computed on first read and stored in the
    instance's `__dict__`, which later reads find first. A context belongs to one screening
    call, so two threads never race on one; if they did, both would compute the same value."""

    def __init__(self, fn: Callable[[Any], _T]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> _T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


#: Where the engine leaves the compiled gate's answer for a text in `ScanContext.__dict__`: the
#: ids of the regexes that may match it (the same key as cues.GATE).
GATE = "screening_gate"
#: ... and the ids of every regex that gate was asked about (a detector the engine did not
#: register, a draft detector, must not read an absent id as "cannot match").
GATE_REGISTERED = "screening_gate_registered"


def gate_rules_out(ctx: ScanContext, view: str, rx: re.Pattern[str]) -> bool:
    """Whether the engine's compiled gate found that `rx` cannot match this view of the text
    (False when the gate did not scan the text or was not asked about `rx`)."""
    gate: frozenset[int] | None = ctx.__dict__.get(GATE)
    if gate is None:
        return False
    gid = multimatch.pattern_id(view, rx.pattern, rx.flags)
    return gid not in gate and gid in ctx.__dict__.get(GATE_REGISTERED, frozenset())


class ScanContext:
    """One text being screened, with the views detectors read (computed once, on demand)."""

    __slots__ = ("__dict__", "kind", "text")

    def __init__(self, text: str, kind: TextKind = TextKind.COMMENT) -> None:
        self.text = text
        self.kind = kind

    @_once
    def lower(self) -> str:
        """The original text lower-cased (same length for all but a few non-ASCII letters)."""
        low = self.text.lower()
        return low if len(low) == len(self.text) else self.text

    @_once
    def norm(self) -> Normalized:
        """The text with evasions folded out (see normalize.py) and its offset map."""
        return normalize(self.text)

    @_once
    def digits(self) -> int:
        """How many decimal digits the text holds (phone, card and number detectors need some)."""
        return len(_DIGITS.findall(self.text))

    def span_from_norm(self, start: int, end: int) -> Span:
        """A span of the normalized text, as a span of the original text."""
        s, e = self.norm.to_original(start, end)
        return Span(s, e)


def clip(text: str, start: int, end: int, limit: int = 80) -> str:
    """The evidence shown to a PIO: the matched text, shortened if it is long."""
    ev = " ".join(text[start:end].split())
    return ev if len(ev) <= limit else ev[: limit - 1] + "…"


class Detector:
    """Base class: subclasses set `id`, `category`, `explanation` and implement `detect`."""

    id: str = ""
    category: str = ""
    explanation: str = ""
    #: Which kinds of text the detector reads; comments and drafts both by default.
    kinds: frozenset[TextKind] = frozenset(TextKind)

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """All hits of this detector in the text."""
        raise NotImplementedError

    def finding(
        self,
        spans: Sequence[Span],
        evidence: str,
        score: float,
        *,
        rule: str | None = None,
        explanation: str | None = None,
        suggestion: str = "",
        category: str | None = None,
        at_risk: str = "",
    ) -> Finding:
        """A finding from this detector, citing the GO 409 section of its category."""
        cat = category or self.category
        return Finding(
            category=cat,
            rule=rule or self.id,
            spans=tuple(spans),
            evidence=evidence,
            score=round(max(0.0, min(1.0, score)), 3),
            section=SECTION_FOR.get(cat, "§.20"),
            explanation=explanation or self.explanation,
            suggestion=suggestion,
            at_risk=at_risk,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


@dataclass(frozen=True, slots=True)
class Pattern:
    """One named regular expression and the score a bare match earns."""

    name: str
    regex: str
    score: float
    flags: int = re.IGNORECASE


class PatternDetector(Detector):
    """A Presidio-style pattern recognizer: regexes, optional validation and context words.

    A match scores its pattern's score; a context word within `context_window` characters
    before or after raises it by `context_boost`. With `context_required` a match without a
    context word is dropped (dates, plates and licence numbers look like anything alone).
    """

    def __init__(
        self,
        id: str,
        category: str,
        patterns: Sequence[Pattern],
        explanation: str,
        *,
        context: Sequence[str] = (),
        context_window: int = 40,
        context_boost: float = 0.35,
        context_required: bool = False,
        use_normalized: bool = False,
        validate: Callable[[re.Match[str]], bool] | None = None,
        group: int | str = 0,
        suggestion: str = "",
        kinds: frozenset[TextKind] = frozenset(TextKind),
        at_risk: str | Callable[[str, str], str] = "",
    ) -> None:
        self.id = id
        self.category = category
        self.explanation = explanation
        self.patterns = tuple(patterns)
        self.context = tuple(context)
        self.context_window = context_window
        self.context_boost = context_boost
        self.context_required = context_required
        self.use_normalized = use_normalized  # read the evasion-folded text, not the original
        self.validate = validate
        self.group = group
        self.suggestion = suggestion
        self.kinds = kinds
        # what a hit puts at risk: one phrase, or a function of (pattern name, matched text)
        self.at_risk = at_risk
        self._compiled = [
            (p, re.compile(p.regex, _flags(p, use_normalized))) for p in self.patterns
        ]
        # each pattern's id in the engine's compiled gate (multimatch.py), which the engine
        # registers on the same view: a pattern the gate rules out for a text is not run
        view = "norm" if use_normalized else "text"
        self._gate_ids = [
            multimatch.pattern_id(view, rx.pattern, rx.flags) for _p, rx in self._compiled
        ]
        self._context_re: re.Pattern[str] | None = None
        if self.context:
            alts = words_alternation(self.context)
            self._context_re = re.compile(rf"(?<![^\W_])(?:{alts})(?![^\W_])", re.IGNORECASE)

    def _has_context(self, text: str, start: int, end: int) -> bool:
        if self._context_re is None:
            return False
        lo = max(0, start - self.context_window)
        hi = min(len(text), end + self.context_window)
        return self._context_re.search(text, lo, hi) is not None

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """Every validated pattern match, scored with its context."""
        text = ctx.norm.text if self.use_normalized else ctx.text
        out: list[Finding] = []
        gate: frozenset[int] | None = ctx.__dict__.get(GATE)
        asked: frozenset[int] = ctx.__dict__.get(GATE_REGISTERED, frozenset())
        for k, (pat, rx) in enumerate(self._compiled):
            gid = self._gate_ids[k]
            if gate is not None and gid not in gate and gid in asked:
                continue  # the gate found that this pattern cannot match the text
            for m in rx.finditer(text):
                s, e = m.span(self.group)
                if s < 0 or s == e:
                    continue
                if self.validate is not None and not self.validate(m):
                    continue
                score = pat.score
                if self.context:
                    if self._has_context(text, s, e):
                        score = min(1.0, score + self.context_boost)
                    elif self.context_required:
                        continue
                span = ctx.span_from_norm(s, e) if self.use_normalized else Span(s, e)
                at_risk = self.at_risk
                if not isinstance(at_risk, str):
                    at_risk = at_risk(pat.name, text[s:e])
                out.append(
                    self.finding(
                        [span],
                        clip(ctx.text, span.start, span.end),
                        score,
                        suggestion=self.suggestion,
                        at_risk=at_risk,
                    )
                )
        return out


_ESCAPES = re.compile(r"\\[A-Za-z]|\(\?[A-Za-z<!=:-]*")


def _flags(p: Pattern, use_normalized: bool) -> int:
    """The normalized text is lower case: IGNORECASE only costs time there (about half), so it
    is dropped unless the pattern spells an upper-case letter."""
    if use_normalized and not re.search(r"[A-Z]", _ESCAPES.sub("", p.regex)):
        return p.flags & ~re.IGNORECASE
    return p.flags


def words_alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so "kill" loses to "killing").

    Words of one length are in alphabetical order: the same regex in every process, whatever
    the set's order there, so a compiled gate cached by one process is found by the others
    (two words of one length cannot both match at one place, so the order changes nothing)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
