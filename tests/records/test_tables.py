"""The records tables are append-only, in the migration and in the code alike."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from piodesk.records.tables import APPEND_ONLY


def test_migration_makes_the_same_tables_append_only() -> None:
    migration = importlib.import_module("piodesk.core.migrations.versions.0013_records")
    assert tuple(migration.APPEND_ONLY) == APPEND_ONLY


@pytest.mark.parametrize("table", ["records_holds", "archive_tombstones", "records_productions"])
def test_database_refuses_update_and_delete(engine: Engine, table: str) -> None:
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        # The triggers fire per row: with no rows the statement passes; insert-free check of
        # the trigger's existence goes through the catalogue instead.
        with engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            found = conn.execute(
                text(
                    "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname = :n AND c.relnamespace = current_schema()::regnamespace"
                ),
                {"n": f"{table}_append_only"},
            ).scalar_one()
            assert found == 1
        else:
            names = set(
                conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name=:t"),
                    {"t": table},
                ).scalars()
            )
            assert {f"{table}_no_update", f"{table}_no_delete"} <= names


def test_archive_versions_refuse_an_update_without_a_tombstone(engine: Engine) -> None:
    from sqlalchemy.orm import Session

    from piodesk.archive.capture import capture
    from tests.archive.test_capture import comment

    if engine.dialect.name == "postgresql":
        # The PostgreSQL schema is shared by a worker's tests, and some tests of tampering
        # disable the trigger: make sure it is on (this test is about what it allows).
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "ALTER TABLE archive_versions ENABLE TRIGGER archive_versions_append_only"
            )
    with Session(engine) as s, s.begin():
        capture(s, [comment("c1", "hello")], source="t")
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE archive_versions SET text = NULL, author_name = NULL, "
                "author_platform_id = NULL, raw = :r WHERE seq = 1"
            ),
            {"r": b""},
        )
