"""Tests here play the insider who switches off the append-only triggers; switch them back on.

On PostgreSQL a worker's tests share one schema (emptied between tests, not rebuilt), so a
trigger a test disabled would stay off for every later test of that worker.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

#: Tables whose append-only trigger the tampering tests disable.
TAMPERED = ("audit_events", "archive_versions", "checkpoints")


@pytest.fixture(autouse=True)
def _triggers_back_on(request: pytest.FixtureRequest) -> Iterator[None]:
    # Asked for before the test runs, so the engine is still there when this one ends.
    engine: Engine | None = (
        request.getfixturevalue("engine") if "engine" in request.fixturenames else None
    )
    yield
    if engine is None or engine.dialect.name != "postgresql":
        return  # SQLite tests each have their own copy of the database
    with engine.begin() as conn:
        for table in TAMPERED:
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
