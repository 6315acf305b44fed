"""Run the Alembic migrations from code (``piodesk migrate``, the demo and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


#: Full-text parts made by hand in migration 0002 (they have no model): SQLite's FTS5 table,
#: PostgreSQL's stored tsvector column and its GIN index.
HAND_MADE = {("column", "search_vector"), ("index", "ix_archive_versions_search")}
#: PostgreSQL's search table (migration 0020, piodesk.archive.pgsearch): made by hand too.
HAND_MADE = {*HAND_MADE, ("table", "archive_search")}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave the hand-made full-text parts, and Procrastinate's own schema (it shares the
    database on PostgreSQL and is applied by ``piodesk worker --apply-schema``, not by piodesk's
    migrations), out of autogenerate's comparison."""
    if type_ == "table" and name is not None and name.startswith(("archive_fts", "procrastinate_")):
        return False
    table = getattr(obj, "table", None)  # an index of a table left out is left out with it
    if type_ == "index" and str(getattr(table, "name", "")).startswith("procrastinate_"):
        return False
    return (type_, name) not in HAND_MADE


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at piodesk's migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database at ``engine`` up to ``revision`` using its own connection."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
