"""Disposition: what is past retention and under no hold goes; held records stay; both chains
still verify; the certificate lists what went. Old (format 2) records too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.archive.search import SearchQuery, search
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.core import clock, signing
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.records import disposition, holds, retention
from piodesk.records.productions.build import make_production
from piodesk.records.productions.verify import verify_production
from piodesk.records.tables import ArchiveTombstone, DispositionCertificate
from tests.conftest import PASSWORD, People
from tests.records.conftest import cli

LATER = datetime(2030, 1, 1, tzinfo=UTC)  # past every 3-year period of the fixture's records


@pytest.fixture
def second_custodian(sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    with transaction(sessions) as s:
        account = people.seed_account(
            s,
            username="robin",
            display_name="Robin Records",
            password=PASSWORD,
            roles=["records_custodian"],
            reason="test",
        )
        return people.actor_for(account)


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: LATER)


def both_chains_verify(settings: Settings) -> None:
    code, out = cli(settings, "--operator", "archive", "verify", "--deep")
    assert code == 0, out
    code, out = cli(settings, "--operator", "audit", "verify")
    assert code == 0, out


def test_disposition_destroys_what_is_due_keeps_what_is_held(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    second_custodian,
    later: None,
    tmp_path: Path,
    public_key: Path,  # type: ignore[no-untyped-def]
) -> None:
    custodian = staff[Role.RECORDS]
    with transaction(sessions) as s:
        hold = holds.place(
            s,
            actor=staff[Role.LEGAL],
            name="Doe v. City",
            matter="Claim about comment c2",
            scope=holds.HoldScope("author", author_platform_id="u7"),
            notice="Preserve every record of this person until counsel releases the hold.",
            custodians=[custodian.account_id],  # type: ignore[list-item]
        )
        holds.acknowledge(s, actor=custodian, hold_id=hold.id)
    with transaction(sessions) as s:
        run = disposition.prepare(s, actor=custodian)
        run_id = run.id
        going = {c["item_id"] for c in run.candidates}
        held = {c["item_id"] for c in run.held}
    assert going == {records["post1"], records["c1"], records["r1"]}
    assert held == {records["c2"]}
    with transaction(sessions) as s, pytest.raises(PermissionDenied):
        disposition.approve(s, actor=custodian, run_id=run_id)  # not one's own run
    with pytest.raises(Conflict):  # not approved yet
        disposition.carry_out(
            sessions, actor=custodian, run_id=run_id, media=MediaStore(settings.data_dir / "media")
        )
    with transaction(sessions) as s:
        disposition.approve(s, actor=second_custodian, run_id=run_id, note="checked")
    done = disposition.carry_out(
        sessions,
        actor=second_custodian,
        run_id=run_id,
        media=MediaStore(settings.data_dir / "media"),
    )
    assert done.records == 3 and done.versions == 4
    with sessions() as s:
        cert = s.execute(select(DispositionCertificate)).scalar_one()
        assert {d["item_id"] for d in cert.destroyed} == going
        for d in cert.destroyed:
            assert str(d["item_id"]) in cert.text
            for v in d["versions"]:
                assert v["content_sha256"] in cert.text and v["hash"] in cert.text
        # The content is gone, the versions and their hashes stay; the held record is whole.
        post = s.get(ArchiveItem, records["post1"])
        assert post is not None and post.author_name is None
        texts = s.execute(
            select(ArchiveVersion.item_id, ArchiveVersion.text, ArchiveVersion.raw)
        ).all()
        for item_id, body, raw in texts:
            if item_id in going:
                assert body is None and raw == b""
            else:
                assert body and raw
        assert not search(s, SearchQuery(q="reopen"))
        assert search(s, SearchQuery(q="crash"))
        assert s.execute(select(func.count()).select_from(ArchiveTombstone)).scalar_one() == 4
    both_chains_verify(settings)
    # The checkpoint signed before the disposition still agrees with both chains.
    exported = tmp_path / "checkpoints.jsonl"
    assert cli(settings, "checkpoint", "export", str(exported))[0] == 0
    for chain_name in ("archive", "audit"):
        code, out = cli(
            settings, "--operator", chain_name, "verify", "--against", str(exported),
            "--public-key", str(public_key),
        )  # fmt: skip
        assert code == 0 and f"{chain_name} chain agrees" in out, out
    # A production afterwards shows the tombstones and still verifies.
    made = make_production(
        sessions, actor=custodian, settings=settings, item_ids=list(records.values())
    )
    public = signing.load_public(public_key.read_bytes())
    assert verify_production(made.path, public).ok
    # A second carrying out is refused.
    with pytest.raises(Conflict):
        disposition.carry_out(
            sessions,
            actor=second_custodian,
            run_id=run_id,
            media=MediaStore(settings.data_dir / "media"),
        )


def test_disposition_under_a_new_hold_is_refused_and_changes_nothing(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    second_custodian,
    later: None,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(sessions) as s:
        run_id = disposition.prepare(s, actor=staff[Role.RECORDS]).id
    with transaction(sessions) as s:
        disposition.approve(s, actor=second_custodian, run_id=run_id)
        holds.place(
            s,
            actor=staff[Role.LEGAL],
            name="Late hold",
            matter="New claim",
            scope=holds.HoldScope("items", item_ids=(records["c1"],)),
            notice="Preserve this comment and everything about it, please.",
        )
    with pytest.raises(Conflict, match="came under a legal hold"):
        disposition.carry_out(
            sessions,
            actor=second_custodian,
            run_id=run_id,
            media=MediaStore(settings.data_dir / "media"),
        )
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(ArchiveTombstone)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(DispositionCertificate)).scalar_one() == 0
    both_chains_verify(settings)


def test_partial_release_lets_a_record_go_and_full_release_ends_the_hold(
    sessions: sessionmaker[Session],
    staff: People,
    records: dict[str, int],
    later: None,
) -> None:
    with transaction(sessions) as s:
        hold = holds.place(
            s,
            actor=staff[Role.LEGAL],
            name="All of it",
            matter="Matter",
            scope=holds.HoldScope("dates", date_from=datetime(2026, 1, 1, tzinfo=UTC)),
            notice="Preserve every record created since the start of 2026.",
        )
        assert set(holds.held(s, records.values())) == set(records.values())
        holds.release(
            s,
            actor=staff[Role.LEGAL],
            hold_id=hold.id,
            reason="not needed",
            item_ids=[records["r1"]],
        )
        assert set(holds.held(s, records.values())) == set(records.values()) - {records["r1"]}
        holds.release(s, actor=staff[Role.LEGAL], hold_id=hold.id, reason="case settled")
        assert holds.held(s, records.values()) == {}
        with pytest.raises(Conflict):
            holds.release(s, actor=staff[Role.LEGAL], hold_id=hold.id, reason="again")


def test_bad_holds_and_schedules_are_refused(
    sessions: sessionmaker[Session],
    staff: People,
    records: dict[str, int],
) -> None:
    with transaction(sessions) as s:
        with pytest.raises(InvalidInput):
            holds.place(
                s,
                actor=staff[Role.LEGAL],
                name="x",
                matter="y",
                scope=holds.HoldScope("page"),
                notice="A notice long enough to pass.",
            )
        with pytest.raises(PermissionDenied):
            holds.place(
                s,
                actor=staff[Role.EMPLOYEE],
                name="x",
                matter="y",
                scope=holds.HoldScope("items", item_ids=(records["c1"],)),
                notice="A notice long enough to pass.",
            )
        with pytest.raises(InvalidInput, match="claims period"):
            retention.set_rule(
                s,
                actor=staff[Role.RECORDS],
                record_type="removed_comment",
                period_days=365,
                citation="too short",
            )
        with pytest.raises(InvalidInput):
            disposition.prepare(s, actor=staff[Role.RECORDS], as_of=clock.now() + timedelta(days=1))


def test_a_longer_schedule_keeps_records_and_the_schedule_has_history(
    sessions: sessionmaker[Session],
    staff: People,
    records: dict[str, int],
    later: None,
) -> None:
    with transaction(sessions) as s:
        retention.set_rule(
            s,
            actor=staff[Role.RECORDS],
            record_type="post",
            period_days=10 * 365,
            citation="City schedule 10.2",
        )
        run = disposition.prepare(s, actor=staff[Role.RECORDS])
        assert records["post1"] not in {c["item_id"] for c in run.candidates}
        assert retention.schedule(s)["post"].citation == "City schedule 10.2"


def test_old_format_2_records_are_destroyed_and_still_verify(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    engine,
    tmp_path: Path,
    second_custodian,
    public_key: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    # An archive captured before format 3 (hashes over the content itself) must verify, and
    # still verify after a disposition destroys that content (the tombstone vouches).
    from piodesk.archive import capture as cap
    from tests.records.conftest import item

    original = cap.version_fields_v3
    cap.version_fields_v3 = lambda identity, v, it, digest=None: cap.version_fields(  # type: ignore[assignment]
        identity, v, it
    )
    try:
        with transaction(sessions) as s:
            cap.capture(s, [item("old1", "An old comment"), item("old2", "Another")], source="t")
    finally:
        cap.version_fields_v3 = original  # type: ignore[assignment]
    with transaction(sessions) as s:
        cap.capture(
            s,
            [item("new1", "Captured after the upgrade", created=datetime(2029, 12, 1, tzinfo=UTC))],
            source="t",
        )
    both_chains_verify(settings)
    monkeypatch.setattr(clock, "now", lambda: LATER)
    with transaction(sessions) as s:
        run = disposition.prepare(s, actor=staff[Role.RECORDS])
        run_id = run.id
        assert len(run.candidates) == 2
    with transaction(sessions) as s:
        disposition.approve(s, actor=second_custodian, run_id=run_id)
    disposition.carry_out(
        sessions,
        actor=second_custodian,
        run_id=run_id,
        media=MediaStore(settings.data_dir / "media"),
    )
    with sessions() as s:
        formats = set(s.execute(select(ArchiveTombstone.hash_format)).scalars())
        assert formats == {2}
    both_chains_verify(settings)
    # Tampering with a tombstoned version's hash is still named.
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            conn.exec_driver_sql(
                "ALTER TABLE archive_versions DISABLE TRIGGER archive_versions_append_only"
            )
        else:
            conn.exec_driver_sql("DROP TRIGGER archive_versions_no_update")
        conn.execute(
            text("UPDATE archive_versions SET state = 'live', hash = :h WHERE seq = 1"),
            {"h": "f" * 64},
        )
        if pg:  # the schema is shared by the worker's next tests
            conn.exec_driver_sql(
                "ALTER TABLE archive_versions ENABLE TRIGGER archive_versions_append_only"
            )
    code, out = cli(settings, "--operator", "archive", "verify")
    assert code == 1 and "tombstone" in out


def test_media_go_only_when_no_surviving_version_refers_to_them(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    second_custodian,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from piodesk.archive.capture import capture
    from piodesk.connectors.model import MediaRef
    from tests.records.conftest import item

    media = MediaStore(settings.data_dir / "media")
    alone = MediaRef(data=b"\x89PNG" + b"a" * 64, mime_type="image/png", filename="a.png")
    shared = MediaRef(data=b"\x89PNG" + b"b" * 64, mime_type="image/png", filename="b.png")
    with transaction(sessions) as s:
        capture(s, [item("m1", "old", media=(alone, shared))], source="t", media=media)
        capture(
            s,
            [item("m2", "new", media=(shared,), created=datetime(2029, 12, 20, tzinfo=UTC))],
            source="t",
            media=media,
        )
        paths = {
            m["filename"]: media.path_for(m["sha256"])
            for v in s.execute(select(ArchiveVersion)).scalars()
            for m in v.media
        }
    monkeypatch.setattr(clock, "now", lambda: LATER)
    with transaction(sessions) as s:
        run_id = disposition.prepare(s, actor=staff[Role.RECORDS]).id
    with transaction(sessions) as s:
        disposition.approve(s, actor=second_custodian, run_id=run_id)
    done = disposition.carry_out(sessions, actor=second_custodian, run_id=run_id, media=media)
    assert done.records == 1 and done.media_deleted == 1
    assert not paths["a.png"].exists() and paths["b.png"].exists()
    both_chains_verify(settings)
