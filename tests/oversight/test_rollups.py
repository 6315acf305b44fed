"""The transparency report's monthly roll-ups say exactly what the live report says, and a
closed month touched by a later record is computed from the records until rolled up again."""

from __future__ import annotations

from datetime import datetime

from piodesk.core.db import reading
from piodesk.core.permissions import Role
from piodesk.oversight import reports, rollups
from piodesk.oversight.reports import Period
from tests.oversight.test_reports import THANKS, Site, Story, at


def _report(site: Site, page: int | None = None) -> reports.TransparencyReport:
    with reading(site.sessions) as s:
        return reports.transparency(
            s,
            actor=site.staff[Role.AUDITOR],
            month_from="2026-02",
            month_to="2026-05",
            page_id=page,
        )


def _usable(site: Site) -> set[str]:
    with reading(site.sessions) as s:
        return set(rollups.usable(s, Period("2026-01", "2026-12")))


def test_rolled_up_months_read_the_same_as_the_records(
    site: Site, story: Story, now: list[datetime]
) -> None:
    now[0] = at("2026-05-15 10:00")
    live = _report(site)
    live_page = _report(site, site.page_ids["community"])
    assert _usable(site) == set()  # the job has not run: every month from the records

    done = rollups.refresh_rollups(site.sessions, None)
    assert done.rolled == ["2026-03", "2026-04"]  # closed months with records; May is current
    assert _usable(site) == {"2026-03", "2026-04"}
    assert _report(site) == live
    assert _report(site, site.page_ids["community"]) == live_page
    again = rollups.refresh_rollups(site.sessions, None)
    assert again.rolled == [] and again.kept == 2


def test_a_closed_month_changed_later_is_computed_live_until_rolled_again(
    site: Site, story: Story, now: list[datetime]
) -> None:
    now[0] = at("2026-05-15 10:00")
    rollups.refresh_rollups(site.sessions, None)
    before = {m.month: m for m in _report(site).months}
    assert before["2026-03"].captured == 4

    # A comment dated in March arrives after the roll-up (the clock stands in for a late record).
    now[0] = at("2026-03-20 10:00")
    site.comment("community", "Flo", THANKS)
    now[0] = at("2026-05-15 11:00")
    assert _usable(site) == {"2026-04"}  # March is stale; April untouched
    after = _report(site)
    assert {m.month: m for m in after.months}["2026-03"].captured == 5

    assert rollups.refresh_rollups(site.sessions, None).rolled == ["2026-03"]
    assert _usable(site) == {"2026-03", "2026-04"}
    assert _report(site) == after
