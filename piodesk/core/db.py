"""Database engine, sessions and the declarative base shared by every capability's tables.

SQLite is the embedded default; PostgreSQL is production. The schema is created only by the
Alembic migrations in ``piodesk/core/migrations`` (``piodesk migrate``), never by create_all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from piodesk.core import jsontext
from piodesk.core.clock import as_utc

#: Execution option that marks a connection as about to write (see make_engine).
WRITE_OPTION = "piodesk_write"

# Stable constraint names, so migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for all piodesk tables."""

    metadata = MetaData(naming_convention=NAMING)


#: JSON that is JSONB on PostgreSQL (indexable) and JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored with its zone on PostgreSQL and read back as aware UTC on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


def _prepare_sqlite_path(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings piodesk relies on (foreign keys, WAL on SQLite)."""
    _prepare_sqlite_path(url)
    if make_url(url).get_backend_name() == "postgresql":
        # No server-side prepared statements: psycopg prepares a query after five runs, and
        # PostgreSQL may then keep a generic plan made while a table was still empty (a
        # sequential scan), which turned a bulk import's key lookups quadratic.
        kwargs.setdefault("connect_args", {}).setdefault("prepare_threshold", None)
    # JSON columns' text as json.dumps gives it, by an encoder built once (core.jsontext).
    kwargs.setdefault("json_serializer", jsontext.dumps)
    engine = create_engine(url, future=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Python's sqlite3 opens transactions lazily; let SQLAlchemy issue BEGIN itself so
            # that "BEGIN IMMEDIATE" below takes the write lock up front (no upgrade deadlocks).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            # 64 MiB of page cache (the default is 2 MiB): the archive's indexes stay in memory
            # while a large import or a busy ingest writes to them.
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers take the write lock at BEGIN, so two of them queue instead of failing
            # on a lock upgrade; readers begin deferred and, under WAL, never block a writer.
            write = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (actions return them)."""
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work that may write: commit on success, roll back on any error."""
    bind = factory.kw.get("bind")
    # The option rides on the bind, so BEGIN still happens lazily at the first statement.
    writer = bind.execution_options(**{WRITE_OPTION: True}) if bind is not None else None
    with factory(bind=writer) if writer is not None else factory() as session, session.begin():
        yield session


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A read-only look at the database (never takes the write lock; rolled back at the end)."""
    with factory() as session:
        yield session
