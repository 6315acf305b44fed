"""What people do with the archive: search it and open a record with all its versions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from piodesk.archive.search import Hit, SearchQuery, item_versions, search
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.core.permissions import Actor, Perm, require


def search_archive(session: Session, query: SearchQuery, *, actor: Actor) -> list[Hit]:
    """Full-text search with filters, for those who may read the archive (§.40)."""
    require(actor, Perm.ARCHIVE_VIEW)
    return search(session, query)


def open_record(
    session: Session, item_id: int, *, actor: Actor
) -> tuple[ArchiveItem, list[ArchiveVersion]]:
    """One record with every version, oldest first."""
    require(actor, Perm.ARCHIVE_VIEW)
    return item_versions(session, item_id)
