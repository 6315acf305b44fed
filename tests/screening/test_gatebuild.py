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
