"""Fixtures of the records tests: an archive with versions, media, a thread and a moderation
history; the agency's key; a checkpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem
from piodesk.cli import app
from piodesk.connectors.model import CapturedItem, ItemKind, MediaRef
from piodesk.core import checkpoints, signing
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.moderation.tables import Advice, Case, Consultation, Decision
from tests.conftest import People
from tests.web.conftest import client, tokens  # noqa: F401  (the requests tests' web fixtures)

runner = CliRunner()
PHOTO = MediaRef(
    data=b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 40, mime_type="image/jpeg", filename="scene.jpg"
)


def item(
    cid: str,
    text: str,
    *,
    kind: ItemKind = ItemKind.COMMENT,
    parent: str | None = "post1",
    created: datetime = datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
    author: str = "u42",
    **kw: object,
) -> CapturedItem:
    fields = kw.pop("fields", {})
    payload = {"id": cid, "message": text, **fields}  # type: ignore[dict-item]
    return CapturedItem(
        kind=kind,
        platform="facebook",
        platform_id=cid,
        raw=json.dumps(payload).encode(),
        page_platform_id="cspd",
        parent_platform_id=parent,
        author_platform_id=author,
        author_name=f"Person {author}",
        created_at=created,
        text=text,
        fields=fields,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def _archive_guard_in_place(request: pytest.FixtureRequest) -> None:
    """On PostgreSQL a worker's tests share one schema, and tests of tampering elsewhere drop,
    disable or recreate the archive's trigger: put migration 0013's guard back first."""
    if "engine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("engine")
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "DROP TRIGGER IF EXISTS archive_versions_append_only ON archive_versions"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER archive_versions_append_only BEFORE UPDATE OR DELETE ON "
            "archive_versions FOR EACH ROW EXECUTE FUNCTION piodesk_archive_versions_guard()"
        )


def cli(settings: Settings, *args: str) -> tuple[int, str]:
    env = {
        "PIODESK_DATABASE_URL": settings.database_url,
        "PIODESK_SECRET_KEY": "k" * 32,
        "PIODESK_DATA_DIR": str(settings.data_dir),
        "COLUMNS": "400",
    }
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def public_key(settings: Settings) -> Iterator[Path]:
    """The agency's key (made in the test's data dir); the public key's PEM file."""
    key = signing.init_key(settings.signing_key_path)
    path = settings.data_dir.parent / "agency-public.pem"
    path.write_text(signing.public_pem(key))
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture
def records(
    sessions: sessionmaker[Session], settings: Settings, staff: People, public_key: Path
) -> dict[str, int]:
    """A post, two comments (one edited, one with a phone number and a photo, removed with a
    decision and a consultation of counsel), a reply; then a checkpoint. Record ids by name."""
    media = MediaStore(settings.data_dir / "media")
    batches = [
        [
            item(
                "post1", "Road closed on Academy Blvd until noon", kind=ItemKind.POST, parent=None
            ),
            item("c1", "When will it reopen?"),
            item("c2", "Call me at 719-555-0134 about the crash", media=(PHOTO,), author="u7"),
        ],
        [item("c1", "When will it reopen? Thanks", edited_at=datetime(2026, 11, 2, tzinfo=UTC))],
        [item("r1", "It reopens at 3 pm", kind=ItemKind.REPLY, parent="c1", author="cspd")],
        [
            item(
                "c2",
                "Call me at 719-555-0134 about the crash",
                media=(PHOTO,),
                author="u7",
                fields={"removed": True},
            )
        ],
    ]
    for batch in batches:
        with transaction(sessions) as s:
            capture(s, batch, source="test", media=media)
    with transaction(sessions) as s:
        ids = {i.platform_id: i.id for i in s.execute(select(ArchiveItem)).scalars()}
        now = datetime(2026, 11, 3, tzinfo=UTC)
        case = Case(
            item_id=ids["c2"],
            source="screening",
            opened_at=now,
            state="decided",
            outcome="remove",
            decided_at=now,
            first_decided_at=now,
        )
        s.add(case)
        s.flush()
        consult = Consultation(
            case_id=case.id, question="May we remove this?", asked_by_name="Test pio", asked_at=now
        )
        s.add(consult)
        s.flush()
        s.add(
            Advice(
                consultation_id=consult.id,
                advice="Yes: it shows a phone number.",
                recommends="remove",
                advised_by_name="Test counsel",
                advised_at=now,
            )
        )
        s.add(
            Decision(
                case_id=case.id,
                action="remove",
                reason="pii",
                note="phone number",
                actor_name="Test pio",
                decided_at=now,
                platform_effect="removed",
            )
        )
        from piodesk.core import audit, tags

        audit.record(s, staff[Role.PIO], tags.Moderation.REMOVE, "case", case.id, reason="t")
    checkpoints.checkpoint_now(sessions, settings)
    return ids
