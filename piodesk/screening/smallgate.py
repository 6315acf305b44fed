r"""A few regexes behind one Hyperscan scan (prefilter mode): which of them may match a text.

The engine's gate (detectors/multimatch.py) answers for the detectors' hundreds of regexes. A
few other places run a handful of regexes over every text (the models' shape tokens, the
normaliser's stages) where most of them find nothing; each costs Python's `re` one to three
microseconds a text just to say so. A `SmallGate` compiles the handful into one database in
*prefilter* mode (a superset of what each regex matches), so one scan tells which cannot match
and need not run; the others run with `re` exactly as before, and what the caller computes does
not change.

The database is compiled by `gatebuild` (in a child process, kept between processes) in a
background thread started at first use; until it is ready, for a text it does not read, and
without the `hyperscan` package, `possible` answers None (any may match). Only ASCII texts are
read (and texts whose other characters are inert, see `_is_inert`), without Python's extra spaces
(\x1c-\x1f): there `\w`, `\d`, `\s` and `\b` mean the same to Python and to Hyperscan.

Imports nothing of piodesk but gatebuild, so the normaliser can use it.
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
from collections.abc import Sequence
from typing import Any

from piodesk.screening import gatebuild
from piodesk.screening.inert import inert_safe as _inert_safe
from piodesk.screening.inert import is_inert as _is_inert

log = logging.getLogger(__name__)

_PY_ONLY_SPACES = re.compile("[\x1c-\x1f]")


def _hs() -> Any:
    try:
        import hyperscan
    except ImportError:
        return None
    return hyperscan


# Texts whose other characters are inert (emoji, curly quotes, dashes, the byte-order mark) are
# read as the engine's gate reads them: each such character scanned as NUL (`inert.py`).

_NUL = "piodesk_screening_smallgate_nul"


def _nul_for_unencodable(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeEncodeError)
    return "\x00" * (err.end - err.start), err.end


codecs.register_error(_NUL, _nul_for_unencodable)


def _on_match(i: int, _s: int, _e: int, _f: int, found: list[int]) -> None:
    found.append(i)


class SmallGate:
    """`possible(text)`: the ids of the expressions that may match an ASCII text, or None."""

    def __init__(self, name: str, items: Sequence[tuple[int, str, bool]]) -> None:
        """`items`: (id, Hyperscan expression, whether case is ignored). Each expression must
        match at least what its regex matches; it is compiled in prefilter mode."""
        self.name = name
        self.items = tuple(items)
        self._db: Any = None
        self._uncovered: frozenset[int] = frozenset()
        # expressions that could tell a NUL from the inert character it stands for
        self._not_inert_safe = frozenset(i for i, e, _c in self.items if not _inert_safe(e))
        self._started = False
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._local = threading.local()

    def start(self) -> None:
        """Begin compiling in the background (once)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._compile, name=f"screening-{self.name}", daemon=True).start()

    def _compile(self) -> None:
        try:
            hs = _hs()
            if hs is None:
                return
            items = []
            for i, expression, caseless in self.items:
                flags = hs.HS_FLAG_PREFILTER | hs.HS_FLAG_SINGLEMATCH
                if caseless:
                    flags |= hs.HS_FLAG_CASELESS
                items.append((i, expression, flags))
            got = gatebuild.compile_views({self.name: items}).get(self.name)
            if got is not None:
                # an expression Hyperscan refused is always possible
                self._uncovered = frozenset(i for i, _e, _c in self.items) - got[1]
                self._db = got[0]
        except Exception:  # without the database every regex runs, as before
            log.exception("screening %s failed to compile; every regex runs", self.name)
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the database is compiled (benchmarks); True when it is in use."""
        self.start()
        self._done.wait(timeout)
        return self._db is not None

    def possible(self, text: str) -> frozenset[int] | None:
        """The ids that may match `text`, or None: any may (the text is not read)."""
        db = self._db
        if db is None:
            self.start()
            return None
        if _PY_ONLY_SPACES.search(text) is not None:
            return None
        if text.isascii():
            data = text.encode("ascii")
            always = self._uncovered
        elif all(_is_inert(c) for c in set(text) if not c.isascii()):
            data = text.encode("ascii", _NUL)  # each inert character as NUL
            always = self._uncovered | self._not_inert_safe
        else:
            return None
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = _hs().Scratch(db)
        found: list[int] = []
        db.scan(data, match_event_handler=_on_match, context=found, scratch=scratch)
        return always.union(found)
