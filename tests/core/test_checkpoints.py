"""What an insider with the database file can do, and what signed checkpoints then show.

Each test does to the database what someone holding the file could (drop the append-only
triggers, delete or rewrite rows, recompute every hash with the chain's own code, reset the
head rows) and checks that plain `verify` either sees it or, where it cannot, that
`verify --against` a checkpoint made before does, naming the chain and what changed.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.capture import ITEM_IDENTITY, capture, version_columns, version_fields_v3
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveHead, ArchiveItem, ArchiveVersion
from piodesk.cli import app
from piodesk.core import audit, chain, checkpoints, signing, tags
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict
from tests.archive.test_capture import comment

runner = CliRunner()


# ---- the insider's tools ---------------------------------------------------------------------


def drop_append_only(engine: Engine, table: str) -> None:
    """What the holder of the database file does first: switch off the append-only triggers."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        else:
            conn.exec_driver_sql(f"DROP TRIGGER {table}_no_update")
            conn.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")


def cut_audit_tail(engine: Engine, keep: int) -> None:
    """Delete every audit event after ``keep`` and point the head at the new last event."""
    drop_append_only(engine, "audit_events")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq > :k"), {"k": keep})
        last = conn.execute(text("SELECT hash FROM audit_events WHERE seq = :k"), {"k": keep})
        conn.execute(
            text("UPDATE audit_head SET last_seq = :k, last_hash = :h"),
            {"k": keep, "h": last.scalar_one()},
        )


def rewrite_audit_actor(sessions: sessionmaker[Session], engine: Engine, seq: int) -> None:
    """Change one event's actor and recompute every later hash (and the head) with event_hash."""
    drop_append_only(engine, "audit_events")
    with transaction(sessions) as session:
        events = (
            session.execute(
                select(audit.AuditEvent)
                .where(audit.AuditEvent.seq >= seq)
                .order_by(audit.AuditEvent.seq)
            )
            .scalars()
            .all()
        )
        prev = session.execute(
            select(audit.AuditEvent.hash).where(audit.AuditEvent.seq == seq - 1)
        ).scalar_one()
        for e in events:
            if e.seq == seq:
                e.actor_name = "someone-else"
            e.prev_hash = prev
            e.hash = prev = audit.event_hash(audit._fields(e), prev)
        head = session.get(audit.AuditHead, 1)
        assert head is not None
        head.last_hash = prev


def cut_archive_tail(engine: Engine, keep: int) -> None:
    """Delete the versions after ``keep``, reset their records' head columns and archive_head."""
    drop_append_only(engine, "archive_versions")
    with engine.begin() as conn:
        gone = conn.execute(
            text("SELECT item_id, version FROM archive_versions WHERE seq > :k"), {"k": keep}
        ).all()
        conn.execute(text("DELETE FROM archive_versions WHERE seq > :k"), {"k": keep})
        for item_id, _version in gone:
            latest = conn.execute(
                text(
                    "SELECT version, fingerprint, state FROM archive_versions WHERE item_id = :i "
                    "ORDER BY version DESC LIMIT 1"
                ),
                {"i": item_id},
            ).first()
            if latest is None:
                conn.execute(text("DELETE FROM archive_items WHERE id = :i"), {"i": item_id})
                continue
            conn.execute(
                text(
                    "UPDATE archive_items SET head_version = :v, head_fingerprint = :f, "
                    "state = :s WHERE id = :i"
                ),
                {"v": latest.version, "f": latest.fingerprint, "s": latest.state, "i": item_id},
            )
        last = conn.execute(text("SELECT hash FROM archive_versions WHERE seq = :k"), {"k": keep})
        conn.execute(
            text("UPDATE archive_head SET last_seq = :k, last_hash = :h"),
            {"k": keep, "h": last.scalar_one()},
        )


def rewrite_archive_text(sessions: sessionmaker[Session], engine: Engine, seq: int) -> None:
    """Change one version's text and recompute every later version hash and the head."""
    drop_append_only(engine, "archive_versions")
    with transaction(sessions) as session:
        prev = session.execute(
            select(ArchiveVersion.hash).where(ArchiveVersion.seq == seq - 1)
        ).scalar_one()
        rows = session.execute(
            select(ArchiveVersion, ArchiveItem)
            .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
            .where(ArchiveVersion.seq >= seq)
            .order_by(ArchiveVersion.seq)
        ).all()
        for v, item in rows:
            if v.seq == seq:
                v.text = "Nothing was ever said here"
            v.prev_hash = prev
            identity = (item.platform, item.kind, item.platform_id)
            # As an insider who read capture.py would: hash format 3 covers the record's identity
            # and the version's content by its digest.
            record = {k: getattr(item, k) for k in ITEM_IDENTITY}
            fields = version_fields_v3(identity, version_columns(v), record)
            v.hash = prev = audit.event_hash(fields, prev)
        head = session.get(ArchiveHead, 1)
        assert head is not None
        head.last_hash = prev


# ---- fixtures --------------------------------------------------------------------------------


def cli(settings: Settings, *args: str) -> tuple[int, str]:
    env = {
        "PIODESK_DATABASE_URL": settings.database_url,
        "PIODESK_SECRET_KEY": "k" * 32,
        "PIODESK_DATA_DIR": str(settings.data_dir),
        "COLUMNS": "400",
        "PIODESK_OPERATOR": "1",  # the commands that read or sign the chains need a credential
    }
    result = runner.invoke(app, list(args), env=env)
    # Rich wraps long lines at the terminal width it detects; compare the words.
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def key(settings: Settings) -> Path:
    """The agency's signing key, made by `piodesk keys init`; returns the public key file."""
    code, output = cli(settings, "keys", "init")
    assert code == 0, output
    public = settings.data_dir.parent / "agency-public.pem"
    code, output = cli(settings, "keys", "public", "--out", str(public))
    assert code == 0, output
    return public


def capture_batches(sessions: sessionmaker[Session], media: MediaStore, *batches: list) -> None:
    for batch in batches:
        with transaction(sessions) as s:
            capture(s, batch, source="test", media=media)


@pytest.fixture
def evidence(sessions: sessionmaker[Session], staff, settings: Settings, key: Path) -> Path:
    """Audit events and archive versions, a checkpoint, more of both, a second checkpoint;
    returns the exported checkpoint file."""
    media = MediaStore(settings.data_dir / "media")
    capture_batches(
        sessions,
        media,
        [comment("c1", "Road closed on Academy Blvd"), comment("c2", "When does it reopen?")],
    )
    assert cli(settings, "checkpoint", "create")[0] == 0
    with transaction(sessions) as session:
        audit.record(
            session, staff.admin, tags.Archive.REINDEX, "thing", 1, reason="after the first"
        )
        audit.record(
            session, staff.admin, tags.Archive.REINDEX, "thing", 2, reason="after the first"
        )
    capture_batches(
        sessions,
        media,
        [comment("c1", "Road closed on Academy Blvd until 3 pm"), comment("c3", "Thanks")],
    )
    code, output = cli(settings, "checkpoint", "create")
    assert code == 0, output
    exported = settings.data_dir.parent / "checkpoints-export.jsonl"
    code, output = cli(settings, "checkpoint", "export", str(exported))
    assert code == 0 and "2 checkpoints written" in output, output
    return exported


def heads(sessions: sessionmaker[Session]) -> dict[str, chain.Head]:
    with sessions() as session:
        found = {c.name: c.head(session) for c in chain.chains()}
    assert all(h is not None for h in found.values())
    return found  # type: ignore[return-value]


# ---- the findings of issue 9 -----------------------------------------------------------------


def test_intact_chains_agree_with_their_checkpoints(
    evidence: Path, settings: Settings, key: Path, sessions: sessionmaker[Session]
) -> None:
    code, output = cli(settings, "audit", "verify", "--against", str(evidence))
    assert code == 0, output
    assert "audit chain agrees with 2 checkpoints" in output
    code, output = cli(settings, "archive", "verify", "--against", str(evidence))
    assert code == 0, output
    assert "archive chain agrees with 2 checkpoints" in output
    # The checkpoint states what the chains actually hold.
    last = checkpoints.parse(evidence.read_text())[-1]
    assert last.chains["audit"] == heads(sessions)["audit"]
    assert last.chains["archive"].count == 4


def test_cut_audit_tail_with_reset_head_is_named_against_a_checkpoint(
    evidence: Path, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    covered = checkpoints.parse(evidence.read_text())[-1].chains["audit"].count
    cut_audit_tail(engine, covered - 2)
    # The database alone cannot see it: the head was reset to the new last event.
    code, output = cli(settings, "audit", "verify")
    assert code == 0 and f"{covered - 2} events verified" in output, output
    code, output = cli(settings, "audit", "verify", "--against", str(evidence))
    assert code == 1
    assert "audit chain cut" in output
    assert f"covers {covered} events, the database now has {covered - 2}" in output


def test_cut_archive_tail_with_reset_heads_is_named_against_a_checkpoint(
    evidence: Path, settings: Settings, engine: Engine
) -> None:
    cut_archive_tail(engine, 3)
    code, output = cli(settings, "archive", "verify")
    assert code == 0 and "3 versions" in output, output
    code, output = cli(settings, "archive", "verify", "--against", str(evidence))
    assert code == 1
    assert "archive chain cut" in output and "covers 4 versions, the database now has 3" in output


def test_rewritten_actor_with_recomputed_hashes_is_named_against_a_checkpoint(
    evidence: Path, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    first, second = checkpoints.parse(evidence.read_text())
    target = first.chains["audit"].count + 1  # an event only the second checkpoint covers
    rewrite_audit_actor(sessions, engine, target)
    code, output = cli(settings, "audit", "verify")
    assert code == 0, output  # every hash recomputed: the chain alone looks intact
    code, output = cli(settings, "audit", "verify", "--against", str(evidence))
    assert code == 1
    assert f"audit chain rewritten: event {second.chains['audit'].count} differs" in output
    assert f"checkpoint of {second.made_at}" in output
    # The first checkpoint still agrees, which brackets where the change is.
    assert f"events {first.chains['audit'].count + 1} to {second.chains['audit'].count}" in output


def test_rewrite_before_the_first_checkpoint_is_named_too(
    evidence: Path, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    rewrite_audit_actor(sessions, engine, 2)
    code, output = cli(settings, "audit", "verify", "--against", str(evidence))
    assert code == 1
    first = checkpoints.parse(evidence.read_text())[0]
    assert f"event {first.chains['audit'].count} differs from the checkpoint of" in output
    assert f"events 1 to {first.chains['audit'].count}" in output


def test_dropped_trigger_and_rewritten_version_are_named_against_a_checkpoint(
    evidence: Path, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    rewrite_archive_text(sessions, engine, 2)
    code, output = cli(settings, "archive", "verify")
    assert code == 0, output
    code, output = cli(settings, "archive", "verify", "--against", str(evidence))
    assert code == 1
    assert "archive chain rewritten: version 2 differs from the checkpoint of" in output


@pytest.mark.parametrize(
    ("table", "command"), [("audit_head", "audit"), ("archive_head", "archive")]
)
def test_missing_head_row_is_named(
    evidence: Path, settings: Settings, engine: Engine, table: str, command: str
) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {table}"))
    code, output = cli(settings, command, "verify")
    assert code == 1
    assert "the chain head is missing" in output


def test_refuses_to_sign_a_chain_cut_after_the_last_checkpoint(
    evidence: Path, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    cut_audit_tail(engine, 3)
    with pytest.raises(Conflict, match="audit chain was cut after checkpoint 2"):
        checkpoints.checkpoint_now(sessions, settings)
    code, output = cli(settings, "checkpoint", "create")
    assert code == 1 and "cut after checkpoint 2" in output


def test_refuses_to_sign_a_chain_rewritten_after_the_last_checkpoint(
    evidence: Path, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    rewrite_audit_actor(sessions, engine, 3)
    with pytest.raises(Conflict, match="audit chain does not verify after checkpoint 2"):
        checkpoints.checkpoint_now(sessions, settings)


# ---- the checkpoint file on its own ------------------------------------------------------------


def _rewrite_line(path: Path, index: int, change) -> Path:
    lines = path.read_text().splitlines()
    obj = json.loads(lines[index])
    change(obj)
    lines[index] = json.dumps(obj)
    out = path.with_name("tampered.jsonl")
    out.write_text("\n".join(lines) + "\n")
    return out


def test_checkpoint_file_checks_offline_with_the_public_key(
    evidence: Path, settings: Settings, key: Path, tmp_path: Path
) -> None:
    # No database and no private key: only the file and the public key.
    offline = Settings(
        database_url=f"sqlite:///{tmp_path / 'nothing.sqlite3'}",
        data_dir=tmp_path / "elsewhere",
        secret_key="k" * 32,
    )
    code, output = cli(offline, "checkpoint", "check", str(evidence), "--public-key", str(key))
    assert code == 0, output
    assert "2 checkpoints verified" in output
    assert not (tmp_path / "elsewhere").exists()


def test_checkpoint_file_with_a_tampered_signature_is_refused(
    evidence: Path, settings: Settings, key: Path
) -> None:
    def flip(obj: dict) -> None:
        sig = bytearray(obj["signature"].encode())
        sig[5] = ord("A") if sig[5] != ord("A") else ord("B")
        obj["signature"] = sig.decode()

    bad = _rewrite_line(evidence, 1, flip)
    for args in (
        ("checkpoint", "check", str(bad), "--public-key", str(key)),
        ("audit", "verify", "--against", str(bad)),
        ("archive", "verify", "--against", str(bad)),
    ):
        code, output = cli(settings, *args)
        assert code == 1, args
        assert "checkpoint file refused: checkpoint 2" in output
        assert "signature does not match" in output


def test_checkpoint_file_with_an_altered_count_is_refused(
    evidence: Path, settings: Settings, key: Path, engine: Engine
) -> None:
    # The insider cut the tail and edits the published file to match: the signature fails.
    cut_audit_tail(engine, 3)

    def shrink(obj: dict) -> None:
        obj["statement"]["chains"]["audit"]["count"] = 3

    bad = _rewrite_line(evidence, 1, shrink)
    code, output = cli(settings, "audit", "verify", "--against", str(bad))
    assert code == 1
    assert "checkpoint file refused" in output and "signature does not match" in output


def test_checkpoint_file_with_one_taken_out_or_another_key_is_refused(
    evidence: Path, settings: Settings, key: Path, tmp_path: Path
) -> None:
    one, two = evidence.read_text().splitlines()
    other = tmp_path / "other.pem"
    other.write_text(signing.public_pem(signing.init_key(tmp_path / "other-key.pem")))
    gapped = tmp_path / "gapped.jsonl"
    swapped = tmp_path / "swapped.jsonl"
    gapped.write_text(two + "\n" + two + "\n")
    swapped.write_text(two + "\n" + one + "\n")
    expected = {
        gapped: "comes after checkpoint 2: checkpoints are missing or out of order",
        swapped: "comes after checkpoint 2: checkpoints are missing or out of order",
    }
    for path, problem in expected.items():
        code, output = cli(settings, "checkpoint", "check", str(path), "--public-key", str(key))
        assert code == 1 and problem in output, output
    code, output = cli(settings, "checkpoint", "check", str(evidence), "--public-key", str(other))
    assert code == 1 and "not this public key" in output
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text(one + "\n{not json\n")
    code, output = cli(settings, "checkpoint", "check", str(garbage), "--public-key", str(key))
    assert code == 1 and "line 2 is not a piodesk checkpoint" in output


# ---- keys, files, schedule ---------------------------------------------------------------------


def test_keys_init_makes_a_private_file_and_refuses_to_overwrite(
    settings: Settings, key: Path
) -> None:
    path = settings.signing_key_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    code, output = cli(settings, "keys", "init")
    assert code == 1 and "never overwritten" in output
    assert path.read_bytes() == before
    code, output = cli(settings, "keys", "public")
    assert code == 0 and output.startswith("-----BEGIN PUBLIC KEY-----")
    assert output == " ".join(key.read_text().split())
    assert "PRIVATE" not in output


def test_checkpoint_without_a_key_is_a_clear_refusal(settings: Settings, db_url: str) -> None:
    code, output = cli(settings, "checkpoint", "create")
    assert code == 1 and "piodesk keys init" in output


def test_each_checkpoint_is_appended_to_the_file_outside_the_database(
    evidence: Path, settings: Settings
) -> None:
    # The running file and the export hold the same two lines, in order.
    assert settings.checkpoint_path.read_text() == evidence.read_text()


def test_schedule_makes_a_checkpoint_only_when_a_chain_moved(
    evidence: Path, settings: Settings, sessions: sessionmaker[Session], staff
) -> None:
    assert checkpoints.checkpoint_now(sessions, settings, only_if_changed=True) is None
    with transaction(sessions) as session:
        audit.record(session, staff.admin, tags.Archive.REINDEX, "thing", 3)
    made = checkpoints.checkpoint_now(sessions, settings, only_if_changed=True)
    assert made is not None and made.seq == 3
    assert len(settings.checkpoint_path.read_text().splitlines()) == 3


def test_the_database_refuses_to_change_a_checkpoint(evidence: Path, engine: Engine) -> None:
    for statement in ("UPDATE checkpoints SET signature = 'x'", "DELETE FROM checkpoints"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_an_event_added_past_the_head_is_named(
    evidence: Path, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    # A row slipped in after the last event without moving the head (an honest append moves
    # both in one transaction).
    with sessions() as session:
        head = session.get(audit.AuditHead, 1)
        assert head is not None
        last = head.last_seq
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, occurred_at, actor_id, actor_name, actor_roles, "
                "via, action, target_type, target_id, reason, section, data, prev_hash, hash) "
                "SELECT seq + 1, occurred_at, actor_id, actor_name, actor_roles, via, action, "
                "target_type, target_id, 'slipped in', section, data, hash, :h "
                "FROM audit_events WHERE seq = :s"
            ),
            {"s": last, "h": "a" * 64},
        )
    code, output = cli(settings, "audit", "verify")
    assert code == 1
    assert f"events after {last} are past the chain head" in output


def test_refuses_to_build_on_an_altered_checkpoint_row(
    evidence: Path, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    # The insider rewrites the chain, then edits the last checkpoint row to the new head, so
    # the next checkpoint would walk on from it: its signature no longer holds, nothing is made.
    rewrite_audit_actor(sessions, engine, 3)
    with sessions() as session:
        new_head = heads(sessions)["audit"]
        row = session.get(checkpoints.CheckpointRow, 2)
        assert row is not None
        statement = json.loads(row.statement)
    statement["chains"]["audit"]["head"] = new_head.hash
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE checkpoints DISABLE TRIGGER checkpoints_append_only")
        else:
            conn.exec_driver_sql("DROP TRIGGER checkpoints_no_update")
        conn.execute(
            text("UPDATE checkpoints SET statement = :s WHERE seq = 2"),
            {"s": chain.canonical(statement)},
        )
    with pytest.raises(Conflict, match="checkpoint 2 in the database is not signed by this key"):
        checkpoints.checkpoint_now(sessions, settings)
