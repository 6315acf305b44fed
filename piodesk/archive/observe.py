"""Versions piodesk writes itself: what it observed or did to a record on the platform.

A record found missing from the platform's listing (deleted), or hidden, removed or restored by
a PIO's decision, gets a new version that repeats the last one's text and author, with its
fields changed and, as its raw payload, piodesk's own observation (what, when, by which
process) — typed as such, so nobody mistakes it for bytes the platform sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.model import CapturedItem, ItemKind

#: The media type of a raw payload that piodesk wrote (an observation, not the platform's).
OBSERVATION = "application/vnd.piodesk.observation+json"


def head_version(session: Session, item: ArchiveItem) -> ArchiveVersion:
    """The record's latest version, raw payload included."""
    return session.execute(
        select(ArchiveVersion)
        .options(undefer(ArchiveVersion.raw))
        .where(ArchiveVersion.item_id == item.id, ArchiveVersion.version == item.head_version)
    ).scalar_one()


def observed(
    item: ArchiveItem,
    last: ArchiveVersion,
    *,
    fields: Mapping[str, Any],
    observation: Mapping[str, Any],
) -> CapturedItem:
    """A new version of ``item``: ``last``'s text and author, ``fields``, and ``observation``
    as the raw payload."""
    return CapturedItem(
        kind=ItemKind(item.kind),
        platform=item.platform,
        platform_id=item.platform_id,
        raw=json.dumps(dict(observation)).encode(),
        raw_media_type=OBSERVATION,
        page_platform_id=item.page_platform_id,
        parent_platform_id=item.parent_platform_id,
        author_platform_id=last.author_platform_id,
        author_name=last.author_name,
        created_at=last.created_at,
        edited_at=last.edited_at,
        text=last.text,
        fields=dict(fields),
    )
