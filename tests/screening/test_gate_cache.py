"""Compiled gates kept between processes: compiled once, loaded after, never stale or trusted
blindly (a file that does not load is compiled again and replaced)."""

from __future__ import annotations

from pathlib import Path

import pytest

from piodesk.screening import gatebuild
from tests.screening.test_gatebuild import _matches

hs = pytest.importorskip("hyperscan")

FLAGS = hs.HS_FLAG_PREFILTER | hs.HS_FLAG_SINGLEMATCH
ITEMS = [(1, r"kill\s+you", FLAGS), (2, r"\d{3}-\d{4}", FLAGS)]
TEXTS = [b"i will kill  you", b"call 555-0142", b"nothing here", b"kill you at 555-0142"]


def _cached(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.hsdb"))


def test_compiled_once_then_loaded(gate_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = gatebuild.compile_views({"text": ITEMS})
    assert len(_cached(gate_cache)) == 1

    def no_compile(*_a: object) -> None:
        raise AssertionError("compiled again although the gate is cached")

    monkeypatch.setattr(gatebuild, "_compile_in_child", no_compile)
    again = gatebuild.compile_views({"text": ITEMS})
    assert again["text"][1] == first["text"][1] == frozenset({1, 2})
    for data in TEXTS:
        assert _matches(again["text"][0], data) == _matches(first["text"][0], data)


def test_other_expressions_are_another_gate(gate_cache: Path) -> None:
    gatebuild.compile_views({"text": ITEMS})
    other = gatebuild.compile_views({"text": ITEMS[:1]})
    assert len(_cached(gate_cache)) == 2
    assert other["text"][1] == frozenset({1})
    assert _matches(other["text"][0], TEXTS[1]) == set()


def test_a_damaged_file_is_compiled_again_and_replaced(gate_cache: Path) -> None:
    gatebuild.compile_views({"text": ITEMS})
    (path,) = _cached(gate_cache)
    path.write_bytes(b'{"text": {"ids": [1, 2], "size": 14}}\nnot a database')
    got = gatebuild.compile_views({"text": ITEMS})
    assert _matches(got["text"][0], TEXTS[3]) == {1, 2}
    assert gatebuild._from_cache(path) is not None  # the file now holds a real gate


def test_an_empty_setting_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIODESK_GATE_CACHE", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    got = gatebuild.compile_views({"text": ITEMS})
    assert got["text"][1] == frozenset({1, 2})
    assert list(tmp_path.rglob("*.hsdb")) == []


_REQUEST_DIGEST = """
import hashlib, json
from piodesk.screening import gatebuild
seen = []
def record(by_view):
    seen.append(json.dumps({v: [list(i) for i in items] for v, items in by_view.items()}))
    return {}
gatebuild.compile_views = record
from piodesk.screening.engine import Screener
from piodesk.screening.rules import load_rules
Screener(load_rules(), models=[]).wait_for_gate(60)
print(hashlib.sha256(seen[0].encode()).hexdigest())
"""


def test_the_shipped_rules_ask_for_one_gate_whatever_the_hash_seed() -> None:
    """Workers find the gate another compiled only if every process asks for the same one:
    no regex may depend on a set's order (which changes with PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys

    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PIODESK_GATE_CACHE": ""}
        out = subprocess.run(
            [sys.executable, "-c", _REQUEST_DIGEST], env=env, capture_output=True, check=True
        )
        digests.add(out.stdout.decode().strip())
    assert len(digests) == 1, digests
