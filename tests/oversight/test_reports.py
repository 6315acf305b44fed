"""The transparency and consistency reports, from real data flows on both databases.

Comments are left on sandbox pages, ingested into the archive, screened into cases by intake,
and decided, warned and blocked through the moderation actions at controlled times; the
reports must then say exactly what happened, in the service, the CSV and the JSON alike.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.ingest import ingest_page
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem
from piodesk.connectors.model import CapturedItem, ItemKind
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core import clock
from piodesk.core.db import reading, transaction
from piodesk.core.errors import InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.demo import open_sandbox_page
from piodesk.moderation import actions
from piodesk.moderation.intake import intake_all
from piodesk.moderation.tables import Case
from piodesk.oversight import reports
from piodesk.oversight.reports import MonthTotal, Period
from piodesk.oversight.routes import _cell, chart
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.pages.tables import Page
from piodesk.screening.engine import default_screener
from tests.conftest import JUSTIFICATION
from tests.web.conftest import bearer, client, tokens  # noqa: F401 (fixtures)

PHONE = "Call me at 719-555-0134 for cheap tickets to the game tonight, best seats in town"
PHONE_SHOUTED = (
    "call me at 719-555-0134 for CHEAP tickets to the game tonight!!  best seats in town"
)
PHONE_CITY = "Call me at 719-555-0134 for cheap tickets to the game tonight, best seats in the city"
SWEARING = "This is fucking bullshit, the chief is a clown"
SWEARING_AGAIN = "This is FUCKING bullshit... the chief is a clown!!!"
COUNCIL = "What a shitty decision by the council, fucking ridiculous"
THANKS = "Thanks for the update on the road closure"


def at(text: str) -> datetime:
    """A UTC instant written 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@pytest.fixture
def now() -> Iterator[list[datetime]]:
    """The clock, set by assigning ``now[0]``."""
    moment = [at("2026-03-02 10:00")]
    clock.set_clock(lambda: moment[0])
    yield moment
    clock.set_clock(None)


@dataclass
class Site:
    """Two approved sandbox pages and what it takes to comment, ingest, screen and decide."""

    sessions: sessionmaker[Session]
    staff: Any
    media: MediaStore
    page_ids: dict[str, int]
    posts: dict[str, int] = field(default_factory=dict)

    def connect(self, page: Page) -> SandboxConnector:
        return SandboxConnector(self.sessions, page.handle)

    def comment(self, handle: str, who: str, body: str) -> int:
        """Leave a comment on the page's post, ingest and screen; the comment's case id."""
        with transaction(self.sessions) as s:
            page = platform.find_page(s, handle)
            assert page is not None
            if handle not in self.posts:
                self.posts[handle] = platform.add_post(s, page, "Road closure update").id
            comment = platform.add_comment(
                s, page, self.posts[handle], visitor_id=f"v-{who}", visitor_name=who, body=body
            )
            platform_id = str(comment.id)
        ingest_page(
            self.sessions,
            self.page_ids[handle],
            SandboxConnector(self.sessions, handle),
            media=self.media,
        )
        intake_all(self.sessions, default_screener())
        with reading(self.sessions) as s:
            case_id = s.execute(
                select(Case.id)
                .join(ArchiveItem, ArchiveItem.id == Case.item_id)
                .where(ArchiveItem.platform_id == platform_id, ArchiveItem.kind == "comment")
            ).scalar()
        return case_id or 0  # 0: screening found nothing, no case

    def decide(self, case_id: int, action: str, reason: str) -> None:
        note = "" if action == "keep" else "meets the category: see the highlighted words"
        actions.decide(
            self.sessions,
            case_id,
            action=action,
            reason=reason,
            note=note,
            actor=self.staff[Role.PIO],
            connect=self.connect,
        )

    def restore(self, case_id: int) -> None:
        actions.restore(
            self.sessions,
            case_id,
            note="on a second look this is protected criticism",
            reason="no_violation",
            actor=self.staff[Role.PIO],
            connect=self.connect,
        )


@pytest.fixture
def site(
    sessions: sessionmaker[Session], staff, agency: Agency, tmp_path: Path, now: list[datetime]
) -> Site:
    ids = {}
    with transaction(sessions) as s:
        for handle, name in (("community", "Community"), ("traffic", "Traffic Alerts")):
            page = pages.register_page(
                s,
                actor=staff[Role.PIO],
                agency=agency,
                platform="sandbox",
                handle=handle,
                name=name,
                administering_unit="Public Affairs",
            )
            open_sandbox_page(s, page)
            pages.approve_page(s, page.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
            ids[handle] = page.id
    return Site(sessions, staff, MediaStore(tmp_path / "media"), ids)


# ---- transparency ----------------------------------------------------------------------------


@dataclass
class Story:
    """The cases of the transparency scenario."""

    phone: int
    swearing: int
    council: int
    traffic: int


@pytest.fixture
def story(site: Site, now: list[datetime]) -> Story:
    """March: four comments on Community, three flagged; a removal after 2 h, a hide after
    6 h, a keep after 24 h; the swearer warned, then blocked. April: the hide is restored, and
    Traffic Alerts gets a comment removed after an hour."""
    now[0] = at("2026-03-02 10:00")
    phone = site.comment("community", "Ana", PHONE)  # pii + solicitation
    swearing = site.comment("community", "Ben", SWEARING)  # profanity
    assert site.comment("community", "Cy", THANKS) == 0  # not flagged
    council = site.comment("community", "Di", COUNCIL)  # profanity
    now[0] = at("2026-03-02 12:00")
    site.decide(phone, "remove", "pii")
    # The block below rests on counsel's concurrence (the person posts no second violation).
    with transaction(site.sessions) as s:
        consultation = actions.consult(
            s, swearing, question="May we block this person now?", actor=site.staff[Role.PIO]
        )
        advice = actions.advise(
            s,
            consultation.id,
            advice="Yes: repeated profanity aimed at people; a block is defensible.",
            recommends="hide",
            concurs_block=True,
            actor=site.staff[Role.LEGAL],
        )
        advice_id = advice.id
    now[0] = at("2026-03-02 16:00")
    site.decide(swearing, "hide", "profanity")
    now[0] = at("2026-03-03 10:00")
    site.decide(council, "keep", "no_violation")
    actions.warn(
        site.sessions,
        case_id=swearing,
        category="profanity",
        explanation="Profanity is removed from the department's page.",
        actor=site.staff[Role.PIO],
        connect=site.connect,
    )
    now[0] = at("2026-03-04 09:00")
    actions.block(
        site.sessions,
        case_id=swearing,
        category="profanity",
        reason="Kept posting profanity after the warning.",
        actor=site.staff[Role.PIO],
        connect=site.connect,
        review_days=30,
        concurrence_id=advice_id,
    )
    now[0] = at("2026-04-05 08:00")
    site.restore(swearing)
    now[0] = at("2026-04-10 08:00")
    traffic = site.comment("traffic", "Ed", "You fucking idiots closed the wrong road")
    now[0] = at("2026-04-10 09:00")
    site.decide(traffic, "remove", "profanity")
    return Story(phone, swearing, council, traffic)


def _rows(report: reports.TransparencyReport) -> dict[tuple[str, str, str], dict[str, Any]]:
    out = {}
    for r in report.rows:
        d = r.as_dict()
        out[(d.pop("month"), d.pop("page_name"), d.pop("category"))] = d
    return out


def _zero(**values: Any) -> dict[str, Any]:
    """A row's counts, all nothing but ``values``: the report's own row, as JSON gives it."""
    base = reports.TransparencyRow("", None, "", reports.ALL).as_dict()
    for key in ("month", "page_id", "page_name", "category"):
        del base[key]
    base.update(values)
    return base


def test_transparency_counts_what_happened(site: Site, story: Story) -> None:
    community, traffic = site.page_ids["community"], site.page_ids["traffic"]
    with reading(site.sessions) as s:
        report = reports.transparency(
            s, actor=site.staff[Role.AUDITOR], month_from="2026-03", month_to="2026-04"
        )
    rows = _rows(report)
    for key in rows:
        rows[key].pop("page_id")
    march, april = "2026-03", "2026-04"
    expected = {
        # Four comments captured, three flagged; one removed (2 h), one hidden (6 h), one
        # kept (24 h): median 6 h. One warning, one block.
        (march, "Community", "all"): _zero(
            captured=4,
            flagged=3,
            kept=1,
            hidden=1,
            removed=1,
            warnings=1,
            blocks=1,
            decided=3,
            median_hours_to_decision=6.0,
        ),
        # The removal rests on pii; the case was also flagged for solicitation.
        (march, "Community", "pii"): _zero(
            flagged=1, removed=1, decided=1, median_hours_to_decision=2.0
        ),
        (march, "Community", "solicitation"): _zero(
            flagged=1, decided=1, median_hours_to_decision=2.0
        ),
        # The hide rests on profanity; the keep counts under the category it was flagged for.
        (march, "Community", "profanity"): _zero(
            flagged=2,
            kept=1,
            hidden=1,
            warnings=1,
            blocks=1,
            decided=2,
            median_hours_to_decision=15.0,
        ),
        # April: the hide restored (no new case, no new first decision).
        (april, "Community", "all"): _zero(captured=0, restored=1),
        (april, "Community", "profanity"): _zero(restored=1),
        (april, "Traffic Alerts", "all"): _zero(
            captured=1, flagged=1, removed=1, decided=1, median_hours_to_decision=1.0
        ),
        (april, "Traffic Alerts", "profanity"): _zero(
            flagged=1, removed=1, decided=1, median_hours_to_decision=1.0
        ),
    }
    assert rows == expected
    # Rows come month by month, page by page, "all" first.
    assert [(r.month, r.page_id, r.category) for r in report.rows][:2] == [
        (march, community, "all"),
        (march, community, "profanity"),  # then the §.20 categories in the policy's order
    ]
    assert report.rows[-2].page_id == traffic
    totals = {m.month: m for m in report.months}
    assert (totals[march].flagged, totals[march].decided, totals[march].captured) == (3, 3, 4)
    assert (totals[april].removed, totals[april].restored, totals[april].captured) == (1, 1, 1)
    assert totals[march].median_hours_to_decision == 6.0


def test_transparency_filters_by_month_and_page(site: Site, story: Story) -> None:
    auditor = site.staff[Role.AUDITOR]
    with reading(site.sessions) as s:
        april = reports.transparency(s, actor=auditor, month_from="2026-04", month_to="2026-04")
        traffic = reports.transparency(
            s,
            actor=auditor,
            month_from="2026-01",
            month_to="2026-06",
            page_id=site.page_ids["traffic"],
        )
        empty = reports.transparency(s, actor=auditor, month_from="2025-01", month_to="2025-12")
    assert {r.month for r in april.rows} == {"2026-04"}
    assert {r.page_name for r in traffic.rows} == {"Traffic Alerts"}
    assert [m.month for m in traffic.months] == [f"2026-0{n}" for n in range(1, 7)]
    assert empty.rows == [] and len(empty.months) == 12
    assert all(m.flagged == 0 and m.median_hours_to_decision is None for m in empty.months)


def test_imported_history_is_not_counted_as_captured(site: Site, story: Story) -> None:
    """An old export brought into the archive is a record, not March's moderation work."""
    with transaction(site.sessions) as s:
        capture(
            s,
            [
                CapturedItem(
                    kind=ItemKind.COMMENT,
                    platform="sandbox",
                    platform_id="imported-1",
                    raw=b"{}",
                    text="an old comment from the platform's export",
                )
            ],
            source="import:export.zip",
            page_id=site.page_ids["community"],
        )
        rows = _rows(
            reports.transparency(
                s, actor=site.staff[Role.PIO], month_from="2026-03", month_to="2026-03"
            )
        )
    assert rows[("2026-03", "Community", "all")]["captured"] == 4


def test_replies_and_reports_of_uncaptured_links_count(site: Site, now: list[datetime]) -> None:
    """A reply is a captured comment too; an employee's report of a link piodesk never
    captured is flagged work with no page, and has no text for the consistency report."""
    now[0] = at("2026-06-01 09:00")
    site.comment("community", "Ana", THANKS)
    with transaction(site.sessions) as s:
        page = platform.find_page(s, "community")
        assert page is not None
        first = s.execute(select(ArchiveItem.platform_id).where(ArchiveItem.kind == "comment"))
        parent = int(first.scalar_one())
        platform.add_comment(
            s,
            page,
            site.posts["community"],
            visitor_id="v-Bo",
            visitor_name="Bo",
            body="Agreed, thanks",
            parent_comment_id=parent,
        )
        report = actions.file_report(
            s,
            reason="This post elsewhere threatens an officer by name",
            actor=site.staff[Role.EMPLOYEE],
            url="https://elsewhere.example/post/1",
            category="threat",
        )
        reported_case = report.case_id
    ingest_page(
        site.sessions,
        site.page_ids["community"],
        SandboxConnector(site.sessions, "community"),
        media=site.media,
    )
    now[0] = at("2026-06-01 13:00")
    site.decide(reported_case, "keep", "no_violation")
    with reading(site.sessions) as s:
        rows = _rows(
            reports.transparency(
                s, actor=site.staff[Role.PIO], month_from="2026-06", month_to="2026-06"
            )
        )
        consistency = reports.consistency(
            s, actor=site.staff[Role.PIO], month_from="2026-06", month_to="2026-06"
        )
    assert rows[("2026-06", "Community", "all")]["captured"] == 2  # the comment and its reply
    no_page = rows[("2026-06", "(no page)", "all")]
    assert (no_page["page_id"], no_page["flagged"], no_page["kept"]) == (None, 1, 1)
    assert no_page["median_hours_to_decision"] == 4.0
    assert rows[("2026-06", "(no page)", "threat")]["kept"] == 1
    assert consistency.compared == 0  # a link with no captured text is not compared


def test_period_defaults_and_bad_months(now: list[datetime]) -> None:
    now[0] = at("2026-02-14 12:00")
    assert Period.of() == Period("2025-03", "2026-02")
    assert Period.of("2025-11", "2026-01").months() == ["2025-11", "2025-12", "2026-01"]
    assert Period.of(month_to="2026-12").first == "2026-01"
    for bad in ("2026-13", "2026-1", "March", "2026-03-01", ""):
        with pytest.raises(InvalidInput, match="YYYY-MM"):
            Period.of(bad or "x")
    with pytest.raises(InvalidInput, match="after"):
        Period.of("2026-05", "2026-04")
    with pytest.raises(InvalidInput, match="at most"):
        Period.of("2000-01", "2026-01")


def test_csv_and_json_say_the_same_as_the_service(
    site: Site,
    story: Story,
    client: TestClient,  # noqa: F811
    tokens,  # noqa: F811
) -> None:
    params = {"from": "2026-03", "to": "2026-04"}
    with reading(site.sessions) as s:
        report = reports.transparency(
            s, actor=site.staff[Role.PIO], month_from="2026-03", month_to="2026-04"
        )
    expected = [r.as_dict() for r in report.rows]

    response = client.get(
        "/moderation/transparency.csv", params=params, headers=bearer(tokens[Role.RECORDS])
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "piodesk-transparency-2026-03-to-2026-04.csv" in disposition
    parsed = list(csv.DictReader(io.StringIO(response.text)))
    assert list(parsed[0]) == list(reports.ROW_FIELDS)

    def typed(row: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in row.items():
            if k in ("month", "page_name", "category"):
                out[k] = v
            elif k == "median_hours_to_decision":
                out[k] = float(v) if v else None
            else:
                out[k] = int(v) if v else None
        return out

    assert [typed(r) for r in parsed] == expected

    response = client.get(
        "/api/v1/moderation/transparency", params=params, headers=bearer(tokens[Role.CHIEF])
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["month_from"], body["month_to"], body["page_id"]) == ("2026-03", "2026-04", None)
    assert body["rows"] == expected
    assert [m["month"] for m in body["months"]] == ["2026-03", "2026-04"]

    page = {"page": str(site.page_ids["traffic"]), **params}
    response = client.get(
        "/api/v1/moderation/transparency", params=page, headers=bearer(tokens[Role.LEGAL])
    )
    assert {r["page_name"] for r in response.json()["rows"]} == {"Traffic Alerts"}
    bad = client.get(
        "/api/v1/moderation/transparency",
        params={"from": "2026-3"},
        headers=bearer(tokens[Role.PIO]),
    )
    assert bad.status_code == 422 and "YYYY-MM" in bad.json()["error"]


def test_transparency_page_draws_the_chart_without_inline_style(
    site: Site,
    story: Story,
    client: TestClient,  # noqa: F811
    tokens,  # noqa: F811
) -> None:
    response = client.get(
        "/moderation/transparency",
        params={"from": "2026-03", "to": "2026-04"},
        headers=bearer(tokens[Role.PIO]),
    )
    assert response.status_code == 200
    html = response.text
    assert '<svg id="transparency-chart"' in html
    assert 'class="bar-removed"' in html and 'class="bar-restored"' in html
    assert "2026-03: 1 removed" in html and "2026-04: 1 restored" in html
    assert "style=" not in html and "<script>" not in html  # the CSP allows neither
    assert 'href="/moderation/transparency.csv?from=2026-03&amp;to=2026-04"' in html
    assert 'href="/api/v1/moderation/transparency?from=2026-03&amp;to=2026-04"' in html
    assert re.search(r"<td class=\"month\">2026-03</td><td>Community</td><td>all</td>", html)
    assert 'href="/moderation/consistency"' in html  # the nav offers both reports
    totals = html[html.index('id="month-totals"') : html.index('id="transparency-table"')]
    assert re.search(
        r'<td class="month">2026-03</td><td class="num">4</td><td class="num">3</td>', totals
    )


def test_csv_cells_never_run_as_formulas() -> None:
    assert [_cell(v) for v in ("=HYPERLINK(1)", "+1", "@x", "Traffic", None, 3, 1.5)] == [
        "'=HYPERLINK(1)",
        "'+1",
        "'@x",
        "Traffic",
        "",
        3,
        1.5,
    ]


def test_chart_geometry_is_proportional() -> None:
    months = [MonthTotal("2026-01", kept=2, removed=2, flagged=5), MonthTotal("2026-02")]
    drawn = chart(months, width=400, height=200)
    kept, removed = drawn.bars
    assert (kept.css, removed.css) == ("bar-kept", "bar-removed")
    assert kept.height == removed.height  # 2 and 2 on the same scale
    assert removed.y + removed.height == pytest.approx(kept.y)  # stacked
    # Four gridlines of a round step (1, 2, 5 × 10^n) reach past the peak of 5.
    assert [value for _, value in drawn.gridlines] == [0, 2, 4, 6, 8]
    assert kept.height == pytest.approx(drawn.gridlines[0][0] - drawn.gridlines[1][0])
    assert len(drawn.flagged) == 1 and [m for _, m in drawn.labels] == ["2026-01", "2026-02"]


@pytest.mark.parametrize("role", [Role.CADRE, Role.EMPLOYEE, Role.SUPERVISOR, Role.ADMIN])
def test_reports_are_refused_outside_the_offices_that_read_them(
    role: Role,
    site: Site,
    client: TestClient,  # noqa: F811
    tokens,  # noqa: F811
) -> None:
    actor = site.staff[role]
    with reading(site.sessions) as s:
        with pytest.raises(PermissionDenied):
            reports.transparency(s, actor=actor)
        with pytest.raises(PermissionDenied):
            reports.consistency(s, actor=actor)
    for path in (
        "/moderation/transparency",
        "/moderation/transparency.csv",
        "/moderation/consistency",
        "/api/v1/moderation/transparency",
        "/api/v1/moderation/consistency",
    ):
        response = client.get(path, headers=bearer(tokens[role]))
        assert response.status_code == 403, path
        assert "may not read the moderation reports" in response.text
    home = client.get("/", headers=bearer(tokens[role]))
    assert "/moderation/transparency" not in home.text


def test_anonymous_is_sent_to_sign_in(client: TestClient) -> None:  # noqa: F811
    assert client.get("/moderation/transparency").status_code == 303
    assert client.get("/moderation/transparency.csv").status_code == 303
    assert client.get("/api/v1/moderation/consistency").status_code == 401


# ---- consistency -----------------------------------------------------------------------------


def test_consistency_pairs_near_identical_comments_decided_differently(
    site: Site,
    now: list[datetime],
    client: TestClient,  # noqa: F811
    tokens,  # noqa: F811
) -> None:
    now[0] = at("2026-05-04 09:00")
    phone = site.comment("community", "Ana", PHONE)
    shouted = site.comment("community", "Bo", PHONE_SHOUTED)  # the same after normalizing
    city = site.comment("community", "Cy", PHONE_CITY)  # one word pair in six changed
    swearing = site.comment("community", "Di", SWEARING)
    council = site.comment("community", "Ed", COUNCIL)  # dissimilar to the swearing
    again = site.comment("traffic", "Flo", SWEARING_AGAIN)
    assert 0 not in (phone, shouted, city, swearing, council, again)
    now[0] = at("2026-05-04 11:00")
    site.decide(phone, "remove", "pii")
    site.decide(shouted, "keep", "no_violation")
    site.decide(city, "remove", "pii")  # same outcome as the first: no pair between them
    site.decide(swearing, "hide", "profanity")
    site.decide(council, "keep", "no_violation")
    site.decide(again, "hide", "profanity")  # same text, same outcome: no pair yet

    def run(**kw: Any) -> reports.ConsistencyReport:
        with reading(site.sessions) as s:
            return reports.consistency(
                s, actor=site.staff[Role.PIO], month_from="2026-05", month_to="2026-05", **kw
            )

    report = run()
    assert report.compared == 6
    found = [(p.a.case_id, p.b.case_id, p.similarity) for p in report.pairs]
    assert found == [(phone, shouted, 1.0), (shouted, city, pytest.approx(0.833, abs=1e-3))]
    first = report.pairs[0]
    assert (first.a.outcome, first.b.outcome) == ("removed", "kept")
    assert (first.a.reason, first.b.reason) == ("pii", "no_violation")
    assert (first.a.text, first.b.text) == (PHONE, PHONE_SHOUTED)
    assert first.a.decided_by == "pio" and first.a.page_name == "Community"
    assert report.total_pairs == 2

    # Restoring one of two identical hidden comments makes them unequal: restored is an
    # outcome of its own, and only the latest decision counts.
    now[0] = at("2026-05-05 10:00")
    site.restore(swearing)
    report = run()
    assert [(p.a.case_id, p.b.case_id) for p in report.pairs] == [
        (swearing, again),
        (phone, shouted),
        (shouted, city),
    ]  # most similar first; among equals, the most recently decided
    restored = report.pairs[0]
    assert (restored.a.outcome, restored.a.action) == ("restored", "restore")
    assert (restored.b.outcome, restored.b.page_name) == ("hidden", "Traffic Alerts")

    on_traffic = run(page_id=site.page_ids["traffic"])
    assert [(p.a.case_id, p.b.case_id) for p in on_traffic.pairs] == [(swearing, again)]
    assert on_traffic.total_pairs == 1
    assert run(threshold=0.9).total_pairs == 2  # the 0.83 pair drops out
    assert run(limit=1).truncated

    with reading(site.sessions) as s:
        earlier = reports.consistency(
            s, actor=site.staff[Role.AUDITOR], month_from="2026-01", month_to="2026-04"
        )
    assert earlier.compared == 0 and earlier.pairs == []

    response = client.get(
        "/api/v1/moderation/consistency",
        params={"from": "2026-05", "to": "2026-05"},
        headers=bearer(tokens[Role.AUDITOR]),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total_pairs"] == 3 and body["compared"] == 6 and body["threshold"] == 0.8
    top = body["pairs"][0]
    assert (top["a"]["case_id"], top["b"]["case_id"], top["similarity"]) == (swearing, again, 1.0)
    assert top["a"]["case_url"] == f"/moderation/cases/{swearing}"
    assert top["b"]["text"] == SWEARING_AGAIN and top["b"]["decided_by"] == "pio"

    one = client.get(
        "/api/v1/moderation/consistency",
        params={"from": "2026-05", "to": "2026-05", "limit": "1"},
        headers=bearer(tokens[Role.AUDITOR]),
    ).json()
    assert (len(one["pairs"]), one["total_pairs"]) == (1, 3)

    page = client.get(
        "/moderation/consistency",
        params={"from": "2026-05", "to": "2026-05"},
        headers=bearer(tokens[Role.LEGAL]),
    )
    assert page.status_code == 200
    for case_id in (swearing, again, phone, shouted, city):
        assert f'href="/moderation/cases/{case_id}"' in page.text
    assert f'href="/moderation/cases/{council}"' not in page.text
    assert "3 pairs decided differently" in page.text and "style=" not in page.text
    bad = client.get(
        "/api/v1/moderation/consistency",
        params={"similarity": "0.1"},
        headers=bearer(tokens[Role.PIO]),
    )
    assert bad.status_code == 422


# ---- the similarity machinery (pure) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Hello,   WORLD!!", "hello world", True),
        ("ﬁne — really", "fine really", True),  # NFKC folds the ligature
        ("snake_case", "snake case", True),
        ("719-555-0134", "719 555 0134", True),
        ("hello world", "hello there world", False),
    ],
)
def test_normalize(a: str, b: str, same: bool) -> None:
    assert (reports.normalize(a) == reports.normalize(b)) is same


def test_shingles_and_jaccard() -> None:
    assert reports.shingles("one") == {"one"}
    assert reports.shingles("a b c") == {"a b", "b c"}
    assert reports.jaccard(frozenset({"a b", "b c"}), frozenset({"a b", "b d"})) == 1 / 3
    sa = reports.shingles(reports.normalize(PHONE))
    sb = reports.shingles(reports.normalize(PHONE_CITY))
    assert reports.jaccard(sa, sb) == 15 / 18


def test_bands_find_pairs_at_the_threshold() -> None:
    assert reports.bands_for(0.8) == (12, 5)
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
        bands, rows = reports.bands_for(threshold)
        assert bands * rows <= reports.NUM_PERM
        assert 1 - (1 - threshold**rows) ** bands >= 0.99


def test_hashed_shingles_are_the_word_bigrams() -> None:
    texts = [reports.normalize(t) for t in (PHONE, PHONE_CITY, "one", "two words", SWEARING)]
    shingled = reports.shingle_all(texts)
    for i, text in enumerate(texts):
        assert len(shingled.set_of(i)) == len(reports.shingles(text))
    assert shingled.set_of(2) != shingled.set_of(3)
    same = reports.jaccard(shingled.set_of(0), shingled.set_of(1))
    assert same == reports.jaccard(reports.shingles(texts[0]), reports.shingles(texts[1]))


def test_minhash_estimates_jaccard() -> None:
    rng = random.Random(7)
    words = [f"w{i}" for i in range(300)]
    base = [rng.choice(words) for _ in range(60)]
    near = [*base[:54], *(rng.choice(words) for _ in range(6))]
    far = [rng.choice(words) for _ in range(60)]
    shingled = reports.shingle_all([" ".join(t) for t in (base, near, far)])
    sig = reports.minhash(shingled)
    assert sig.shape == (3, reports.NUM_PERM)
    estimate = float((sig[0] == sig[1]).mean())
    assert abs(estimate - reports.jaccard(shingled.set_of(0), shingled.set_of(1))) < 0.2
    assert float((sig[0] == sig[2]).mean()) < 0.15
    assert (reports.minhash(reports.shingle_all([" ".join(base)])) == sig[0]).all()  # fixed seeds


def test_candidates_come_from_buckets_not_from_every_pair() -> None:
    """Among 3,000 unrelated comments, the planted near-duplicates are found, few others are
    even compared, and buckets whose members all ended alike are skipped."""
    rng = random.Random(11)
    words = [f"w{i}" for i in range(4000)]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(12, 30))) for _ in range(3000)]
    planted = []
    for k in range(0, 60, 2):
        words_k = texts[k].split()
        words_k[-1] = "changed"  # one word in 12–30 changed at the end
        texts[k + 1] = " ".join(words_k)
        planted.append((k, k + 1))
    shingled = reports.shingle_all(texts)
    sig = reports.minhash(shingled)
    ends = [0, 2] * 1500  # alternate: removed, kept
    pairs = reports.candidate_pairs(sig, 0.8, np.array(ends))
    real = {p for p in planted if reports.jaccard(*map(shingled.set_of, p)) >= 0.8}
    assert real and real <= pairs
    assert len(pairs) < 200  # not 4.5 million
    alike = reports.candidate_pairs(sig, 0.8, np.zeros(3000, dtype=np.int64))
    assert alike == set()


def test_consistency_refuses_bad_arguments(sessions: sessionmaker[Session], staff) -> None:
    with reading(sessions) as s:
        with pytest.raises(InvalidInput, match="threshold"):
            reports.consistency(s, actor=staff[Role.PIO], threshold=0.2)
        with pytest.raises(InvalidInput, match="5,000"):
            reports.consistency(s, actor=staff[Role.PIO], limit=0)
        with pytest.raises(InvalidInput, match="YYYY-MM"):
            reports.transparency(s, actor=staff[Role.PIO], month_from="26-01")
