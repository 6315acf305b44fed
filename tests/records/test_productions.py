"""A production verifies offline with only the ZIP and the public key; every change is named."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import signing
from piodesk.core.config import Settings
from piodesk.core.errors import InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.records.productions import formats
from piodesk.records.productions.build import make_production
from piodesk.records.productions.verify import verify_production
from piodesk.records.tables import Production
from tests.conftest import People
from tests.records.conftest import cli


def produce(sessions, settings, staff, ids, **kw):  # type: ignore[no-untyped-def]
    return make_production(
        sessions, actor=staff[Role.RECORDS], settings=settings, item_ids=ids, **kw
    )


def rewrite(src: Path, dest: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Copy the ZIP, passing each member's (name, bytes) through ``change`` (None drops it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            got = change(info.filename, zin.read(info.filename))
            if got is not None:
                zout.writestr(info.filename, got)
        extra = change("__add__", b"")
        if extra is not None:
            zout.writestr(*extra)


def flip(data: bytes, at: int | None = None) -> bytes:
    b = bytearray(data)
    i = len(b) // 2 if at is None else at
    b[i] ^= 0x01
    return bytes(b)


def test_production_holds_every_kind_of_file_and_verifies(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    public_key: Path,
    tmp_path: Path,
) -> None:
    made = produce(sessions, settings, staff, list(records.values()))
    assert made.records == 4 and made.versions == 6
    with zipfile.ZipFile(made.path) as zf:
        names = set(zf.namelist())
        for expected in (
            "records.html",
            "records.pdf",
            "records.csv",
            "native/records.jsonl",
            "captures.warc.gz",
            "loadfile.dat",
            "images.opt",
            "custody.json",
            "certificate.txt",
            "redaction_log.csv",
            "privilege_log.csv",
            "checkpoint.json",
            "manifest.json",
            "manifest.sig",
        ):
            assert expected in names, expected
        assert zf.read("records.pdf").startswith(b"%PDF")
        dat = formats.dat_parse(zf.read("loadfile.dat").decode("utf-8").lstrip("\ufeff"))
        assert dat[0][:2] == ["BEGBATES", "ENDBATES"] and len(dat) == 5
        assert b"\x14" in zf.read("loadfile.dat")
        native = [json.loads(line) for line in zf.read("native/records.jsonl").splitlines()]
        c1 = next(r for r in native if r["platform_id"] == "c1")
        assert [v["text"] for v in c1["versions"]] == [
            "When will it reopen?",
            "When will it reopen? Thanks",
        ]
        assert c1["thread"]["replies"] == [f"record {records['r1']}"]
        c2 = next(r for r in native if r["platform_id"] == "c2")
        assert any("decided remove" in m["summary"] for m in c2["moderation"])
        # Counsel's advice is privileged: on the log, never in the production.
        assert "shows a phone number" not in zf.read("records.html").decode()
        assert "legal advice" in zf.read("privilege_log.csv").decode()
        # Neither the advice nor the question is in any file of the production (the PDF's
        # text and the WARC are compressed: the native JSON and the CSV carry the same text).
        for member in names - {"records.pdf", "captures.warc.gz"}:
            body = zf.read(member)
            assert b"shows a phone number" not in body, member
            assert b"May we remove this?" not in body, member
        privilege_log = zf.read("privilege_log.csv").decode()
        assert "request for legal advice" in privilege_log and "Test counsel" in privilege_log
        from warcio.archiveiterator import ArchiveIterator

        warc = list(ArchiveIterator(io.BytesIO(zf.read("captures.warc.gz"))))
        assert warc[0].rec_headers.protocol == "WARC/1.1"
        assert sum(r.rec_type == "resource" for r in warc) == 6
        cert = zf.read("certificate.txt").decode()
        manifest = json.loads(zf.read("manifest.json"))
        html_sha = next(f["sha256"] for f in manifest["files"] if f["path"] == "records.html")
        assert html_sha in cert and "902(14)" in cert
    code, out = cli(settings, "production", "verify", str(made.path), "--key", str(public_key))
    assert code == 0, out
    assert "4 records, 6 versions" in out
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(Production)).scalar_one() == 1


def test_every_change_is_named(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    public_key: Path,
    tmp_path: Path,
) -> None:
    made = produce(sessions, settings, staff, list(records.values()))
    # Verification needs only the ZIP and the public key: move them where nothing else is.
    alone = tmp_path / "alone"
    alone.mkdir()
    zip_path = alone / "p.zip"
    shutil.copy(made.path, zip_path)
    public = signing.load_public((public_key).read_bytes())
    shutil.rmtree(settings.data_dir)
    assert verify_production(zip_path, public).ok
    with zipfile.ZipFile(zip_path) as zf:
        kinds = {}
        for name in zf.namelist():
            if name in ("manifest.json", "manifest.sig"):
                continue
            kinds.setdefault(name.split("/")[0] if "/" in name else name.rsplit(".", 1)[-1], name)
    assert len(kinds) >= 10
    for name in kinds.values():
        bad = tmp_path / "bad.zip"
        rewrite(
            zip_path,
            bad,
            lambda n, d, name=name: (flip(d) if n == name else d) if n != "__add__" else None,
        )
        result = verify_production(bad, public)
        assert not result.ok and f"changed: {name}" in result.problems, (name, result.problems)
    bad = tmp_path / "missing.zip"
    rewrite(zip_path, bad, lambda n, d: None if n in ("records.csv", "__add__") else d)
    assert verify_production(bad, public).problems == ["missing: records.csv"]
    bad = tmp_path / "added.zip"
    rewrite(zip_path, bad, lambda n, d: ("extra/note.txt", b"hi") if n == "__add__" else d)
    assert verify_production(bad, public).problems == [
        "added: extra/note.txt (not in the signed manifest)"
    ]
    # The manifest itself, one byte changed: the signature no longer matches.
    bad = tmp_path / "manifest.zip"
    rewrite(
        zip_path,
        bad,
        lambda n, d: (
            None
            if n == "__add__"
            else (d.replace(b'"records": 4', b'"records": 5') if n == "manifest.json" else d)
        ),
    )
    assert "changed after it was signed" in verify_production(bad, public).refused


def test_truncated_zip_and_other_key_are_refused(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    public_key: Path,
    tmp_path: Path,
) -> None:
    made = produce(sessions, settings, staff, list(records.values()))
    data = made.path.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    code, out = cli(settings, "production", "verify", str(cut), "--key", str(public_key))
    assert code == 1 and "not a complete ZIP file" in out
    other = tmp_path / "other.pem"
    other.write_text(signing.public_pem(signing.Ed25519PrivateKey.generate()))
    code, out = cli(settings, "production", "verify", str(made.path), "--key", str(other))
    assert code == 1 and "not signed by this key" in out


def test_bad_scope_and_actor_are_refused_and_nothing_is_written(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    public_key: Path,
) -> None:
    with pytest.raises(PermissionDenied):
        make_production(
            sessions, actor=staff[Role.EMPLOYEE], settings=settings, item_ids=list(records.values())
        )
    with pytest.raises(PermissionDenied):  # subpoena mode belongs to legal counsel
        produce(sessions, settings, staff, list(records.values()), mode="subpoena")
    with pytest.raises(NotFound):
        produce(sessions, settings, staff, [records["c1"], 999_999])
    with pytest.raises(InvalidInput):
        produce(sessions, settings, staff, [])
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(Production)).scalar_one() == 0
    assert not list((settings.data_dir / "productions").glob("*.zip"))


def test_cli_makes_a_production_and_shows_the_schedule(
    settings: Settings,
    staff: People,
    records: dict[str, int],
    public_key: Path,
) -> None:
    from tests.conftest import PASSWORD
    from tests.records.conftest import runner

    env = {
        "PIODESK_DATABASE_URL": settings.database_url,
        "PIODESK_SECRET_KEY": "k" * 32,
        "PIODESK_DATA_DIR": str(settings.data_dir),
        "COLUMNS": "300",
    }
    from piodesk.cli import app

    args = ["production", "make", "--as", "records-custodian"]
    for i in records.values():
        args += ["--item", str(i)]
    result = runner.invoke(app, args, env=env, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    zip_path = next((settings.data_dir / "productions").glob("*.zip"))
    code, out = cli(settings, "production", "verify", str(zip_path), "--key", str(public_key))
    assert code == 0, out
    result = runner.invoke(
        app, ["records", "schedule", "--as", "records-custodian"], env=env, input=PASSWORD + "\n"
    )
    assert result.exit_code == 0 and "GRS 6.4" in result.output, result.output
    result = runner.invoke(
        app,
        ["records", "dispose-dry-run", "--as", "records-custodian"],
        env=env,
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0 and "0 records may go" in result.output, result.output


def test_scope_by_hold_and_by_search(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    public_key: Path,
) -> None:
    from piodesk.archive.search import SearchQuery
    from piodesk.core.db import transaction
    from piodesk.records import holds

    with transaction(sessions) as s:
        hold = holds.place(
            s,
            actor=staff[Role.LEGAL],
            name="Reply thread",
            matter="m",
            scope=holds.HoldScope("author", author_platform_id="u42"),
            notice="Preserve this person's comments until released, please.",
        )
    made = produce(sessions, settings, staff, [], hold_id=hold.id)
    assert made.records == 2  # post1 and c1 (u42); not c2 (u7) nor r1 (cspd)
    made = produce(sessions, settings, staff, [], query=SearchQuery(q="reopen"))
    with zipfile.ZipFile(made.path) as zf:
        native = [json.loads(line) for line in zf.read("native/records.jsonl").splitlines()]
    assert {r["platform_id"] for r in native} == {"c1", "r1"}
