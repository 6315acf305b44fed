"""Disposition (GO 409 §.40): destroy what is past retention and under no hold, with a
certificate, so that every chain still verifies.

Three steps, two people:

1. **Dry run** (``prepare``, a records custodian): every record past its retention period
   (``retention``) is listed; those any hold in force covers are listed apart and never
   destroyed. Nothing changes but the run's own row.
2. **Approval** (``approve``): a records custodian *other than the one who prepared the run*
   approves it. Destroying public records cannot be undone, so it takes two people, like every
   other irreversible step in piodesk (role grants, page approval).
3. **Carrying out** (``carry_out``, the approver or another custodian): the list is checked
   again — a record that came under a hold, or whose period was lengthened, since the dry run
   refuses the whole run, which changes nothing (prepare a new one). Each version is checked
   against its hash first (a version that does not verify is never tombstoned: that would
   launder a tampering). Then, for each version, an append-only **tombstone** is written
   (its link hash, content digest, raw payload digest, the run) and only then is the version's
   content emptied: text, authors, fields, media references and raw payload. The record's
   author goes too. Media files no surviving version refers to are deleted after the commit.
   A **certificate** lists every record and version destroyed, with their digests, the rules
   applied and the holds checked; the audit event seals the tombstones and the certificate.

How the append-only guarantee is kept: the database triggers on ``archive_versions`` (migration
0013) refuse every DELETE and every UPDATE except one shape — an UPDATE that keeps every chained
column, empties the content, on a version whose tombstone (with the same hash) already exists.
Nothing else in piodesk writes that shape; the triggers are never disabled. An insider could
write a tombstone by hand, but the tombstone is evidence sealed in the audit chain: ``piodesk
audit verify`` names a tombstone no audit event recorded.

Why the chains still verify: hash format 3 (``archive.capture``) chains each version's content
by its digest, which the tombstone keeps; for a version hashed before format 3, the tombstone
keeps the link hash itself and ``archive verify`` accepts it, the tombstone vouching for it
(it was checked against the content before the content went). The audit chain only grows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, func, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session, sessionmaker, undefer

from piodesk.archive import pgsearch
from piodesk.archive.capture import (
    ITEM_IDENTITY,
    content_digest,
    version_columns,
    version_fields,
    version_fields_v3,
)
from piodesk.archive.fulltext import fts_row
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.core import audit, chain, clock, tags
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.moderation.tables import Case, Decision
from piodesk.records import holds, retention
from piodesk.records.tables import (
    ArchiveTombstone,
    DispositionApproval,
    DispositionCertificate,
    DispositionRun,
)

VERSIONS = cast(Table, ArchiveVersion.__table__)
ITEMS = cast(Table, ArchiveItem.__table__)
Progress = Callable[[int, int], None]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else clock.as_utc(value).isoformat(timespec="seconds")


def past_retention(session: Session, as_of: datetime, batch: int = 2000) -> list[dict[str, Any]]:
    """Every record not yet destroyed whose retention period has run out by ``as_of``."""
    rules = retention.schedule(session)
    moderated = set(
        session.execute(
            select(Case.item_id).join(Decision, Decision.case_id == Case.id).distinct()
        ).scalars()
    )
    destroyed = set(session.execute(select(ArchiveTombstone.item_id).distinct()).scalars())
    out: list[dict[str, Any]] = []
    last = 0
    while True:
        rows = session.execute(
            select(
                ArchiveItem.id,
                ArchiveItem.platform,
                ArchiveItem.kind,
                ArchiveItem.platform_id,
                ArchiveItem.state,
                ArchiveItem.created_at,
                func.max(ArchiveVersion.captured_at).label("last_capture"),
                func.count(ArchiveVersion.seq).label("versions"),
            )
            .join(ArchiveVersion, ArchiveVersion.item_id == ArchiveItem.id)
            .where(ArchiveItem.id > last)
            .group_by(ArchiveItem.id)
            .order_by(ArchiveItem.id)
            .limit(batch)
        ).all()
        if not rows:
            return out
        for r in rows:
            last = r.id
            if r.id in destroyed:
                continue
            kind_type = retention.record_type(r.kind, r.state, r.id in moderated)
            rule = rules[kind_type]
            activity = max(
                clock.as_utc(r.last_capture),
                clock.as_utc(r.created_at) if r.created_at else clock.as_utc(r.last_capture),
            )
            when = retention.due(activity, rule)
            if when <= clock.as_utc(as_of):
                out.append(
                    {
                        "item_id": r.id,
                        "record_type": kind_type,
                        "platform": r.platform,
                        "kind": r.kind,
                        "platform_id": r.platform_id,
                        "last_activity": _iso(activity),
                        "due": _iso(when),
                        "versions": int(r.versions),
                        "period_days": rule.period_days,
                        "citation": rule.citation,
                    }
                )


def prepare(session: Session, *, actor: Actor, as_of: datetime | None = None) -> DispositionRun:
    """The dry run: what is past retention, split into what may go and what is held."""
    require(actor, Perm.DISPOSITION_PREPARE)
    when = clock.as_utc(as_of) if as_of is not None else clock.now()
    if when > clock.now():
        raise InvalidInput("a disposition cannot be prepared as of a date in the future")
    due = past_retention(session, when)
    held = holds.held(session, [d["item_id"] for d in due])
    run = DispositionRun(
        as_of=when,
        candidates=[d for d in due if d["item_id"] not in held],
        held=[{**d, "holds": held[d["item_id"]]} for d in due if d["item_id"] in held],
        prepared_by=actor.account_id,
        prepared_by_name=actor.display_name,
        prepared_at=clock.now(),
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Records.DISPOSITION_PREPARE,
        "disposition_run",
        run.id,
        reason=f"dry run: {len(run.candidates)} records may go, {len(run.held)} held",
        section="§.40",
        data={"candidates": len(run.candidates), "held": len(run.held), "as_of": _iso(when)},
    )
    return run


def _run(session: Session, run_id: int) -> DispositionRun:
    run = session.get(DispositionRun, run_id)
    if run is None:
        raise NotFound(f"no disposition run {run_id}")
    return run


def approval(session: Session, run_id: int) -> DispositionApproval | None:
    """The run's approval, if any."""
    return session.execute(
        select(DispositionApproval).where(DispositionApproval.run_id == run_id)
    ).scalar()


def certificate(session: Session, run_id: int) -> DispositionCertificate | None:
    """The run's certificate, once carried out."""
    return session.execute(
        select(DispositionCertificate).where(DispositionCertificate.run_id == run_id)
    ).scalar()


def approve(session: Session, *, actor: Actor, run_id: int, note: str = "") -> DispositionApproval:
    """A second records custodian approves the dry run's list."""
    require(actor, Perm.DISPOSITION_APPROVE)
    run = _run(session, run_id)
    if actor.account_id is None or actor.account_id == run.prepared_by:
        raise PermissionDenied(
            "a disposition is approved by a records custodian other than the one who prepared it"
        )
    if approval(session, run_id) is not None:
        raise Conflict(f"disposition run {run_id} is already approved")
    if not run.candidates:
        raise InvalidInput(f"disposition run {run_id} lists nothing to destroy")
    row = DispositionApproval(
        run_id=run_id,
        note=clean_text("note", note, max_len=2000),
        approved_by=actor.account_id,
        approved_by_name=actor.display_name,
        approved_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Records.DISPOSITION_APPROVE,
        "disposition_run",
        run_id,
        reason=f"approved: {len(run.candidates)} records",
        section="§.40",
    )
    return row


def _format_of(item: ArchiveItem, v: ArchiveVersion) -> int:
    """The hash format the version's stored hash checks with (0: none: it was altered)."""
    import hashlib as _h

    if _h.sha256(v.raw).hexdigest() != v.raw_sha256:
        return 0
    identity = (item.platform, item.kind, item.platform_id)
    columns = version_columns(v)
    record = {k: getattr(item, k) for k in ITEM_IDENTITY}
    for fmt, fields in (
        (3, version_fields_v3(identity, columns, record)),
        (2, version_fields(identity, columns, record)),
        (1, version_fields(identity, columns)),
    ):
        if chain.link_hash(fields, v.prev_hash) == v.hash:
            return fmt
    return 0


@dataclass(frozen=True)
class Carried:
    """A disposition carried out: its certificate and what it destroyed."""

    certificate_id: int
    records: int
    versions: int
    media_deleted: int


def carry_out(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    run_id: int,
    media: MediaStore,
    progress: Progress | None = None,
    batch: int = 500,
) -> Carried:
    """Destroy the approved run's records (one transaction), then delete orphaned media files."""
    require(actor, Perm.DISPOSITION_APPROVE)
    with transaction(sessions) as session:
        run = _run(session, run_id)
        ok = approval(session, run_id)
        if ok is None:
            raise Conflict(f"disposition run {run_id} has not been approved")
        if certificate(session, run_id) is not None:
            raise Conflict(f"disposition run {run_id} was already carried out")
        ids = [c["item_id"] for c in run.candidates]
        held_now = holds.held(session, ids)
        if held_now:
            shown = ", ".join(f"record {i} (hold {held_now[i][0]})" for i in sorted(held_now)[:5])
            raise Conflict(
                f"refused: {len(held_now)} records of run {run_id} came under a legal hold since "
                f"the dry run — {shown}; nothing was destroyed: prepare a new run"
            )
        still_due = {d["item_id"] for d in past_retention(session, clock.now())}
        not_due = [i for i in ids if i not in still_due]
        if not_due:
            raise Conflict(
                f"refused: {len(not_due)} records of run {run_id} are no longer past retention "
                f"(the schedule changed, or they were captured again), e.g. record {not_due[0]}; "
                "nothing was destroyed: prepare a new run"
            )
        destroyed, deleted_media = _destroy(session, run, ids, media, progress, batch)
        text_body = _certificate_text(run, ok, actor, destroyed)
        cert = DispositionCertificate(
            run_id=run_id,
            destroyed=destroyed,
            kept=run.held,
            text=text_body,
            text_sha256=hashlib.sha256(text_body.encode()).hexdigest(),
            carried_out_by=actor.account_id,
            carried_out_by_name=actor.display_name,
            carried_out_at=clock.now(),
        )
        session.add(cert)
        session.flush()
        versions = sum(len(d["versions"]) for d in destroyed)
        audit.record(
            session,
            actor,
            tags.Records.DISPOSITION_DESTROY,
            "disposition_run",
            run_id,
            reason=f"destroyed the content of {len(destroyed)} records ({versions} versions)",
            section="§.40",
            data={
                "certificate": cert.id,
                "certificate_sha256": cert.text_sha256,
                "records": len(destroyed),
                "versions": versions,
                "media": sorted(deleted_media),
            },
        )
        cert_id = cert.id
    # After the commit: the files no surviving version refers to (a failed commit keeps them).
    for sha in deleted_media:
        media.path_for(sha).unlink(missing_ok=True)
    return Carried(cert_id, len(destroyed), versions, len(deleted_media))


def _destroy(
    session: Session,
    run: DispositionRun,
    ids: list[int],
    media: MediaStore,
    progress: Progress | None,
    batch: int,
) -> tuple[list[dict[str, Any]], set[str]]:
    by_id = {c["item_id"]: c for c in run.candidates}
    destroyed: list[dict[str, Any]] = []
    all_media: set[str] = set()
    sqlite = session.get_bind().dialect.name == "sqlite"
    now = clock.now()
    done = 0
    plan: list[tuple[ArchiveItem, list[ArchiveVersion]]] = []
    for start in range(0, len(ids), batch):
        part = ids[start : start + batch]
        items = {
            i.id: i
            for i in session.execute(select(ArchiveItem).where(ArchiveItem.id.in_(part))).scalars()
        }
        versions: dict[int, list[ArchiveVersion]] = {}
        for v in session.execute(
            select(ArchiveVersion)
            .options(undefer(ArchiveVersion.raw))
            .where(ArchiveVersion.item_id.in_(part))
            .order_by(ArchiveVersion.seq)
        ).scalars():
            versions.setdefault(v.item_id, []).append(v)
        for item_id in part:
            plan.append((items[item_id], versions.get(item_id, [])))
    # Media any surviving version still refers to stay.
    for _, vs in plan:
        for v in vs:
            all_media.update(m["sha256"] for m in v.media if m.get("sha256"))
    keep: set[str] = set()
    for sha in all_media:
        other = session.execute(
            select(ArchiveVersion.seq)
            .where(sql_cast(ArchiveVersion.media, String).like(f"%{sha}%"))
            .where(ArchiveVersion.item_id.not_in(ids))
            .limit(1)
        ).first()
        if other is not None:
            keep.add(sha)
    gone_media = all_media - keep
    for item, vs in plan:
        record = {k: getattr(item, k) for k in ITEM_IDENTITY}
        entry = dict(by_id[item.id])
        entry["versions"] = []
        for v in vs:
            fmt = _format_of(item, v)
            if fmt == 0:
                raise Conflict(
                    f"refused: version {v.seq} of record {item.id} does not verify against its "
                    "hash; nothing was destroyed (run `piodesk archive verify`)"
                )
            digest = content_digest(version_columns(v), record)
            shas = sorted({m["sha256"] for m in v.media if m.get("sha256")} & gone_media)
            session.add(
                ArchiveTombstone(
                    seq=v.seq,
                    item_id=item.id,
                    version=v.version,
                    hash_format=fmt,
                    link_hash=v.hash,
                    content_sha256=digest,
                    raw_sha256=v.raw_sha256,
                    media_destroyed=shas,
                    run_id=run.id,
                    destroyed_at=now,
                )
            )
            entry["versions"].append(
                {
                    "seq": v.seq,
                    "version": v.version,
                    "hash": v.hash,
                    "hash_format": fmt,
                    "content_sha256": digest,
                    "raw_sha256": v.raw_sha256,
                    "media": shas,
                }
            )
        destroyed.append(entry)
    session.flush()  # the tombstones first: the triggers allow the emptying only after them
    seqs = [v.seq for _, vs in plan for v in vs]
    if sqlite:
        old = [
            fts_row(v.seq, v.text, v.author_name, v.author_platform_id)
            for _, vs in plan
            for v in vs
        ]
        session.connection().exec_driver_sql(
            "INSERT INTO archive_fts(archive_fts, rowid, text, author) VALUES ('delete', ?, ?, ?)",
            old,
        )
    for start in range(0, len(seqs), batch):
        part = seqs[start : start + batch]
        session.execute(
            update(VERSIONS).where(VERSIONS.c.seq == bindparam("s")),
            [
                {
                    "s": s,
                    "text": None,
                    "author_name": None,
                    "author_platform_id": None,
                    "fields": {},
                    "media": [],
                    "raw": b"",
                }
                for s in part
            ],
        )
        done += len(part)
        if progress is not None:
            progress(done, len(seqs))
    if sqlite:
        session.connection().exec_driver_sql(
            "INSERT INTO archive_fts(rowid, text, author) VALUES (?, ?, ?)",
            [fts_row(s, None, None, None) for s in seqs],
        )
    session.execute(
        update(ITEMS).where(ITEMS.c.id.in_(ids)).values(author_name=None, author_platform_id=None)
    )
    if not sqlite:
        # The search rows of the emptied versions lose their words too (an index, not evidence).
        for start in range(0, len(seqs), batch):
            pgsearch.refresh(session, seqs[start : start + batch])
    session.expire_all()
    return destroyed, gone_media


def _certificate_text(
    run: DispositionRun, ok: DispositionApproval, actor: Actor, destroyed: list[dict[str, Any]]
) -> str:
    lines = [
        "CERTIFICATE OF RECORDS DISPOSITION",
        "",
        f"Disposition run {run.id}, prepared {_iso(run.prepared_at)} by {run.prepared_by_name} "
        f"as of {_iso(run.as_of)};",
        f"approved {_iso(ok.approved_at)} by {ok.approved_by_name}; carried out "
        f"{_iso(clock.now())} by {actor.display_name}.",
        "",
        "The content of the records below (text, authors, fields, media and raw payloads) was",
        "destroyed under the retention schedule cited for each. For every version the hash, the",
        "content digest and the raw payload digest are kept, with a tombstone in the archive, so",
        "the archive's hash chain still verifies. No record under a legal hold was destroyed:",
        f"{len(run.held)} records past retention were kept because of holds.",
        "",
    ]
    for d in destroyed:
        lines.append(
            f"record {d['item_id']} — {d['record_type']} ({d['platform']} {d['kind']} "
            f"{d['platform_id']}); last activity {d['last_activity']}; retention "
            f"{d['period_days']} days under {d['citation']}; due {d['due']}"
        )
        for v in d["versions"]:
            lines.append(
                f"    version {v['version']} (seq {v['seq']}): hash {v['hash']}, content "
                f"{v['content_sha256']}, raw {v['raw_sha256']}"
            )
    return "\n".join(lines) + "\n"
