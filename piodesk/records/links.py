"""Links between records, for a record's page: the record a reply answers, the replies to it,
and the moderation cases about it (each version a decision recorded links to its case)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.tables import ArchiveItem
from piodesk.moderation.tables import Case, Decision

#: Replies listed on a record's page (the archive search finds the rest).
MAX_REPLIES = 50

#: What the public could see of a record, in words (archive/model.py's ItemState).
ITEM_STATE_WORDS = {
    "live": "Live",
    "edited": "Edited by its author",
    "hidden": "Hidden",
    "removed": "Removed",
    "deleted": "Gone from the platform",
}


@dataclass
class RecordLinks:
    """What a record is linked to."""

    parent: ArchiveItem | None = None
    replies: list[ArchiveItem] = field(default_factory=list)
    more_replies: bool = False
    cases: list[Case] = field(default_factory=list)
    #: version seq -> (case id, decision action) for the versions a decision recorded
    decided: dict[int, tuple[int, str]] = field(default_factory=dict)


def links_of(session: Session, item: ArchiveItem) -> RecordLinks:
    """The record's parent, replies and moderation cases."""
    out = RecordLinks()
    if item.parent_platform_id:
        out.parent = (
            session.execute(
                select(ArchiveItem)
                .where(
                    ArchiveItem.platform == item.platform,
                    ArchiveItem.platform_id == item.parent_platform_id,
                )
                .order_by(ArchiveItem.id)
                .limit(1)
            )
            .scalars()
            .first()
        )
    replies = (
        session.execute(
            select(ArchiveItem)
            .where(
                ArchiveItem.platform == item.platform,
                ArchiveItem.parent_platform_id == item.platform_id,
                ArchiveItem.id != item.id,
            )
            .order_by(ArchiveItem.created_at, ArchiveItem.id)
            .limit(MAX_REPLIES + 1)
        )
        .scalars()
        .all()
    )
    out.replies, out.more_replies = list(replies[:MAX_REPLIES]), len(replies) > MAX_REPLIES
    out.cases = list(
        session.execute(select(Case).where(Case.item_id == item.id).order_by(Case.id)).scalars()
    )
    if out.cases:
        for d in session.execute(
            select(Decision)
            .where(Decision.case_id.in_([c.id for c in out.cases]))
            .order_by(Decision.id)
        ).scalars():
            if d.archive_seq is not None:
                out.decided[d.archive_seq] = (d.case_id, d.action)
    return out
