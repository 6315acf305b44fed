"""Fuzz the JSON API from its own OpenAPI document (issue 15, item 8), with schemathesis.

Every operation of ``/api/openapi.json`` gets generated requests (valid and invalid) with a
signed-in PIO's bearer token against the demo agency on SQLite, and every answer is checked:
no 500, a documented status code, a body that matches the documented schema, and invalid
input refused. The short run here (``make test``) tries each operation's coverage cases
(boundary values, wrong types, undeclared methods) and 2 generated requests; `make fuzz` sets
``PIODESK_FUZZ_EXAMPLES`` to many more, on a demo with a queue and an archive.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from piodesk.archive.ingest import ingest_all
from piodesk.archive.media import MediaStore
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.demo import seed, seed_moderation, seed_sandbox
from piodesk.moderation.intake import intake_all
from piodesk.pages.model import Agency
from piodesk.people import actions as people
from piodesk.people import hashing
from piodesk.people.tables import Account
from piodesk.people.tokens import ALL_SCOPES
from piodesk.screening.engine import default_screener
from piodesk.web.app import create_app

EXAMPLES = int(os.environ.get("PIODESK_FUZZ_EXAMPLES", "2"))
FULL = EXAMPLES > 10


@pytest.fixture(scope="module")
def fuzzed(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The demo agency (its accounts and pages) on a SQLite copy, the app, a PIO's token."""
    tmp = tmp_path_factory.mktemp("fuzz")
    path = tmp / "fuzz.sqlite3"
    shutil.copy(sqlite_template, path)
    config = Settings(
        database_url=f"sqlite:///{path}",
        data_dir=tmp / "data",
        secret_key="fuzz-secret-key-that-is-long-enough",
        cookie_secure=False,
        demo=True,
    )
    engine = make_engine(config.database_url)
    sessions = make_sessionmaker(engine)
    with pytest.MonkeyPatch.context() as patch, transaction(sessions) as s:
        # Test argon2 parameters, as tests/conftest.py sets for each test (eleven demo logins).
        patch.setattr(hashing, "hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        seed(s, Agency.from_settings(config))
    if FULL:  # the long run fuzzes a queue and an archive too (screening costs seconds)
        seed_sandbox(sessions)
        ingest_all(sessions, media=MediaStore(config.data_dir / "media"))
        intake_all(sessions, default_screener())
        seed_moderation(sessions)
    with transaction(sessions) as s:
        pio = s.query(Account).filter_by(username="pio").one()
        _row, token = people.issue_api_token(
            s, actor=people.actor_for(pio), name="fuzz", scopes=ALL_SCOPES
        )
    app = create_app(config, engine)
    yield {"app": app, "token": token}
    engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


def _document() -> dict:
    """The app's OpenAPI document (building it opens no database)."""
    blank = Settings(database_url="sqlite://", secret_key="x" * 32, demo=True)
    return create_app(blank).openapi()


schema = schemathesis.openapi.from_dict(_document())
# The coverage phase (every boundary value, wrong type and undeclared method of every
# operation: hundreds of requests) is the long run's; the short one generates and checks a few.
schema.config.phases.coverage.enabled = FULL


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=EXAMPLES <= 10,  # the short run is the same every time; `make fuzz` explores
)
def test_every_api_operation_answers_by_its_schema(case: schemathesis.Case, fuzzed: dict) -> None:
    case.call_and_validate(
        app=fuzzed["app"],
        headers={"Authorization": f"Bearer {fuzzed['token']}"},
        # The documents are looser than the rules (a reason of six words, a known action
        # name): a schema-valid body the rules refuse gets a readable 422, as it should.
        excluded_checks=[checks.positive_data_acceptance],
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/api/v1/accounts", "GET, POST"),  # two routes, one path
        ("PUT", "/api/v1/tokens/1", "DELETE"),
        ("PATCH", "/login", "GET, POST"),  # a page, not the API: the same header
    ],
)
def test_a_405_names_every_method_the_path_takes(
    fuzzed: dict, method: str, path: str, allow: str
) -> None:
    """Found by the fuzzing: the error handler dropped Starlette's Allow header, and Starlette
    names only the methods of the first route that matched the path."""
    answer = TestClient(fuzzed["app"]).request(method, path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow
    if path.startswith("/api"):
        assert answer.json() == {"error": "Method Not Allowed"}
