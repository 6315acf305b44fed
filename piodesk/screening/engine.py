"""The screener: text in, findings out, with the ruleset and model versions that made them.

    screener = Screener.load()               # shipped rules; Screener.load(path) for an agency's
    result = screener.screen_comment(text)   # §.20 categories
    result = screener.screen_draft(draft)    # §.12 rules plus the §.20 categories
    results = screener.screen_many(texts)    # batch: each model runs once over all texts

Rule detectors give spans in the original text. Trained models (screening.models, when
installed) give whole-text findings: the engine calls `load_models()` once and, per batch,
`predict_proba(texts)` on each model; a probability at or above the model's threshold (or the
rules file's override) is a finding whose evidence is the model's `explain(text)`; when a rule
finding of the same category is already there, the model joins it instead ("(also <model>
0.93)" in its evidence), since the rule already points at the words.

Each text first goes through a trigger-word prefilter (detectors/triggers.py): a detector runs
only when a word it needs is in the text. Findings of one category whose spans overlap are
merged into one, led by the strongest.

Interface with screening.models (owned separately): each object from `load_models()` has
`id`, `category`, `version`, `threshold`, `predict_proba(list[str]) -> array of floats` and
`explain(str) -> str`. Optionally `find_spans(text) -> list[tuple[int, int, float]]` (e.g. a
person-name model): spans it returns become span findings of the model's category.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import ahocorasick
import numpy as np

from piodesk.screening.detectors import Detector, ScanContext, build_detectors, multimatch
from piodesk.screening.detectors.base import GATE_REGISTERED, Pattern, PatternDetector
from piodesk.screening.detectors.cues import GATE, CueDetector
from piodesk.screening.detectors.requires import requirements
from piodesk.screening.detectors.threat import model_only_is_evidence
from piodesk.screening.detectors.triggers import GATES, TRIGGERS
from piodesk.screening.drafts import DraftInput, MediaConsentDetector, build_draft_detectors
from piodesk.screening.labeled_data import PROFANE_WORD
from piodesk.screening.model import (
    SECTION_FOR,
    Category,
    DraftRule,
    Finding,
    ScreeningResult,
    Span,
    TextKind,
)
from piodesk.screening.normalize import normalize_text, wait_for_stages_gate
from piodesk.screening.rules import RuleSet, load_rules

log = logging.getLogger(__name__)

_DRAFT_RULE_NAMES = {r.value for r in DraftRule}


class ModelDetector(Protocol):
    """What the engine needs from a trained model (see screening.models)."""

    id: str
    category: str
    version: str
    threshold: float

    def predict_proba(self, texts: list[str]) -> Any:
        """Probability per text that it belongs to `category` (a numpy array of floats)."""

    def explain(self, text: str) -> str:
        """The features that pushed the score up, readable by a PIO."""


#: PII findings that make a name in the same text "a named person's private details".
_DETAIL_RULES = frozenset(
    {
        "pii.phone", "pii.email", "pii.ssn", "pii.card", "pii.ip", "pii.address", "pii.dob",
        "pii.plate", "pii.drivers_license",
    }
)  # fmt: skip


def _load_name_finder() -> Any:
    """`find_person_names(text) -> [(start, end, score)]` from screening.models, if installed."""
    try:
        from piodesk.screening.models.names import find_person_names
    except ImportError:
        return None
    return find_person_names


def _name_findings(finder: Any, text: str, findings: list[Finding], mode: str) -> list[Finding]:
    """Person names as pii findings, as the rules file's `pii.person_names` says.

    "with_details" (shipped): a name is a finding only in a text that also gives someone's
    phone, address, plate... (§.20 "personal identifying information of any person"): the name
    tells whose details they are. A name alone is not a finding, since comments name the chief
    and officers all the time ("Officer Smith was rude" is protected speech).
    "all": every name the finder locates is a finding (for an agency that reads §.20 strictly,
    or an export screened before a public-records release).
    """
    if finder is None or mode == "off":
        return []
    if mode != "all" and not any(f.rule in _DETAIL_RULES for f in findings):
        return []
    # spans of the other findings, merged and sorted: a name inside one is not reported again
    taken = _union(s for f in findings for s in f.spans) if mode != "all" else []
    taken_starts = [t.start for t in taken]
    explanation = (
        "The text names a person next to personal details (phone, address, plate ...), "
        "which tells whose details they are."
        if mode != "all"
        else "The text names a person (the agency's rules count every name as personal "
        "information)."
    )
    out = []
    for start, end, score in finder(text):
        name = text[start:end]
        if len(name) < 3 or name.isupper():
            continue  # "STOP", "U": shouting in spam texts, not names
        k = bisect.bisect_left(taken_starts, end) - 1  # the last taken span starting before end
        if k >= 0 and taken[k].end > start:
            continue
        out.append(
            Finding(
                category=Category.PII.value,
                rule="pii.person_name",
                spans=(Span(int(start), int(end)),),
                evidence=name,
                score=round(min(0.9, float(score)), 3),
                section=SECTION_FOR[Category.PII.value],
                explanation=explanation,
            )
        )
    return out


def _load_models() -> list[Any]:
    """The trained models, or none when the models package is absent or fails to load."""
    try:
        from piodesk.screening import models as models_pkg
    except ImportError:
        return []
    loader = getattr(models_pkg, "load_models", None)
    if loader is None:
        return []
    try:
        return list(loader())
    except Exception:
        log.exception("screening models failed to load; screening with rules only")
        return []


class _State:
    """Everything built from one ruleset; swapped whole on reload."""

    def __init__(
        self, rules: RuleSet, models: Sequence[Any], prefilter: bool = True, gate: bool = True
    ) -> None:
        self.rules = rules
        self.detectors: list[Detector] = build_detectors(rules)
        self.draft_detectors: list[Detector] = []
        if rules.drafts.enabled:
            for d in build_draft_detectors():
                if rules.drafts.rules.get(d.category, True) and d.id not in rules.disabled_rules:
                    self.draft_detectors.append(d)
            for rule_name, patterns in rules.drafts.patterns.items():
                if not rules.drafts.rules.get(rule_name, True):
                    continue
                for p in patterns:
                    self.draft_detectors.append(
                        PatternDetector(
                            f"draft.{rule_name}.agency.{p.name}",
                            rule_name,
                            [Pattern(p.name, p.regex, p.score, p.flags)],
                            p.explanation or f"The draft matches the agency's pattern “{p.name}”.",
                            kinds=frozenset({TextKind.DRAFT}),
                            use_normalized=p.normalized,
                        )
                    )
        self.prefilter = _Prefilter(self.detectors, enabled=prefilter, gate=gate)
        pii = rules.categories[Category.PII.value]
        self.person_names = pii.person_names
        self.name_finder = (
            _load_name_finder()
            if pii.enabled
            and pii.person_names != "off"
            and rules.models_enabled
            and "pii.person_name" not in rules.disabled_rules
            else None
        )
        self.media = MediaConsentDetector()
        self.media_enabled = rules.drafts.enabled and (
            rules.drafts.rules.get(DraftRule.MEDIA_CONSENT.value, True)
            or rules.drafts.rules.get(DraftRule.COPYRIGHT.value, True)
        )
        self.models = [
            m
            for m in models
            if rules.models_enabled
            and m.category in rules.categories
            and rules.categories[m.category].enabled
            and m.id not in rules.disabled_rules
        ]
        self.model_version = "+".join(m.version for m in self.models) or "none"
        self.allow = _Allow(rules)

    def threshold(self, category: str) -> float:
        if category in self.rules.categories:
            return self.rules.categories[category].threshold
        return self.rules.drafts.threshold

    def model_threshold(self, model: Any) -> float:
        return float(self.rules.model_thresholds.get(model.id, model.threshold))


class _Prefilter:
    """Runs a detector only when its trigger words are in the text (one Aho-Corasick pass)."""

    def __init__(
        self, detectors: Sequence[Detector], enabled: bool = True, gate: bool = True
    ) -> None:
        self.detectors = list(detectors)
        self.gates: list[Any] = [GATES.get(d.id) for d in self.detectors]
        self.always: frozenset[int] = frozenset()
        # Each trigger word carries the indexes of the detectors it wakes.
        wakes: dict[str, set[int]] = {}
        always = set()
        for i, d in enumerate(self.detectors):
            trig = (TRIGGERS.get(d.id) or getattr(d, "triggers", None)) if enabled else None
            if not trig:
                always.add(i)
                continue
            for w in trig:
                wakes.setdefault(w, set()).add(i)
        self.always = frozenset(always)
        self._auto = ahocorasick.Automaton()
        for w, idx in wakes.items():
            self._auto.add_word(w, frozenset(idx))
        self._empty = not wakes
        if wakes:
            self._auto.make_automaton()
        # The compiled gate (detectors/multimatch.py): one Hyperscan pass tells which of the
        # cue classes and patterns may match; a detector none of whose rules or patterns can
        # match is not called, and a cue detector skips the classes that cannot.
        entries: list[tuple[str, str, int]] = []
        self.gate_rules: list[tuple[frozenset[int], ...] | None] = []
        for d in self.detectors:
            if isinstance(d, CueDetector):
                entries += d.gate_entries()
                self.gate_rules.append(d.gate_rules)
            elif type(d).detect is PatternDetector.detect and isinstance(d, PatternDetector):
                view = "norm" if d.use_normalized else "text"
                own = [(view, rx.pattern, rx.flags) for _p, rx in d._compiled]
                entries += own
                self.gate_rules.append(tuple(frozenset({multimatch.pattern_id(*e)}) for e in own))
            elif (groups := requirements(d)) is not None:
                # a detector written as code, whose findings all come from some regexes of its
                # own (detectors/requires.py): not called when the gate rules them all out
                entries += [(view, rx.pattern, rx.flags) for g in groups for view, rx in g]
                pid = multimatch.pattern_id
                self.gate_rules.append(
                    tuple(frozenset(pid(v, rx.pattern, rx.flags) for v, rx in g) for g in groups)
                )
            else:
                self.gate_rules.append(None)
        self.matcher = multimatch.MultiMatcher(entries) if enabled and gate and entries else None
        # With the gate's answer for a text, the detectors it leaves possible are found from
        # its ids (`by_id`; a detector all of whose groups are single regexes is possible on
        # any of them, the others, cue rules needing several classes, check their groups), and
        # only those few look for their trigger words, each with `in` (what the Aho-Corasick
        # pass over the lower-cased and the normalized text would say for them).
        words_of: dict[int, list[str]] = {}
        for w, idx in wakes.items():
            for i in idx:
                words_of.setdefault(i, []).append(w)
        self.words: list[Any] = [
            _words_finder(words_of[i]) if i in words_of else None
            for i in range(len(self.detectors))
        ]
        self.by_id: dict[int, set[int]] = {}
        # a detector with groups of several regexes (cue rules needing several classes) is
        # possible when one of its groups is wholly possible; each such group is filed under
        # its lowest id, so a text's answer checks only the groups whose filing
        # id it holds, each once (threat.scored alone has 99 groups)
        self.groups_by_id: dict[int, list[tuple[int, frozenset[int]]]] = {}
        gate_always: set[int] = set()
        for i, reqs in enumerate(self.gate_rules):
            if reqs is None or any(not g for g in reqs):
                gate_always.add(i)  # no regex to rule it out (or a rule that needs none)
                continue
            for g in reqs:
                if len(g) == 1:
                    self.by_id.setdefault(next(iter(g)), set()).add(i)
                else:
                    self.groups_by_id.setdefault(min(g), []).append((i, g))
        self.gate_always = frozenset(gate_always)

    def _awake(self, ctx: ScanContext) -> frozenset[int]:
        """The detectors whose trigger words are in the text (one Aho-Corasick pass a view)."""
        awake = self.always
        if not self._empty:
            awake = awake.union(*(idx for _end, idx in self._auto.iter(ctx.lower)))
            norm = ctx.norm.text
            if norm != ctx.lower:
                awake = awake.union(*(idx for _end, idx in self._auto.iter(norm)))
        return awake

    def _awake_gated(self, ctx: ScanContext, possible: frozenset[int]) -> list[int]:
        """The detectors that the gate's answer leaves possible and whose trigger words are in
        the text: the same as `_awake` and then the gate, for much less work."""
        candidates = set(self.gate_always)
        by_id = self.by_id
        groups_by_id = self.groups_by_id
        for gate_id in possible:
            dets = by_id.get(gate_id)
            if dets is not None:
                candidates.update(dets)
            groups = groups_by_id.get(gate_id)
            if groups is not None:
                candidates.update(i for i, g in groups if i not in candidates and g <= possible)
        lower = ctx.lower
        norm: str | None = None
        out = []
        for i in candidates:
            has_word = self.words[i]
            if has_word is not None and not has_word(lower):
                if norm is None:
                    norm = ctx.norm.text
                if norm == lower or not has_word(norm):
                    continue
            out.append(i)
        return out

    def scan_many(self, ctxs: Sequence[ScanContext]) -> list[frozenset[int] | None]:
        """The gate's answer for each text (None: not gated), database by database."""
        if self.matcher is None:
            return [None] * len(ctxs)
        # texts with letters outside ASCII read through stand-ins: without them, 3 % of the
        # comments ran every detector their trigger words woke, a quarter of the rules' time
        return self.matcher.scan_many(ctxs, letters=True)

    def run(
        self,
        ctx: ScanContext,
        kind: TextKind,
        possible: frozenset[int] | None = None,
        *,
        scanned: bool = False,
    ) -> list[Finding]:
        """Findings of the awake detectors; with `scanned`, `possible` is the gate's answer
        for the text, from `scan_many` over its batch."""
        out: list[Finding] = []
        if not scanned:
            possible = self.matcher.scan(ctx) if self.matcher is not None else None
        if possible is not None:
            ctx.__dict__[GATE] = possible
            ctx.__dict__[GATE_REGISTERED] = self.matcher.registered  # type: ignore[union-attr]
            awake: Iterable[int] = self._awake_gated(ctx, possible)
        else:  # no gate, or a text it does not read (not ASCII): the trigger words decide
            awake = self._awake(ctx)
        for i in sorted(awake):  # registry order, so results do not depend on the text
            d = self.detectors[i]
            if kind not in d.kinds:
                continue
            gate = self.gates[i]
            if gate is not None and not gate(ctx):
                continue
            out.extend(d.detect(ctx))
        return out


def _words_finder(words: Sequence[str]) -> Any:
    """`has(text)`: whether any of the words is in the text (as a substring)."""
    if len(words) <= 6:
        few = tuple(words)
        return lambda text: any(w in text for w in few)
    auto = ahocorasick.Automaton()
    for w in words:
        auto.add_word(w, None)
    auto.make_automaton()
    return lambda text: next(auto.iter(text), None) is not None


class _Allow:
    """Allow-list phrases (global, per category, for drafts) matched on the normalized text."""

    def __init__(self, rules: RuleSet) -> None:
        def compile_(phrases: Iterable[str]) -> re.Pattern[str] | None:
            # longest first, one length in alphabetical order: the same regex in every process
            keys = sorted(
                {normalize_text(p).strip() for p in phrases if p.strip()},
                key=lambda k: (-len(k), k),
            )
            keys = [k for k in keys if k]
            if not keys:
                return None
            alts = "|".join(re.escape(k) for k in keys)
            return re.compile(rf"(?<![^\W_])(?:{alts})(?![^\W_])")

        self.global_ = compile_(rules.allow)
        self.per_category = {
            name: rx
            for name, cr in rules.categories.items()
            if name != Category.PROFANITY.value and (rx := compile_(cr.allow)) is not None
        }
        # The profanity lexicon applies its allow-list itself (inside words); the engine also
        # honours it for the profanity model's spans, which there are none of: nothing to do.
        self.drafts = compile_(rules.drafts.allow)

    def ranges(self, ctx: ScanContext, category: str) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        rxs = [self.global_, self.per_category.get(category)]
        if category in _DRAFT_RULE_NAMES or ctx.kind is TextKind.DRAFT:
            rxs.append(self.drafts)
        for rx in rxs:
            if rx is None:
                continue
            for m in rx.finditer(ctx.norm.text):
                out.append(ctx.norm.to_original(*m.span()))
        return out

    @property
    def empty(self) -> bool:
        return self.global_ is None and not self.per_category and self.drafts is None


def _merge(findings: list[Finding]) -> list[Finding]:
    """Overlapping span findings of one category become one finding (the strongest leads)."""
    if len(findings) < 2:  # nothing to merge or order (most texts)
        return list(findings)
    by_cat: dict[str, list[Finding]] = {}
    whole: list[Finding] = []
    for f in findings:
        if f.spans:
            by_cat.setdefault(f.category, []).append(f)
        else:
            whole.append(f)
    out: list[Finding] = []
    for group in by_cat.values():
        group.sort(key=lambda f: (min(s.start for s in f.spans), -f.score))
        clusters: list[list[Finding]] = []
        cluster_end = -1
        for f in group:
            start = min(s.start for s in f.spans)
            if clusters and start < cluster_end:
                clusters[-1].append(f)
                cluster_end = max(cluster_end, max(s.end for s in f.spans))
            else:
                clusters.append([f])
                cluster_end = max(s.end for s in f.spans)
        for c in clusters:
            if len(c) == 1:
                out.append(c[0])
                continue
            lead = max(c, key=lambda f: f.score)
            spans = _union(s for f in c for s in f.spans)
            rules = sorted({f.rule for f in c if f.rule != lead.rule})
            evidence = lead.evidence
            if rules:
                evidence = f"{lead.evidence} (also {', '.join(rules)})"
            out.append(replace(lead, spans=tuple(spans), evidence=evidence))
    out.extend(whole)
    out.sort(key=lambda f: (min((s.start for s in f.spans), default=-1), f.category, -f.score))
    return out


def _union(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and s.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, s.end))
        else:
            merged.append(s)
    return merged


class Screener:
    """Screens comments (§.20) and staff drafts (§.12 + §.20) against one agency ruleset."""

    def __init__(
        self,
        rules: RuleSet,
        models: Sequence[Any] | None = None,
        *,
        prefilter: bool = True,
        gate: bool = True,
    ) -> None:
        self._all_models = list(_load_models() if models is None else models)
        self._prefilter = prefilter  # False runs every detector on every text (for tests)
        self._gate = gate  # False: no compiled gate (the tests compare)
        self._state = _State(rules, self._all_models, prefilter, gate)
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, rules_path: Path | None = None, *, models: Sequence[Any] | None = None
    ) -> Screener:
        """A screener for the shipped rules, or for an agency's rules file (checked whole)."""
        return cls(load_rules(rules_path), models)

    def reload(self, rules_path: Path | None = None) -> None:
        """Switch to a new rules file; a bad file raises RulesError and nothing changes."""
        new_state = _State(load_rules(rules_path), self._all_models, self._prefilter, self._gate)
        with self._lock:
            self._state = new_state

    def wait_for_gate(self, timeout: float | None = None) -> bool:
        """Block until the compiled gate is ready (it compiles in the background and the
        screener runs ungated, with the same findings, until then); True when it is on. The
        small gates of the normaliser and of the models' shape tokens are waited for too."""
        state = self._state
        wait_for_stages_gate(timeout)  # the normaliser's (the same findings without it)
        for model in state.models:  # the models' own gate (the featurizer's shape tokens)
            wait = getattr(getattr(model, "featurizer", None), "wait", None)
            if wait is not None:
                wait(timeout)
        matcher = state.prefilter.matcher
        return matcher is not None and matcher.wait(timeout)

    @property
    def rules(self) -> RuleSet:
        """The ruleset in force."""
        return self._state.rules

    @property
    def ruleset_version(self) -> str:
        """e.g. "default-2026.11.1+sha256:abcd1234"."""
        return self._state.rules.version_string

    @property
    def model_version(self) -> str:
        """The joined versions of the models in use, or "none"."""
        return self._state.model_version

    # --- screening ----------------------------------------------------------------------------

    def screen_comment(self, text: str) -> ScreeningResult:
        """Findings for one public comment (§.20)."""
        return self.screen_many([text], TextKind.COMMENT)[0]

    def screen_draft(self, draft: DraftInput | str) -> ScreeningResult:
        """Findings for one staff draft: the §.12 rules, its media, and the §.20 categories."""
        if isinstance(draft, str):
            draft = DraftInput(draft)
        return self._screen_batch([draft], TextKind.DRAFT)[0]

    def screen_many(
        self, texts: Sequence[str | DraftInput], kind: TextKind = TextKind.COMMENT
    ) -> list[ScreeningResult]:
        """Findings for many texts; each trained model runs once over the whole batch."""
        kind = TextKind(kind)
        drafts = [t if isinstance(t, DraftInput) else DraftInput(t) for t in texts]
        return self._screen_batch(drafts, kind)

    def _screen_batch(self, items: list[DraftInput], kind: TextKind) -> list[ScreeningResult]:
        state = self._state  # one consistent ruleset for the whole batch, even during reload
        texts = [d.text for d in items]
        # every text's gate answer first, one database at a time over the whole batch
        ctxs = [None if not t or t.isspace() else ScanContext(t, kind) for t in texts]
        scanned = [c for c in ctxs if c is not None]
        answers = iter(state.prefilter.scan_many(scanned) if scanned else [])
        per_text: list[list[Finding]] = [
            [] if c is None else self._rule_findings(state, c, kind, next(answers)) for c in ctxs
        ]
        if kind is TextKind.DRAFT and state.media_enabled:
            for i, d in enumerate(items):
                if d.media:
                    per_text[i].extend(
                        f
                        for f in state.media.check(d.media)
                        if state.rules.drafts.rules.get(f.category, True)
                    )
        if state.models and texts:
            self._model_findings(state, texts, per_text)
        version = state.rules.version_string
        return [
            ScreeningResult(
                kind=kind,
                findings=tuple(fs),
                ruleset_version=version,
                model_version=state.model_version,
                categories=frozenset(f.category for f in fs),
            )
            for fs in per_text
        ]

    def _rule_findings(
        self, state: _State, ctx: ScanContext, kind: TextKind, possible: frozenset[int] | None
    ) -> list[Finding]:
        text = ctx.text
        raw = state.prefilter.run(ctx, kind, possible, scanned=True)
        if kind is TextKind.DRAFT:
            for d in state.draft_detectors:
                raw.extend(d.detect(ctx))
        kept = [f for f in raw if f.score >= state.threshold(f.category)]
        if state.name_finder is not None and (kept or state.person_names == "all"):
            kept += [
                f
                for f in _name_findings(state.name_finder, text, kept, state.person_names)
                if f.score >= state.threshold(f.category)
            ]
        if kept and not state.allow.empty:
            kept = self._apply_allow(state, ctx, kept)
        return _merge(kept)

    @staticmethod
    def _apply_allow(state: _State, ctx: ScanContext, findings: list[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            ranges = state.allow.ranges(ctx, f.category)
            if (
                f.spans
                and ranges
                and all(any(a <= s.start and s.end <= b for a, b in ranges) for s in f.spans)
            ):
                continue
            out.append(f)
        return out

    @staticmethod
    def _merge_into_rule_finding(findings: list[Finding], model: Any, p: float) -> bool:
        """A model that agrees with a rule finding of its category joins that finding.

        The rule finding already points at the words; the model's whole-text finding would
        overlap it, so it becomes a note on the strongest one (and spares an explanation).
        """
        same = [(i, f) for i, f in enumerate(findings) if f.category == model.category and f.spans]
        if not same:
            return False
        i, lead = max(same, key=lambda item: item[1].score)
        findings[i] = replace(
            lead,
            evidence=f"{lead.evidence} (also {model.id} {p:.2f})",
            score=round(max(lead.score, p), 3),
        )
        return True

    def _model_findings(
        self, state: _State, texts: list[str], per_text: list[list[Finding]]
    ) -> None:
        for model, probs in zip(state.models, _probabilities(state.models, texts), strict=True):
            if probs is None:
                continue
            threshold = state.model_threshold(model)
            probs = np.asarray(probs, dtype=np.float64)
            for i in np.flatnonzero(~(probs < threshold)).tolist():
                p = float(probs[i])
                if self._merge_into_rule_finding(per_text[i], model, p):
                    continue
                spans: tuple[Span, ...] = ()
                note = ""
                if model.category == Category.PROFANITY.value:
                    # the model may rank, not invent: a profanity finding needs a profane word
                    # ("you're a bunch of bullies with badges" is harsh, not profane)
                    word = PROFANE_WORD.search(texts[i])
                    if word is None:
                        continue
                    spans = (Span(*word.span()),)
                    note = f'; the profane word is "{word.group()}"'
                elif model.category == Category.THREAT.value and not model_only_is_evidence(
                    texts[i]
                ):
                    continue  # "should face murder charges" asks for the law, not violence
                try:
                    evidence = str(model.explain(texts[i]))
                except Exception:  # noqa: BLE001 - an explanation is extra; the finding stands
                    evidence = ""
                per_text[i].append(
                    Finding(
                        category=model.category,
                        rule=model.id,
                        spans=spans,
                        evidence=evidence,
                        score=round(p, 3),
                        section=SECTION_FOR.get(model.category, "§.20"),
                        explanation=(
                            f"Model only, no rule: a trained model rates the whole text as "
                            f"{model.category} (probability {p:.2f}; threshold "
                            f"{threshold:.2f}){note}."
                        ),
                    )
                )
            find_spans = getattr(model, "find_spans", None)
            if find_spans is None:
                continue
            for i, text in enumerate(texts):
                for s, e, score in find_spans(text):
                    if score < threshold:
                        continue
                    per_text[i].append(
                        Finding(
                            category=model.category,
                            rule=model.id,
                            spans=(Span(int(s), int(e)),),
                            evidence=text[s:e],
                            score=round(float(score), 3),
                            section=SECTION_FOR.get(model.category, "§.20"),
                            explanation=f"A trained model marks this as {model.category}.",
                        )
                    )


def _probabilities(models: Sequence[Any], texts: list[str]) -> list[Any | None]:
    """Each model's probabilities for the batch (None for a model that failed on it).

    Models whose class offers `predict_proba_many(models, texts)` are scored together (the
    shipped linear models: one sparse product for all of them); the others one by one.
    """
    out: list[Any | None] = [None] * len(models)
    groups: dict[Any, list[int]] = {}
    for i, m in enumerate(models):
        many = getattr(type(m), "predict_proba_many", None)
        if many is not None:
            groups.setdefault(many, []).append(i)
    for many, idx in groups.items():
        try:
            for i, probs in zip(idx, many([models[i] for i in idx], texts), strict=True):
                out[i] = probs
        except Exception:  # noqa: BLE001 - each model is tried alone below, and logged there
            log.debug("models failed together on a batch of %d; one by one", len(texts))
    for i, m in enumerate(models):
        if out[i] is not None:
            continue
        try:
            out[i] = m.predict_proba(texts)
        except Exception:
            log.exception("model %s failed on a batch of %d", m.id, len(texts))
    return out


@lru_cache(maxsize=1)
def default_screener() -> Screener:
    """The process-wide screener with the shipped rules and models (built once)."""
    return Screener.load()
