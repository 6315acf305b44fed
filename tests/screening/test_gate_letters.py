"""The engine's gate reads texts with letters, digits and spaces outside ASCII through ASCII
stand-ins (detectors/multimatch.py, `letters`): it must change no finding.

The development sets and the protected-speech file are screened with the gate and without it,
rewritten with accented letters, letters that Python's case folding takes for ASCII ones
("ſ", the Kelvin sign), other scripts' letters and digits, and no-break spaces.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from piodesk.screening import devsets
from piodesk.screening.detectors import ScanContext
from piodesk.screening.detectors.multimatch import _negated_ascii
from piodesk.screening.engine import Screener
from piodesk.screening.model import TextKind
from tests.screening.conftest import assert_gate_changes_nothing

pytest.importorskip("hyperscan")

HERE = Path(__file__).resolve().parent

_REWRITES = (
    str.maketrans({"e": "\u00e9", "n": "\u00f1"}),  # café, niño
    str.maketrans({"o": "\u00f6", "a": "\u00c1", " ": "\u00a0"}),  # no-break spaces
    str.maketrans({"s": "\u017f", "k": "\u212a"}),  # fold to ASCII with case ignored
    str.maketrans({"i": "\u0438", "1": "\u0661", "5": "\u0665"}),  # Cyrillic, Arabic digits
    str.maketrans({"t": "\u0442", "'": "\u2019", "u": "\u00fc", "E": "\u00c9"}),
)


def _corpus() -> list[str]:
    texts = [e.text for name in devsets.FILES for e in devsets.load(name)]
    for line in (HERE / "protected_speech.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            texts.append(line.strip())
    out = []
    for i, t in enumerate(texts):
        table = _REWRITES[i % len(_REWRITES)]
        out.append(t.translate(table))
        if i % 3 == 0:
            out.append(t.upper().translate(table) + " caf\u00e9")
        if i % 4 == 0:
            # only some words rewritten: ASCII words beside the stand-ins
            words = t.split(" ")
            out.append(" ".join(w.translate(table) if k % 2 else w for k, w in enumerate(words)))
    return out


def test_letters_change_no_finding(gated: Screener) -> None:
    assert_gate_changes_nothing(gated, _corpus())


def test_letters_are_read(gated: Screener) -> None:
    pf = gated._state.prefilter
    assert pf.matcher is not None
    ctxs = [ScanContext(t, TextKind.COMMENT) for t in ("caf\u00e9 raid tomorrow", "ni\u00f1o")]
    assert all(a is not None for a in pf.scan_many(ctxs))
    # ... while `scan` (one text, no stand-ins) still leaves them unread
    assert pf.matcher.scan(ctxs[0]) is None


def test_negated_classes_are_read() -> None:
    assert _negated_ascii(r"(?:^|[^\w'])kill(?:[^a-c]|$)", False) == frozenset("'abc")
    assert _negated_ascii(r"[^]a\-]x[a-z]", True) == frozenset("]aA-")
    assert _negated_ascii(r"[^\x41-\x43]", False) == frozenset("ABC")
    assert _negated_ascii(r"[^\b]", False) is None  # not read: possible in every such text
    assert _negated_ascii(r"[^a", False) is None
