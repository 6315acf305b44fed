"""Reminders of records-request deadlines: due within one working day, and overdue (§.40).

A periodic job (``piodesk.program.jobs.program_job``) calls :func:`deadline_reminders`; each
request's assignee (or, with none, every active records custodian) is told once per request,
state and due date: the notification itself is the memory (kind + link), so a run that finds
it already sent tells nobody again, and an extension's new due date is told afresh.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.people.tables import Account, AccountRole
from piodesk.program.notifications import notify
from piodesk.program.tables import Notification
from piodesk.records.requests import queries
from piodesk.records.requests.model import CLOSED
from piodesk.records.requests.queries import Desk

DUE_SOON = "records.due_soon"
OVERDUE = "records.overdue"

_CLOSED = {s.value for s in CLOSED}


def _custodians(session: Session) -> list[int]:
    return sorted(
        set(
            session.execute(
                select(Account.id)
                .join(AccountRole, AccountRole.account_id == Account.id)
                .where(AccountRole.role == Role.RECORDS.value, Account.active.is_(True))
            ).scalars()
        )
    )


def _already(session: Session, kind: str, link: str) -> bool:
    return (
        session.execute(
            select(Notification.id)
            .where(Notification.kind == kind, Notification.link == link)
            .limit(1)
        ).first()
        is not None
    )


def deadline_reminders(sessions: sessionmaker[Session], desk: Desk) -> int:
    """Tell who works each open request that it is due within a working day, or overdue;
    returns how many requests were told about (each at most once per state and due date)."""
    told = 0
    with transaction(sessions) as session:
        today = desk.today()
        calendar = queries.working_calendar(session, desk.book)
        open_ones = [r for r in queries.list_requests(session) if r.state not in _CLOSED]
        custodians: list[int] | None = None
        for request, clk in queries.clocks(session, desk, open_ones):
            if not clk.open or clk.paused or clk.due is None:
                continue
            if today > clk.due:
                kind, what = OVERDUE, f"is overdue: it was due on {clk.due:%A %d %B %Y}"
            elif calendar.working_days_after(today, clk.due) <= 1:
                kind, what = DUE_SOON, f"is due on {clk.due:%A %d %B %Y}"
            else:
                continue
            link = f"/records/requests/{request.id}#due-{clk.due.isoformat()}"
            if _already(session, kind, link):
                continue
            assignee = session.get(Account, request.assignee_id) if request.assignee_id else None
            if assignee is not None and assignee.active:
                people = [assignee.id]
            else:
                if custodians is None:
                    custodians = _custodians(session)
                people = custodians
            for person in people:
                notify(
                    session,
                    recipient_account_id=person,
                    kind=kind,
                    subject=f"Records request {queries.number(request)} {what}",
                    body=f"{queries.number(request)} from {request.requester_name} {what}. "
                    "Respond, extend or pause it on its page.",
                    link=link,
                )
            if people:
                told += 1
    return told
