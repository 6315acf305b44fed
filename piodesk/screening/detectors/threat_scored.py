"""Threats no single rule names, scored from the cue classes together (GO 409 §.20, issue 13).

The phrase and cue rules (threat.py, threat_cues.py) each want one shape: a speaker and an
act, an official's family and a menace. Implied threats come in wording no block of rules
carries to the next block ("your porch light is on every night till eleven. Good to know").
What they share is the kinds of evidence present: an official or their kin, a sign of knowing
where or when (a street, a school, a car, a routine, a time), a closer ("just saying"), a
condition ("keep X and see what happens"), a word of harm or menace, a weapon at a meeting.

This detector finds every cue class in the text (the rules' own classes and a few more), turns
their hits into features — which classes are present, which aim and menace meet in one
sentence or one comment, in what order and how close, and whether a negation, a reporting
verb, quotation marks or a question sit beside the menace — and scores them with a logistic
model trained on the dev sides of piodesk's written sets (models/train.py: `threat_cues`).

The score is never the only evidence: a menace counts only when it is live (not negated, not
reported or quoted, not inside an idiom, not violence at a thing or at oneself), and the text
must aim it at a person, group or place. The finding's spans are the hits of the classes that
raised the score most, so the PIO reads the cues, and it says that it was scored, not ruled;
its score stays below every rule's (0.55-0.65), so rule findings rank first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from piodesk.screening.detectors import multimatch, threat, threat_cues
from piodesk.screening.detectors.base import GATE, GATE_REGISTERED, Detector, ScanContext, clip
from piodesk.screening.detectors.cues import _sentences, required_keys, words
from piodesk.screening.model import Category, Finding, Span

THREAT = Category.THREAT.value
RULE = "threat.scored"
EXPLANATION = (
    "Cue classes scored together, no single rule: {classes}; a model trained on written "
    "threats and look-alikes rates them together {p:.2f} (threshold {t:.2f})."
)
#: What each class is, in the PIO's words (the explanation names the classes that scored).
LABELS: dict[str, str] = {
    "target": "the reader or an official", "official": "an official",
    "theirs": "an official's family, home or car", "group": "a group of people",
    "people": "people", "building": "a public building", "place": "a building",
    "meeting": "a public meeting", "knowing": "a sign of knowing where or when",
    "harm": "a word of harm or menace", "violent": "a violent act", "menace": "a menace",
    "doom": "harm foretold", "doom_weak": "harm foretold", "weapon": "a weapon",
    "attack": "an attack", "closer": "a closing hint", "condition": "a condition",
    "menace_soft": "watching or waiting", "future": "a time to come", "plan": "a plan",
    "speaker": "the writer and their people",
}  # fmt: skip
#: The committed weights (rebuilt by `python -m piodesk.screening.models.train threat_cues`).
ARTIFACT = Path(__file__).resolve().parents[1] / "models" / "threat_cues.npz"

_OFFICIAL = threat_cues._OFFICIAL

# fmt: off
#: Classes this module adds to the cue rules' own: knowing where or when, closers, conditions.
EXTRA: dict[str, str] = {
    "harm": threat._HARM.pattern,
    "violent": threat._VIOLENT_WORD.pattern,
    "group": words(threat._GROUP),
    # people and places a threat is aimed at that the rules' classes leave out
    "people": words(
        r"police", r"cops", r"officers", r"pigs", r"deputies", r"(?:every|any|all)\s+(?:one|"
        r"last\s+one|single\s+one)\s+of\s+(?:you|them|y'?all)", r"any\s+of\s+(?:you|them)",
        r"(?:his|her|your|their)\s+(?:family|families|kids?|wife|husband|children|son|daughter|"
        r"baby|twins|parents|mother|father)", r"(?:the|those|these)\s+[a-z]+\s+(?:campers|"
        r"families|kids|people|workers|members|guards|folks)", r"members",
    ),
    "place": words(
        r"(?:the\s+|that\s+|this\s+|your\s+|his\s+|her\s+)?(?:[a-z]+\s+)?(?:building|lobby|"
        r"station\s+house|hall|office|school|church|mosque|synagogue|temple|clinic|library|"
        r"courthouse|precinct|substation|dais|chambers)s?",
    ),
    # a street, a school, a car, a routine, a time: the writer knows where or when to find them
    "knowing": words(
        r"(?:on|off|at|near|by)\s+[a-z]+\s+(?:st|street|ave|avenue|rd|road|ln|lane|dr|drive|"
        r"blvd|ct|court|way|pl|place|circle|pkwy)\.?", r"\d{2,5}\s+[a-z]+\s+(?:st|street|ave|"
        r"avenue|rd|road|ln|lane|dr|drive|blvd|ct|court|way|pl|circle)\.?",
        r"(?:schools?|bus\s+stops?|daycare|day\s+care|church|gym|practice|games?|recital|"
        r"graduation|pharmacy|job|shift|commute|route|jog|jogging|run|driveway|porch|"
        r"back\s+(?:gate|door|yard)|front\s+(?:door|yard)|windows?|address(?:es)?|minivan|van|"
        r"truck|suv|camry|civic|jeep|sedan|pickup|plates?|license\s+plate)",
        r"(?:every|each)\s+(?:day|night|morning|evening|afternoon|week|weekend|monday|tuesday|"
        r"wednesday|thursday|friday|saturday|sunday)", r"(?:at|around|till|until|by)\s+"
        r"(?:\d{1,2}(?::\d\d)?\s*(?:am|pm)?|one|two|three|four|five|six|seven|eight|nine|ten|"
        r"eleven|twelve|noon|midnight)", r"on\s+(?:mondays|tuesdays|wednesdays|thursdays|fridays|"
        r"saturdays|sundays)", r"(?:walks?|jogs?|drives?|parks?|leaves?|sleeps?|lives?)\s+"
        r"(?:home|alone|on|at|in|by|past|every|there)", r"picks?\s+(?:\w+\s+)?up",
        r"drops?\s+(?:\w+\s+)?off", r"which\s+(?:church|school|house|car|gym|street)",
        r"(?:whose|what)\s+(?:car|house|kids?|wife)", r"(?:know|knows|found|counted|noticed)",
    ),
    # a closer that turns a plain remark into menace
    "closer": words(
        r"just\s+say(?:ing|in'?)", r"think\s+about\s+(?:that|it)", r"food\s+for\s+thought",
        r"something\s+to\s+think\s+about", r"do\s+with\s+(?:that|this|it)\s+what\s+you\s+will",
        r"just\s+an?\s+(?:observation|thought|reminder)", r"asking\s+for\s+a\s+(?:friend|lot)",
        r"good\s+to\s+know", r"for\s+now", r"sleep\s+(?:tight|well)", r"drive\s+safe(?:ly)?",
        r"be\s+a\s+shame", r"your\s+choice", r"(?:he|she|they|you)\s+knows?\s+why",
        r"see\s+you\s+(?:there|soon|around)", r"look\s+for\s+me", r"while\s+(?:you|it)\s+can",
        r"(?:nice|cute|pretty)\s+(?:\w+\s+)?(?:kid|kids|family|house|home|car|wife|dog|twins)",
        r"small\s+town", r"everybody\s+knows\s+everybody", r"remember", r"enjoy", r"noted",
        r"(?:stay|be)\s+safe", r"too\s+(?:\.|,)?$", r"right\s*\?",
    ),
    # a condition: keep doing X and see, X or we Y, once more and
    "condition": words(
        r"keep\s+(?:on\s+)?[a-z]+(?:ing|in'?)", r"(?:mess|screw|play|fuck)\s+with\s+(?:us|me)",
        r"or\s+(?:else|we|i|you|your|the|they)", r"(?:one|1)\s+more\s+(?:time|ticket|arrest)",
        r"(?:try|do)\s+(?:it|that|this)\s+again", r"if\s+(?:you|they|he|she|the\s+\w+)\s+"
        r"(?:keep|don'?t|won'?t|do\s+it|try|cut|touch|come)",
        r"see\s+what\s+happens", r"find\s+out", r"(?:the\s+)?next\s+(?:cop|officer|deputy|one|"
        r"time|person)", r"your\s+choice",
    ),
    # an end the law or the ballot gives, not the writer
    "lawful_end": words(
        r"jury", r"trial", r"verdict", r"elections?", r"polls", r"votes?", r"voting", r"ballot",
        r"lawsuits?", r"sue", r"petition", r"recall", r"audit", r"investigation", r"charges",
        r"prosecut\w*", r"fired", r"resign\w*", r"public\s+comments?", r"questions",
        r"morale", r"budget", r"career", r"policy", r"policies", r"plan", r"money", r"range",
    ),
    # an act told as done, by someone else ("the officer who shot my nephew", "was stabbed")
    "past_act": words(
        r"(?:was|were|been|got|get|being)\s+(?:\w+\s+)?(?:shot|stabbed|killed|beaten|hurt|"
        r"attacked|murdered|burned|hit|threatened)", r"who\s+(?:shot|killed|stabbed|beat|hurt|"
        r"attacked|tased|arrested|threatened)", r"(?:killing|shooting|stabbing|beating)\s+of",
        r"(?:shot|killed|stabbed|burned|bombed)\s+(?:last|yesterday|in\s+\d{4})",
        r"went\s+up\s+in\s+flames\s+in",
    ),
    # someone else's words told ("he yelled that he would ..."), or a threat handed to the police
    "told": words(
        r"(?:yell|shout|scream|claim|brag|boast|threaten|warn|tell|say|write|post|text|"
        r"message|comment)(?:ed|s)?\s+(?:\w+\s+){0,2}?(?:that|he'?d|she'?d|they'?d|he\s+would|"
        r"she\s+would|they\s+would|he\s+will|she\s+will|he\s+was|she\s+was)",
        r"told\s+(?:\w+\s+){0,3}?(?:that|he'?d|she'?d|they'?d|he\s+would|she\s+would)",
        r"heard\s+(?:\w+\s+){0,4}?(?:say|saying|talk|talking|threaten)",
        r"called\s+(?:911|it\s+in|the\s+(?:police|cops|non-?emergency))", r"i\s+have\s+(?:his|"
        r"her|their)\s+(?:plate|name|address)", r"who\s+do\s+i\s+call", r"screenshots?",
        # the news told: "police say the suspect shot at officers"
        r"(?:police|officials?|authorities|witnesses|neighbou?rs|prosecutors|the\s+news|"
        r"reports?|sources|the\s+(?:chief|sheriff|department|da))\s+(?:say|said|says|report\w*|"
        r"confirm\w*|allege\w*)",
    ),
    # harm spoken against: "there is no excuse for hurting ...", "stop the attacks on ..."
    "against": words(
        r"no\s+excuse\s+for", r"(?:never|not)\s+(?:ok|okay|acceptable|right|justified)",
        r"no\s+place\s+for", r"(?:stop|end|prevent|condemn\w*|against)\s+(?:the\s+)?(?:\w+\s+)?"
        r"(?:violence|attacks?|killings?|shootings?|hate|harassment|threats?)",
        r"(?:protect|keep)\s+(?:\w+\s+){0,3}?(?:safe|from)", r"get\s+rid\s+of\s+the\s+laws",
    ),
    # violent verbs at plans, budgets and reputations: "shot down the proposal"
    "idiom_more": words(
        r"(?:shot|shoot\w*|kill\w*|destroy\w*|torch\w*|bomb\w*|slaughter\w*|crush\w*|gut\w*|"
        r"murder\w*|butcher\w*|tank\w*|nuke\w*|hammer\w*)(?:\s+(?:down|up))?\s+(?:(?:the|a|an|"
        r"this|that|his|her|their|our|my|your|its|every|any)\s+)?(?:[\w']+\s+)?(?:proposal|"
        r"plan|idea|bill|budget|morale|reputation|career|chances|economy|safety|business|"
        r"credibility|case|argument|deal|measure|program|policy|policies|rule|ordinance|levy|"
        r"motion|amendment|request|trust|vote|votes|initiative|funding|stadium|project|record|"
        r"numbers|ratings|image|brand|party|campaign|defen[cs]e|testimony|alibi|story)s?",
        r"(?:shot|shoots?|shooting)\s+(?:himself|herself|themselves)\s+in\s+the\s+foot",
        # "fire the bad cops": dismiss them
        r"fir(?:e|es|ed|ing)\s+(?:(?:the|that|this|those|these|every|all|him|her|them|his|"
        r"their|our|your)\s+)(?:[\w']+\s+){0,2}?(?:cops?|officers?|chief|sheriff|deputy|"
        r"deputies|sergeant|detective|staff|people|guys?|bad\s+apples)", r"clean\s+house",
        r"like\s+a\s+hawk", r"dead\s+man\s+walking\s+if", r"bur(?:y|ied|ying)\s+the\s+hatchet",
        r"shoot(?:ing|s)?\s+(?:some\s+)?(?:hoops|pool|baskets|the\s+breeze|photos|video|a\s+video)",
    ),
    # violence told as an event in the news, not a plan: "the shooting on 5th", "the shooter"
    "event": words(
        r"(?:the|a|this|that|last\s+night'?s|yesterday'?s)\s+(?:\w+\s+)?(?:shooting|stabbing|"
        r"killing|bombing|murder|arson|fire|shooter|attack|robbery|crash|riot)s?",
    ),
    # violence the writer aims at themselves, or speaks of in fun
    "self": words(r"myself", r"ourselves", r"me\s+laughing", r"lol", r"lmao", r"haha\w*"),
    "idiom": threat._IDIOM.pattern,
    "thing": threat._AT_A_THING.pattern,
    "negated": threat._NEGATION.pattern,
    "reporting": threat._REPORTING.pattern,
    "about": threat._ABOUT_A_THREAT.pattern,
    "legal_process": threat._LEGAL_PROCESS.pattern,
    "not_threat": threat._NOT_A_THREAT.pattern,
}
# fmt: on

#: Every class the features read, in a fixed order (the cue rules' classes, then the extra).
CLASSES: dict[str, str] = {
    **{n: rx for n, rx in threat_cues.CUES.items() if isinstance(rx, str)},
    **EXTRA,
}
#: What a threat is aimed at.
AIM = (
    "target", "theirs", "official", "group", "people", "building", "place", "meeting", "knowing",
)  # fmt: skip
#: Words of menace: at least one must be live for a finding. The first ones wake the detector.
MENACE = (
    "harm", "violent", "menace", "doom", "doom_weak", "weapon", "attack", "closer", "condition",
)  # fmt: skip
#: The menace a finding needs live (and the engine wakes the scorer for): all but the broad
#: words of harm ("safe", "home", "outside"), which are in one comment in five and, alone,
#: almost never made a threat on the written sets (9 of 928 lines the scorer could read).
WAKE = tuple(m for m in MENACE if m != "harm")
#: Menace that needs an aim beside it to mean anything (they are in every other comment).
SOFT = ("menace_soft", "future", "plan", "speaker")
#: What cancels or weakens a menace beside it.
CANCEL = (
    "negation", "negated", "report", "reporting", "quote", "asks", "kind", "jail", "legal",
    "lawful_carry", "idiom", "thing", "self", "about", "legal_process", "not_threat",
    "lawful_end", "past_act", "told", "against", "idiom_more", "event",
)  # fmt: skip


def feature_names() -> tuple[str, ...]:
    """The names of the features, in the order of `features` (stored beside the weights)."""
    names = [f"has:{c}" for c in CLASSES]
    names += [f"live:{m}" for m in (*MENACE, *SOFT)]
    names += [f"sent:{a}+{m}" for a in AIM for m in (*MENACE, *SOFT)]
    names += [f"text:{a}+{m}" for a in AIM for m in (*MENACE, *SOFT)]
    names += [f"near:{k}" for k in CANCEL]
    names += ["order:aim_first", "close:aim_menace", "n_menace", "n_aim", "n_cancel_near"]
    names += ["ends_question", "quoted_menace", "sentences", "bias_live"]
    return tuple(names)


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    return {n: re.compile(rx) for n, rx in CLASSES.items()}


Hits = Mapping[str, list[tuple[int, int]]]


@lru_cache(maxsize=1)
def _gate_ids() -> dict[str, int]:
    """Each class's id in the engine's compiled gate (requires.py hands the gate them all)."""
    return {
        n: multimatch.pattern_id("lower", rx.pattern, rx.flags) for n, rx in _compiled().items()
    }


class _LazyHits(dict[str, list[tuple[int, int]]]):
    """Each class's match spans, searched the first time the class is asked for (most texts
    stop at the menace classes), and not at all when the engine's compiled gate found that
    its regex cannot match (`ctx`: the text being screened, None outside the engine)."""

    def __init__(self, lower: str, ctx: ScanContext | None) -> None:
        super().__init__()
        self.lower = lower
        # the gate's answer for the text, and the ids it was asked about (see gate_rules_out)
        d = ctx.__dict__ if ctx is not None else {}
        self.gate: frozenset[int] | None = d.get(GATE)
        self.asked: frozenset[int] = d.get(GATE_REGISTERED, frozenset())

    def __missing__(self, name: str) -> list[tuple[int, int]]:
        rx = _compiled()[name]
        gid = _gate_ids()[name]
        if self.gate is not None and gid not in self.gate and gid in self.asked:
            got: list[tuple[int, int]] = []
        else:
            low = self.lower
            got = [m.span() for m in rx.finditer(low) if m.end() > m.start()]
            if name in ("target", "official"):
                # "da" is a district attorney after "the", and "there" in texting elsewhere
                got = [(s, e) for s, e in got if low[s:e] != "da" or low[:s].endswith("the ")]
        self[name] = got
        return got


def class_hits(lower: str, ctx: ScanContext | None = None) -> Hits:
    """Every class's match spans in the lower-cased text (searched when first read)."""
    return _LazyHits(lower, ctx)


def _inside(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)


#: Menace whose act a negation cancels ("I would never hurt"); in the other classes the
#: negation is often the menace itself ("won't be safe", "you won't see it coming").
_NEGATABLE = frozenset({"violent", "weapon", "attack"})
#: Words of harm that menace only when denied: "won't be safe", "can't protect you forever".
_ONLY_NEGATED = re.compile(r"(?:safe|unsafe|protect\w*)(?![\w'])")


#: Before the menace in its clause: its subject denied ("nobody is going to show up at your
#: house", "I won't be waiting outside the station"), or a plea that makes it advice ("please
#: keep an eye on your kids at the parade").
_DENIED_OR_ADVISED = re.compile(
    r"(?<![\w'])(?:(?:nobody|no\s+one|noone|none\s+of\s+(?:us|them|you))(?:'s|\s+is|\s+are|\s+will|"
    r"\s+wants?|\s+plans?)|(?:i|we)(?:'m|'re|\s+am|\s+are)?\s+(?:not|never|won'?t|will\s+not|"
    r"aren'?t)|please(?:\s+\w+){0,1})(?![\w'])[^.!?;,\n]{0,40}$"
)
#: A lawful purpose that follows the menace in its clause: "we'll be waiting in the lobby at 9
#: to hand him the petition", "coming to the station to file a complaint".
_LAWFUL_PURPOSE = re.compile(
    r"[^.!?;\n]{0,40}?(?<![\w'])to\s+(?:hand|give|deliver|present|submit|file|sign|thank|return|"
    r"drop\s+off|ask\s+(?:about|for|him|her|them|questions))(?![\w'])"
)


def live_menace(
    lower: str, hits: Hits, units: list[tuple[int, int]] | None = None
) -> dict[str, list[tuple[int, int]]]:
    """The menace hits that can be evidence: not after a reporting verb or inside quotation
    marks, not inside an idiom or violence at a thing, and an act not negated in its clause
    (`units`: the text's sentences, when the caller has them already)."""
    if threat._ABOUT_A_THREAT.search(lower) is not None:
        # the text asks for the threat it quotes to be reported or removed: all of it is told
        return {m: [] for m in (*MENACE, *SOFT)}
    dead = hits["idiom"] + hits["thing"] + hits["idiom_more"]
    acts = hits["violent"]
    if units is None:
        units = _sentences(lower)
    # "the laws that hurt Muslims" describes harm a thing does
    described = [m.span() for m in threat._DESCRIBED_HARM.finditer(lower)]
    negated: dict[tuple[int, int], bool] = {}

    def denied(s: int, e: int) -> bool:
        got = negated.get((s, e))
        if got is None:
            got = negated[(s, e)] = threat._negated(lower, s, e)
        return got

    # what does not depend on the class, once for each span (a third of the spans are the
    # hits of two classes or more: "shoot" is harm and violent)
    framed: dict[tuple[int, int], bool] = {}

    def not_live(s: int, e: int) -> bool:
        got = framed.get((s, e))
        if got is None:
            got = framed[(s, e)] = (
                _inside((s, e), dead)
                or any(a <= s < b for a, b in described)
                # someone else's words, told
                or any(k[1] <= s and _same_unit(k, (s, e), units) for k in hits["told"])
                # waiting or coming for a lawful end
                or _LAWFUL_PURPOSE.match(lower, e) is not None
                or _DENIED_OR_ADVISED.search(lower, max(0, s - 60), s) is not None
                or lower.count('"', 0, s) % 2 == 1
                or threat.after_reporting_verb(lower, s)
            )
        return got

    out: dict[str, list[tuple[int, int]]] = {}
    for m in (*MENACE, *SOFT):
        kept = []
        for s, e in hits[m]:
            negatable = m in _NEGATABLE or (m == "harm" and any(a < e and s < b for a, b in acts))
            if m == "harm" and _ONLY_NEGATED.match(lower, s) and not denied(s, e):
                continue  # "keep them safe", "protecting bad cops": menace only when denied
            if negatable and (
                denied(s, e)
                or any(k[1] <= s and _same_unit(k, (s, e), units) for k in hits["against"])
            ):
                continue
            if not_live(s, e):
                continue
            kept.append((s, e))
        out[m] = kept
    return out


@dataclass(frozen=True, slots=True)
class Scored:
    """One text's features, and which class hits each one rests on (for the spans)."""

    vector: np.ndarray
    #: feature index -> the (class, span) hits it rests on
    support: Mapping[int, tuple[tuple[str, tuple[int, int]], ...]]
    #: whether the evidence requirement holds: a live menace and an aim
    eligible: bool
    #: False when the cancelling classes were not searched (see score_features)
    complete: bool = True


@lru_cache(maxsize=1)
def _index() -> dict[str, int]:
    return {n: i for i, n in enumerate(feature_names())}


def score_features(
    text: str,
    lower: str | None = None,
    ctx: ScanContext | None = None,
    weights: CueWeights | None = None,
) -> Scored:
    """The feature vector of one text (`lower`: its lower-cased copy, same offsets; `ctx`: the
    engine's view of it, whose compiled gate spares the classes that cannot match). A text
    that cannot be evidence (no live menace, no aim) gets the zero vector, not eligible.

    With `weights`, the classes that only weigh in beside the menace (negation, reports,
    kindness, ...) are not searched when even their best case could not lift the score to the
    threshold: the vector is then partial (`complete` False) and scores below it."""
    low = text.lower() if lower is None else lower
    if len(low) != len(text):
        low = text
    hits = class_hits(low, ctx)
    idx = _index()
    # the evidence first, cheapest test first: a menace, an aim, and a live menace
    if not any(hits[m] for m in WAKE) or not any(hits[a] for a in AIM):
        return Scored(np.zeros(len(idx), dtype=np.float32), {}, False)
    units = _sentences(low)
    live = live_menace(low, hits, units)
    if not any(live[m] for m in WAKE):
        return Scored(np.zeros(len(idx), dtype=np.float32), {}, False)
    v = np.zeros(len(idx), dtype=np.float32)
    support: dict[int, tuple[tuple[str, tuple[int, int]], ...]] = {}

    def put(name: str, value: float, rests_on: Sequence[tuple[str, tuple[int, int]]] = ()) -> None:
        i = idx[name]
        v[i] = value
        if rests_on:
            support[i] = tuple(rests_on)

    def has(c: str) -> None:
        spans = hits[c]
        if spans:
            put(f"has:{c}", 1.0, [(c, spans[0])] if c not in CANCEL else ())

    menaces = (*MENACE, *SOFT)
    for c in (*menaces, *AIM):
        has(c)
    for m in menaces:
        if live[m]:
            put(f"live:{m}", 1.0, [(m, live[m][0])])
    aims = [a for a in AIM if hits[a]]
    lives = [m for m in menaces if live[m]]
    # the features that need no pairing, read before the pairs: with them exact, and every
    # pair, "close" and the unread classes at their best, most texts already stay below
    put("n_menace", min(sum(bool(live[m]) for m in MENACE), 5) / 5.0)
    put("n_aim", min(sum(bool(hits[a]) for a in AIM), 5) / 5.0)
    put("ends_question", float(low.rstrip().endswith("?")))
    put(
        "quoted_menace",
        float(any(low.count('"', 0, s) % 2 == 1 for m in MENACE for s, _e in hits[m])),
    )
    put("sentences", min(len(units), 6) / 6.0)
    put("bias_live", 1.0)
    if weights is not None and weights.best_before_pairs(v, aims, lives) < weights.logit_threshold:
        return Scored(v, support, True, complete=False)
    aim_first = close = False
    for a in aims:
        for m in lives:
            pair = _pair_in_text(hits[a], live[m])
            if pair is None:
                continue
            put(f"text:{a}+{m}", 1.0, [(a, pair[0]), (m, pair[1])])
            same = _pair_in_unit(hits[a], live[m], units)
            if same is not None:
                put(f"sent:{a}+{m}", 1.0, [(a, same[0]), (m, same[1])])
                if m in MENACE:
                    aim_first = aim_first or same[0][0] < same[1][0]
                    between = low[min(same[0][1], same[1][1]) : max(same[0][0], same[1][0])]
                    close = close or len(between.split()) <= 5
    put("order:aim_first", float(aim_first))
    put("close:aim_menace", float(close))
    rest = _unread()
    if weights is not None and weights.best_case(v, rest) < weights.logit_threshold:
        return Scored(v, support, True, complete=False)
    for c in rest:
        has(c)
    live_spans = [s for m in MENACE for s in live[m]]
    n_near = 0
    for k in CANCEL:
        if any(_same_unit(k_span, s, units) for k_span in hits[k] for s in live_spans):
            put(f"near:{k}", 1.0)
            n_near += 1
    put("n_cancel_near", min(n_near, 5) / 5.0)
    return Scored(v, support, True)


def _pair_in_text(
    aims: list[tuple[int, int]], menaces: list[tuple[int, int]]
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The closest (aim, menace) pair with different words, or None."""
    best: tuple[int, tuple[int, int], tuple[int, int]] | None = None
    for a in aims:
        for m in menaces:
            if a[0] < m[1] and m[0] < a[1]:
                continue  # the same words cannot be both the aim and the menace
            d = abs(a[0] - m[0])
            if best is None or d < best[0]:
                best = (d, a, m)
    return None if best is None else (best[1], best[2])


def _same_unit(a: tuple[int, int], b: tuple[int, int], units: list[tuple[int, int]]) -> bool:
    return any(lo <= a[0] and a[1] <= hi and lo <= b[0] and b[1] <= hi for lo, hi in units)


def _pair_in_unit(
    aims: list[tuple[int, int]], menaces: list[tuple[int, int]], units: list[tuple[int, int]]
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    for lo, hi in units:
        a_in = [a for a in aims if lo <= a[0] and a[1] <= hi]
        m_in = [m for m in menaces if lo <= m[0] and m[1] <= hi]
        if a_in and m_in:
            got = _pair_in_text(a_in, m_in)
            if got is not None:
                return got
    return None


@lru_cache(maxsize=1)
def _unread() -> tuple[str, ...]:
    """The classes read only after the pairs: all but the menace and the aims."""
    return tuple(c for c in CLASSES if c not in (*MENACE, *SOFT, *AIM))


#: Log-odds a bound gives away so that float rounding can never make it the lower: a text is
#: spared only when even its best case stays this far below the threshold.
_BOUND_MARGIN = 1e-6


@dataclass(frozen=True)
class CueWeights:
    """The scorer's logistic weights over `feature_names()`, with its threshold."""

    weights: np.ndarray
    bias: float
    threshold: float
    meta: Mapping[str, object]

    @property
    def logit_threshold(self) -> float:
        t = min(max(self.threshold, 1e-9), 1 - 1e-9)
        return float(np.log(t / (1.0 - t)))

    def best_case(self, partial: np.ndarray, unread: Sequence[str]) -> float:
        """The highest log-odds `partial` could reach once the classes in `unread` are read:
        each of their features (presence, "near" the menace, the count of cancellers) at its
        most favourable value."""
        return self._dot(partial) + self._unread_gain(tuple(unread))

    def best_before_pairs(
        self, partial: np.ndarray, aims: Sequence[str], lives: Sequence[str]
    ) -> float:
        """An upper bound on the log-odds of a text whose presence, liveness and other
        unpaired features are in `partial`: every aim+menace pair its classes allow (`aims`
        with a hit, `lives` with a live hit), "close", "aim first" and the classes read after
        them at their most favourable values, plus a margin for rounding."""
        pos = self._positive
        idx = _index()
        gain = self._unread_gain(_unread()) + _BOUND_MARGIN
        gain += max(pos[idx["order:aim_first"]], 0.0)
        if any(m in MENACE for m in lives):
            gain += pos[idx["close:aim_menace"]]
        for a in aims:
            for m in lives:
                gain += pos[idx[f"text:{a}+{m}"]] + pos[idx[f"sent:{a}+{m}"]]
        return self._dot(partial) + gain

    def _dot(self, vector: np.ndarray) -> float:
        return float(np.dot(vector.astype(np.float64), self._w64)) + self.bias

    @cached_property
    def _w64(self) -> np.ndarray:
        return self.weights.astype(np.float64)

    @cached_property
    def _positive(self) -> list[float]:
        """Each feature's weight where it raises the score, else 0 (the best case's gains)."""
        return [max(0.0, float(x)) for x in self._w64]

    def _unread_gain(self, unread: tuple[str, ...]) -> float:
        """The most the classes in `unread` can add: presence, "near", the count of cancellers."""
        got = self._gains.get(unread)
        if got is None:
            pos, idx = self._positive, _index()
            got = sum(pos[idx[f"has:{c}"]] for c in unread)
            got += sum(pos[idx[f"near:{k}"]] for k in CANCEL)
            got += pos[idx["n_cancel_near"]]
            self._gains[unread] = got
        return got

    @cached_property
    def _gains(self) -> dict[tuple[str, ...], float]:
        return {}

    def probability(self, vector: np.ndarray) -> float:
        z = float(np.dot(vector.astype(np.float64), self.weights.astype(np.float64))) + self.bias
        return float(0.5 * (1.0 + np.tanh(0.5 * z)))


def save_weights(path: Path, w: CueWeights) -> None:
    """Write the weights as a small compressed .npz (names and metadata as JSON inside)."""
    with path.open("wb") as f:
        np.savez_compressed(
            f,
            weights=w.weights.astype(np.float32),
            bias=np.array([w.bias], dtype=np.float64),
            threshold=np.array([w.threshold], dtype=np.float64),
            names=np.array(json.dumps(list(feature_names()))),
            meta=np.array(json.dumps(dict(w.meta), sort_keys=True)),
        )


def load_weights(path: Path = ARTIFACT) -> CueWeights | None:
    """The committed weights, or None when absent or written for other features."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as z:
        if json.loads(str(z["names"])) != list(feature_names()):
            return None  # the classes changed since training: retrain (see module docstring)
        return CueWeights(
            z["weights"].astype(np.float32),
            float(z["bias"][0]),
            float(z["threshold"][0]),
            json.loads(str(z["meta"])),
        )


def _wake_words() -> tuple[str, ...] | None:
    """Words one of which is in every text with a menace class hit (the prefilter's)."""
    out: set[str] = set()
    for m in WAKE:
        keys = required_keys(CLASSES[m])
        if not keys:
            return None
        out |= keys
    return tuple(sorted(out))


class ScoredThreatDetector(Detector):
    """A logistic score over the cue classes' hits; a finding at or above its threshold."""

    id = RULE
    category = THREAT
    explanation = "The text threatens a person, group or place (cue classes scored together)."

    def __init__(self, weights: CueWeights) -> None:
        self.weights = weights
        #: the engine wakes this detector only when a word of menace is in the text
        self.triggers: tuple[str, ...] | None = _wake_words()

    def score(self, ctx: ScanContext) -> tuple[float, Scored]:
        """The probability the scorer gives the text, and its features."""
        scored = score_features(ctx.text, ctx.lower, ctx, self.weights)
        return self.weights.probability(scored.vector), scored

    def detect(self, ctx: ScanContext) -> list[Finding]:
        p, scored = self.score(ctx)
        t = self.weights.threshold
        if not scored.eligible or not scored.complete or p < t:
            return []
        contrib = scored.vector * self.weights.weights
        by_class: dict[str, float] = {}
        span_of: dict[str, tuple[int, int]] = {}
        for i in np.flatnonzero(contrib > 0).tolist():
            for cls, span in scored.support.get(i, ()):
                by_class[cls] = by_class.get(cls, 0.0) + float(contrib[i])
                span_of.setdefault(cls, span)
        top = sorted(by_class, key=lambda c: (-by_class[c], c))[:4]
        if not top:
            return []
        spans = _union(span_of[c] for c in top)
        # below every rule (0.7 and up), so a rule finding ranks first
        score = round(0.55 + 0.1 * (p - t) / max(1e-9, 1.0 - t), 3)
        return [
            self.finding(
                [Span(s, e) for s, e in spans],
                " … ".join(clip(ctx.text, s, e, 40) for s, e in spans),
                score,
                rule=RULE,
                explanation=EXPLANATION.format(
                    classes=", ".join(dict.fromkeys(LABELS.get(c, c) for c in top)), p=p, t=t
                ),
                at_risk=threat._threatened(ctx.lower[spans[0][0] : spans[-1][1]]),
            )
        ]


def _union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans in order, overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def build() -> list[Detector]:
    """The scorer, when its committed weights are present and match its features."""
    w = load_weights()
    return [] if w is None else [ScoredThreatDetector(w)]
