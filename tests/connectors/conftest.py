"""Shared helpers for connector and importer tests: where the recorded platform data lives.

The real exports and HTTP recordings are read in place from ``../shared/data`` (or
``$PIODESK_SHARED_DATA``); they hold real people's data and are never copied into the repo.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("PIODESK_SHARED_DATA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data"
)


def shared(relative: str) -> Path:
    """A path under the shared data folder, or skip the test with the reason."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared test data not available: {path} (set PIODESK_SHARED_DATA)")
    return path


@pytest.fixture
def data() -> object:
    """``data("exports/mastodon")``: the shared path, or skip when it is absent."""
    return shared
