"""Migration 0010 closes duplicate blocks in force the old race left, then enforces one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from piodesk.core.db import make_engine
from piodesk.core.migrate import upgrade
from tests.conftest import PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database (no migrations run yet) on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield engine
        engine.dispose()
        return
    schema = f"piodesk_m0010_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable: {exc.__class__.__name__}")
    sep = "&" if "?" in PG_URL else "?"
    engine = make_engine(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def test_duplicate_blocks_in_force_are_closed_before_the_unique_index(empty: Engine) -> None:
    upgrade(empty, "0006")
    with empty.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO pages (id, platform, handle, name, url, administering_unit, state, "
                "registered_at, profile_version) VALUES "
                "(1, 'sandbox', 'p', 'P', '', 'PA', 'approved', '2026-01-01T00:00:00+00:00', 0)"
            )
        )
        for block_id in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO moderation_blocks (id, page_id, platform, person_id, category, "
                    "reason, actor_name, blocked_at, review_due_at) VALUES (:id, 1, 'sandbox', "
                    "'v-1', 'threat', 'r', 'pio', '2026-01-01T00:00:00+00:00', "
                    "'2026-04-01T00:00:00+00:00')"
                ),
                {"id": block_id},
            )
    upgrade(empty)
    with empty.connect() as conn:
        rows = conn.execute(
            text("SELECT id, lifted_at IS NULL, lifted_by_name FROM moderation_blocks ORDER BY id")
        ).all()
    assert [(r[0], bool(r[1])) for r in rows] == [(1, True), (2, False), (3, False)]
    assert {r[2] for r in rows[1:]} == {"piodesk migration 0010"}
