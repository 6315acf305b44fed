"""The gate's databases built in a child process match what an in-process build matches."""

from __future__ import annotations

import pytest

from piodesk.screening import gatebuild

hs = pytest.importorskip("hyperscan")

ITEMS = [
    (1, r"kill\s+you", hs.HS_FLAG_PREFILTER | hs.HS_FLAG_SINGLEMATCH),
    (2, r"\d{3}-\d{4}", hs.HS_FLAG_PREFILTER | hs.HS_FLAG_SINGLEMATCH),
    (3, r"(?<!x)(", hs.HS_FLAG_PREFILTER),  # refused by Hyperscan: left out
]
TEXTS = [b"i will kill  you", b"call 555-0142", b"nothing here", b"kill you at 555-0142"]


def _matches(db: object, data: bytes) -> set[int]:
    found: set[int] = set()
    db.scan(  # type: ignore[attr-defined]
        data, match_event_handler=lambda i, *_a: found.add(i), scratch=hs.Scratch(db)
    )
    return found


def test_child_and_in_process_builds_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    child = gatebuild._in_child({"text": ITEMS})
    assert child is not None, "the child process did not build the databases"
    monkeypatch.setenv("PIODESK_GATE_IN_PROCESS", "1")
    here = gatebuild.compile_views({"text": ITEMS})
    assert child["text"][1] == here["text"][1] == frozenset({1, 2})
    for data in TEXTS:
        assert _matches(child["text"][0], data) == _matches(here["text"][0], data)
    assert _matches(here["text"][0], TEXTS[3]) == {1, 2}


def test_rewritten_edges_and_letters_only_widen_the_gate() -> None:
    """Each regex as the gate compiles it matches (by Python's own re) every ASCII text the
    regex matches: the rewrites may widen the gate, never narrow it."""
    import re

    from piodesk.screening import devsets
    from piodesk.screening.detectors import multimatch
    from piodesk.screening.engine import Screener
    from piodesk.screening.rules import load_rules

    Screener(load_rules(), models=[])  # registers every shipped regex
    texts = [e.text for name in devsets.FILES for e in devsets.load(name)][::5]
    texts = [t for t in texts if t.isascii()] + ["result", "lt. dan", "i'm here", "x"]
    checked = 0
    for (view, rx, flags), _id in list(multimatch._ids.items()):
        form = multimatch._edges(multimatch._ascii_form(multimatch._unescape(rx), flags))
        if form == rx or len(rx) > 5000:
            continue
        original, gate = re.compile(rx, flags), re.compile(form, flags)
        for t in texts:
            source = t.lower() if view != "text" else t
            if original.search(source):
                assert gate.search(source), (rx[:60], t[:60])
        checked += 1
    assert checked > 20
    assert multimatch._edges(r"(?<![\w'])(?:lt|cop)(?![\w'])") == (
        r"(?:^|[^\w'])(?:lt|cop)(?:[^\w']|$)"
    )


def test_pattern_detectors_read_the_engines_gate_key() -> None:
    from piodesk.screening.detectors import base, cues

    assert base.GATE == cues.GATE
