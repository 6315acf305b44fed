"""The compiled gate (detectors/multimatch.py) skips only work whose answer is empty.

A screener with the gate ready and one without it screen the same texts (the development
sets, the protected-speech file, and the same lines upper-cased, with Python-only whitespace
and with non-ASCII characters) and must give identical findings; and the gate must actually
rule detectors out on ordinary text, so the comparison is not between two ungated runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from piodesk.screening import devsets
from piodesk.screening.detectors import ScanContext
from piodesk.screening.detectors.cues import CueDetector
from piodesk.screening.engine import Screener
from piodesk.screening.model import TextKind
from tests.screening.conftest import assert_gate_changes_nothing

pytest.importorskip("hyperscan")

HERE = Path(__file__).resolve().parent


def _corpus() -> list[str]:
    texts = [e.text for name in devsets.FILES for e in devsets.load(name)]
    for line in (HERE / "protected_speech.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            texts.append(line.strip())
    variants = []
    for i, t in enumerate(texts):
        if i % 3 == 0:
            variants.append(t.upper())  # case-insensitive patterns on the original text
        if i % 5 == 0:
            variants.append(t.replace(" ", "\x1f"))  # whitespace to Python, not to Hyperscan
        if i % 7 == 0:
            variants.append(t.replace("'", "\u2019") + " \U0001f600")  # ungated: not ASCII
        if i % 4 == 1:
            # inert characters that some patterns name (quotes, pound, dash, copyright, times
            # sign inside a named range): scanned as NUL, those patterns must stay possible
            named = t.replace('"', "\u201c").replace("$", "\u00a3").replace("-", "\u2013")
            variants.append(named.replace("'", "\u2019") + " \u00a9 \u00d7")
    return texts + variants


def test_gate_changes_no_finding(gated: Screener) -> None:
    assert_gate_changes_nothing(gated, _corpus())


def test_gate_rules_detectors_out(gated: Screener) -> None:
    pf = gated._state.prefilter
    assert pf.matcher is not None
    ctx = ScanContext("Thanks to the officers who helped my mom last week.", TextKind.COMMENT)
    possible = pf.matcher.scan(ctx)
    assert possible is not None
    cue = [d for d in pf.detectors if isinstance(d, CueDetector)]
    assert cue
    ruled_out = [d.id for d in cue if not any(r <= possible for r in d.gate_rules)]
    assert ruled_out, "the gate ruled no cue detector out on an ordinary comment"
    # a text with a non-ASCII character is not gated (every regex runs)
    assert pf.matcher.scan(ScanContext("caf\u00e9 raid tomorrow", TextKind.COMMENT)) is None


def test_batch_scan_answers_as_one_text_scans(gated: Screener) -> None:
    # scan_many runs each database over the whole batch before the next; each text's answer
    # must be the one scan() gives it alone (gated ASCII, inert non-ASCII, ungated texts)
    matcher = gated._state.prefilter.matcher
    assert matcher is not None
    texts = [*_corpus()[::4], "caf\u00e9 raid tomorrow", "call 555 0100 \U0001f600", "\x1f"]
    many = matcher.scan_many([ScanContext(t, TextKind.COMMENT) for t in texts])
    one = [matcher.scan(ScanContext(t, TextKind.COMMENT)) for t in texts]
    assert many == one
    assert any(a is None for a in many) and any(a is not None for a in many)
