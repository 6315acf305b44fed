"""`piodesk outbox`: send due deliveries, a publication's status, retry and resolve a page."""

from __future__ import annotations

from sqlalchemy import select

from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.publishing import outbox
from piodesk.publishing.outbox_tables import Delivery
from tests.moderation.test_cli import run


def test_send_status_and_retry_from_the_command_line(db_url, sessions, staff, sandbox_pages):
    with transaction(sessions) as s:
        pub = outbox.enqueue(
            s,
            actor=staff[Role.PIO],
            text="Crime prevention tip: lock your car.",
            page_ids=list(sandbox_pages.ids.values()),
            source="post:3",
        )
    code, out = run(db_url, "outbox", "send")
    assert code == 0 and "sent 3" in out, out
    pio, cadre = staff[Role.PIO].username, staff[Role.CADRE].username
    code, out = run(db_url, "outbox", "status", str(pub), "--as", pio)
    assert code == 0 and "Published" in out and "CSPD North" in out, out
    code, out = run(db_url, "outbox", "status", str(pub), "--as", cadre)
    assert code == 1 and "may not" in out

    with sessions() as s:
        first = s.execute(select(Delivery).where(Delivery.publication_id == pub)).scalars().first()
        assert first is not None
    code, out = run(db_url, "outbox", "retry", str(first.id), "--as", pio)
    assert code == 1 and "only a failed page" in out  # a published page is never sent again
    assert all(len(sandbox_pages.posts(h)) == 1 for h in sandbox_pages.ids)
