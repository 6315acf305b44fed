"""Archive rules: the states a captured record can be in, and how a new version is judged.

Pure: no web, no storage. GO 409 §.40 makes every post, comment (hidden and removed ones too),
edit, subscriber list and submission a public record; the archive keeps each as a series of
immutable versions. A version's state says what the platform showed when it was captured.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class ItemState(StrEnum):
    """What the public could see of a record when a version was captured."""

    LIVE = "live"  # as first published
    EDITED = "edited"  # its author changed it after publication
    HIDDEN = "hidden"  # hidden from the public on the platform (still there)
    REMOVED = "removed"  # removed by the PIO through piodesk (§.20)
    DELETED = "deleted"  # gone from the platform (by its author, or found missing)


def state_of(
    fields: Mapping[str, Any],
    *,
    text: str | None,
    edited: bool,
    first_text: str | None,
    previous: ItemState | None,
) -> ItemState:
    """The state a new version records, from its fields and the record's history.

    Connectors report hiding as ``fields["hidden"]`` and deletion as ``fields["deleted"]``
    (or by the record's disappearance, which the archive records as DELETED itself);
    ``fields["removed"]`` marks a removal decided in piodesk. An edit is an ``edited_at`` time or
    a text that differs from the first version's.
    """
    if fields.get("removed"):
        return ItemState.REMOVED
    if fields.get("deleted"):
        return ItemState.DELETED
    if fields.get("hidden"):
        return ItemState.HIDDEN
    if edited or (previous is not None and text != first_text):
        return ItemState.EDITED
    return ItemState.LIVE
