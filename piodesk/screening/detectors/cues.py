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

import ahocorasick

from piodesk.screening.detectors import multimatch
from piodesk.screening.detectors.base import Detector, ScanContext, clip
from piodesk.screening.model import Finding, Span

# the standard library's own regex parser, to read literal words off a pattern
_sre_parser: Any = getattr(re, "_parser")  # noqa: B009
_sre_constants: Any = getattr(re, "_constants")  # noqa: B009

# Sentence ends: ". ", "!", "?", ";", a line break. A "." inside "1.5" does not end one, nor
# the "." of a title or a street before a name ("Mr. Green", "St. Mary's"; texts are lower-cased).
# The look-behinds come after the "." they guard, so they run only at a "." (before it, they ran
# at every character: 19 -> 4.4 µs a comment, the same spans on 87,000 texts).
_SENTENCE_END = re.compile(
    r"[!?;\n]+|\.(?<!\b(?:mr|dr|ms|st|jr|sr)\.)(?<!\bmrs\.)(?<!\bsgt\.)(?<!\blt\.)(?<!\bdet\.)"
    r"(?=\s|$)"
)


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
    #: what the finding puts at risk (Finding.at_risk); "{name}" is replaced by the words that
    #: met cue class `name` ("the timing of a police operation ({op_strong}, {future})")
    at_risk: str = ""


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
        gate: bool = True,
        at_risk: Callable[[CueRule, Mapping[str, str]], str] | None = None,
    ) -> None:
        self.id = id
        # what a finding puts at risk, from its rule and the words that met each class (the
        # rule's own `at_risk` template when no function is given)
        self.at_risk_of = at_risk or fill_at_risk
        self.category = category
        self.explanation = explanation
        # case-sensitive classes (names: a capital letter) read the original text, the rest
        # its lower-cased copy; both have the same offsets
        self._original = frozenset(case_sensitive)
        # a class is a regex, or a function of the original text giving spans (a name finder)
        self._cues: dict[str, Any] = {
            # the text is lower-cased once, so the classes need no IGNORECASE (twice as fast)
            name: re.compile(rx) if isinstance(rx, str) else rx
            for name, rx in cues.items()
        }
        self._rules = tuple(rules)
        for r in self._rules:
            missing = [n for n in (*r.needs, *r.unless) if n not in self._cues]
            if missing:
                raise ValueError(f"{r.rule}: unknown cue classes {missing}")
        # Gate, from two kinds of literal words read off each class's regex (one
        # Aho-Corasick pass over the text finds both):
        # - "required" words: every match of the class contains one of them (its longest
        #   literal run, "careful" in "be\s+careful"), so a class none of whose required words
        #   is in the text finds nothing and is not searched, and a rule runs only when each
        #   class it needs with such words has one (the short words "a", "u", "be" a class
        #   starts with no longer wake it);
        # - "start" words: every match begins with one of them, so the class's regex is tried
        #   only at the offsets where one starts (`_anchored`), not at every character.
        # A class that ignores case could match a letter whose lower case is another ("ſ"
        # for "s"), so those are always searched in full.
        starts = {n: literal_keys(rx) for n, rx in cues.items() if isinstance(rx, str)}
        required = {n: required_keys(rx) for n, rx in cues.items() if isinstance(rx, str)}
        plain = {n for n in starts if not self._cues[n].flags & re.IGNORECASE}
        # start words are used for anchoring only when none is shorter than three letters
        # (a one- or two-letter word, "a", "u", "in", is everywhere and costs more hits to
        # walk than the regex saves)
        self._starts: frozenset[str] = frozenset(
            n for n in plain if starts[n] and min(map(len, starts[n] or ())) >= 3
        )
        self._keyed: frozenset[str] = frozenset(n for n in plain if required[n] or starts[n])
        presence = {n: (required[n] or starts[n] or frozenset()) for n in self._keyed}
        wakes: dict[str, set[int]] = {}
        present_of: dict[str, set[str]] = {}
        start_of: dict[str, set[str]] = {}
        for n, ks in presence.items():
            for k in ks:
                present_of.setdefault(k, set()).add(n)
        for n in self._starts:
            for k in starts[n] or ():
                start_of.setdefault(k, set()).add(n)
        always = set()
        for i, r in enumerate(self._rules):
            options = [presence[n] for n in r.needs if n in presence]
            if not options or not gate:  # gate=False runs every rule (the tests compare)
                always.add(i)
                continue
            for k in min(options, key=_breadth):
                wakes.setdefault(k, set()).add(i)
        self._always: frozenset[int] = frozenset(always)
        # Try the rarest class first (fewest literal words; a class without them last): most
        # texts fail there and the common classes ("you", "they") are never searched.
        self._order = [
            sorted(r.needs, key=lambda n: (n not in presence, _breadth(presence.get(n, ()))))
            for r in self._rules
        ]
        # A rule can fire only when every keyed class it needs has one of its words present.
        self._needs_keyed = [frozenset(n for n in r.needs if n in self._keyed) for r in self._rules]
        self._auto: Any = None
        keys = wakes.keys() | present_of.keys() | start_of.keys()
        if keys:
            # each key carries (rules it wakes, classes it shows present, classes it starts, len)
            self._auto = ahocorasick.Automaton()
            for k in keys:
                value = (
                    frozenset(wakes.get(k, ())),
                    frozenset(present_of.get(k, ())),
                    frozenset(start_of.get(k, ())),
                    len(k),
                )
                self._auto.add_word(k, value)
            self._auto.make_automaton()
        # The compiled gate (multimatch.py): each regex class has a fixed id; when the engine
        # has scanned the text, `ctx.__dict__[GATE]` holds the ids that may match, and a class
        # outside it finds nothing, a rule needing such a class cannot fire.
        self._gate_ids: dict[str, int] = {
            name: multimatch.pattern_id(
                "text" if name in self._original else "lower", rx.pattern, rx.flags
            )
            for name, rx in self._cues.items()
            if isinstance(rx, re.Pattern)
        }
        #: per rule, the ids of the classes it needs (all must be in the gate for it to fire)
        self.gate_rules: tuple[frozenset[int], ...] = tuple(
            frozenset(self._gate_ids[n] for n in r.needs if n in self._gate_ids)
            for r in self._rules
        )
        #: lower-case words one of which is in every text this detector can find anything in
        #: (the engine's prefilter reads it); None when some rule has no such words
        self.triggers: tuple[str, ...] | None = None if always else tuple(sorted(wakes))

    def gate_entries(self) -> list[tuple[str, str, int]]:
        """(view, regex, flags) of every regex class, for the engine's compiled gate."""
        return [
            ("text" if name in self._original else "lower", rx.pattern, rx.flags)
            for name, rx in self._cues.items()
            if isinstance(rx, re.Pattern)
        ]

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """At most one finding per rule: the first unit in which all its cues meet."""
        text = ctx.lower
        original = ctx.text if len(ctx.lower) == len(ctx.text) else ctx.lower
        hits: dict[str, list[tuple[int, int]]] = {}
        gate: frozenset[int] | None = ctx.__dict__.get(GATE)
        gate_ids = self._gate_ids

        if gate is not None:
            # the compiled gate has read the text: no Aho-Corasick pass, no anchoring
            found: list[Any] = []
            ready = [req <= gate for req in self.gate_rules]
            if not any(ready):
                return []
            awake: frozenset[int] = frozenset(i for i, ok in enumerate(ready) if ok)
            present: frozenset[str] = frozenset()
            keyed: frozenset[str] = frozenset()
            anchored = False
        else:
            folded = text.lower()
            anchored = len(folded) == len(text)  # offsets of the folded copy are the text's
            found = list(self._auto.iter(folded)) if self._auto is not None else []
            awake = self._always.union(*(v[0] for _end, v in found))
            present = frozenset().union(*(v[1] for _end, v in found))
            keyed = self._keyed

        def find(name: str) -> list[tuple[int, int]]:
            got = hits.get(name)
            if got is None:
                cue = self._cues[name]
                if gate is not None and name in gate_ids and gate_ids[name] not in gate:
                    got = []  # the compiled gate found no possible match
                elif name in keyed:
                    if name not in present:
                        got = []  # none of the words every match begins with
                    elif anchored and name in self._starts:
                        # a match can begin only where one of the class's words starts, so
                        # the regex is tried at those offsets, not at every character
                        where = [e - v[3] + 1 for e, v in found if name in v[2]]
                        got = _anchored(cue, original if name in self._original else text, where)
                    else:
                        source = original if name in self._original else text
                        got = [m.span() for m in cue.finditer(source) if m.end() > m.start()]
                elif isinstance(cue, re.Pattern):
                    source = original if name in self._original else text
                    got = [m.span() for m in cue.finditer(source) if m.end() > m.start()]
                else:
                    got = sorted(cue(ctx.text))

                hits[name] = got
            return got

        units: list[tuple[int, int]] | None = None
        out: list[Finding] = []
        for i, r in enumerate(self._rules):
            if i not in awake or (gate is None and not self._needs_keyed[i] <= present):
                continue
            if not all(find(n) for n in self._order[i]):  # cheap: most texts miss the first cue
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
                met = {
                    n: ctx.lower[p[0] : p[1]]
                    for n, p in zip(r.needs, picked, strict=True)
                    if p is not None
                }
                met[UNIT] = ctx.lower[lo:hi]
                out.append(
                    self.finding(
                        [Span(s, e) for s, e in spans],
                        " … ".join(clip(ctx.text, s, e, 40) for s, e in spans),
                        r.score,
                        rule=r.rule,
                        explanation=r.explanation,
                        at_risk=self.at_risk_of(r, met) if r.at_risk else "",
                    )
                )
                break
        return out


#: The key under which an `at_risk` function finds the whole unit (sentence or text) it read.
UNIT = "_unit"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_at_risk(rule: CueRule, met: Mapping[str, str]) -> str:
    """The rule's `at_risk` with each "{class}" replaced by the words that met that class."""
    return _PLACEHOLDER.sub(lambda m: clip(met.get(m.group(1), ""), 0, 10**6, 40), rule.at_risk)


#: The key of the compiled gate's result in `ScanContext.__dict__` (set by the engine).
GATE = "screening_gate"


def _anchored(cue: re.Pattern[str], text: str, where: list[int]) -> list[tuple[int, int]]:
    """What `cue.finditer(text)` finds, trying the regex only at the offsets in `where`.

    Every match begins at one of them, and finditer takes the leftmost match and goes on
    from its end, so matching at each offset in turn (past the last match's end) is the same.
    Look-behinds still see the characters before the offset.
    """
    out: list[tuple[int, int]] = []
    pos = 0
    for at in sorted(set(where)):
        if at < pos:
            continue
        m = cue.match(text, at)
        if m is not None and m.end() > at:
            out.append((at, m.end()))
            pos = m.end()
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


# Words of four letters or more that are in most comments all the same.
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_COMMON = _word_set(
    "that with just what will have they them your like there about from here this when would "
    "been know make only some then than were also into more come over every still real look "
    "need want going gonna think said should could call back good time people really right "
    "their thing things even well much very because after before where which while other "
    # and the shorter words of every sentence
    "you for get end the and one all out can has was are but not our how who now day see way "
    "man any new got his her him its say she too use did let put off why yes ask own try big "
    "old lol ing ll it in on at to be is me my we so up if or do no go of an am us"
)


def _breadth(keys: Iterable[str]) -> float:
    """How often some key is likely in a text: short keys ("u", "rn", "$") and common words
    ("that", "with") are everywhere; the longer a word, the rarer."""
    return sum(
        30 if k in _COMMON else {1: 200, 2: 30, 3: 5, 4: 2, 5: 1}.get(len(k), 0.5) for k in keys
    )


def literal_keys(regex: str) -> frozenset[str] | None:
    """Lower-case literals one of which begins every match of `regex`, or None if unknown.

    Read off the parsed pattern: leading look-arounds are skipped, a branch contributes the
    literal characters it starts with, a group its branches' keys. A branch that can start
    with anything else (an optional group, a class, a digit) makes the answer None.
    """
    try:
        parsed = _sre_parser.parse(regex, re.IGNORECASE)
    except re.error:
        return None
    got = _seq_keys(list(parsed))
    return frozenset(k.lower() for k in got) if got else None


def _seq_keys(items: list[Any]) -> set[str] | None:
    c = _sre_constants
    i = 0
    while i < len(items) and items[i][0] in (c.ASSERT, c.ASSERT_NOT, c.AT):
        i += 1
    if i == len(items):
        return None
    op, av = items[i]
    if op is c.LITERAL:
        chars = []
        while i < len(items) and items[i][0] is c.LITERAL:
            chars.append(chr(items[i][1]))
            i += 1
        return {"".join(chars)}
    if op is c.SUBPATTERN:
        return _seq_keys(list(av[-1]))
    if op is c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            got = _seq_keys(list(branch))
            if not got:
                return None
            out |= got
        return out
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
        return _seq_keys(list(av[2]))
    return None


def required_keys(regex: str) -> frozenset[str] | None:
    """Lower-case literals one of which is inside every match of `regex`, or None if unknown.

    Read off the parsed pattern: in a sequence, each run of literal characters is required, and
    so is what a required group or a repeat of at least once requires; of those the rarest
    is kept (`_breadth`). A branch requires the union of what its alternatives require, and
    is unknown when one of them requires nothing. Look-arounds are not counted.
    """
    try:
        parsed = _sre_parser.parse(regex, re.IGNORECASE)
    except re.error:
        return None
    got = _seq_required(list(parsed))
    return frozenset(k.lower() for k in got) if got else None


def _seq_required(items: list[Any]) -> set[str] | None:
    c = _sre_constants
    options: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append({"".join(run)})
            run = []
        got: set[str] | None = None
        if op is c.SUBPATTERN:
            got = _seq_required(list(av[-1]))
        elif op is c.BRANCH:
            union: set[str] = set()
            for branch in av[1]:
                one = _seq_required(list(branch))
                if not one:
                    union = set()
                    break
                union |= one
            got = union or None
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            got = _seq_required(list(av[2]))
        if got:
            options.append(got)
    if run:
        options.append({"".join(run)})
    options = [o for o in options if all(k.strip() for k in o)]
    return min(options, key=_breadth) if options else None
