"""Publishing's notifications: a story waiting for review, one sent back or not released, an
approval due at a tier, a post expired unapproved (GO 409 §.04, §.30).

One notification list serves all of piodesk (``piodesk.program.notifications``: in-app, and by
e-mail through its retried outbox); this module only names publishing's events and finds their
recipients. Each call runs inside the transaction of the action that causes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core.permissions import Perm, Role
from piodesk.people.lookup import actor_for
from piodesk.people.tables import Account
from piodesk.program.notifications import notify
from piodesk.publishing.tables import Submission

TO_REVIEW = "story.to_review"
SENT_BACK = "story.sent_back"
REJECTED = "story.rejected"
APPROVAL_DUE = "story.approval_due"
EXPIRED = "story.expired"


def _link(sub: Submission) -> str:
    return f"/stories/{sub.id}"


def _active(session: Session) -> list[Account]:
    return list(
        session.execute(select(Account).where(Account.active.is_(True)).order_by(Account.id))
        .scalars()
        .unique()
    )


def _who_may(session: Session, perm: Perm, page_ids: Iterable[int]) -> list[int]:
    """Active accounts holding ``perm`` for every one of ``page_ids`` (never a cadre member)."""
    pages = list(page_ids)
    out = []
    for account in _active(session):
        actor = actor_for(account)
        if Role.CADRE in actor.roles or not actor.can(perm):
            continue
        if all(actor.can(perm, p) for p in pages):
            out.append(account.id)
    return out


def _tell(
    session: Session, people: Iterable[int], kind: str, subject: str, body: str, link: str
) -> None:
    for person in sorted(set(people)):
        notify(
            session,
            recipient_account_id=person,
            kind=kind,
            subject=subject,
            body=body,
            link=link,
        )


def to_review(session: Session, sub: Submission) -> None:
    """A story was submitted: the PIO office (those who review stories) is told."""
    people = [p for p in _who_may(session, Perm.STORY_REVIEW, ()) if p != sub.author_id]
    _tell(
        session,
        people,
        TO_REVIEW,
        f"A story waits for review: {sub.title}",
        f"{sub.author_name} submitted “{sub.title}” ({sub.division or 'no division'}).",
        _link(sub),
    )


def _tell_author(session: Session, sub: Submission, kind: str, subject: str, body: str) -> None:
    """The story's author is told, when the story names an author's account."""
    if sub.author_id is not None:
        _tell(session, [sub.author_id], kind, f"{subject}: {sub.title}", body, _link(sub))


def sent_back(session: Session, sub: Submission, by: str, note: str) -> None:
    """An approver sent the post back to review: its author is told, with the note."""
    _tell_author(
        session, sub, SENT_BACK, "Your story was sent back to review", f"{by} sent it back: {note}"
    )


def rejected(session: Session, sub: Submission, by: str, reason: str) -> None:
    """The PIO office will not release the story: its author is told why."""
    _tell_author(
        session,
        sub,
        REJECTED,
        "Your story will not be released",
        f"{by} decided not to release it: {reason}",
    )


def approval_due(
    session: Session, sub: Submission, tier: int, named: Iterable[int], done: Iterable[int]
) -> None:
    """A tier is waiting: those who may approve at it are told (never the author, nor anyone
    who already approved this text at an earlier tier)."""
    named_ = list(named)
    skip = set(done) | ({sub.author_id} if sub.author_id is not None else set())
    may = set(_who_may(session, Perm.POST_APPROVE, sub.page_ids))
    people = [p for p in (named_ or may) if p in may and p not in skip]
    _tell(
        session,
        people,
        APPROVAL_DUE,
        f"A post waits for your approval (tier {tier}): {sub.title}",
        f"“{sub.title}” by {sub.author_name} is waiting for approval at tier {tier}.",
        _link(sub),
    )


def expired(session: Session, sub: Submission) -> None:
    """A post was not approved by its scheduled time: the PIO office and its author are told."""
    people = set(_who_may(session, Perm.STORY_REVIEW, ()))
    if sub.author_id is not None:
        people.add(sub.author_id)
    when = sub.scheduled_for.isoformat(timespec="minutes") if sub.scheduled_for else "its time"
    _tell(
        session,
        people,
        EXPIRED,
        f"A post expired unapproved: {sub.title}",
        f"“{sub.title}” was not approved by {when} and is on the Expired list; "
        "reopen it with a new time or let it go.",
        "/expired",
    )
