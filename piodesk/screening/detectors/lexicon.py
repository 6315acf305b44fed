"""Word lists matched in one pass (Aho-Corasick) over the normalized text.

Each entry is expanded once, at load time, into the spellings people use to slip past a filter
(masked, doubled, vowel-dropped, swapped letters); the input text is folded by normalize.py.
Both sides go through the same normalization, so they meet in the middle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import ahocorasick

from piodesk.screening.detectors.base import Detector, ScanContext, clip
from piodesk.screening.model import Finding
from piodesk.screening.normalize import MASK, normalize_text

_VOWELS = frozenset("aeiou")
# Spellings the variant generator must never produce: ordinary words one edit from an entry.
_NEVER = frozenset(
    {
        "sit", "shot", "hit", "cut", "cnut", "fuc", "as", "ad", "dic", "fag", "pis", "cok", "cum",
        "hose", "hoe", "slot", "slit", "whose", "bitc", "pussy", "tiwt", "twit", "wore", "lust",
        "sult", "suit", "dcik", "dike", "kick", "puss", "nigh", "prik", "pirck", "spit", "cnt",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon word: its score and how it may match (see the lexicon file header)."""

    word: str
    score: float
    infix: bool = False
    prefix: bool = False
    variants: bool = False


def parse_lexicon(lines: Iterable[str], default_score: float = 0.9) -> list[Entry]:
    """Entries from "WORD [score] [flags]" lines; '#' starts a comment, '_' joins words."""
    out = []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        word, score, flags = parts[0], default_score, ""
        for p in parts[1:]:
            try:
                score = float(p)
            except ValueError:
                flags += p
        # "_" joins the words of a phrase entry ("white_trash").
        word = word.replace("_", " ")
        out.append(Entry(word.lower(), score, "i" in flags, "p" in flags, "v" in flags))
    return out


def read_packaged(name: str) -> list[str]:
    """A word list shipped inside the package (detectors/lexicons/NAME)."""
    ref = resources.files("piodesk.screening.detectors").joinpath("lexicons").joinpath(name)
    return ref.read_text(encoding="utf-8").splitlines()


def spellings(entry: Entry) -> dict[str, bool]:
    """Each spelling of the word, and whether it may match inside a longer word.

    The word, its plurals, masks and doubled letters keep the entry's `i` flag; near
    misspellings ('v': a dropped vowel, two letters swapped) never match inside words, where
    they would hit ordinary words ("sht" in "hashtag").
    """
    w = entry.word
    exact = {w}
    near: set[str] = set()
    if not entry.infix and not entry.prefix and " " not in w:
        exact |= {w + "s", w + "es"}
    n = len(w)
    if " " not in w:
        for i in range(n):
            exact.add(w[: i + 1] + w[i] + w[i + 1 :])  # one letter doubled
        if n >= 4:
            for i in range(1, n - 1):
                exact.add(w[:i] + MASK + w[i + 1 :])  # one letter masked
                if i < n - 2:
                    exact.add(w[:i] + MASK * 2 + w[i + 2 :])
            exact.add(w[0] + MASK * (n - 2) + w[-1])  # all but the ends masked
        if "l" in w:
            exact.add(w.replace("l", "i"))  # "1" is read as "i" by normalize; "ki11" is "kill"
        if entry.variants and n >= 4:
            for i in range(1, n - 1):
                if w[i] in _VOWELS:
                    near.add(w[:i] + w[i + 1 :])  # one vowel dropped: "fck", "btch"
            for i in range(1, n - 1):
                near.add(w[:i] + w[i + 1] + w[i] + w[i + 2 :])  # neighbours swapped: "fcuk"
    out = dict.fromkeys(exact, entry.infix)
    for v in near - exact:
        if v not in _NEVER:
            out[v] = False
    return out


class Lexicon:
    """An Aho-Corasick automaton over every spelling of every entry, with an allow-list."""

    def __init__(self, entries: Sequence[Entry], allow: Iterable[str] = ()) -> None:
        self.entries = list(entries)
        self._auto = ahocorasick.Automaton()
        best: dict[str, tuple[str, float, bool, bool]] = {}
        for e in self.entries:
            for sp, infix in spellings(e).items():
                key = normalize_text(sp).strip()
                if not key:
                    continue
                old = best.get(key)
                if old is None or e.score > old[1]:
                    # a near misspelling of an infix word still matches at a word's start
                    best[key] = (e.word, e.score, infix, e.prefix or (e.infix and not infix))
        for key, (word, score, infix, prefix) in best.items():
            self._auto.add_word(key, (len(key), word, score, infix, prefix))
        self.size = len(best)
        if best:
            self._auto.make_automaton()
        self._allow = ahocorasick.Automaton()
        allow_keys = {normalize_text(a).strip() for a in allow if a.strip()}
        for a in allow_keys:
            self._allow.add_word(a, len(a))
        self._has_allow = bool(allow_keys)
        if allow_keys:
            self._allow.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        """(start, end, entry word, score) for every hit, longest first where hits overlap."""
        if not self.size or not text:
            return []
        hits = []
        n = len(text)
        for end_idx, (length, word, score, infix, prefix) in self._auto.iter(text):
            start, end = end_idx - length + 1, end_idx + 1
            if not infix:
                if start > 0 and (text[start - 1].isalnum() or text[start - 1] == MASK):
                    continue
                if not prefix and end < n and (text[end].isalnum() or text[end] == MASK):
                    continue
            hits.append((start, end, word, score))
        if not hits:
            return []
        if self._has_allow:
            allowed = [(e - ln + 1, e + 1) for e, ln in self._allow.iter(text)]  # allow intervals
            if allowed:
                hits = [h for h in hits if not any(a <= h[0] and h[1] <= b for a, b in allowed)]
        # A hit inside a longer word reports the whole word ("fucking", "clusterfuck").
        hits = [
            (_word_start(text, h[0]), _word_end(text, h[1]), h[2], h[3])
            if (h[0] > 0 and _in_word(text[h[0] - 1])) or (h[1] < n and _in_word(text[h[1]]))
            else h
            for h in hits
        ]
        # Keep the longest hit where hits overlap ("motherfucker" over "fuck").
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept: list[tuple[int, int, str, float]] = []
        for h in hits:
            if kept and h[0] < kept[-1][1]:
                if h[1] - h[0] > kept[-1][1] - kept[-1][0]:
                    kept[-1] = h
                continue
            kept.append(h)
        return kept


def _in_word(ch: str) -> bool:
    return ch.isalnum() or ch == MASK


def _word_start(text: str, i: int) -> int:
    while i > 0 and _in_word(text[i - 1]):
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    while i < len(text) and _in_word(text[i]):
        i += 1
    return i


class LexiconDetector(Detector):
    """Findings for every lexicon word in the text (normalized), mapped back to the original."""

    def __init__(
        self, id: str, category: str, lexicon: Lexicon, explanation: str, *, suggestion: str = ""
    ) -> None:
        self.id = id
        self.category = category
        self.lexicon = lexicon
        self.explanation = explanation
        self.suggestion = suggestion

    def detect(self, ctx: ScanContext) -> list[Finding]:
        """One finding per word found."""
        out = []
        for s, e, word, score in self.lexicon.find(ctx.norm.text):
            span = ctx.span_from_norm(s, e)
            out.append(
                self.finding(
                    [span],
                    clip(ctx.text, span.start, span.end),
                    score,
                    explanation=self.explanation.format(word=word),
                    suggestion=self.suggestion,
                )
            )
        return out


def profanity_lexicon(extra: Iterable[Entry] = (), allow: Iterable[str] = ()) -> Lexicon:
    """The shipped profanity lexicon plus an agency's extra words and allow-list."""
    entries = parse_lexicon(read_packaged("profanity.txt")) + list(extra)
    allow_words = [
        ln.split("#", 1)[0].strip() for ln in read_packaged("allow.txt") if ln.strip()
    ] + list(allow)
    return Lexicon(entries, [a for a in allow_words if a])
