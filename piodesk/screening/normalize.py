"""Normalization against evasion, keeping a map back to the original text.

People who want a word past a filter write it "f u c k", "fuuuck", "f*ck", "sh1t", with a
Cyrillic "о" or a fullwidth "ｆ", or with zero-width spaces inside. The lexicon and phrase
detectors run on the normalized text; every span they find is mapped back through the offset
map, so a PIO always sees the characters the person actually wrote.

Every step is a single left-to-right pass (linear in the text), and the map is monotonic: the
normalized character ``i`` came from the original range ``[starts[i], ends[i])``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from piodesk.screening.smallgate import SmallGate

# Characters people insert to split a word without showing anything.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufeff\uffa0"
)

# Look-alikes that NFKD does not fold: Cyrillic, Greek and a few symbols that pass for Latin.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "ц": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "з": "3", "ь": "b",
    "п": "n", "и": "u", "л": "n", "ч": "4", "ѡ": "w", "ү": "y", "ҁ": "c", "ԍ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ς": "s", "σ": "o", "μ": "u", "ϲ": "c",
    "ϳ": "j", "δ": "d", "θ": "o", "λ": "a", "π": "n", "ψ": "w",
    # Latin and symbols that stand for letters
    "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ß": "ss", "æ": "ae",
    "œ": "oe", "ƒ": "f", "ɡ": "g", "ɑ": "a", "ɩ": "i", "ʋ": "u", "ℓ": "l", "€": "e", "£": "l",
    "¢": "c", "¥": "y", "©": "c", "®": "r", "∂": "d", "×": "x", "ⅰ": "i",
    # typographic quotes, so "I’ll" reads as "i'll"
    "’": "'", "‘": "'", "ʼ": "'", "′": "'", "“": '"', "”": '"',
}  # fmt: skip

# Inside a word, these digits and symbols stand for letters (leetspeak).
_LEET: dict[str, str] = {
    "4": "a", "@": "a", "8": "b", "3": "e", "6": "g", "9": "g", "1": "i", "0": "o", "5": "s",
    "$": "s", "7": "t", "+": "t", "2": "z",
}  # fmt: skip

# Inside a word, these stand for a hidden letter ("f*ck", "sh!t", "f#ck"); they become "*".
_MASKS = frozenset("*#%!")

MASK = "*"


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """One character as the screener reads it: compatibility-decomposed, unaccented, folded."""
    if ch in _INVISIBLE:
        return ""
    o = ord(ch)
    if o < 128:
        return ch.lower()
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Cf", "Cc", "Co", "Cs"):
        return ""  # combining marks, format and control characters carry no letter
    out = []
    for d in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(d) in ("Mn", "Me", "Cf") or d in _INVISIBLE:
            continue
        for f in d.casefold():
            out.append(_CONFUSABLES.get(f, f))
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text and, for each of its characters, the original range it came from."""

    original: str
    text: str
    starts: list[int] | None  # None: identity map (text and original align 1:1)
    ends: list[int] | None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open range [start, end) of the normalized text onto the original."""
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        if self.starts is None or self.ends is None:
            return start, end
        if start == end:
            pos = self.starts[start] if start < n else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


class _Builder:
    """Accumulates output characters with their original ranges."""

    __slots__ = ("chars", "ends", "starts")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, s: str, start: int, end: int) -> None:
        for c in s:
            self.chars.append(c)
            self.starts.append(start)
            self.ends.append(end)


# Characters met so far, sorted by how they fold: one character (a translate table, so a text
# made only of these folds in C) or none/several (which need the offset map).
_SEEN: set[str] = set()
_ONE_TO_ONE: dict[int, str] = {}
_RESHAPING: set[str] = set()
_DROPPED: set[str] = set()
_ONE_OR_NONE: dict[int, str | None] = {}  # the table above, plus None for dropped characters


def _fold(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Stage 1: per-character folding. Returns identity maps (None) when 1:1."""
    if text.isascii():
        return text.lower(), None, None
    present = set(text)
    for c in present - _SEEN:
        folded = fold_char(c)
        if len(folded) == 1:
            _ONE_TO_ONE[ord(c)] = folded
            _ONE_OR_NONE[ord(c)] = folded
        elif not folded:
            _ONE_OR_NONE[ord(c)] = None
            _DROPPED.add(c)
            _RESHAPING.add(c)
        else:
            _RESHAPING.add(c)
        _SEEN.add(c)  # last, so another thread never sees a seen character without its fold
    reshaping = _RESHAPING & present
    if not reshaping:
        return text.translate(_ONE_TO_ONE), None, None  # every character folds to one
    if reshaping <= _DROPPED:
        # Only invisible characters to drop (a byte-order mark, a zero-width space): translate
        # the rest in C and keep the positions of the characters that stay.
        kept, kept_ends = _kept_positions(text, reshaping)
        return text.translate(_ONE_OR_NONE), kept, kept_ends
    pieces = [fold_char(c) for c in text]
    if all(len(p) == 1 for p in pieces):
        return "".join(pieces), None, None
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, p in enumerate(pieces):
        if len(p) == 1:
            chars.append(p)
            starts.append(i)
            ends.append(i + 1)
        else:
            for c in p:  # "" (dropped) adds nothing; "ss" adds two, both from character i
                chars.append(c)
                starts.append(i)
                ends.append(i + 1)
    return "".join(chars), starts, ends


def _kept_positions(text: str, dropped: set[str]) -> tuple[list[int], list[int]]:
    """The positions of the characters of `text` not in `dropped`, and each plus one: the
    dropped characters are few (a byte-order mark at the end), so the positions are the ranges
    between them, built in C rather than a test per character."""
    cuts = sorted(i for c in dropped for i in _positions(text, c))
    kept: list[int] = []
    ends: list[int] = []
    lo = 0
    for cut in [*cuts, len(text)]:
        kept.extend(range(lo, cut))
        ends.extend(range(lo + 1, cut + 1))
        lo = cut + 1
    return kept, ends


def _positions(text: str, c: str) -> list[int]:
    out = []
    i = text.find(c)
    while i >= 0:
        out.append(i)
        i = text.find(c, i + 1)
    return out


# A run of word characters and the symbols that stand in for letters inside words, holding
# at least one such symbol or digit and at least one letter (the lookaheads run in C, so the
# many tokens with nothing to rewrite cost no Python time).
_TOKEN = re.compile(
    r"(?<![^\W_@$*#%!+])(?=[\w@$*#%!+]*[0-9@$*#%!+])(?=[\w@$*#%!+]*[^\W\d_])"
    r"(?:[^\W_]|[@$*#%!+])+"
)
_NEEDS_LEET = re.compile(r"[0-9@$*#%!+]")
# Single letters separated by one or two separator characters: "f u c k", "f.u.c.k", "f-u-c-k".
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W\d_][ .\-_*,/]{1,2}){2,}[^\W\d_](?![^\W_])")
# Three or more of the same letter (digits are left alone: "555" is part of a number).
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")

# The same three patterns for lower-case ASCII text (most comments), where plain character
# classes run two to three times faster than the Unicode categories above.
_TOKEN_ASCII = re.compile(
    r"(?<![a-z0-9@$*#%!+])(?=[a-z0-9_@$*#%!+]*[0-9@$*#%!+])(?=[a-z0-9_@$*#%!+]*[a-z])"
    r"[a-z0-9@$*#%!+]+"
)
_SPACED_ASCII = re.compile(r"(?<![a-z0-9])(?:[a-z][ .\-_*,/]{1,2}){2,}[a-z](?![a-z0-9])")
_REPEAT_ASCII = re.compile(r"([a-z])\1{2,}")


#: The spaced-letters and repeated-letters stages for lower-case ASCII text, behind one
#: Hyperscan scan (screening/smallgate.py): the regexes above cost about 2.7 µs each a comment
#: to find nothing in most. Three of one letter is the literal set "aaa|bbb|...|zzz" (exactly
#: what `_REPEAT_ASCII` finds); the spaced pattern is matched in prefilter mode (a superset).
_SPACED_ID, _REPEAT_ID = 0, 1
_STAGES_GATE = SmallGate(
    "normalize-gate",
    [
        (_SPACED_ID, _SPACED_ASCII.pattern, False),
        (_REPEAT_ID, "|".join(chr(c) * 3 for c in range(ord("a"), ord("z") + 1)), False),
    ],
)


def wait_for_stages_gate(timeout: float | None = None) -> bool:
    """Block until the stages' gate is compiled (benchmarks); True when it is in use."""
    return _STAGES_GATE.wait(timeout)


@lru_cache(maxsize=16384)
def _rewrite_token(tok: str) -> str:
    """Leetspeak and masks inside one token that has at least one real letter."""
    out = []
    # A mask only hides a letter between two other characters of the word: "wow!!" and
    # "#tag" keep their symbols (as spaces, so the map stays 1:1).
    first = 0
    while first < len(tok) and tok[first] in _MASKS:
        first += 1
    last = len(tok) - 1
    while last >= 0 and tok[last] in _MASKS:
        last -= 1
    for i, c in enumerate(tok):
        if c in _MASKS:
            out.append(MASK if first < i < last else " ")
        elif c in _LEET:
            out.append(_LEET[c])
        else:
            out.append(c)
    return "".join(out)


def _apply(
    text: str,
    starts: list[int] | None,
    ends: list[int] | None,
    edits: list[tuple[int, int, str]],
) -> tuple[str, list[int] | None, list[int] | None]:
    """Replace the non-overlapping, sorted ranges in `edits`, carrying the offset map along.

    A replacement of the same length keeps the character-by-character map; any other
    replacement maps each of its characters to the whole original range it replaced.
    """
    if not edits:
        return text, starts, ends
    if all(e - s == len(r) for s, e, r in edits):
        chars = list(text)
        for s, _e, r in edits:
            chars[s : s + len(r)] = r
        return "".join(chars), starts, ends
    b = _Builder()
    st = starts if starts is not None else range(len(text))
    en = ends if ends is not None else range(1, len(text) + 1)
    pos = 0
    for s, e, r in edits:
        if s > pos:
            b.chars.extend(text[pos:s])
            b.starts.extend(st[pos:s])
            b.ends.extend(en[pos:s])
        if e - s == len(r):
            b.chars.extend(r)
            b.starts.extend(st[s:e])
            b.ends.extend(en[s:e])
        elif e > s:
            b.add(r, st[s], en[e - 1])
        pos = e
    if pos < len(text):
        b.chars.extend(text[pos:])
        b.starts.extend(st[pos:])
        b.ends.extend(en[pos:])
    return "".join(b.chars), b.starts, b.ends


def _spaced_edits(text: str, rx: re.Pattern[str]) -> list[tuple[int, int, str]]:
    """Collapse runs of single letters ("f u c k") into one word, per letter, keeping the map."""
    edits: list[tuple[int, int, str]] = []
    for m in rx.finditer(text):
        run = m.group()
        base = m.start()
        # Replace each separator run with nothing; letters keep their own map entries.
        i = 0
        while i < len(run):
            if run[i].isalpha():
                i += 1
                continue
            j = i
            while j < len(run) and not run[j].isalpha():
                j += 1
            edits.append((base + i, base + j, ""))
            i = j
    return edits


def _drop_zero_width_edits(
    text: str, starts: list[int] | None, ends: list[int] | None, edits: list[tuple[int, int, str]]
) -> tuple[str, list[int] | None, list[int] | None]:
    """Apply deletions: characters in deleted ranges vanish; the rest keep their map entries."""
    if not edits:
        return text, starts, ends
    st = starts if starts is not None else list(range(len(text)))
    en = ends if ends is not None else list(range(1, len(text) + 1))
    keep_chars: list[str] = []
    ks: list[int] = []
    ke: list[int] = []
    pos = 0
    for s, e, _r in edits:
        keep_chars.append(text[pos:s])
        ks.extend(st[pos:s])
        ke.extend(en[pos:s])
        pos = e
    keep_chars.append(text[pos:])
    ks.extend(st[pos:])
    ke.extend(en[pos:])
    return "".join(keep_chars), ks, ke


def normalize(text: str) -> Normalized:
    """Fold evasions out of `text`; the result maps every character back to the original."""
    t, st, en = _fold(text)
    ascii_ = t.isascii()
    token_rx = _TOKEN_ASCII if ascii_ else _TOKEN
    spaced_rx = _SPACED_ASCII if ascii_ else _SPACED
    repeat_rx = _REPEAT_ASCII if ascii_ else _REPEAT

    # Leetspeak and masks, only inside tokens that also hold a real letter ("sh1t", "f*ck"),
    # so plain numbers ("call 555 0100", "2024") stay as written.
    if _NEEDS_LEET.search(t):
        edits = []
        for m in token_rx.finditer(t):
            tok = m.group()
            new = _rewrite_token(tok)
            if new != tok:
                edits.append((m.start(), m.end(), new))
        t, st, en = _apply(t, st, en, edits)

    # Which of the next two stages can have work: one Hyperscan scan for both (None: the
    # text is not read, both look).
    possible = _STAGES_GATE.possible(t) if ascii_ else None

    # Spaced-out letters.
    sp = _spaced_edits(t, spaced_rx) if possible is None or _SPACED_ID in possible else []
    if sp:
        t, st, en = _drop_zero_width_edits(t, st, en, sp)

    # Repeated letters: three or more become two ("fuuuuck" -> "fuuck", "boooobs" -> "boobs").
    # (The gate read the text before the spaced letters were joined: after a join, look.)
    if (possible is None or sp or _REPEAT_ID in possible) and repeat_rx.search(t):
        rep = []
        for m in repeat_rx.finditer(t):
            rep.append((m.start() + 2, m.end(), ""))
        t, st, en = _drop_zero_width_edits(t, st, en, rep)

    return Normalized(
        original=text,
        text=t,
        starts=st,
        ends=en,
    )


def normalize_text(text: str) -> str:
    """Only the normalized text (for building lexicons with the same rules as the input)."""
    return normalize(text).text
