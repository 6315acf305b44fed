"""Shared fixtures for the screening tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from piodesk.screening.engine import Screener
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
