"""The investigative-use log (§.15): each use of social media as an investigative tool is
logged with its purpose and case number, and a supervisor reviews every entry.

Entries and reviews are records (§.40): append-only rows sealed into the audit chain, which
the records custodian searches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.core.text import clean_line, clean_text
from piodesk.people.tables import Account, AccountRole
from piodesk.program.model import (
    PURPOSE_LABELS,
    REVIEW_LABELS,
    FieldErrors,
    Purpose,
    ReviewOutcome,
    check_case_number,
    check_purpose,
)
from piodesk.program.notifications import notify
from piodesk.program.tables import InvestigativeReview, InvestigativeUse


def _who(actor: Actor) -> str:
    return f"{actor.display_name} ({actor.username})"


def log_use(
    session: Session,
    *,
    actor: Actor,
    purpose: str,
    case_number: str,
    viewed: Iterable[str],
    evidence_kept: str,
    purpose_detail: str = "",
    used_at: datetime | None = None,
) -> InvestigativeUse:
    """Log one investigative use; refused without a §.15 purpose or a case number."""
    require(actor, Perm.INVESTIGATION_LOG)
    if actor.account_id is None:
        raise PermissionDenied("an investigative use is logged by the person who made it")
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for field, check in (
        ("purpose", lambda: check_purpose(purpose)),
        ("case_number", lambda: check_case_number(case_number)),
        (
            "purpose_detail",
            lambda: clean_text("purpose detail", purpose_detail, max_len=2000),
        ),
        ("evidence_kept", lambda: clean_text("evidence kept", evidence_kept, max_len=5000)),
    ):
        try:
            values[field] = check()
        except InvalidInput as exc:
            errors[field] = exc.message
    seen = []
    for item in viewed:
        try:
            line = clean_line("accounts or pages viewed", item, max_len=500)
        except InvalidInput as exc:
            errors["viewed"] = exc.message
            break
        if line:
            seen.append(line)
    if not seen and "viewed" not in errors:
        errors["viewed"] = "accounts or pages viewed: name at least one (a handle or a URL)"
    if len(seen) > 200:
        errors["viewed"] = f"accounts or pages viewed: at most 200 ({len(seen)} given)"
    if values.get("purpose") == Purpose.OTHER and not values.get("purpose_detail"):
        errors["purpose_detail"] = (
            "purpose detail: say which legitimate investigative purpose (§.15 'any other')"
        )
    now = clock.now()
    when = clock.as_utc(used_at) if used_at is not None else now
    if when > now + timedelta(minutes=5):
        errors["used_at"] = "when: a use cannot be logged before it happens"
    if errors:
        raise FieldErrors(errors)
    row = InvestigativeUse(
        purpose=str(values["purpose"]),
        purpose_detail=str(values["purpose_detail"]),
        case_number=str(values["case_number"]),
        officer_id=actor.account_id,
        officer_name=_who(actor),
        used_at=when,
        viewed=seen,
        evidence_kept=str(values["evidence_kept"]),
        logged_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.INVESTIGATION_LOG,
        "investigative_use",
        row.id,
        section="§.15",
        data={"case_number": row.case_number, "purpose": row.purpose},
    )
    for supervisor in _supervisors(session, exclude=actor.account_id):
        notify(
            session,
            recipient_account_id=supervisor,
            kind="investigation.to_review",
            subject=f"Investigative use to review: case {row.case_number}",
            body=f"{row.officer_name} logged a use for {PURPOSE_LABELS[Purpose(row.purpose)]}.",
            link=f"/investigations/{row.id}",
        )
    return row


def _supervisors(session: Session, *, exclude: int | None) -> list[int]:
    return [
        i
        for i in session.execute(
            select(Account.id)
            .join(AccountRole, AccountRole.account_id == Account.id)
            .where(AccountRole.role == Role.SUPERVISOR.value, Account.active.is_(True))
        ).scalars()
        if i != exclude
    ]


def get_use(session: Session, use_id: int, *, actor: Actor) -> InvestigativeUse:
    """One entry: its author's, or anyone's for those who read the log."""
    row = session.get(InvestigativeUse, use_id)
    if row is None or not _may_read(actor, row):
        raise NotFound(f"no investigative use {use_id} you may read")
    return row


def _may_read(actor: Actor, row: InvestigativeUse) -> bool:
    return actor.can(Perm.INVESTIGATION_VIEW) or (
        actor.account_id == row.officer_id and actor.can(Perm.INVESTIGATION_LOG)
    )


def review_of(session: Session, use_id: int) -> InvestigativeReview | None:
    """The supervisor's review of an entry, if there is one."""
    return session.execute(
        select(InvestigativeReview).where(InvestigativeReview.use_id == use_id)
    ).scalar_one_or_none()


def review_use(
    session: Session, use_id: int, *, actor: Actor, outcome: str, comment: str = ""
) -> InvestigativeReview:
    """A supervisor reviews an entry (never their own); a concern needs a comment."""
    require(actor, Perm.INVESTIGATION_REVIEW)
    row = get_use(session, use_id, actor=actor)
    if row.officer_id == actor.account_id:
        raise Conflict("nobody reviews their own investigative use; another supervisor must")
    if review_of(session, use_id) is not None:
        raise Conflict(f"investigative use {use_id} is reviewed already")
    try:
        result = ReviewOutcome(outcome)
    except ValueError:
        raise FieldErrors({"outcome": "outcome: within §.15, or a concern"}) from None
    text = clean_text("comment", comment, max_len=3000, required=result == ReviewOutcome.CONCERN)
    review = InvestigativeReview(
        use_id=row.id,
        reviewer_id=actor.account_id,
        reviewer_name=_who(actor),
        outcome=result.value,
        comment=text,
        reviewed_at=clock.now(),
    )
    session.add(review)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.INVESTIGATION_REVIEW,
        "investigative_use",
        row.id,
        reason=text,
        section="§.15",
        data={"outcome": result.value, "review": review.id},
    )
    notify(
        session,
        recipient_account_id=row.officer_id,
        kind="investigation.reviewed",
        subject=f"Your investigative use for case {row.case_number} was reviewed",
        body=f"{review.reviewer_name}: {REVIEW_LABELS[result]}. {text}".strip(),
        link=f"/investigations/{row.id}",
    )
    return review


@dataclass(frozen=True)
class UseQuery:
    """A search of the log: words anywhere, and filters."""

    text: str = ""
    case_number: str = ""
    purpose: str = ""
    unreviewed: bool = False


def search_uses(
    session: Session, *, actor: Actor, query: UseQuery | None = None, limit: int = 200
) -> list[tuple[InvestigativeUse, InvestigativeReview | None]]:
    """Entries (newest first) with their reviews: every entry for those who read the log,
    the actor's own otherwise."""
    q = query or UseQuery()
    if not actor.can(Perm.INVESTIGATION_VIEW):
        require(actor, Perm.INVESTIGATION_LOG)
    stmt = (
        select(InvestigativeUse, InvestigativeReview)
        .outerjoin(InvestigativeReview, InvestigativeReview.use_id == InvestigativeUse.id)
        .order_by(InvestigativeUse.id.desc())
        .limit(limit)
    )
    if not actor.can(Perm.INVESTIGATION_VIEW):
        stmt = stmt.where(InvestigativeUse.officer_id == actor.account_id)
    if q.case_number.strip():
        stmt = stmt.where(
            func.lower(InvestigativeUse.case_number) == q.case_number.strip().lower()[:60]
        )
    if q.purpose.strip():
        stmt = stmt.where(InvestigativeUse.purpose == check_purpose(q.purpose).value)
    if q.unreviewed:
        stmt = stmt.where(InvestigativeReview.id.is_(None))
    words = q.text.strip().lower()[:200]
    if words:
        like = f"%{words.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            or_(
                func.lower(InvestigativeUse.case_number).like(like),
                func.lower(InvestigativeUse.evidence_kept).like(like),
                func.lower(InvestigativeUse.purpose_detail).like(like),
                func.lower(InvestigativeUse.officer_name).like(like),
                func.lower(cast(InvestigativeUse.viewed, String)).like(like),
            )
        )
    return [(u, r) for u, r in session.execute(stmt).all()]
