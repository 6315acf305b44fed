"""The name finder's word lists: read from Faker in a child process and kept between processes,
the same lists as reading Faker in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from piodesk.screening import gazetteer

pytest.importorskip("faker")

NOT_NAMES = frozenset({"the", "officer"})
COUNTRIES = frozenset({"norway", "england"})


def test_the_child_reads_what_the_process_would(gate_cache: Path) -> None:
    here = gazetteer.build(NOT_NAMES, COUNTRIES)
    first, last, common = gazetteer.load(NOT_NAMES, COUNTRIES)
    assert (sorted(first), sorted(last), sorted(common)) == (
        here["first"],
        here["last"],
        here["common"],
    )
    assert "maria" in first and "officer" in common and "norway" not in first | last
    assert len(list(gate_cache.glob("names-*.json"))) == 1


def test_kept_lists_are_read_without_a_child(
    gate_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = gazetteer.load(NOT_NAMES, COUNTRIES)
    child = gazetteer._in_child

    def no_child(_request: str) -> None:
        raise AssertionError("read Faker again although the lists are kept")

    monkeypatch.setattr(gazetteer, "_in_child", no_child)
    assert gazetteer.load(NOT_NAMES, COUNTRIES) == got
    # other words asked to be left out are other lists, not the kept ones
    monkeypatch.setattr(gazetteer, "_in_child", child)
    other = gazetteer.load(frozenset({"maria"}), COUNTRIES)
    assert "maria" in other[2] and len(list(gate_cache.glob("names-*.json"))) == 2


def test_a_damaged_file_is_read_again(gate_cache: Path) -> None:
    got = gazetteer.load(NOT_NAMES, COUNTRIES)
    (path,) = gate_cache.glob("names-*.json")
    path.write_text("{not json")
    assert gazetteer.load(NOT_NAMES, COUNTRIES) == got
    assert gazetteer._from_cache(path) == got  # replaced by a good file
