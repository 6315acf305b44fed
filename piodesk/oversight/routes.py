"""The transparency and consistency reports on the web: pages, a CSV download and the JSON API.

Thin: parse the filters, call :mod:`piodesk.oversight.reports`, render. The chart is an SVG
drawn on the server (the CSP allows no script and no inline style, so its colours come from
CSS classes and its geometry from SVG attributes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy import select

from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.oversight import reports
from piodesk.oversight.reports import ROW_FIELDS, MonthTotal
from piodesk.pages.tables import Page
from piodesk.people.tables import Account
from piodesk.web.context import authenticate, ctx, current_actor, render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/moderation", tags=["moderation reports"])


def _opt(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _page_id(value: str | None) -> int | None:
    value = _opt(value)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"page is a page number, not '{value[:20]}'") from None


def _threshold(value: str | None) -> float:
    value = _opt(value)
    if value is None:
        return reports.DEFAULT_THRESHOLD
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"similarity is a number such as 0.8, not '{value[:20]}'") from None


def _pages(request: Request) -> list[tuple[int, str]]:
    with ctx(request).read() as session:
        return [
            (pid, name)
            for pid, name in session.execute(select(Page.id, Page.name).order_by(Page.name))
        ]


# ---- the chart -------------------------------------------------------------------------------

#: What each stacked bar is made of, bottom to top: (field, label, CSS class).
SERIES = (
    ("kept", "kept", "bar-kept"),
    ("hidden", "hidden", "bar-hidden"),
    ("removed", "removed", "bar-removed"),
    ("restored", "restored", "bar-restored"),
)


@dataclass(frozen=True)
class Rect:
    """One segment of a bar."""

    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Chart:
    """Decisions per month as stacked bars, flagged cases as a marker above each month."""

    width: int
    height: int
    bars: list[Rect]
    flagged: list[tuple[float, float, str]]  # x, y, title
    gridlines: list[tuple[float, int]]  # y, value
    labels: list[tuple[float, str]]  # x, month
    plot_left: int
    plot_bottom: int


def _nice_step(value: int) -> int:
    """The smallest round step (1, 2, 5 × 10^n) with four steps reaching ``value``."""
    unit = 1
    while True:
        for step in (1, 2, 5):
            if 4 * step * unit >= value:
                return step * unit
        unit *= 10


def chart(months: Sequence[MonthTotal], *, width: int = 800, height: int = 260) -> Chart:
    """The geometry of the monthly chart (drawn by the template as SVG)."""
    left, right, top, bottom = 44, 10, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([max(m.flagged, sum(getattr(m, f) for f, _, _ in SERIES)) for m in months] or [0])
    step = _nice_step(peak)
    scale_top = 4 * step
    slot = plot_w / max(len(months), 1)
    bar_w = max(min(slot * 0.6, 48), 2)
    bars, flagged, labels = [], [], []
    every = max(1, round(len(months) / 12))  # at most about twelve month labels
    for n, m in enumerate(months):
        x = left + slot * n + (slot - bar_w) / 2
        y = float(top + plot_h)
        for name, label, css in SERIES:
            value = getattr(m, name)
            if not value:
                continue
            h = plot_h * value / scale_top
            y -= h
            bars.append(
                Rect(
                    round(x, 1),
                    round(y, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    css,
                    f"{m.month}: {value} {label}",
                )
            )
        if m.flagged:
            fy = top + plot_h - plot_h * m.flagged / scale_top
            flagged.append(
                (round(x + bar_w / 2, 1), round(fy, 1), f"{m.month}: {m.flagged} flagged")
            )
        if n % every == 0:
            labels.append((round(left + slot * n + slot / 2, 1), m.month))
    gridlines = [(round(top + plot_h - plot_h * k / 4, 1), step * k) for k in range(5)]
    return Chart(width, height, bars, flagged, gridlines, labels, left, top + plot_h)


# ---- transparency ----------------------------------------------------------------------------


def _transparency(request: Request, actor: Actor, params: dict[str, str | None]) -> Any:
    with ctx(request).read() as session:
        return reports.transparency(
            session,
            actor=actor,
            month_from=_opt(params.get("from")),
            month_to=_opt(params.get("to")),
            page_id=_page_id(params.get("page")),
        )


@router.get("/moderation/transparency", response_class=HTMLResponse)
def transparency_page(request: Request) -> HTMLResponse:
    """Per month, page and category: what was captured, flagged and decided, with a chart."""
    actor = authenticate(request).actor
    require(actor, Perm.MODERATION_REPORTS)
    report = _transparency(request, actor, dict(request.query_params))
    filters = {"from": report.period.first, "to": report.period.last}
    if report.page_id is not None:
        filters["page"] = str(report.page_id)
    return render(
        request,
        "oversight/transparency.html",
        {
            "report": report,
            "chart": chart(report.months),
            "series": SERIES,
            "pages": _pages(request),
            "query": urlencode(filters),
        },
    )


def _cell(value: object) -> object:
    """A CSV cell; text that a spreadsheet would run as a formula (a page named "=…") is
    quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@router.get("/moderation/transparency.csv")
def transparency_csv(request: Request) -> Response:
    """The transparency report's rows as CSV, one header row (a spreadsheet opens it)."""
    actor = authenticate(request).actor
    report = _transparency(request, actor, dict(request.query_params))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ROW_FIELDS)
    for row in report.rows:
        writer.writerow([_cell(v) for v in row.as_dict().values()])
    name = f"piodesk-transparency-{report.period.first}-to-{report.period.last}"
    if report.page_id is not None:
        name += f"-page-{report.page_id}"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


class CountsOut(BaseModel):
    """What the transparency report counts (a page's row and a month's total alike)."""

    flagged: int
    kept: int
    hidden: int
    removed: int
    restored: int
    warnings: int
    blocks: int
    decided: int
    median_hours_to_decision: float | None
    acted_without_finding: int = 0
    acted_against_finding: int = 0


class RowOut(CountsOut):
    """One month, page and category (``all``: the page's totals for the month)."""

    month: str
    page_id: int | None
    page_name: str
    category: str
    captured: int | None


class MonthOut(CountsOut):
    """Every selected page together in one month."""

    month: str
    captured: int


class TransparencyOut(BaseModel):
    """The transparency report: the period, the page filter, its rows and monthly totals."""

    month_from: str
    month_to: str
    page_id: int | None
    rows: list[RowOut]
    months: list[MonthOut]


@api.get("/transparency", response_model=TransparencyOut)
def api_transparency(
    request: Request,
    month_from: str | None = Query(None, alias="from", description="first month, YYYY-MM"),
    month_to: str | None = Query(None, alias="to", description="last month, YYYY-MM"),
    page: str | None = Query(None, description="a page id"),
    actor: Actor = Depends(current_actor),
) -> TransparencyOut:
    """The transparency report (the same rows as the CSV); by default the last twelve months."""
    report = _transparency(request, actor, {"from": month_from, "to": month_to, "page": page})
    return TransparencyOut(
        month_from=report.period.first,
        month_to=report.period.last,
        page_id=report.page_id,
        rows=[RowOut(**r.as_dict()) for r in report.rows],
        months=[MonthOut(**vars(m)) for m in report.months],
    )


# ---- consistency -----------------------------------------------------------------------------


def _consistency(
    request: Request, actor: Actor, params: dict[str, str | None], limit: int = 200
) -> Any:
    with ctx(request).read() as session:
        return reports.consistency(
            session,
            actor=actor,
            month_from=_opt(params.get("from")),
            month_to=_opt(params.get("to")),
            page_id=_page_id(params.get("page")),
            threshold=_threshold(params.get("similarity")),
            limit=limit,
        )


@router.get("/moderation/consistency", response_class=HTMLResponse)
def consistency_page(request: Request) -> HTMLResponse:
    """Near-identical comments that were decided differently, side by side."""
    actor = authenticate(request).actor
    require(actor, Perm.MODERATION_REPORTS)
    report = _consistency(request, actor, dict(request.query_params))
    with ctx(request).read() as session:  # decisions keep usernames; pages show names
        names = {
            str(row.username): str(row.display_name)
            for row in session.execute(select(Account.username, Account.display_name))
        }
    return render(
        request,
        "oversight/consistency.html",
        {"report": report, "pages": _pages(request), "names": names},
    )


class DecidedOut(BaseModel):
    """One side of a pair: the comment, where it was, and its case's latest decision."""

    case_id: int
    page_id: int | None
    page_name: str
    text: str
    outcome: str
    action: str
    reason: str
    decided_by: str
    decided_at: str
    case_url: str


class PairOut(BaseModel):
    """Two near-identical comments whose cases ended differently."""

    similarity: float
    a: DecidedOut
    b: DecidedOut


class ConsistencyOut(BaseModel):
    """The consistency report: how many cases were compared and the pairs found."""

    month_from: str
    month_to: str
    page_id: int | None
    threshold: float
    compared: int
    total_pairs: int
    pairs: list[PairOut]


def _side(c: reports.DecidedComment) -> DecidedOut:
    return DecidedOut(**c.as_dict(), case_url=f"/moderation/cases/{c.case_id}")


@api.get("/consistency", response_model=ConsistencyOut)
def api_consistency(
    request: Request,
    month_from: str | None = Query(None, alias="from", description="first month, YYYY-MM"),
    month_to: str | None = Query(None, alias="to", description="last month, YYYY-MM"),
    page: str | None = Query(None, description="a page id: pairs with a side on it"),
    similarity: str | None = Query(None, description="Jaccard threshold, 0.5 to 1"),
    limit: int = Query(200, description="how many pairs to list, 1 to 5,000"),
    actor: Actor = Depends(current_actor),
) -> ConsistencyOut:
    """Pairs of near-identical comments whose cases got different final outcomes."""
    report = _consistency(
        request,
        actor,
        {"from": month_from, "to": month_to, "page": page, "similarity": similarity},
        limit=limit,
    )
    return ConsistencyOut(
        month_from=report.period.first,
        month_to=report.period.last,
        page_id=report.page_id,
        threshold=report.threshold,
        compared=report.compared,
        total_pairs=report.total_pairs,
        pairs=[PairOut(similarity=p.similarity, a=_side(p.a), b=_side(p.b)) for p in report.pairs],
    )


# ---- the public page (no sign-in) ------------------------------------------------------------


@router.get("/transparency", response_class=HTMLResponse)
def public_transparency_page(request: Request) -> HTMLResponse:
    """Anyone: the monthly figures per page and category, and the consistency figures (no
    comment text, case or person)."""
    from piodesk.moderation.model import REASONS

    params = request.query_params
    with ctx(request).read() as session:
        figures = reports.public_figures(
            session, month_from=_opt(params.get("from")), month_to=_opt(params.get("to"))
        )
    labels = {k: v for k, v in REASONS.items() if k != "no_violation"}
    labels["all"] = "All categories"
    return render(request, "oversight/public.html", {"f": figures, "category_labels": labels})
