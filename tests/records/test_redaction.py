"""Redactions: proposed by screening or by hand, confirmed with an exemption, applied to the
production only (never the archive), logged; subpoena mode applies none."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveVersion
from piodesk.core import signing
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Role
from piodesk.records import redaction
from piodesk.records.productions.build import make_production
from piodesk.records.productions.verify import verify_production
from tests.conftest import People


def test_screening_proposes_a_person_confirms_the_production_redacts(
    sessions: sessionmaker[Session],
    settings: Settings,
    staff: People,
    records: dict[str, int],
    public_key: Path,
) -> None:
    custodian = staff[Role.RECORDS]
    with transaction(sessions) as s:
        proposed = redaction.propose_from_screening(
            s, actor=custodian, item_ids=[records["c2"]], request_id=7
        )
        assert proposed, "screening finds the phone number"
        spans = {(p.start, p.end) for p in proposed}
        v = s.get(ArchiveVersion, proposed[0].version_seq)
        assert v is not None and any("719-555-0134" in (v.text or "")[a:b] for a, b in spans)
        with pytest.raises(InvalidInput, match="exemption"):
            redaction.decide(
                s, actor=custodian, redaction_id=proposed[0].id, confirm=True, exemption="because"
            )
        for p in proposed:
            redaction.decide(
                s,
                actor=custodian,
                redaction_id=p.id,
                confirm=True,
                exemption="cora-contact",
                note="caller's phone",
            )
        # A hand redaction, then rejected: it is not applied.
        hand = redaction.propose(s, actor=custodian, version_seq=v.seq, start=0, end=4)
        redaction.decide(s, actor=custodian, redaction_id=hand.id, confirm=False)
    made = make_production(
        sessions, actor=custodian, settings=settings, item_ids=list(records.values()), request_id=7
    )
    public = signing.load_public(public_key.read_bytes())
    assert verify_production(made.path, public).ok
    with zipfile.ZipFile(made.path) as zf:
        for name in ("records.html", "records.csv", "native/records.jsonl", "loadfile.dat"):
            body = zf.read(name).decode("utf-8")
            assert "719-555-0134" not in body, name
        assert "[REDACTED: cora-contact]" in zf.read("records.html").decode()
        assert "Call" in zf.read("records.html").decode()  # the rejected hand redaction
        log = zf.read("redaction_log.csv").decode()
        rows = [line for line in log.split("\r\n")[1:] if line]
        assert len(rows) == len(proposed) and all(",cora-contact," in r for r in rows)
        native = [json.loads(line) for line in zf.read("native/records.jsonl").splitlines()]
        c2 = next(r for r in native if r["platform_id"] == "c2")
        redacted = [v for v in c2["versions"] if v["redactions"]]
        assert redacted and all(v["raw_b64"] is None for v in redacted)
    # The archive is untouched.
    with sessions() as s:
        texts = (
            s.execute(select(ArchiveVersion.text).where(ArchiveVersion.item_id == records["c2"]))
            .scalars()
            .all()
        )
        assert all("719-555-0134" in (t or "") for t in texts)
    # Subpoena mode (legal counsel): everything, no redaction.
    made = make_production(
        sessions,
        actor=staff[Role.LEGAL],
        settings=settings,
        item_ids=list(records.values()),
        mode="subpoena",
    )
    with zipfile.ZipFile(made.path) as zf:
        assert "719-555-0134" in zf.read("records.html").decode()
        assert zf.read("redaction_log.csv").decode().count("\r\n") == 1  # the header only
    assert verify_production(made.path, public).ok
