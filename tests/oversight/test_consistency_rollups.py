"""The consistency report from its roll-ups says exactly what it says from the records: before
the job has run, after it, and with cases decided, restored, reopened or newly captured since
(those come from the records until the next refresh), on both databases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piodesk.core.db import reading, transaction
from piodesk.core.permissions import Role
from piodesk.moderation import actions
from piodesk.oversight import consistency_rollups, reports, rollups
from piodesk.oversight.reports import Period
from tests.oversight.test_reports import (
    COUNCIL,
    PHONE,
    PHONE_CITY,
    PHONE_SHOUTED,
    SWEARING,
    SWEARING_AGAIN,
    THANKS,
    Site,
    at,
)

#: Report arguments compared both ways: the period, a page, other thresholds, a short list.
ASKED: list[dict[str, Any]] = [
    {},
    {"month_from": "2026-05", "month_to": "2026-05"},
    {"month_from": "2026-06", "month_to": "2026-06"},
    {"threshold": 0.6},
    {"threshold": 0.95},
    {"limit": 1},
    {"page": "traffic"},
    {"page": "community", "threshold": 0.7},
]
TICKETS = "Selling two tickets to the game tonight, best seats in town, call 719-555-0100"


def _both(site: Site, **kw: Any) -> tuple[reports.ConsistencyReport, reports.ConsistencyReport]:
    page = kw.pop("page", None)
    args = (
        kw.pop("month_from", "2026-01"),
        kw.pop("month_to", "2026-12"),
        site.page_ids[page] if page else None,
        kw.pop("threshold", reports.DEFAULT_THRESHOLD),
        kw.pop("limit", 200),
    )
    with reading(site.sessions) as s:
        return (
            reports._consistency(s, *args, rollups=True),
            reports._consistency(s, *args, rollups=False),
        )


def _agree(site: Site) -> reports.ConsistencyReport:
    for kw in ASKED:
        rolled, records = _both(site, **kw)
        assert rolled == records, kw
    return _both(site)[1]


def _rolled_cases(site: Site) -> int:
    with reading(site.sessions) as s:
        corpus = consistency_rollups.corpus(s, Period("2026-01", "2026-12"))
        assert corpus is not None
        return len(corpus.case_ids)


def test_the_rolled_up_report_says_what_the_records_say(site: Site, now: list[datetime]) -> None:
    now[0] = at("2026-05-04 09:00")
    texts = [
        ("community", PHONE, "remove", "pii"),
        ("community", PHONE_SHOUTED, "keep", "no_violation"),  # the same after normalizing
        ("community", PHONE_CITY, "remove", "pii"),
        ("community", SWEARING, "hide", "profanity"),
        ("traffic", SWEARING_AGAIN, "hide", "profanity"),
        ("community", COUNCIL, "keep", "no_violation"),
        ("traffic", TICKETS, "keep", "no_violation"),
        ("community", TICKETS + " now", "remove", "solicitation"),
    ]
    cases = []
    for n, (handle, text, _, _) in enumerate(texts):
        cases.append(site.comment(handle, f"Person {n}", text))
    assert 0 not in cases
    now[0] = at("2026-05-04 11:00")
    for case_id, (_, _, action, reason) in zip(cases, texts, strict=True):
        site.decide(case_id, action, reason)

    before = _agree(site)  # never rolled up: both ways read the records
    assert before.total_pairs >= 3 and before.compared == len(texts)
    now[0] = at("2026-06-10 09:00")
    done = rollups.refresh_rollups(site.sessions, None)
    assert done.consistency is not None
    assert (done.consistency.months, done.consistency.cases) == (["2026-05"], len(texts))
    assert _rolled_cases(site) == len(texts)
    assert _agree(site) == before

    # After the roll-up: a restoration, a late duplicate decided otherwise, a reopened case,
    # and a comment not flagged at all. Those come from the records until the next refresh.
    site.restore(cases[3])
    late = site.comment("traffic", "Late", PHONE_SHOUTED + " again")
    thanks = site.comment("community", "Thanks", THANKS)
    assert thanks == 0
    site.decide(late, "remove", "pii")
    with transaction(site.sessions) as s:
        actions.reopen(
            s, cases[5], reason="the wrong comment was kept; look again", actor=site.staff[Role.PIO]
        )
    changed = _agree(site)
    assert changed != before and changed.compared == len(texts)  # one reopened, one added
    again = rollups.refresh_rollups(site.sessions, None)
    # May (where the restored and the reopened case were) and June (where the restored and the
    # late case are now) packed again; the reopened case is in neither.
    assert again.consistency is not None
    assert (again.consistency.months, again.consistency.cases) == (["2026-05", "2026-06"], 8)
    assert _rolled_cases(site) == len(texts)
    assert _agree(site) == changed
    nothing = rollups.refresh_rollups(site.sessions, None).consistency
    assert nothing is not None and nothing.months == []
