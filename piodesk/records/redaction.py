"""Redaction (GO 409 §.40): proposed by screening's PII detector or by hand, confirmed by a
person with an exemption from the regime's list, applied to productions only, never to the
archive.

A proposal is a span of one version's text; a decision (confirm with an exemption, or reject)
is a second append-only row. Only the latest decision on a proposal counts, and a production in
request mode applies the confirmed ones (subpoena mode applies none).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.tables import ArchiveVersion
from piodesk.core import audit, clock, tags
from piodesk.core.errors import InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.records.productions.formats import EXEMPTIONS, AppliedRedaction
from piodesk.records.tables import ArchiveTombstone, Redaction, RedactionDecision


def _version(session: Session, seq: int) -> ArchiveVersion:
    v = session.get(ArchiveVersion, seq)
    if v is None:
        raise NotFound(f"no archive version {seq}")
    if session.execute(select(ArchiveTombstone.id).where(ArchiveTombstone.seq == seq)).first():
        raise InvalidInput(f"version {seq} was destroyed by a disposition; nothing to redact")
    return v


def propose(
    session: Session,
    *,
    actor: Actor,
    version_seq: int,
    start: int,
    end: int,
    request_id: int | None = None,
    source: str = "hand",
) -> Redaction:
    """Propose redacting characters [start, end) of a version's text."""
    require(actor, Perm.REDACTION_REVIEW)
    v = _version(session, version_seq)
    length = len(v.text or "")
    if not 0 <= start < end <= length:
        raise InvalidInput(f"the span {start}–{end} is not inside the version's text (0–{length})")
    row = Redaction(
        item_id=v.item_id,
        version_seq=v.seq,
        start=start,
        end=end,
        source=source[:80],
        request_id=request_id,
        proposed_by=actor.account_id,
        proposed_by_name=actor.display_name,
        proposed_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Records.REDACTION_PROPOSE,
        "redaction",
        row.id,
        reason=f"{source}: characters {start}–{end} of version {v.seq}",
        section="§.40",
        data={"version_seq": v.seq, "start": start, "end": end, "request_id": request_id},
    )
    return row


def propose_from_screening(
    session: Session, *, actor: Actor, item_ids: Iterable[int], request_id: int | None = None
) -> list[Redaction]:
    """Proposals for every PII finding screening makes in the texts of ``item_ids``."""
    from piodesk.screening.engine import default_screener

    require(actor, Perm.REDACTION_REVIEW)
    ids = list(item_ids)
    gone = set(
        session.execute(
            select(ArchiveTombstone.seq).where(ArchiveTombstone.item_id.in_(ids))
        ).scalars()
    )
    versions = [
        v
        for v in session.execute(
            select(ArchiveVersion)
            .where(ArchiveVersion.item_id.in_(ids))
            .order_by(ArchiveVersion.seq)
        ).scalars()
        if v.text and v.seq not in gone
    ]
    existing = {
        (r.version_seq, r.start, r.end)
        for r in session.execute(select(Redaction).where(Redaction.item_id.in_(ids))).scalars()
    }
    results = default_screener().screen_many([v.text or "" for v in versions])
    made = []
    for v, result in zip(versions, results, strict=True):
        for finding in result.findings:
            if finding.category != "pii":
                continue
            for span in finding.spans:
                if (v.seq, span.start, span.end) in existing:
                    continue
                existing.add((v.seq, span.start, span.end))
                made.append(
                    propose(
                        session,
                        actor=actor,
                        version_seq=v.seq,
                        start=span.start,
                        end=span.end,
                        request_id=request_id,
                        source=f"screening:{finding.rule}",
                    )
                )
    return made


def decide(
    session: Session,
    *,
    actor: Actor,
    redaction_id: int,
    confirm: bool,
    exemption: str = "",
    note: str = "",
    regime: str = "cora",
) -> RedactionDecision:
    """Confirm a proposal with an exemption from the regime's list, or reject it."""
    require(actor, Perm.REDACTION_REVIEW)
    row = session.get(Redaction, redaction_id)
    if row is None:
        raise NotFound(f"no redaction {redaction_id}")
    codes = EXEMPTIONS.get(regime)
    if codes is None:
        raise InvalidInput(f"unknown regime {regime[:20]!r}")
    if confirm and exemption not in codes:
        raise InvalidInput(
            f"a confirmed redaction needs an exemption from the {regime.upper()} list: "
            + ", ".join(sorted(codes))
        )
    decision = RedactionDecision(
        redaction_id=row.id,
        decision="confirm" if confirm else "reject",
        exemption=exemption if confirm else None,
        note=clean_text("note", note, max_len=2000) or "",
        decided_by=actor.account_id,
        decided_by_name=actor.display_name,
        decided_at=clock.now(),
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Records.REDACTION_DECIDE,
        "redaction",
        row.id,
        reason=f"{decision.decision}" + (f" ({exemption})" if confirm else ""),
        section="§.40",
        data={"decision": decision.decision, "exemption": decision.exemption},
    )
    return decision


def confirmed(
    session: Session, item_ids: Iterable[int], request_id: int | None
) -> dict[int, list[AppliedRedaction]]:
    """The confirmed redactions of ``item_ids`` (for ``request_id``, or made for no request),
    by version seq: a proposal counts when its latest decision confirms it."""
    ids = list(item_ids)
    proposals = {
        r.id: r
        for r in session.execute(select(Redaction).where(Redaction.item_id.in_(ids))).scalars()
        if r.request_id is None or r.request_id == request_id
    }
    if not proposals:
        return {}
    latest: dict[int, RedactionDecision] = {}
    for d in session.execute(
        select(RedactionDecision)
        .where(RedactionDecision.redaction_id.in_(list(proposals)))
        .order_by(RedactionDecision.id)
    ).scalars():
        latest[d.redaction_id] = d
    out: dict[int, list[AppliedRedaction]] = {}
    for rid, d in latest.items():
        if d.decision != "confirm" or d.exemption is None:
            continue
        r = proposals[rid]
        out.setdefault(r.version_seq, []).append(
            AppliedRedaction(r.id, r.version_seq, r.start, r.end, d.exemption)
        )
    return out


def review(
    session: Session, item_ids: Iterable[int], request_id: int | None
) -> list[tuple[Redaction, RedactionDecision | None, str]]:
    """The proposals on ``item_ids`` for a review screen: each with its latest decision and the
    text it covers."""
    ids = list(item_ids)
    rows = [
        r
        for r in session.execute(
            select(Redaction).where(Redaction.item_id.in_(ids)).order_by(Redaction.id)
        ).scalars()
        if r.request_id is None or r.request_id == request_id
    ]
    latest: dict[int, RedactionDecision] = {}
    if rows:
        for d in session.execute(
            select(RedactionDecision)
            .where(RedactionDecision.redaction_id.in_([r.id for r in rows]))
            .order_by(RedactionDecision.id)
        ).scalars():
            latest[d.redaction_id] = d
    out = []
    for r in rows:
        v = session.get(ArchiveVersion, r.version_seq)
        covered = (v.text or "")[r.start : r.end] if v is not None else ""
        out.append((r, latest.get(r.id), covered))
    return out
