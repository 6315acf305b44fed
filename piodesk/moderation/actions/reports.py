"""Employee reports of a post or comment to the PIO (§.22)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.tables import ArchiveItem
from piodesk.core import audit, clock, tags
from piodesk.core.errors import InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.moderation.intake import add_categories
from piodesk.moderation.model import (
    MAX_NOTE,
    MIN_EXPLANATION,
    NO_VIOLATION,
    REASONS,
    CaseSource,
    CaseState,
)
from piodesk.moderation.queries import (
    resolve_link,
)
from piodesk.moderation.tables import (
    Case,
    Report,
)


def file_report(
    session: Session,
    *,
    reason: str,
    actor: Actor,
    item_id: int | None = None,
    url: str | None = None,
    category: str | None = None,
) -> Report:
    """An employee reports a post or comment to the PIO (§.22): by a link or an archive record.

    The report joins the open case of that record if there is one, or opens a case.
    """
    require(actor, Perm.REPORT_FILE)
    reason = clean_text(
        "the reason for the report",
        reason,
        max_len=MAX_NOTE,
        required=True,
        min_len=MIN_EXPLANATION,
    )
    url = (url or "").strip() or None
    if category is not None and category not in REASONS:
        raise InvalidInput(f"unknown category '{category[:40]}'")
    if category == NO_VIOLATION:
        category = None
    if (item_id is None) == (url is None):
        raise InvalidInput("report either a link to the post or comment, or an archive record")
    item: ArchiveItem | None = None
    if url is not None:
        if len(url) > 1000 or not url.lower().startswith(("http://", "https://", "/")):
            raise InvalidInput("the link must be a web address (http:// or https://)")
        item = resolve_link(session, url)
    else:
        item = session.get(ArchiveItem, item_id)
        if item is None:
            raise NotFound(f"no archive record {item_id}")
    case = None
    if item is not None:
        case = session.execute(
            select(Case)
            .where(Case.item_id == item.id, Case.state != CaseState.CLOSED.value)
            .order_by(Case.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    now = clock.now()
    opened = case is None
    if case is None:
        case = Case(
            page_id=item.page_id if item else None,
            item_id=item.id if item else None,
            url=url,
            platform=item.platform if item else None,
            kind=item.kind if item else None,
            author_platform_id=item.author_platform_id if item else None,
            author_name=item.author_name if item else None,
            source=CaseSource.REPORT.value,
            captured_at=item.first_captured_at if item else None,
            opened_at=now,
            state=CaseState.OPEN.value,
        )
        session.add(case)
        session.flush()
    if category:
        add_categories(session, case.id, {category})
    report = Report(
        reporter_id=actor.account_id,
        reporter_name=actor.username,
        item_id=item.id if item else None,
        url=url,
        category=category,
        reason=reason,
        case_id=case.id,
        reported_at=now,
    )
    session.add(report)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Moderation.REPORT,
        "case",
        case.id,
        reason=reason,
        section="§.22",
        data={
            "report_id": report.id,
            "item_id": report.item_id,
            "url": url,
            "category": category,
            "opened_case": opened,
        },
    )
    return report
