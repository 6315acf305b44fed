"""The PIO office's review of a submission (GO 409 §.04, §.12, §.15, §.30).

§.30: "The PIO's office will determine what is and is not released." The reviewer edits
(every edit a new version, re-screened), resolves each §.12 finding — changed (the edit took
it out) or kept with a reason — attests that the post is factual, accurate and complete
(§.04), picks the pages and the §.15 category (and, if wanted, a time), and sends it for
approval. Any change of text or plan after that sends it back to review: approvals and the
attestation are for one version of one plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.media import MediaStore
from piodesk.core import clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.pages.model import PageState
from piodesk.pages.tables import Page
from piodesk.publishing import notify, submissions
from piodesk.publishing.submissions import (
    current_media,
    current_version,
    facts_of,
    load,
    require_state,
)
from piodesk.publishing.tables import (
    StoryAttestation,
    StoryMedia,
    StoryNote,
    StoryResolution,
    StoryVersion,
    Submission,
)
from piodesk.publishing.workflow import (
    ATTESTATION,
    EDITABLE,
    STORY_LIFECYCLE,
    Category,
    Resolution,
    StoryState,
    media_problems,
    parse_category,
)
from piodesk.screening.engine import Screener

MAX_NOTE = 4000


def _require_review(actor: Actor, sub: Submission) -> None:
    require(actor, Perm.STORY_REVIEW)
    for page_id in sub.page_ids:
        require(actor, Perm.STORY_REVIEW, page_id)


def _back_to_review(session: Session, sub: Submission) -> StoryState:
    """After a change of text or plan: approvals no longer count; approved → in review."""
    before = StoryState(sub.state)
    if before in (StoryState.AWAITING_APPROVAL, StoryState.APPROVED):
        sub.state = STORY_LIFECYCLE.check(before, StoryState.IN_REVIEW).value
    sub.approval_round += 1
    sub.changed_at = clock.now()
    return before


# ---- findings and their resolutions ----------------------------------------------------------


@dataclass(frozen=True)
class FindingView:
    """One finding of the current version and how it stands."""

    finding: dict[str, Any]
    resolution: StoryResolution | None

    @property
    def resolved(self) -> bool:
        """True once kept with a reason (a changed finding is no longer in the text)."""
        return self.resolution is not None


def resolutions(session: Session, sub: Submission) -> list[StoryResolution]:
    """Every resolution recorded on the submission, oldest first."""
    return list(
        session.execute(
            select(StoryResolution)
            .where(StoryResolution.submission_id == sub.id)
            .order_by(StoryResolution.id)
        ).scalars()
    )


def findings(session: Session, sub: Submission) -> list[FindingView]:
    """The current version's findings, each with its resolution (kept for this version)."""
    head = current_version(session, sub)
    kept = {
        r.finding_key: r
        for r in resolutions(session, sub)
        if r.version == head.version and r.decision == Resolution.KEPT.value
    }
    return [FindingView(f, kept.get(f["key"])) for f in head.findings]


def _auto_changed(
    session: Session, sub: Submission, old: StoryVersion, new: StoryVersion, actor: Actor
) -> int:
    """Record "changed" for each finding of the old version the new one no longer has; a
    finding kept with a reason on the very same words stays kept (carried, and said so)."""
    now_keys = {f["key"] for f in new.findings}
    kept = {
        r.finding_key: r
        for r in resolutions(session, sub)
        if r.version == old.version and r.decision == Resolution.KEPT.value
    }
    n = 0
    for f in old.findings:
        if f["key"] in now_keys:
            if f["key"] in kept:
                session.add(
                    StoryResolution(
                        submission_id=sub.id,
                        version=new.version,
                        finding_key=f["key"],
                        category=f["category"],
                        rule=f["rule"],
                        evidence=f["evidence"][:2000],
                        decision=Resolution.KEPT.value,
                        reason=kept[f["key"]].reason,
                        actor_id=kept[f["key"]].actor_id,
                        actor_name=kept[f["key"]].actor_name,
                        resolved_at=clock.now(),
                    )
                )
            continue
        session.add(
            StoryResolution(
                submission_id=sub.id,
                version=old.version,
                finding_key=f["key"],
                category=f["category"],
                rule=f["rule"],
                evidence=f["evidence"][:2000],
                decision=Resolution.CHANGED.value,
                reason=f"changed in version {new.version}",
                actor_id=actor.account_id,
                actor_name=actor.display_name,
                resolved_at=clock.now(),
            )
        )
        n += 1
    return n


def keep_finding(
    session: Session,
    submission_id: int,
    key: str,
    *,
    actor: Actor,
    reason: str,
    store: MediaStore | None = None,
) -> StoryResolution:
    """Keep a finding's words as written, with the reason (recorded for this version)."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    require_state(sub, StoryState.IN_REVIEW)
    reason = clean_text("reason", reason, max_len=MAX_NOTE, required=True, min_len=5)
    view = next((v for v in findings(session, sub) if v.finding["key"] == key), None)
    if view is None:
        raise NotFound("the current version has no such finding (was the text changed?)")
    f = view.finding
    if not f.get("keepable", True):
        raise Conflict(
            f"“{f['label']}” cannot be kept with a reason: record the written consent or the "
            "rights for the photo, or remove it (GO 409 §.12)"
        )
    if view.resolution is not None:
        raise Conflict("this finding is already resolved for this version")
    row = StoryResolution(
        submission_id=sub.id,
        version=sub.head_version,
        finding_key=key,
        category=f["category"],
        rule=f["rule"],
        evidence=f["evidence"][:2000],
        decision=Resolution.KEPT.value,
        reason=reason,
        actor_id=actor.account_id,
        actor_name=actor.display_name,
        resolved_at=clock.now(),
    )
    session.add(row)
    sub.changed_at = clock.now()
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.RESOLVE,
        reason=reason,
        section=f.get("section", "§.12"),
        data={"version": sub.head_version, "category": f["category"], "decision": "kept"},
    )
    return row


# ---- editing ---------------------------------------------------------------------------------


def edit(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    text: str,
    sources: Sequence[str] | None = None,
    note: str = "",
    store: MediaStore | None = None,
    screener: Screener | None = None,
) -> StoryVersion:
    """A new version of the text (and sources), screened again; approvals of the old expire."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    state = StoryState(sub.state)
    if state not in EDITABLE:
        raise Conflict(f"submission {sub.id} is {state.value.replace('_', ' ')}; it is not edited")
    text = clean_text("story", text, max_len=submissions.MAX_TEXT, required=True)
    note = clean_text("note", note, max_len=MAX_NOTE)
    old = current_version(session, sub)
    sources_ = submissions.clean_sources(sources) if sources is not None else list(old.sources)
    if text == old.text and sources_ == list(old.sources):
        raise InvalidInput("nothing changed: the text and sources are as in the current version")
    new, changed, before = _new_version(session, sub, old, actor, text, sources_, note, screener)
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.EDIT,
        reason=note,
        section="§.04",
        data={
            "version": new.version,
            "findings": len(new.findings),
            "resolved_by_change": changed,
            "from": before.value,
            "to": sub.state,
            "approvals_expired": before in (StoryState.AWAITING_APPROVAL, StoryState.APPROVED),
        },
    )
    return new


def _new_version(
    session: Session,
    sub: Submission,
    old: StoryVersion,
    actor: Actor,
    text: str,
    sources: list[str],
    note: str,
    screener: Screener | None,
) -> tuple[StoryVersion, int, StoryState]:
    """Add a version screened with the story's current media; findings it no longer has are
    resolved as changed, and approvals of the old one expire."""
    found, ruleset = submissions.screen(
        text, [facts_of(m) for m in current_media(session, sub)], screener
    )
    new = StoryVersion(
        submission_id=sub.id,
        version=old.version + 1,
        text=text,
        sources=sources,
        edited_by=actor.account_id,
        edited_by_name=actor.display_name,
        edited_at=clock.now(),
        note=note,
        findings=found,
        ruleset_version=ruleset[:80],
    )
    session.add(new)
    sub.head_version = new.version
    changed = _auto_changed(session, sub, old, new, actor)
    before = _back_to_review(session, sub)
    session.flush()
    return new, changed, before


def leave_out_photo(
    session: Session,
    submission_id: int,
    media_id: int,
    *,
    actor: Actor,
    reason: str,
    store: MediaStore | None = None,
    screener: Screener | None = None,
) -> StoryVersion:
    """Leave a photo out of the post (it stays on the record as sent); the post's new version
    is screened without it, so its media findings resolve as changed."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    state = StoryState(sub.state)
    if state not in EDITABLE:
        raise Conflict(f"submission {sub.id} is {state.value.replace('_', ' ')}; it is not edited")
    reason = clean_text("reason", reason, max_len=MAX_NOTE, required=True, min_len=5)
    photo = next((m for m in current_media(session, sub) if m.id == media_id), None)
    if photo is None:
        raise NotFound("the post has no such photo (was it left out already?)")
    columns = {c.key: getattr(photo, c.key) for c in StoryMedia.__table__.columns if c.key != "id"}
    columns.update(
        replaces_id=photo.id,
        removed=True,
        added_by=actor.account_id,
        added_by_name=actor.display_name,
        added_at=clock.now(),
    )
    session.add(StoryMedia(**columns))
    session.flush()
    old = current_version(session, sub)
    note = f"photo “{photo.name}” left out of the post: {reason}"
    new, changed, before = _new_version(
        session, sub, old, actor, old.text, list(old.sources), note, screener
    )
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.MEDIA,
        reason=reason,
        section="§.12",
        data={
            "left_out": photo.name,
            "version": new.version,
            "from": before.value,
            "resolved_by_change": changed,
        },
    )
    return new


# ---- attestation, plan, notes ----------------------------------------------------------------


def attest(
    session: Session, submission_id: int, *, actor: Actor, store: MediaStore | None = None
) -> StoryAttestation:
    """§.04: the reviewer attests the current version is factual, accurate and complete."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    require_state(sub, StoryState.IN_REVIEW)
    if current_attestation(session, sub) is not None:
        raise Conflict("this version is already attested")
    row = StoryAttestation(
        submission_id=sub.id,
        version=sub.head_version,
        statement=ATTESTATION,
        actor_id=actor.account_id,
        actor_name=actor.display_name,
        attested_at=clock.now(),
    )
    session.add(row)
    sub.changed_at = clock.now()
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.ATTEST,
        reason=ATTESTATION,
        section="§.04",
        data={"version": sub.head_version},
    )
    return row


def current_attestation(session: Session, sub: Submission) -> StoryAttestation | None:
    """The attestation of the current version, if any."""
    return session.execute(
        select(StoryAttestation)
        .where(
            StoryAttestation.submission_id == sub.id,
            StoryAttestation.version == sub.head_version,
        )
        .order_by(StoryAttestation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def usable_pages(session: Session, actor: Actor) -> list[Page]:
    """The approved pages the actor may review posts for (§.04: nothing goes elsewhere)."""
    rows = session.execute(
        select(Page).where(Page.state == PageState.APPROVED.value).order_by(Page.name)
    ).scalars()
    return [p for p in rows if actor.can(Perm.STORY_REVIEW, p.id)]


def plan(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    page_ids: Sequence[int],
    category: str,
    scheduled_for: datetime | None = None,
    store: MediaStore | None = None,
) -> Submission:
    """Choose the pages, the §.15 category and (optionally) the time of the post."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    require_state(sub, StoryState.IN_REVIEW, StoryState.AWAITING_APPROVAL, StoryState.APPROVED)
    cat: Category = parse_category(category)
    chosen = sorted({int(p) for p in page_ids})
    if not chosen:
        raise InvalidInput("choose at least one page")
    for page_id in chosen:
        page = session.get(Page, page_id)
        if page is None:
            raise NotFound(f"no page with id {page_id}")
        require(actor, Perm.STORY_REVIEW, page_id)
        if page.state != PageState.APPROVED.value:
            raise Conflict(
                f"{page.name} is not approved by the chief ({page.state}); nothing is posted to "
                "an unapproved page (GO 409 §.04)"
            )
    if scheduled_for is not None:
        if scheduled_for.tzinfo is None:
            raise InvalidInput("the scheduled time needs its time zone")
        if scheduled_for <= clock.now():
            raise InvalidInput("the scheduled time is in the past; choose a later time")
        scheduled_for = scheduled_for.astimezone(UTC)  # SQLite keeps no offset: store UTC
    before_plan = (list(sub.page_ids), sub.category, sub.scheduled_for)
    after_plan = (chosen, cat.value, scheduled_for)
    if before_plan == after_plan:
        raise InvalidInput("nothing changed: the pages, category and time are as they were")
    sub.page_ids, sub.category, sub.scheduled_for = chosen, cat.value, scheduled_for
    before = _back_to_review(session, sub)
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.PLAN,
        section="§.15",
        data={
            "pages": chosen,
            "category": cat.value,
            "scheduled_for": scheduled_for.isoformat() if scheduled_for else None,
            "from": before.value,
            "to": sub.state,
        },
    )
    return sub


def add_note(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    text: str,
    kind: str = "note",
    store: MediaStore | None = None,
) -> StoryNote:
    """A reviewer's note on the story (a record too, §.40)."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    row = _note(
        session, sub, actor, clean_text("note", text, max_len=MAX_NOTE, required=True), kind
    )
    submissions.record_change(session, sub, store, actor, tags.Story.NOTE, section="§.40")
    return row


def _note(session: Session, sub: Submission, actor: Actor, text: str, kind: str) -> StoryNote:
    row = StoryNote(
        submission_id=sub.id,
        version=sub.head_version,
        kind=kind,
        text=text,
        author_id=actor.account_id,
        author_name=actor.display_name,
        written_at=clock.now(),
    )
    session.add(row)
    sub.changed_at = clock.now()
    return row


def reject(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    reason: str,
    store: MediaStore | None = None,
) -> Submission:
    """The PIO office will not release the story (§.30); the note says why. Kept as a record."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    reason = clean_text("reason", reason, max_len=MAX_NOTE, required=True, min_len=5)
    before = StoryState(sub.state)
    sub.state = STORY_LIFECYCLE.check(before, StoryState.REJECTED).value
    _note(session, sub, actor, reason, "rejection")
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.REJECT,
        reason=reason,
        section="§.30",
        data={"from": before.value},
    )
    notify.rejected(session, sub, actor.display_name, reason)
    return sub


# ---- readiness -------------------------------------------------------------------------------


def problems(session: Session, sub: Submission, *, check_time: bool = True) -> list[str]:
    """What stands between the submission and approval; empty when its review is complete."""
    out = []
    for v in findings(session, sub):
        if not v.resolved:
            f = v.finding
            what = f"“{f['evidence'][:60]}”" if f["evidence"] else ""
            out.append(f"finding not resolved: {f['label']} {what}".strip())
    if current_attestation(session, sub) is None:
        out.append("the current version is not attested factual, accurate and complete (§.04)")
    if not sub.page_ids:
        out.append("no pages chosen")
    if not sub.category:
        out.append("no category chosen (§.15)")
    photos = current_media(session, sub)
    for m in photos:
        out.extend(media_problems(facts_of(m)))
    for page_id in sub.page_ids:
        page = session.get(Page, page_id)
        if page is None or page.state != PageState.APPROVED.value:
            out.append(f"page {page.name if page else page_id} is no longer approved (§.04)")

    if check_time and sub.scheduled_for is not None and sub.scheduled_for <= clock.now():
        out.append("its scheduled time has passed")
    return out


def send_for_approval(
    session: Session, submission_id: int, *, actor: Actor, store: MediaStore | None = None
) -> Submission:
    """Review done: the post goes to the approval tiers (refused, naming what is missing)."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    require_state(sub, StoryState.IN_REVIEW)
    missing = problems(session, sub)
    if missing:
        raise Conflict("not ready for approval: " + "; ".join(missing))
    sub.state = STORY_LIFECYCLE.check(StoryState.IN_REVIEW, StoryState.AWAITING_APPROVAL).value
    sub.changed_at = clock.now()
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.SEND_FOR_APPROVAL,
        section="§.04",
        data={"version": sub.head_version, "round": sub.approval_round},
    )
    from piodesk.publishing.approvals import tell_current_tier

    tell_current_tier(session, sub)
    return sub


def reopen(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    scheduled_for: datetime | None,
    store: MediaStore | None = None,
) -> Submission:
    """Bring an expired post back to review with a new time (or none: publish when approved)."""
    sub = load(session, submission_id, lock=True)
    _require_review(actor, sub)
    require_state(sub, StoryState.EXPIRED)
    if scheduled_for is not None and (scheduled_for.tzinfo is None or scheduled_for <= clock.now()):
        raise InvalidInput("the new time must be in the future, with its time zone")
    sub.scheduled_for = scheduled_for.astimezone(UTC) if scheduled_for else None
    sub.state = STORY_LIFECYCLE.check(StoryState.EXPIRED, StoryState.IN_REVIEW).value
    sub.approval_round += 1
    sub.changed_at = clock.now()
    submissions.record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.REOPEN,
        section="§.04",
        data={"scheduled_for": scheduled_for.isoformat() if scheduled_for else None},
    )
    return sub
