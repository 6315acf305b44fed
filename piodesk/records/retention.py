"""The retention schedule (GO 409 §.40: "relevant records retention schedules apply").

One period per record type, with its citation, set by the agency; each setting is a new
append-only row and the latest per type governs. The defaults follow NARA GRS 6.4 as the
research for this issue suggests; they are suggestions the city attorney and the records
officer confirm (the Colorado municipal schedule, once adopted for the city, governs):

- agency posts, profiles and their versions: 3 years (GRS 6.4 item 010 analogue);
- public comments needing no action: 90 days (GRS 6.4 item 020; "longer retention authorized");
- removed or hidden comments, with the moderation decision and reason: 3 years, and never less
  than the claims period against the agency (42 U.S.C. §1983 borrows Colorado's 2-year
  personal-injury period) — a shorter setting is refused;
- submissions for posting and subscriber-list snapshots: 3 years;
- audit events: 3 years — shown for completeness; piodesk never destroys audit events (the
  audit chain has no tombstones), so they are kept whatever the period says.

Retention runs from a record's last activity: its newest version's capture (or its creation,
if later). Holds override retention (``holds.held``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.records.tables import RetentionRule

RECORD_TYPES = ("post", "comment", "removed_comment", "submission", "subscriber_snapshot", "audit")
TYPE_LABELS = {
    "post": "Agency posts and profiles, with all versions",
    "comment": "Public comments needing no action",
    "removed_comment": "Removed or hidden comments, with the decision and its reason",
    "submission": "Communications submitted for posting",
    "subscriber_snapshot": "Subscriber-list snapshots",
    "audit": "Audit events (kept: piodesk never destroys them)",
}
#: The shortest a removed comment may be kept: the claims period against the agency.
CLAIMS_PERIOD_DAYS = 2 * 365
MAX_DAYS = 100 * 366


@dataclass(frozen=True)
class Rule:
    """The period that governs one record type, and where it comes from."""

    record_type: str
    period_days: int
    citation: str
    note: str
    set_by_name: str = "default"
    set_at: datetime | None = None

    @property
    def label(self) -> str:
        """The record type in a custodian's words."""
        return TYPE_LABELS[self.record_type]


DEFAULTS: dict[str, Rule] = {
    "post": Rule(
        "post",
        3 * 365,
        "NARA GRS 6.4 item 010 (DAA-GRS-2016-0005-0001), analogue",
        "City attorney and records officer to confirm; the adopted Colorado municipal "
        "schedule governs.",
    ),
    "comment": Rule(
        "comment",
        90,
        "NARA GRS 6.4 item 020 (DAA-GRS-2016-0005-0002)",
        "Comments needing no action; longer retention authorized. City attorney to confirm.",
    ),
    "removed_comment": Rule(
        "removed_comment",
        3 * 365,
        "Record of official action; at least the 42 U.S.C. §1983 claims "
        "period (2 years in Colorado)",
        "Never shorter than the claims period. City attorney to confirm.",
    ),
    "submission": Rule(
        "submission",
        3 * 365,
        "NARA GRS 6.4 item 010, analogue",
        "City attorney and records officer to confirm.",
    ),
    "subscriber_snapshot": Rule(
        "subscriber_snapshot",
        3 * 365,
        "NARA GRS 6.4 item 010, analogue",
        "City attorney and records officer to confirm.",
    ),
    "audit": Rule(
        "audit", 3 * 365, "Agency policy", "piodesk keeps audit events whatever this says."
    ),
}

#: Which schedule an archive record falls under, by its kind (a removed or hidden comment or
#: reply, or one with a moderation decision, falls under removed_comment instead).
KIND_TYPE = {
    "post": "post",
    "profile": "post",
    "comment": "comment",
    "reply": "comment",
    "submission": "submission",
    "subscriber_list": "subscriber_snapshot",
}


def record_type(kind: str, state: str, moderated: bool) -> str:
    """The schedule a record falls under."""
    kind_type = KIND_TYPE.get(kind, "post")
    if kind_type == "comment" and (state in ("removed", "hidden") or moderated):
        return "removed_comment"
    return kind_type


def schedule(session: Session) -> dict[str, Rule]:
    """The schedule in force: the latest setting per type, the default where none."""
    out = dict(DEFAULTS)
    for row in session.execute(select(RetentionRule).order_by(RetentionRule.id)).scalars():
        out[row.record_type] = Rule(
            row.record_type, row.period_days, row.citation, row.note, row.set_by_name, row.set_at
        )
    return out


def set_rule(
    session: Session,
    *,
    actor: Actor,
    record_type: str,
    period_days: int,
    citation: str,
    note: str = "",
) -> RetentionRule:
    """Set a record type's retention period (a new row; the schedule's history is kept)."""
    require(actor, Perm.RETENTION_SET)
    if record_type not in RECORD_TYPES:
        raise InvalidInput(f"unknown record type {record_type[:30]!r}: {', '.join(RECORD_TYPES)}")
    if not 1 <= period_days <= MAX_DAYS:
        raise InvalidInput(f"a retention period is 1 to {MAX_DAYS:,} days")
    if record_type == "removed_comment" and period_days < CLAIMS_PERIOD_DAYS:
        raise InvalidInput(
            f"removed comments and their decisions are kept at least the claims period against "
            f"the agency ({CLAIMS_PERIOD_DAYS} days)"
        )
    row = RetentionRule(
        record_type=record_type,
        period_days=period_days,
        citation=clean_text("citation", citation, max_len=500, required=True),
        note=clean_text("note", note, max_len=2000),
        set_by=actor.account_id,
        set_by_name=actor.display_name,
        set_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Records.RETENTION_SET,
        "retention_rule",
        row.id,
        reason=f"{record_type}: {period_days} days ({row.citation})",
        section="§.40",
        data={"record_type": record_type, "period_days": period_days},
    )
    return row


def due(last_activity: datetime, rule: Rule) -> datetime:
    """When a record whose last activity was ``last_activity`` may be destroyed."""
    return clock.as_utc(last_activity) + timedelta(days=rule.period_days)
