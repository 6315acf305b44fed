"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

The schema comes from the Alembic migrations, once per backend and test worker. SQLite tests
get a copy of a migrated template file; PostgreSQL tests share one schema per worker, emptied
with TRUNCATE between tests (TRUNCATE does not fire the append-only row triggers).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.core.permissions import Actor, Role
from piodesk.core.schema import Base
from piodesk.pages.model import Agency, Profile
from piodesk.people import actions as people
from piodesk.people import hashing
from piodesk.people.model import SENSITIVE_ROLES
from tests.browser_support import DemoSite, chromium, demo_site

# Compiled screening gates are kept between processes (screening/gatebuild.py); a test run
# keeps its own in a folder removed when the run ends, not in the user's cache folder.
if "PIODESK_GATE_CACHE" not in os.environ:
    _GATE_CACHE = tempfile.mkdtemp(prefix="piodesk-gate-")
    os.environ["PIODESK_GATE_CACHE"] = _GATE_CACHE
    atexit.register(shutil.rmtree, _GATE_CACHE, ignore_errors=True)

PG_URL = os.environ.get(
    "PIODESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED_DATA = Path(
    os.environ.get("PIODESK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
PASSWORD = "correct horse battery staple"
#: What the chief writes to approve a test page whose (empty) profile fails §.10 elements.
JUSTIFICATION = "approved for this test; its profile is not what the test is about"


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production argon2 parameters cost ~50 ms a hash by design; tests create many accounts.
    monkeypatch.setattr(
        hashing, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A migrated PostgreSQL schema for this test worker (skips when PostgreSQL is down)."""
    # Unique per run: several checkouts (and CI) may test against the same database at once.
    schema = f"piodesk_test_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, pool_pre_ping=True)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: {exc.__class__.__name__}")
    finally:
        admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL with the current schema and no data, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "piodesk.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    tables += ", archive_search"  # PostgreSQL's search rows: a table made by hand (migration 0020)
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            break
        except OperationalError as exc:
            # TRUNCATE takes an exclusive lock on ~35 tables at once; the server's autovacuum
            # (ANALYZE after a test filled them) can be caught in a lock cycle with it, and the
            # server then aborts one side. Waiting a moment and retrying is the remedy.
            if "deadlock" not in str(exc).lower() or attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """Session factory on the test database."""
    return make_sessionmaker(engine)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings for a test installation (demo agency, test database)."""
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-that-is-long-enough",
        cookie_secure=False,
        lockout_attempts=3,
        # Tests of the job functions run them in-process on both backends; tests/jobs/
        # start real Procrastinate workers on PostgreSQL.
        jobs_engine="inprocess",
    )


@pytest.fixture
def agency(settings: Settings) -> Agency:
    """The agency facts the §.10 check uses."""
    return Agency.from_settings(settings)


@dataclass
class People:
    """One account per role (plus the bootstrap admin), as service-layer actors."""

    actors: dict[Role, Actor]
    admin: Actor

    def __getitem__(self, role: Role) -> Actor:
        return self.actors[role]


@pytest.fixture
def staff(sessions: sessionmaker[Session]) -> People:
    """Accounts named after their single role, all with the test password."""
    with transaction(sessions) as session:
        admin = people.actor_for(
            people.bootstrap_admin(
                session, username="root", display_name="Root Admin", password=PASSWORD
            )
        )
        actors: dict[Role, Actor] = {}
        for role in Role:
            # Sensitive roles need a second person; the fixture seeds them as the demo does.
            account = (
                people.seed_account(
                    session,
                    username=role.value.replace("_", "-"),
                    display_name=f"Test {role.value}",
                    password=PASSWORD,
                    roles=[role.value],
                    reason="test fixture",
                )
                if role in SENSITIVE_ROLES
                else people.create_account(
                    session,
                    actor=admin,
                    username=role.value.replace("_", "-"),
                    display_name=f"Test {role.value}",
                    password=PASSWORD,
                    roles=[role.value],
                )
            )
            actors[role] = people.actor_for(account)
    return People(actors, admin)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoSite]:
    """The demo agency served on a free port (SQLite), for browser tests."""
    with demo_site(tmp_path) as site:
        yield site


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium."""
    with chromium() as b:
        yield b


def registered_sandbox_page(
    sessions: sessionmaker[Session],
    staff: People,
    agency: Agency,
    handle: str,
    *,
    name: str = "",
    unit: str = "Public Affairs",
    profile: Profile | None = None,
    approve: bool = True,
) -> int:
    """A page the PIO registers on the sandbox platform, opened there, and (unless told not
    to) approved by the chief: the page most storage tests poll, screen and moderate."""
    from piodesk.demo import open_sandbox_page
    from piodesk.pages import actions as pages

    with transaction(sessions) as session:
        page = pages.register_page(
            session,
            actor=staff[Role.PIO],
            agency=agency,
            platform="sandbox",
            handle=handle,
            name=name or handle.title(),
            administering_unit=unit,
            profile=profile,
        )
        open_sandbox_page(session, page)
        if approve:
            pages.approve_page(session, page.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
        return page.id
