"""The program's records are append-only in the database, as the migration declares."""

from __future__ import annotations

import importlib.util

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.db import transaction
from piodesk.core.migrate import MIGRATIONS
from piodesk.core.permissions import Role
from piodesk.program import memos, tables


def test_migration_and_tables_agree_on_append_only() -> None:
    spec = importlib.util.spec_from_file_location(
        "m0018", MIGRATIONS / "versions" / "0018_program.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert tuple(module.APPEND_ONLY) == tables.APPEND_ONLY


def test_a_memo_step_cannot_be_changed_or_deleted(sessions: sessionmaker[Session], staff) -> None:
    with transaction(sessions) as s:
        memos.file_memo(
            s,
            actor=staff[Role.EMPLOYEE],
            title="Idea",
            body="Body",
            supervisor_id=staff[Role.SUPERVISOR].account_id,
        )
    for sql in ("UPDATE memo_events SET comment = 'x'", "DELETE FROM memo_events"):
        with pytest.raises(DatabaseError), transaction(sessions) as s:
            s.execute(text(sql))
