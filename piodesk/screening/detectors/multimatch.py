"""Which of many regexes can match a text, in one compiled pass (Hyperscan, prefilter mode).

The engine's detectors hold a few hundred regular expressions (the cue classes of the cue
rules, the pattern detectors' patterns). Python's `re` tries each one over the whole text;
most find nothing in an ordinary comment. Here every one of them is compiled once into a
Hyperscan database in *prefilter* mode, which matches a superset of what the regex matches
(look-arounds are dropped, long bounded repeats widened), and one scan of a comment tells
which regexes may match. A regex that Hyperscan says cannot match finds nothing, so its
detector skips it; one that may match is then run by `re` exactly as before. Findings do not
change: the gate only skips work whose answer is known to be empty.

Only ASCII texts are gated: on ASCII text `\\w`, `\\d`, `\\b` and case folding mean the same in
Python and in Hyperscan's ASCII mode, and Python's extra whitespace characters (\\x1c-\\x1f)
are scanned as spaces. A text with other characters, a regex Hyperscan cannot compile, and
everything when the `hyperscan` package is absent fall back to running every regex.

Ids are global and fixed per (view, regex, flags) for the life of the process, so the
detectors of any screener can name their regexes without knowing which matcher scans them.
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from piodesk.screening import gatebuild
from piodesk.screening.inert import NOT_INERT_SAFE as _NOT_INERT_SAFE
from piodesk.screening.inert import inert_safe as _inert_safe
from piodesk.screening.inert import is_inert as _is_inert

log = logging.getLogger(__name__)

_hs: Any
try:  # optional at import: without it every regex runs, as before
    import hyperscan as _hs
except ImportError:  # pragma: no cover - the dependency is declared
    _hs = None

#: The views of a text a regex can read (ScanContext attributes).
VIEWS = ("lower", "text", "norm")

_ids: dict[tuple[str, str, int], int] = {}
_ids_lock = threading.Lock()

# `{m,n}` with a large n makes Hyperscan's compile slow; `{m,}` matches a superset.
_BOUNDED = re.compile(r"(?<!\\)\{(\d+),(\d*)\}")
# what Hyperscan's parser does not take (Python-only escapes), or Python flags it has no
# equivalent for
_UNSUPPORTED = re.compile(r"\\[uUN]|\(\?P=|\(\?\(")
_SPACES_PY = str.maketrans(dict.fromkeys("\x1c\x1d\x1e\x1f", " "))
_PY_ONLY_SPACES = re.compile("[\x1c-\x1f]")


def pattern_id(view: str, regex: str, flags: int) -> int:
    """The fixed id of one regex on one view of the text."""
    key = (view, regex, flags)
    got = _ids.get(key)
    if got is None:
        with _ids_lock:
            got = _ids.setdefault(key, len(_ids))
    return got


def gateable(regex: str, flags: int) -> bool:
    """Whether the regex can be compiled for the gate (else it always runs)."""
    if _hs is None or _UNSUPPORTED.search(regex):
        return False
    if flags & (re.VERBOSE | re.LOCALE):
        return False
    # with IGNORECASE, Python folds some other letters onto ASCII ones ("ſ" is "s"): such
    # a pattern could match ASCII text where Hyperscan's ASCII folding does not
    return not (
        flags & re.IGNORECASE and any(c.lower() != c.upper() for c in regex if not c.isascii())
    )


def _hs_flags(regex: str, flags: int) -> int:
    assert _hs is not None
    out = _hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_SINGLEMATCH | _hs.HS_FLAG_ALLOWEMPTY
    if not regex.isascii():
        out |= _hs.HS_FLAG_UTF8
    if flags & re.IGNORECASE:
        out |= _hs.HS_FLAG_CASELESS
    if flags & re.DOTALL:
        out |= _hs.HS_FLAG_DOTALL
    if flags & re.MULTILINE:
        out |= _hs.HS_FLAG_MULTILINE
    return out


_UESC = re.compile(r"(?<!\\)\\u([0-9a-fA-F]{4})")


def _unescape(regex: str) -> str:
    """Python's \\uXXXX escapes as the characters they stand for (Hyperscan has none)."""
    return _UESC.sub(lambda m: re.escape(chr(int(m.group(1), 16))), regex)


#: What a non-ASCII letter becomes in the regex the gate compiles (see `_ascii_form`): a
#: character that is no letter and has no case, so it matches no ASCII character either.
_NO_ASCII = "\u00b7"


def _matches_ascii(c: str, flags: int, _cache: dict[tuple[str, int], bool] = {}) -> bool:  # noqa: B006 - a cache
    key = (c, flags & re.IGNORECASE)
    got = _cache.get(key)
    if got is None:
        rx = re.compile(re.escape(c), flags & re.IGNORECASE)
        got = _cache[key] = any(rx.fullmatch(chr(i)) for i in range(128))
    return got


def _ascii_form(regex: str, flags: int) -> str:
    """The regex as the gate compiles it, the same on every text the gate reads.

    The gate reads only texts whose non-ASCII characters are no letters (see `scan`), where a
    non-ASCII letter of a regex ("suscr[ií]bete", "straße") can match nothing. With case
    ignored, Hyperscan could not take such a regex at all (its folding differs from Python's),
    and the detector would run on every text. Each such letter is written as one that no ASCII
    character matches either ("·"), unless Python's case folding lets it match an ASCII letter
    ("ſ" is "s", "K" is "k"): those stay, and the regex stays ungated.
    """
    if regex.isascii():
        return regex
    out = []
    for i, c in enumerate(regex):
        if (
            not c.isascii()
            and c.lower() != c.upper()
            and not (i and regex[i - 1] == "\\")
            and not _matches_ascii(c, flags)
        ):
            out.append(_NO_ASCII)
        else:
            out.append(c)
    return "".join(out)


# A look-behind that opens the whole regex, or a look-ahead that closes it, as a class of
# one character: "(?<![\w'])", "(?<!\w)", "(?![^\W_])".
_CLASS = r"(?:\[(?P<neg>\^?)(?P<set>(?:\\.|[^\]\\])+)\]|(?P<esc>\\[wWdDsS]))"
_LEAD = re.compile(rf"\(\?<!{_CLASS}\)")
_TAIL = re.compile(rf"\(\?!{_CLASS}\)$")
_ESC_COMPLEMENT = {
    "\\w": "\\W",
    "\\W": "\\w",
    "\\d": "\\D",
    "\\D": "\\d",
    "\\s": "\\S",
    "\\S": "\\s",
}


def _complement(m: re.Match[str]) -> str:
    if m.group("esc"):
        return _ESC_COMPLEMENT[m.group("esc")]
    return f"[{'' if m.group('neg') else '^'}{m.group('set')}]"


def _edges(regex: str) -> str:
    r"""The regex with its opening look-behind and closing look-ahead written as characters
    the match takes: "(?<![\w'])kill" as "(?:^|[^\w'])kill", "cops(?![\w'])" as
    "cops(?:[^\w']|$)".

    Prefilter mode drops look-arounds, so "(?<![\w'])(?:lt|...)" would be possible in every
    text with "lt" inside a word ("result"). At the very start or end of the regex (the first
    or the last alternative, as with the look-around) taking the character instead of looking
    at it changes where a match starts or ends, never whether one exists, and whether one
    exists is all the gate asks.
    """
    # Hyperscan takes no anchor inside a pattern that goes on after it, so a regex with an
    # anchor of its own keeps that look-around
    m = _LEAD.match(regex)
    if m is not None and _START_ANCHOR.search(regex) is None:
        regex = f"(?:^|{_complement(m)})" + regex[m.end() :]
    m = _TAIL.search(regex)
    if (
        m is not None
        and (m.start() == 0 or regex[m.start() - 1] != "\\")
        and _END_ANCHOR.search(regex) is None
    ):
        regex = regex[: m.start()] + f"(?:{_complement(m)}|$)"
    return regex


_START_ANCHOR = re.compile(r"(?<![\\\[])\^|\\A")
_END_ANCHOR = re.compile(r"(?<!\\)\$|\\[zZ]")


def _widen(regex: str) -> str:
    return _BOUNDED.sub(
        lambda m: m.group(0) if m.group(2) and int(m.group(2)) <= 4 else "{" + m.group(1) + ",}",
        regex,
    )


class _Job:
    """One set of regexes compiled in a background thread (Hyperscan releases the GIL):
    a screener works at once, ungated, and is gated as soon as its databases are ready."""

    def __init__(self, entries: frozenset[tuple[str, int, str, int]]) -> None:
        self.entries = entries
        self.dbs: dict[str, tuple[Any, frozenset[int]]] = {}
        self.done = threading.Event()
        threading.Thread(target=self._run, name="screening-gate", daemon=True).start()

    def _run(self) -> None:
        try:
            by_view: dict[str, list[tuple[int, str, int]]] = {}
            for view, i, rx, f in sorted(self.entries):
                by_view.setdefault(view, []).append(
                    (i, _widen(_edges(_unescape(rx))), _hs_flags(_unescape(rx), f))
                )
            # in a child process when one runs: the compile's memory peak stays there
            self.dbs = gatebuild.compile_views(by_view)
        except Exception:
            log.exception("screening gate failed to compile; every regex runs")
            self.dbs = {}
        finally:
            self.done.set()


_jobs: list[_Job] = []
_jobs_lock = threading.Lock()


def _jobs_for(entries: frozenset[tuple[str, int, str, int]]) -> list[_Job]:
    """Compiled (or compiling) sets covering `entries`: a set already made for a larger
    ruleset is reused (its extra regexes are never asked about), and only what it lacks is
    compiled anew (an agency's own patterns), so a screener per test or per reload does not
    recompile the shipped detectors."""
    with _jobs_lock:
        best = max(_jobs, key=lambda j: len(j.entries & entries), default=None)
        if best is not None and entries <= best.entries:
            return [best]
        if best is not None and len(best.entries & entries) * 2 >= len(entries):
            rest = entries - best.entries
            job = _Job(frozenset(rest))
            _jobs.append(job)
            return [best, job]
        job = _Job(entries)
        _jobs.append(job)
        return [job]


# Texts whose only non-ASCII characters are inert are scanned with each as NUL (`inert.py`); a
# pattern that names non-ASCII characters (or a range of them) is reported as possible in a text
# that holds one of those: only there can it tell the NUL from the character.


def _named(regex: str) -> tuple[frozenset[str], tuple[tuple[int, int], ...]]:
    """The non-ASCII characters an (unescaped) regex names, and the code point ranges with a
    non-ASCII end ("À-ɏ"): the only characters of a text it can tell from the NUL that stands
    for them. (Any "x-y" with a non-ASCII side counts as a range, inside a class or not: more
    ranges only make the regex possible in more texts.)"""
    chars = frozenset(c for c in regex if not c.isascii())
    ranges = tuple(
        (min(ord(regex[i - 1]), ord(regex[i + 1])), max(ord(regex[i - 1]), ord(regex[i + 1])))
        for i in range(1, len(regex) - 1)
        if regex[i] == "-" and not (regex[i - 1].isascii() and regex[i + 1].isascii())
    )
    return chars, ranges


_ASCII_CHARS = frozenset(map(chr, range(128)))


def _nul_for_unencodable(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeEncodeError)
    return "\x00" * (err.end - err.start), err.end


_NUL = "piodesk_screening_nul"
codecs.register_error(_NUL, _nul_for_unencodable)


# Letters, digits and spaces outside ASCII ("café", "niño", a no-break space). With `letters`
# (the engine's batches), a text holding them is read too, each such character scanned as an
# ASCII stand-in that every regex atom matching the character also matches: a letter as an
# ASCII letter (the one Python's case folding makes it equal to, as "ſ" is "s", else a fixed
# one), a decimal digit as "0", a space as " " (\w, \d, \s, \b, `.` and their negations say
# the same of both). Literals and positive classes could match the stand-in where they did
# not match the character: more regexes possible, never fewer. Only a negated class that
# names the stand-in ("[^a-z]") could tell the two apart: such regexes are reported as possible
# in a text with a character of that stand-in, as are those naming the character itself
# (`_named`). A character with case but no letter or digit that folds to no ASCII letter is
# scanned as NUL (as inert ones are); one that folds to ASCII but is no letter keeps the text
# unread.
_CLASS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


def _class_char(e: str, j: int) -> tuple[str | None, int] | None:
    r"""The literal character at e[j] inside a class and the index after it; (None, next) for
    a class escape (\w, \d ...); None for what this reading does not know."""
    c = e[j]
    if c != "\\":
        return c, j + 1
    if j + 1 >= len(e):
        return None
    k = e[j + 1]
    if k in "wWdDsS":
        return None, j + 2
    if k == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", e[j + 2 : j + 4]):
        return chr(int(e[j + 2 : j + 4], 16)), j + 4
    if k in _CLASS_ESCAPES:
        return _CLASS_ESCAPES[k], j + 2
    if k.isalnum():
        return None  # \b, \0, \N ... inside a class: not read here
    return k, j + 2


def _negated_ascii(expression: str, caseless: bool) -> frozenset[str] | None:
    """The ASCII characters that some negated class of the expression names (a class "[^...]"
    matches every character but these), or None when a class could not be read."""
    out: set[str] = set()
    e, n, i = expression, len(expression), 0
    while i < n:
        if e[i] == "\\":
            i += 2
            continue
        if e[i] != "[":
            i += 1
            continue
        j = i + 1
        negated = j < n and e[j] == "^"
        j += negated
        named: set[str] = set()
        first = True
        while j < n and (e[j] != "]" or first):
            first = False
            got = _class_char(e, j)
            if got is None:
                return None
            lo, j = got
            if lo is not None and j + 1 < n and e[j] == "-" and e[j + 1] != "]":
                end = _class_char(e, j + 1)
                if end is None or end[0] is None:
                    return None
                hi, j = end[0], end[1]
                named.update(chr(o) for o in range(ord(lo), min(ord(hi), 127) + 1))
            elif lo is not None:
                named.add(lo)
        if j >= n:
            return None  # no closing bracket
        i = j + 1
        if negated:
            out.update(c for c in named if c.isascii())
    if caseless:
        out.update(c.swapcase() for c in list(out))
    return frozenset(out)


def _ascii_equal(c: str, _cache: dict[str, str | None] = {}) -> str | None:  # noqa: B006 - a cache
    """The ASCII letter that Python's case-insensitive matching takes `c` for, if any."""
    if c not in _cache:
        rx = re.compile(re.escape(c), re.IGNORECASE)
        _cache[c] = next((chr(o) for o in range(128) if rx.fullmatch(chr(o))), None)
    return _cache[c]


class MultiMatcher:
    """The gate: `scan(ctx)` gives the ids of the registered regexes that may match."""

    def __init__(self, entries: Iterable[tuple[str, str, int]]) -> None:
        entries = list(entries)
        key = frozenset(
            (view, pattern_id(view, rx, f), _ascii_form(_unescape(rx), f), f)
            for view, rx, f in entries
            if view in VIEWS and gateable(_ascii_form(_unescape(rx), f), f)
        )
        self._registered = frozenset(pattern_id(v, rx, f) for v, rx, f in entries)
        self._jobs = _jobs_for(key) if key else []
        self._dbs: list[tuple[str, Any]] = []
        self._uncovered = self._registered
        # Regexes that could tell a NUL from an inert character it stands for: with an escape
        # that names a code point (always possible in a text with inert characters), or naming
        # non-ASCII characters (possible in a text that has one of them, `_possible_for`).
        self._not_inert_safe = frozenset(
            pattern_id(v, rx, f)
            for v, rx, f in entries
            if _NOT_INERT_SAFE.search(_unescape(rx)) is not None
        )
        self._naming = [
            (pattern_id(v, rx, f), *_named(_unescape(rx)))
            for v, rx, f in entries
            if not _inert_safe(_unescape(rx)) and _NOT_INERT_SAFE.search(_unescape(rx)) is None
        ]
        self._by_char: dict[str, frozenset[int]] = {}
        # for texts read through ASCII stand-ins: the ASCII characters each regex's negated
        # classes name (None: not read, so possible in every such text)
        self._negated = [
            (
                pattern_id(v, rx, f),
                _negated_ascii(_edges(_ascii_form(_unescape(rx), f)), bool(f & re.IGNORECASE)),
            )
            for v, rx, f in entries
        ]
        self._by_stand_in: dict[str, frozenset[int]] = {}
        self._stand_ins: dict[str, str | None] = {}
        self._letter: str | None = None
        self._digit = "0"
        self._local = threading.local()

    @property
    def registered(self) -> frozenset[int]:
        """The ids of every regex this gate answers for (possible or not)."""
        return self._registered

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the gate is compiled (benchmarks); True when it is active."""
        for job in self._jobs:
            job.done.wait(timeout)
        return self._ready()

    def _ready(self) -> bool:
        if self._dbs:
            return True
        if not self._jobs or not all(j.done.is_set() for j in self._jobs):
            return False
        dbs = [(view, db) for j in self._jobs for view, (db, _ids) in j.dbs.items()]
        covered = frozenset().union(*(ids for j in self._jobs for _db, ids in j.dbs.values()))
        # registered regexes the gate cannot decide on are always reported as possible
        self._uncovered = self._registered - covered
        self._dbs = dbs
        return bool(dbs)

    def _scratch(self, view: int, db: Any) -> Any:
        scratches = getattr(self._local, "scratches", None)
        if scratches is None:
            scratches = self._local.scratches = {}
        s = scratches.get(view)
        if s is None:
            assert _hs is not None
            s = scratches[view] = _hs.Scratch(db)
        return s

    def scan(self, ctx: Any) -> frozenset[int] | None:
        """Ids that may match in this text (a superset), or None when the text is not gated."""
        return self.scan_many([ctx])[0]

    def _possible_for(self, c: str) -> frozenset[int]:
        """The regexes that name the non-ASCII character `c` (or a range holding it)."""
        got = self._by_char.get(c)
        if got is None:
            # with case ignored a regex naming another case of `c` matches it too: each case
            # counts (an inert character has none)
            low, up = c.lower(), c.upper()
            forms = {c, low, up, low.upper(), up.lower(), c.casefold(), c.swapcase()}
            points = [ord(f) for f in forms if len(f) == 1]
            got = frozenset(
                i
                for i, chars, ranges in self._naming
                if not forms.isdisjoint(chars)
                or any(lo <= o <= hi for lo, hi in ranges for o in points)
            )
            t = self._stand_in(c) if not _is_inert(c) else None
            if t is not None and t != "\x00":
                got = got.union(self._naming_stand_in(t))
            self._by_char[c] = got
        return got

    def _naming_stand_in(self, t: str) -> frozenset[int]:
        """The regexes a negated class of which names the ASCII stand-in `t`."""
        got = self._by_stand_in.get(t)
        if got is None:
            got = self._by_stand_in[t] = frozenset(
                i for i, named in self._negated if named is None or t in named
            )
        return got

    def _stand_in(self, c: str) -> str | None:
        """What the non-ASCII character `c` is scanned as (see `_negated_ascii`): NUL, an
        ASCII letter, "0" or a space; None: a text holding it is not read."""
        if c in self._stand_ins:
            return self._stand_ins[c]
        if self._letter is None:
            # the stand-ins that the fewest regexes' negated classes name
            self._letter = min("xqzjkvwyXQZJKVWY", key=lambda t: (len(self._naming_stand_in(t)), t))
            self._digit = min("0123456789", key=lambda t: (len(self._naming_stand_in(t)), t))
        folded = _ascii_equal(c)
        out: str | None
        if _is_inert(c):
            out = "\x00"
        elif c.isspace():
            out = " " if folded is None else None
        elif c.isdecimal():
            out = self._digit if folded is None else None
        elif c.isalnum():
            out = folded if folded is not None and folded.isalpha() else self._letter
            if folded is not None and not folded.isalpha():
                out = None
        else:  # a character with case, no letter: unless it folds to ASCII, like an inert one
            out = "\x00" if folded is None else None
        self._stand_ins[c] = out
        return out

    def _views_data(
        self, ctx: Any, letters: bool = False
    ) -> tuple[list[bytes], frozenset[str]] | None:
        """The bytes each database scans for this text, and its non-ASCII characters (every
        view's), scanned as NUL or, with `letters`, as ASCII stand-ins; None when the text is
        not gated."""
        inert: frozenset[str] = frozenset()
        ascii_text = ctx.text.isascii()  # then its lower-cased and normalized views are too
        if ascii_text and _PY_ONLY_SPACES.search(ctx.text) is None:
            # the common case: no view holds a character to rewrite (lower-casing and
            # normalizing ASCII text add none of \x1c-\x1f), so each view is its bytes
            return [
                (ctx.norm.text if view == "norm" else getattr(ctx, view)).encode("ascii")
                for view, _db in self._dbs
            ], inert
        last_source: str | None = None
        data = b""
        out: list[bytes] = []
        for view, _db in self._dbs:
            source = ctx.norm.text if view == "norm" else getattr(ctx, view)
            if source is not last_source and source != last_source:
                if not ascii_text and not source.isascii():
                    others = set(source).difference(_ASCII_CHARS)
                    if not all(_is_inert(c) for c in others):
                        if not letters:
                            return None
                        table = {ord(c): self._stand_in(c) for c in others if not _is_inert(c)}
                        if None in table.values():
                            return None
                        source = source.translate(table)
                    inert = inert.union(others)
                if _PY_ONLY_SPACES.search(source) is not None:
                    source = source.translate(_SPACES_PY)
                data = source.encode("ascii", _NUL)
                last_source = source
            out.append(data)
        return out, inert

    def scan_many(
        self, ctxs: Sequence[Any], *, letters: bool = False
    ) -> list[frozenset[int] | None]:
        """`scan` of each text, database by database: one database runs over every text of
        the batch before the next one starts, so its tables stay in the CPU's caches (three
        databases taking turns on each text evict one another). The answers are the same.

        With `letters`, texts with letters, digits or spaces outside ASCII are read too,
        through ASCII stand-ins (see `_negated_ascii`), where `scan` answers None."""
        if not self._dbs and not self._ready():
            return [None] * len(ctxs)
        prepared = [self._views_data(ctx, letters) for ctx in ctxs]
        found: list[list[int]] = [[] for _ in ctxs]
        for n, (_view, db) in enumerate(self._dbs):
            scratch = self._scratch(n, db)
            for k, got in enumerate(prepared):
                if got is not None:
                    db.scan(
                        got[0][n], match_event_handler=_on_match, context=found[k], scratch=scratch
                    )
        out: list[frozenset[int] | None] = []
        for got, ids in zip(prepared, found, strict=True):
            if got is None:
                out.append(None)
            elif got[1]:  # patterns that could tell a NUL from the characters it stands for
                out.append(
                    self._uncovered.union(
                        ids, self._not_inert_safe, *map(self._possible_for, got[1])
                    )
                )
            else:
                out.append(self._uncovered.union(ids))
        return out


def _on_match(i: int, _s: int, _e: int, _f: int, found: list[int]) -> None:
    found.append(i)
