"""A case page notes who is looking without a write on every view (found by bench/load.py:
under SQLite each view's write queued the page behind the ingest job's writes)."""

from __future__ import annotations

from datetime import timedelta

from piodesk.core import clock
from piodesk.core.db import reading, transaction
from piodesk.core.permissions import Role
from piodesk.moderation import queries
from piodesk.moderation.actions import queue as work
from piodesk.moderation.tables import Viewer
from tests.conftest import PASSWORD
from tests.moderation.conftest import Site
from tests.web.conftest import sign_in

PHONE = "Call me at 719-555-0134 for cheap game tickets, best prices in town"


def test_presence_is_refreshed_once_a_minute_and_still_shown(site: Site, staff) -> None:
    pio, auditor = staff[Role.PIO], staff[Role.AUDITOR]
    _, case = site.flagged("Vendor", PHONE)
    with reading(site.sessions) as s:
        assert not work.viewer_noted_recently(s, case.id, auditor)  # never looked: write
    with transaction(site.sessions) as s:
        work.note_viewer(s, case.id, auditor)
    with reading(site.sessions) as s:
        assert work.viewer_noted_recently(s, case.id, auditor)  # just noted: no write
        assert queries.case_view(s, case.id, actor=pio).viewers == ["Test auditor"]
        seen = s.get(Viewer, (case.id, auditor.account_id))
        assert seen is not None
    later = clock.as_utc(seen.seen_at) + work.PRESENCE_REFRESH + timedelta(seconds=1)
    clock.set_clock(lambda: later)
    try:
        with reading(site.sessions) as s:
            assert not work.viewer_noted_recently(s, case.id, auditor)  # stale: write again
    finally:
        clock.set_clock(None)


def test_a_case_page_viewed_again_within_the_minute_writes_nothing(
    site: Site, staff, client
) -> None:
    _, case = site.flagged("Vendor", PHONE)
    pio = staff[Role.PIO]
    sign_in(client, pio.username, PASSWORD)

    def seen() -> list[object]:
        with reading(site.sessions) as s:
            return [v.seen_at for v in s.query(Viewer).filter_by(case_id=case.id)]

    assert client.get(f"/moderation/cases/{case.id}").status_code == 200
    first = seen()
    assert len(first) == 1  # the first view notes the viewer
    assert client.get(f"/moderation/cases/{case.id}").status_code == 200
    assert seen() == first  # the second, a moment later, leaves the row as it was
