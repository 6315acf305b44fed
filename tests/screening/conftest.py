"""Shared fixtures for the screening tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from piodesk.screening.engine import Screener
from piodesk.screening.model import TextKind
from piodesk.screening.rules import load_rules

#: The shared labeled data (../shared/data from the project root); absent on some machines.
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def rules_only() -> Screener:
    """The shipped rules without trained models: what the rule detectors alone find."""
    return Screener(load_rules(), models=[])


@pytest.fixture(scope="session")
def full() -> Screener:
    """The whole engine: shipped rules plus whatever trained models are installed."""
    return Screener.load()


@pytest.fixture(scope="module")
def gated() -> Screener:
    """The shipped rules with the compiled gate up (waited for), without trained models."""
    s = Screener(load_rules(), models=[])
    assert s.wait_for_gate(600), "the compiled gate did not come up"
    return s


def assert_gate_changes_nothing(gated: Screener, texts: list[str]) -> None:
    """The gated engine finds exactly what the ungated one finds, as comments and as drafts."""
    plain = Screener(load_rules(), models=[], gate=False)
    for kind, some in ((TextKind.COMMENT, texts), (TextKind.DRAFT, texts[::6])):
        for a, b, text in zip(
            gated.screen_many(some, kind), plain.screen_many(some, kind), some, strict=True
        ):
            assert a.findings == b.findings, text


@pytest.fixture
def gate_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder of compiled gates and name lists (`PIODESK_GATE_CACHE`), children on."""
    folder = tmp_path / "gates"
    monkeypatch.setenv("PIODESK_GATE_CACHE", str(folder))
    monkeypatch.delenv("PIODESK_GATE_IN_PROCESS", raising=False)
    return folder


def need_data(*parts: str) -> Path:
    """The path of a shared data file, or skip the test with the reason."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path} (tests read ../shared/data by path)")
    return path


@pytest.fixture
def data_file():  # type: ignore[no-untyped-def]
    """`data_file("davidson", "labeled_data_dev.csv")`: a shared data path, or skip."""
    return need_data
