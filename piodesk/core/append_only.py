"""The triggers that make a table append-only, as the migrations create them.

Records that are evidence (GO 409 §.40) are never updated or deleted in place: the database
refuses it (these triggers), the hash chains catch whoever drops a trigger, and the signed
checkpoints catch whoever also rewrites the chains. Every migration that adds evidence tables
uses this one definition, so the trigger names (which tests and the disposition guard rely on)
and the refusal are the same everywhere. Never change the SQL: migrations already applied used
it. Pure: imports nothing from piodesk.
"""

from __future__ import annotations

from collections.abc import Iterable


def append_only_triggers(dialect: str, tables: Iterable[str]) -> list[str]:
    """CREATE TRIGGER statements refusing UPDATE and DELETE on each of ``tables``."""
    statements = []
    for table in tables:
        if dialect == "postgresql":
            # piodesk_append_only() was created by migration 0001.
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION piodesk_append_only()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    return statements
