"""Page administrators (§.04): pages are "administered by the Public Affairs Section or another
appropriate unit as determined by the chief". The chief sets each page's unit and the people
who administer it; a page-limited PIO designee's scope follows: assigning them adds the page
to their scope, removing them takes it away (the chief is the approver, so no second grant).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.core.text import clean_line
from piodesk.pages.tables import Page
from piodesk.people.lookup import get_account
from piodesk.people.tables import Account, AccountPageScope
from piodesk.program.model import FieldErrors
from piodesk.program.tables import PageAdministrator


def _page(session: Session, page_id: int) -> Page:
    page = session.get(Page, page_id)
    if page is None:
        raise NotFound(f"no page {page_id}")
    return page


def administrators(session: Session, page_id: int) -> list[tuple[PageAdministrator, Account]]:
    """The people who administer a page, by name."""
    return [
        (a, acc)
        for a, acc in session.execute(
            select(PageAdministrator, Account)
            .join(Account, Account.id == PageAdministrator.account_id)
            .where(PageAdministrator.page_id == page_id)
            .order_by(Account.display_name)
        ).all()
    ]


def administrators_by_page(session: Session) -> dict[int, list[str]]:
    """Every page's administrators' names (for the registry list)."""
    out: dict[int, list[str]] = {}
    for page_id, name in session.execute(
        select(PageAdministrator.page_id, Account.display_name)
        .join(Account, Account.id == PageAdministrator.account_id)
        .order_by(Account.display_name)
    ).all():
        out.setdefault(page_id, []).append(name)
    return out


def set_unit(session: Session, page_id: int, *, actor: Actor, unit: str) -> Page:
    """The chief determines the unit that administers a page."""
    require(actor, Perm.PAGE_ADMINISTRATORS)
    page = _page(session, page_id)
    try:
        value = clean_line("administering unit", unit, max_len=200, required=True)
    except InvalidInput as exc:
        raise FieldErrors({"unit": exc.message}) from None
    before = page.administering_unit
    page.administering_unit = value
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.PAGE_UNIT,
        "page",
        page.id,
        section="§.04",
        data={"before": before, "after": value},
    )
    return page


def assign(session: Session, page_id: int, *, actor: Actor, account_id: int) -> PageAdministrator:
    """The chief names a person who administers the page."""
    require(actor, Perm.PAGE_ADMINISTRATORS)
    page = _page(session, page_id)
    account = get_account(session, account_id)
    if not account.active:
        raise FieldErrors({"account": "person: that account is deactivated"})
    if session.execute(
        select(PageAdministrator).where(
            PageAdministrator.page_id == page.id, PageAdministrator.account_id == account.id
        )
    ).scalar_one_or_none():
        raise Conflict(f"{account.display_name} administers {page.name} already")
    row = PageAdministrator(
        page_id=page.id,
        account_id=account.id,
        assigned_by_name=f"{actor.display_name} ({actor.username})",
        assigned_at=clock.now(),
    )
    session.add(row)
    # A page-limited PIO designee's scope follows from the pages they administer.
    scoped = Role.PIO.value in {r.role for r in account.roles} and bool(account.page_scopes)
    if scoped and page.id not in {s.page_id for s in account.page_scopes}:
        account.page_scopes.append(AccountPageScope(page_id=page.id))
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.PAGE_ADMIN_ASSIGN,
        "page",
        page.id,
        section="§.04",
        data={"account_id": account.id, "scope_added": scoped},
    )
    return row


def remove(session: Session, page_id: int, *, actor: Actor, account_id: int, reason: str) -> None:
    """The chief removes a person from a page's administrators (and from a designee's scope,
    unless it would leave them with no pages, which would mean every page)."""
    require(actor, Perm.PAGE_ADMINISTRATORS)
    page = _page(session, page_id)
    account = get_account(session, account_id)
    row = session.execute(
        select(PageAdministrator).where(
            PageAdministrator.page_id == page.id, PageAdministrator.account_id == account.id
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{account.display_name} does not administer {page.name}")
    text = clean_line("reason", reason, max_len=500, required=True)
    session.delete(row)
    scopes = [s for s in account.page_scopes if s.page_id == page.id]
    narrowed = bool(scopes) and len(account.page_scopes) > 1
    if narrowed:
        account.page_scopes.remove(scopes[0])
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.PAGE_ADMIN_REMOVE,
        "page",
        page.id,
        reason=text,
        section="§.04",
        data={"account_id": account.id, "scope_removed": narrowed},
    )
