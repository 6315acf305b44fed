"""The case page's previous / next / "n of N" come from a few indexed queries; they must say
exactly what the whole queue, listed in its order, says — threats first, ties in the opening
time settled by the case id, a closed queue latest decided first (a case closed without a
decision time last), under every filter and for a PIO designee limited to some pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock
from piodesk.core.db import reading, transaction
from piodesk.core.permissions import Role
from piodesk.moderation import actions, queries
from piodesk.moderation.queries import QueueFilter
from piodesk.moderation.tables import Case
from tests.moderation.conftest import Site

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _report(site: Site, staff, n: int, category: str | None, at: datetime) -> int:
    clock.set_clock(lambda: at)
    try:
        with transaction(site.sessions) as s:
            report = actions.file_report(
                s,
                reason=f"Report number {n}: please look at this comment",
                url=f"/sandbox/{site.handle}/posts/1#comment-{1000 + n}",
                category=category,
                actor=staff[Role.EMPLOYEE],
            )
            return report.case_id
    finally:
        clock.set_clock(None)


def _expected(ids: list[int], case_id: int) -> dict[str, object]:
    if case_id not in ids:
        return {"prev": None, "next": ids[0] if ids else None, "position": None, "total": len(ids)}
    i = ids.index(case_id)
    return {
        "prev": ids[i - 1] if i else None,
        "next": ids[i + 1] if i + 1 < len(ids) else None,
        "position": i + 1,
        "total": len(ids),
    }


def test_neighbours_agree_with_the_whole_queue(
    sessions: sessionmaker[Session], site: Site, staff
) -> None:
    categories = ["threat", None, "profanity", "threat", "pii", None, "profanity", "threat"]
    ids = []
    for n in range(16):
        # Pairs opened at the same second: the id settles their order.
        at = START + timedelta(minutes=n // 2) if n % 5 else START - timedelta(hours=n)
        ids.append(_report(site, staff, n, categories[n % len(categories)], at))
    # And cases on the page, from screening (the page filter and a designee's scope).
    for n in range(3):
        site.comment(f"Seller {n}", f"Call me at 719-555-01{n:02d} for cheap game tickets")
    site.poll()
    with reading(sessions) as s:
        on_page = [
            r.case.id
            for r in queries.queue(s, QueueFilter(page_id=site.page_id), actor=staff[Role.PIO])
        ]
    assert len(on_page) == 3
    ids += on_page
    with transaction(sessions) as s:
        for k, case_id in enumerate(ids[:6]):  # closed, some decided at the same moment
            decided = None if k == 2 else START + timedelta(hours=k // 2)
            s.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(state="closed", outcome="kept", decided_at=decided)
            )
        s.execute(update(Case).where(Case.id == ids[7]).values(state="with_counsel"))
    pio = staff[Role.PIO]
    designee = replace(pio, page_scope=frozenset({site.page_id}))
    filters = [
        QueueFilter(),
        QueueFilter(state="all"),
        QueueFilter(state="closed"),
        QueueFilter(state="with_counsel"),
        QueueFilter(category="threat"),
        QueueFilter(category="profanity", state="all"),
        QueueFilter(page_id=site.page_id),
        QueueFilter(older_than_hours=3),
    ]
    with reading(sessions) as s:
        for actor in (pio, designee):
            for flt in filters:
                order = [r.case.id for r in queries.queue(s, flt, actor=actor)]
                if flt.state in ("open", "all") and not flt.category and actor is pio:
                    assert order, flt  # the filter has cases to move through
                for case_id in ids:
                    case = s.get(Case, case_id)
                    assert case is not None
                    got = queries.neighbours(s, case, flt, actor=actor)
                    assert got == _expected(order, case_id), (flt, case_id)


def test_the_case_pages_thread_window_is_the_window_of_the_whole_thread(
    sessions: sessionmaker[Session], site: Site
) -> None:
    """The thread around a case's comment comes from a keyset window; it is the same as
    cutting the window out of the post's whole thread, for comments and replies anywhere."""
    from sqlalchemy import select

    from piodesk.archive.tables import ArchiveItem
    from piodesk.moderation.queries import THREAD_WINDOW, _thread

    comments = [site.comment(f"P{n}", f"Comment number {n} on the closure") for n in range(40)]
    for n in (0, 3, 4, 20, 38, 39):
        for k in range(n % 3 + 1):
            site.comment(f"R{n}{k}", f"Reply {k} to comment {n}", reply_to=comments[n])
    site.poll()
    with reading(sessions) as s:
        items = list(
            s.execute(
                select(ArchiveItem).where(ArchiveItem.kind.in_(("comment", "reply")))
            ).scalars()
        )
        top = sorted((i for i in items if i.kind == "comment"), key=lambda i: (i.created_at, i.id))
        replies = sorted(
            (i for i in items if i.kind == "reply"), key=lambda i: (i.created_at, i.id)
        )
        whole = [
            x
            for c in top
            for x in (c, *(r for r in replies if r.parent_platform_id == c.platform_id))
        ]
        post_id = top[0].parent_platform_id
        assert post_id is not None and len(whole) > 2 * THREAD_WINDOW + 1
        for item in items:
            at = whole.index(item)
            expected = whole[max(0, at - THREAD_WINDOW) : at + THREAD_WINDOW + 1]
            assert [x.id for x in _thread(s, item, post_id)] == [x.id for x in expected]
