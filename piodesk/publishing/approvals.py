"""Approving reviewed posts: 1 to 3 tiers, Any/All per tier; then publishing through the outbox.

Rules (Hootsuite, Sprout Social, and GO 409 §.04/§.30): tier 2 is asked only after tier 1
approves; nobody approves their own work (the story's author never approves it, and one person
approves at one tier only); an approval is of one version in one round, so it expires when
the text or the plan changes; a post not approved by its scheduled time is moved to the
Expired list. Approvers may edit before approving (the edit sends it back to review).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.core import audit, clock, tags
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import SYSTEM, Actor, Perm, Role, require
from piodesk.core.text import clean_text
from piodesk.people.lookup import actor_for
from piodesk.people.tables import Account
from piodesk.publishing import notify, review, submissions
from piodesk.publishing.submissions import current_media, current_version, load, require_state
from piodesk.publishing.tables import ApprovalPolicyRow, StoryApproval, StoryNote, Submission
from piodesk.publishing.workflow import (
    STORY_LIFECYCLE,
    ApprovalPolicy,
    StoryState,
    Tier,
    TierProgress,
    TierRule,
    check_policy,
    current_tier,
    may_approve_at,
    progress,
)

# ---- the policy ------------------------------------------------------------------------------


def current_policy(session: Session) -> ApprovalPolicy:
    """The approval tiers in force (one tier, anyone who may approve, until someone sets it)."""
    row = session.execute(
        select(ApprovalPolicyRow).order_by(ApprovalPolicyRow.id.desc()).limit(1)
    ).scalar_one_or_none()
    return ApprovalPolicy() if row is None else ApprovalPolicy.from_dict(row.tiers)


def parse_tiers(specs: Sequence[tuple[str, Sequence[int]]]) -> ApprovalPolicy:
    """A policy from (rule, approver ids) pairs, checked."""
    tiers = []
    for n, (rule, approvers) in enumerate(specs, start=1):
        try:
            r = TierRule(rule.strip().lower())
        except ValueError:
            raise InvalidInput(f"tier {n}: the rule is 'any' or 'all', not '{rule[:20]}'") from None
        tiers.append(Tier(r, tuple(int(a) for a in approvers)))
    return check_policy(ApprovalPolicy(tuple(tiers)))


def set_tiers(
    session: Session,
    *,
    actor: Actor,
    specs: Sequence[tuple[str, Sequence[int]]],
    reason: str,
) -> ApprovalPolicyRow:
    """Set the tiers from (rule, approver ids) pairs: the permission first, then the checks."""
    require(actor, Perm.APPROVAL_CONFIGURE)
    return set_policy(session, actor=actor, policy=parse_tiers(specs), reason=reason)


def set_policy(
    session: Session, *, actor: Actor, policy: ApprovalPolicy, reason: str
) -> ApprovalPolicyRow:
    """Set the approval tiers (each named approver must be able to approve posts)."""
    require(actor, Perm.APPROVAL_CONFIGURE)
    check_policy(policy)
    reason = clean_text("reason", reason, max_len=2000, required=True)
    for n, tier in enumerate(policy.tiers, start=1):
        for account_id in tier.approvers:
            account = session.get(Account, account_id)
            if account is None:
                raise NotFound(f"tier {n}: no account with id {account_id}")
            if not actor_for(account).can(Perm.POST_APPROVE):
                raise InvalidInput(
                    f"tier {n}: {account.display_name} may not approve posts (the PIO office "
                    "and the chief do; never a cadre member)"
                )
    row = ApprovalPolicyRow(
        tiers=policy.as_dict(),
        reason=reason,
        set_by=actor.account_id,
        set_by_name=actor.display_name,
        set_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Story.CONFIGURE_TIERS,
        "approval_policy",
        row.id,
        reason=reason,
        section="§.04",
        data=policy.as_dict(),
    )
    return row


def possible_approvers(session: Session) -> list[Account]:
    """Active accounts that may approve posts (the PIO office and the chief; never cadre),
    by name: whom a tier may name."""
    out = []
    for account in session.execute(
        select(Account).where(Account.active.is_(True)).order_by(Account.display_name)
    ).scalars():
        who = actor_for(account)
        if who.can(Perm.POST_APPROVE) and Role.CADRE not in who.roles:
            out.append(account)
    return out


# ---- approving -------------------------------------------------------------------------------


def tell_current_tier(session: Session, sub: Submission) -> None:
    """Tell those who may approve at the tier now waiting (nothing when none is waiting)."""
    steps = tiers(session, sub)
    tier = current_tier(steps)
    if tier is None:
        return
    done = {a for s in steps for a in s.approved_by}
    notify.approval_due(session, sub, tier.number, tier.waiting_for or tier.tier.approvers, done)


def current_approvals(session: Session, sub: Submission) -> list[StoryApproval]:
    """The approvals that still count: of the current version, in the current round."""
    return list(
        session.execute(
            select(StoryApproval)
            .where(
                StoryApproval.submission_id == sub.id,
                StoryApproval.version == sub.head_version,
                StoryApproval.round == sub.approval_round,
                StoryApproval.decision == "approve",
            )
            .order_by(StoryApproval.id)
        ).scalars()
    )


def tiers(session: Session, sub: Submission) -> list[TierProgress]:
    """Each tier's progress for the submission as it stands."""
    return progress(
        current_policy(session),
        [(a.tier, a.actor_id) for a in current_approvals(session, sub) if a.actor_id is not None],
    )


def why_not(session: Session, sub: Submission, actor: Actor) -> str | None:
    """None when ``actor`` may approve ``sub`` now; otherwise the reason, in words."""
    if not actor.can(Perm.POST_APPROVE):
        return "you may not approve posts"
    if Role.CADRE in actor.roles:
        return "cadre members never approve (GO 409 §.30)"
    for page_id in sub.page_ids:
        if not actor.can(Perm.POST_APPROVE, page_id):
            return f"you may not approve posts to page {page_id}"
    if sub.author_id == actor.account_id:
        return "nobody approves their own work: this story is yours"
    if sub.state != StoryState.AWAITING_APPROVAL.value:
        return f"it is {sub.state.replace('_', ' ')}, not waiting for approval"
    steps = tiers(session, sub)
    tier = current_tier(steps)
    if tier is None:
        return "every tier has approved it already"
    return may_approve_at(tier, steps, actor.account_id)


def approve(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    note: str = "",
    store: MediaStore | None = None,
) -> Submission:
    """Approve the post at its current tier; the last tier's approval makes it approved."""
    sub = load(session, submission_id, lock=True)
    require(actor, Perm.POST_APPROVE)
    for page_id in sub.page_ids:
        require(actor, Perm.POST_APPROVE, page_id)
    if sub.author_id == actor.account_id:
        raise PermissionDenied("nobody approves their own work: this story is yours")
    require_state(sub, StoryState.AWAITING_APPROVAL)
    missing = review.problems(session, sub)
    if missing:
        raise Conflict("cannot approve: " + "; ".join(missing))
    steps = tiers(session, sub)
    tier = current_tier(steps)
    if tier is None:
        raise Conflict("every tier has approved it already")
    refusal = may_approve_at(tier, steps, actor.account_id)
    if refusal:
        raise PermissionDenied(refusal)
    note = clean_text("note", note, max_len=2000)
    session.add(
        StoryApproval(
            submission_id=sub.id,
            version=sub.head_version,
            round=sub.approval_round,
            tier=tier.number,
            decision="approve",
            note=note,
            actor_id=actor.account_id,
            actor_name=actor.display_name,
            decided_at=clock.now(),
        )
    )
    session.flush()
    after = current_tier(tiers(session, sub))
    done = after is None
    if done:
        sub.state = STORY_LIFECYCLE.check(StoryState.AWAITING_APPROVAL, StoryState.APPROVED).value
    elif after is not None and after.number != tier.number:
        tell_current_tier(session, sub)
    sub.changed_at = clock.now()
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.APPROVE,
        reason=note,
        section="§.04",
        data={
            "version": sub.head_version,
            "round": sub.approval_round,
            "tier": tier.number,
            "of": len(steps),
            "approved": done,
        },
    )
    return sub


def send_back(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    note: str,
    store: MediaStore | None = None,
) -> Submission:
    """An approver sends the post back to review, saying why (approvals so far expire)."""
    sub = load(session, submission_id, lock=True)
    require(actor, Perm.POST_APPROVE)
    for page_id in sub.page_ids:
        require(actor, Perm.POST_APPROVE, page_id)
    require_state(sub, StoryState.AWAITING_APPROVAL, StoryState.APPROVED)
    note = clean_text("note", note, max_len=2000, required=True, min_len=5)
    session.add(
        StoryApproval(
            submission_id=sub.id,
            version=sub.head_version,
            round=sub.approval_round,
            tier=(current_tier(tiers(session, sub)) or tiers(session, sub)[-1]).number,
            decision="send_back",
            note=note,
            actor_id=actor.account_id,
            actor_name=actor.display_name,
            decided_at=clock.now(),
        )
    )
    session.add(
        StoryNote(
            submission_id=sub.id,
            version=sub.head_version,
            kind="send_back",
            text=note,
            author_id=actor.account_id,
            author_name=actor.display_name,
            written_at=clock.now(),
        )
    )
    before = StoryState(sub.state)
    sub.state = STORY_LIFECYCLE.check(before, StoryState.IN_REVIEW).value
    sub.approval_round += 1
    sub.changed_at = clock.now()
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.SEND_BACK,
        reason=note,
        section="§.04",
        data={"from": before.value},
    )
    notify.sent_back(session, sub, actor.display_name, note)
    return sub


# ---- expiry ----------------------------------------------------------------------------------


def expire_overdue(
    session: Session, *, actor: Actor = SYSTEM, store: MediaStore | None = None
) -> list[int]:
    """Move posts not approved by their scheduled time to the Expired list; their ids."""
    now = clock.now()
    due = list(
        session.execute(
            select(Submission)
            .where(
                Submission.state.in_(
                    [StoryState.IN_REVIEW.value, StoryState.AWAITING_APPROVAL.value]
                ),
                Submission.scheduled_for.is_not(None),
                Submission.scheduled_for <= now,
            )
            .with_for_update()
        ).scalars()
    )
    for sub in due:
        before = StoryState(sub.state)
        sub.state = STORY_LIFECYCLE.check(before, StoryState.EXPIRED).value
        sub.changed_at = now
        submissions.record_change(
            session,
            sub,
            store,
            actor,
            tags.Story.EXPIRE,
            reason="not approved by its scheduled time",
            section="§.04",
            data={"from": before.value, "scheduled_for": sub.scheduled_for.isoformat()}
            if sub.scheduled_for
            else {"from": before.value},
        )
        notify.expired(session, sub)
    return [s.id for s in due]


def expire_job(sessions: sessionmaker[Session], store: MediaStore | None = None) -> list[int]:
    """The periodic Expired sweep: one transaction, the ids it moved (and told about)."""
    with transaction(sessions) as session:
        return expire_overdue(session, store=store)


# ---- queues ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """A submission in a list, with what the actor can do about it."""

    sub: Submission
    text: str
    tiers: list[TierProgress]
    can_approve: bool
    why_not: str | None


def approval_queue(session: Session, *, actor: Actor) -> list[QueueRow]:
    """Posts waiting for approval (those the actor may approve now first)."""
    require(actor, Perm.STORY_VIEW)
    rows = []
    for sub in submissions.list_all(session, actor=actor, states=[StoryState.AWAITING_APPROVAL]):
        reason = why_not(session, sub, actor)
        rows.append(
            QueueRow(
                sub, current_version(session, sub).text, tiers(session, sub), not reason, reason
            )
        )
    rows.sort(key=lambda r: (not r.can_approve, r.sub.submitted_at))
    return rows


def expired_list(session: Session, *, actor: Actor) -> list[QueueRow]:
    """Posts that were not approved by their scheduled time."""
    require(actor, Perm.STORY_VIEW)
    return [
        QueueRow(s, current_version(session, s).text, tiers(session, s), False, None)
        for s in submissions.list_all(session, actor=actor, states=[StoryState.EXPIRED])
    ]


# ---- publishing through the outbox -----------------------------------------------------------


def publish(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    store: MediaStore | None = None,
) -> Submission:
    """Hand the approved post to the outbox: one delivery per chosen page (sent after commit)."""
    from piodesk.publishing import outbox

    sub = load(session, submission_id, lock=True)
    require(actor, Perm.PUBLISH)
    require_state(sub, StoryState.APPROVED)
    if current_tier(tiers(session, sub)) is not None:
        raise Conflict("not every tier has approved this text")
    missing = review.problems(session, sub, check_time=False)
    if missing:
        raise Conflict("cannot publish: " + "; ".join(missing))
    when = sub.scheduled_for if sub.scheduled_for and sub.scheduled_for > clock.now() else None
    head = current_version(session, sub)
    media: list[dict[str, Any]] = [
        {"sha256": m.published_sha256, "mime_type": m.mime_type, "alt_text": m.alt_text}
        for m in current_media(session, sub)
    ]
    publication_id = outbox.enqueue(
        session,
        actor=actor,
        text=head.text,
        page_ids=list(sub.page_ids),
        media=media,
        source=f"post:{sub.id}",
        kind="post",
        scheduled_for=when,
    )
    sub.publication_id = str(publication_id)
    sub.state = STORY_LIFECYCLE.check(StoryState.APPROVED, StoryState.PUBLISHED).value
    sub.changed_at = clock.now()
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.PUBLISH,
        section="§.04",
        data={"publication_id": publication_id, "version": head.version, "pages": sub.page_ids},
    )
    return sub
