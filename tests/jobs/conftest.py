"""Procrastinate's schema in the test database (PostgreSQL only), its tables emptied."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from piodesk.jobs import engine, queue


@pytest.fixture
def queue_url(db_url: str) -> Iterator[str]:
    """The test database with Procrastinate's schema, its tables empty."""
    engine.ensure_schema(db_url)
    with psycopg.connect(engine.conninfo(db_url), autocommit=True) as conn:
        conn.execute(
            "TRUNCATE procrastinate_jobs, procrastinate_periodic_defers, procrastinate_workers "
            "RESTART IDENTITY CASCADE"
        )
    yield db_url
    queue.activate(None)
