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


# Non-ASCII characters that are "inert" to every ASCII pattern: not a letter, digit or
# space to Python (so not \\w, \\d or \\s), without case, e.g. emoji, curly quotes, dashes,
# the byte-order mark YouTube ends comments with. In a text whose only non-ASCII characters
# are inert, each is scanned as NUL, which `.`, `\\W`, `\\S`, `\\D` and negated classes match
# as they match the character; a pattern that names NUL or a code point by an escape is
# reported as possible in such a text, and one that names non-ASCII characters (or a range of
# them) in a text that holds one of those: only there can it tell the NUL from the character.
def _is_inert(c: str, _cache: dict[str, bool] = {}) -> bool:  # noqa: B006 - a cache
    got = _cache.get(c)
    if got is None:
        got = _cache[c] = not (c.isalnum() or c.isspace() or c == "_" or c.lower() != c.upper())
    return got


_NOT_INERT_SAFE = re.compile(r"\\x(?:[89a-fA-F]|0[0]|\{)|\\0|\\[pPN]")


def _inert_safe(regex: str) -> bool:
    return regex.isascii() and _NOT_INERT_SAFE.search(regex) is None


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
            o = ord(c)
            got = self._by_char[c] = frozenset(
                i
                for i, chars, ranges in self._naming
                if c in chars or any(lo <= o <= hi for lo, hi in ranges)
            )
        return got

    def _views_data(self, ctx: Any) -> tuple[list[bytes], frozenset[str]] | None:
        """The bytes each database scans for this text, and its inert characters scanned as
        NUL (every view's); None when the text is not gated."""
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
                        return None
                    inert = inert.union(others)
                if _PY_ONLY_SPACES.search(source) is not None:
                    source = source.translate(_SPACES_PY)
                data = source.encode("ascii", _NUL)
                last_source = source
            out.append(data)
        return out, inert

    def scan_many(self, ctxs: Sequence[Any]) -> list[frozenset[int] | None]:
        """`scan` of each text, database by database: one database runs over every text of
        the batch before the next one starts, so its tables stay in the CPU's caches (three
        databases taking turns on each text evict one another). The answers are the same."""
        if not self._dbs and not self._ready():
            return [None] * len(ctxs)
        prepared = [self._views_data(ctx) for ctx in ctxs]
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
