"""What every moderation action shares: finding the case and page, reaching the platform,
and recording on the archive what piodesk did there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.capture import capture
from piodesk.archive.observe import head_version, observed
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.base import Connector
from piodesk.connectors.credentials import CredentialError
from piodesk.core import clock
from piodesk.core.errors import Conflict, InvalidInput
from piodesk.moderation.model import NO_VIOLATION, REASONS
from piodesk.pages.actions import is_usable
from piodesk.pages.tables import Page

#: Finds the connector that reaches a page's platform (the web app passes factory.build).
Connect = Callable[[Page], Connector]


def registered_page(session: Session, page_id: int | None) -> Page:
    """The department page a case or person is on, or a clear refusal."""
    page = session.get(Page, page_id) if page_id is not None else None
    if page is None:
        raise Conflict("this case is not on one of the department's registered pages")
    return page


def connector_of(connect: Connect, page: Page) -> Connector:
    """The connector for an approved page, or a refusal a person can act on."""
    if not is_usable(page):
        raise Conflict(f"page {page.name} is {page.state}: piodesk acts on approved pages only")
    try:
        return connect(page)
    except KeyError as exc:
        raise Conflict(str(exc)) from None
    except CredentialError as exc:
        raise Conflict(
            f"{page.name}: {exc}; reconnect the page (piodesk page connect) and retry"
        ) from None


def unsupported(platform: str, what: str, hint: str = "") -> InvalidInput:
    """The refusal for an action the platform does not offer."""
    return InvalidInput(f"{platform} does not let piodesk {what}{'; ' + hint if hint else ''}")


def record_state(
    session: Session,
    item: ArchiveItem,
    *,
    changes: dict[str, Any],
    drop: tuple[str, ...] = (),
    observation: dict[str, Any],
    source: str,
) -> int | None:
    """Add a version to an archived record saying what piodesk did to it on the platform.

    The new version repeats the last one's text and author, with ``changes`` applied to its
    fields, and an observation (what, who, why) as its raw payload: the archive keeps the
    comment with every version, including the one that says it was removed and by which case.
    """
    last = head_version(session, item)
    fields = {k: v for k, v in last.fields.items() if k not in drop}
    fields.update(changes)
    captured = observed(
        item,
        last,
        fields=fields,
        observation={**observation, "recorded_at": clock.now().isoformat()},
    )
    report = capture(session, [captured], source=source, page_id=item.page_id)
    if not report.new_versions:
        return None
    return session.execute(
        select(ArchiveVersion.seq).where(
            ArchiveVersion.item_id == item.id, ArchiveVersion.version == item.head_version + 1
        )
    ).scalar_one()


def check_category(value: str) -> str:
    """A warning's or block's §.20 category, or a clear refusal."""
    if value not in REASONS or value == NO_VIOLATION:
        raise InvalidInput(
            f"a warning or block rests on one of the eight §.20 categories (got '{value[:40]}')"
        )
    return value
