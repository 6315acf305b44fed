"""Stories the cadre sends to the PIO office (GO 409 §.30), kept as public records (§.40).

§.30: cadre members "will not post anything to the department's social media sites, only
provide their stories to the PIO's office." A story is a record from the moment it is sent:
version 1 is the text exactly as its author sent it, every photo is kept as sent (and a copy
without location and device metadata is made for publishing), and the whole submission —
rejected ones, reviewer notes and every later version included — is captured into the
archive as a record of kind "submission", a new archive version at each change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.connectors.model import CapturedItem, ItemKind, MediaRef
from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.publishing import cadre
from piodesk.publishing.media import clean_photo
from piodesk.publishing.tables import (
    StoryApproval,
    StoryAttestation,
    StoryMedia,
    StoryNote,
    StoryResolution,
    StoryVersion,
    Submission,
)
from piodesk.publishing.video import clean_video, looks_like_video
from piodesk.publishing.workflow import (
    STORY_LIFECYCLE,
    CadreState,
    Depicts,
    MediaFacts,
    Rights,
    StoryState,
    finding_key,
    keepable,
    media_problems,
)
from piodesk.screening.drafts import DraftInput, MediaItem
from piodesk.screening.engine import Screener, default_screener

MAX_TEXT = 10_000
MAX_SOURCES = 20
MAX_PHOTOS = 10
MAX_VIDEOS = 1
#: The archive's platform name for what piodesk itself holds (submissions are not on a platform).
ARCHIVE_PLATFORM = "piodesk"


@dataclass(frozen=True, slots=True)
class PhotoUpload:
    """A photo or video sent with a story, and what its sender says is on record for it
    (§.12). For a video, ``alt_text`` is its description: what it shows and says (or its
    captions), for people who cannot see or hear it."""

    data: bytes = field(repr=False)
    filename: str
    source: str
    rights: str
    licence: str = ""
    depicts: frozenset[str] = frozenset()
    consent_reference: str = ""
    alt_text: str = ""


@dataclass(frozen=True, slots=True)
class CleanPhoto:
    """A photo or video upload, validated, with its publishable copy made."""

    facts: MediaFacts
    original: bytes = field(repr=False)
    published: bytes = field(repr=False)
    mime_type: str
    width: int
    height: int
    removed: tuple[str, ...]


#: File names that say "video" when the bytes are not readable enough to tell.
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".qt")


def is_video(upload: PhotoUpload) -> bool:
    """Whether an upload is a video (by its bytes; by its name when they cannot tell)."""
    return looks_like_video(upload.data) or upload.filename.lower().endswith(VIDEO_SUFFIXES)


def clean_upload(upload: PhotoUpload, n: int = 1) -> CleanPhoto:
    """Validate one photo or video and what is on record for it; refuse, naming the reason, if
    it could not be published (§.12: consent, rights; alt text or a video's description).
    Nothing is written here."""
    kind = "video" if is_video(upload) else "photo"
    name = clean_line(f"{kind} {n}'s file name", upload.filename, max_len=200) or f"{kind} {n}"
    try:
        rights = Rights(upload.rights.strip().lower()).value
    except ValueError:
        raise InvalidInput(
            f"{name}: say who owns it — owned by the department, licensed, or used with the "
            "owner's written permission"
        ) from None
    depicts = set()
    for d in upload.depicts:
        try:
            depicts.add(Depicts(d).value)
        except ValueError:
            raise InvalidInput(f"{name}: unknown kind of content '{str(d)[:40]}'") from None
    described = "description" if kind == "video" else "alt text"
    facts = MediaFacts(
        name=name,
        kind=kind,
        source=clean_line(f"{name}: source", upload.source, max_len=200),
        rights=rights,
        licence=clean_text(f"{name}: licence", upload.licence, max_len=2000),
        depicts=frozenset(depicts),
        consent_reference=clean_line(
            f"{name}: written consent on file", upload.consent_reference, max_len=300
        ),
        alt_text=clean_text(f"{name}: {described}", upload.alt_text, max_len=1500),
    )
    problems = media_problems(facts)
    if problems:
        raise InvalidInput(problems[0])
    if kind == "video":
        video = clean_video(upload.data, name=name)
        return CleanPhoto(
            facts,
            upload.data,
            video.data,
            video.mime_type,
            video.width,
            video.height,
            video.removed,
        )
    clean = clean_photo(upload.data, name=name)
    return CleanPhoto(
        facts, upload.data, clean.data, clean.mime_type, clean.width, clean.height, clean.removed
    )


def clean_sources(sources: Sequence[str]) -> list[str]:
    """The story's sources (§.04), one a line, without blanks."""
    out = [clean_line("a source", s, max_len=500) for s in sources]
    out = [s for s in out if s]
    if len(out) > MAX_SOURCES:
        raise InvalidInput(f"too many sources ({len(out)}; the limit is {MAX_SOURCES})")
    return out


def parse_event_date(value: str | date | None) -> date | None:
    """The date of the event the story tells of (not in the future)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput("event date must be a date (YYYY-MM-DD)") from None
    if value > clock.now().date():
        raise InvalidInput("event date is in the future; a story tells of what happened")
    return value


# ---- screening (§.12) ------------------------------------------------------------------------


def screen(
    text: str, media: Sequence[MediaFacts], screener: Screener | None = None
) -> tuple[list[dict[str, Any]], str]:
    """The §.12 (and §.20) findings of a text with its media, JSON-ready, and the rule version."""
    screener = screener or default_screener()
    items = tuple(
        MediaItem(
            name=m.name,
            kind=m.kind,
            consent_recorded=not m.depicts or bool(m.consent_reference.strip()),
            rights_recorded=not media_problems(
                MediaFacts(m.name, m.kind, m.source, m.rights, m.licence, frozenset(), "", "x")
            ),
            depicts_training_or_operations=bool(
                {Depicts.TRAINING.value, Depicts.OPERATIONS.value} & m.depicts
            ),
        )
        for m in media
    )
    result = screener.screen_draft(DraftInput(text, items))
    out = []
    for f in result.findings:
        out.append(
            {
                "key": finding_key(f.category, f.rule, f.evidence),
                "category": f.category,
                "label": f.label,
                "rule": f.rule,
                "spans": [[s.start, s.end] for s in f.spans],
                "evidence": f.evidence,
                "score": round(float(f.score), 3),
                "section": f.section,
                "explanation": f.explanation,
                "suggestion": f.suggestion,
                "keepable": keepable(f.rule),
            }
        )
    return out, f"{result.ruleset_version}/{result.model_version}"


# ---- reading ---------------------------------------------------------------------------------


def load(session: Session, submission_id: int, *, lock: bool = False) -> Submission:
    """The submission (locked for a change when ``lock``), or NotFound."""
    q = select(Submission).where(Submission.id == submission_id)
    sub = session.execute(q.with_for_update() if lock else q).scalar_one_or_none()
    if sub is None:
        raise NotFound(f"no submission with id {submission_id}")
    return sub


def may_read(actor: Actor, sub: Submission) -> bool:
    """The author reads their own submission; STORY_VIEW reads every one."""
    return sub.author_id == actor.account_id or actor.can(Perm.STORY_VIEW)


def get(session: Session, submission_id: int, *, actor: Actor) -> Submission:
    """One submission, for its author or anyone who may read submissions."""
    sub = load(session, submission_id)
    if not may_read(actor, sub):
        require(actor, Perm.STORY_VIEW)
    return sub


def versions(session: Session, sub: Submission) -> list[StoryVersion]:
    """Every version, oldest first."""
    return list(
        session.execute(
            select(StoryVersion)
            .where(StoryVersion.submission_id == sub.id)
            .order_by(StoryVersion.version)
        ).scalars()
    )


def current_version(session: Session, sub: Submission) -> StoryVersion:
    """The version under review now."""
    return session.execute(
        select(StoryVersion).where(
            StoryVersion.submission_id == sub.id, StoryVersion.version == sub.head_version
        )
    ).scalar_one()


def current_media(session: Session, sub: Submission) -> list[StoryMedia]:
    """The story's photos as they stand: the latest record of each, removed ones left out."""
    rows = list(
        session.execute(
            select(StoryMedia).where(StoryMedia.submission_id == sub.id).order_by(StoryMedia.id)
        ).scalars()
    )
    replaced = {r.replaces_id for r in rows if r.replaces_id is not None}
    return [r for r in rows if r.id not in replaced and not r.removed]


def facts_of(m: StoryMedia) -> MediaFacts:
    """A stored media record as the rules see it."""
    return MediaFacts(
        name=m.name,
        kind=m.kind,
        source=m.source,
        rights=m.rights,
        licence=m.licence,
        depicts=frozenset(m.depicts),
        consent_reference=m.consent_reference,
        alt_text=m.alt_text,
    )


def notes(session: Session, sub: Submission) -> list[StoryNote]:
    """Notes on the story, oldest first."""
    return list(
        session.execute(
            select(StoryNote).where(StoryNote.submission_id == sub.id).order_by(StoryNote.id)
        ).scalars()
    )


def list_mine(session: Session, *, actor: Actor) -> list[Submission]:
    """The actor's own submissions, newest first."""
    return list(
        session.execute(
            select(Submission)
            .where(Submission.author_id == actor.account_id)
            .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        ).scalars()
    )


def list_all(
    session: Session, *, actor: Actor, states: Sequence[StoryState] = ()
) -> list[Submission]:
    """Every submission (optionally in some states), newest first."""
    require(actor, Perm.STORY_VIEW)
    q = select(Submission).order_by(Submission.submitted_at.desc(), Submission.id.desc())
    if states:
        q = q.where(Submission.state.in_([s.value for s in states]))
    return list(session.execute(q).scalars())


# ---- the archive (§.40) ----------------------------------------------------------------------


def record_change(
    session: Session,
    sub: Submission,
    store: MediaStore | None,
    actor: Actor,
    action: tags.Tag,
    *,
    section: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """A change to a submission, as the record it is (§.40): written, captured into the archive
    (a new version when it changed) and audited, all in the caller's transaction."""
    session.flush()
    archive(session, sub, store)
    audit.record(
        session, actor, action, "submission", sub.id, reason=reason, section=section, data=data
    )


def archive(session: Session, sub: Submission, store: MediaStore | None) -> None:
    """Capture the submission as it stands now into the archive (a new version if changed)."""
    head = current_version(session, sub)
    media_rows = current_media(session, sub)
    fields: dict[str, Any] = {
        "title": sub.title,
        "division": sub.division,
        "event_date": sub.event_date.isoformat() if sub.event_date else None,
        "state": sub.state,
        "version": sub.head_version,
        "sources": list(head.sources),
        "edited_by": head.edited_by_name,
        "edit_note": head.note,
        "category": sub.category,
        "pages": list(sub.page_ids),
        "scheduled_for": sub.scheduled_for.isoformat() if sub.scheduled_for else None,
        "findings": [
            {"category": f["category"], "rule": f["rule"], "evidence": f["evidence"]}
            for f in head.findings
        ],
        "notes": [
            {"kind": n.kind, "by": n.author_name, "at": n.written_at.isoformat(), "text": n.text}
            for n in notes(session, sub)
        ],
        "resolutions": [
            {
                "version": r.version,
                "finding": r.evidence,
                "decision": r.decision,
                "reason": r.reason,
            }
            for r in session.execute(
                select(StoryResolution)
                .where(StoryResolution.submission_id == sub.id)
                .order_by(StoryResolution.id)
            ).scalars()
        ],
        "attestations": [
            {"version": a.version, "by": a.actor_name, "at": a.attested_at.isoformat()}
            for a in session.execute(
                select(StoryAttestation)
                .where(StoryAttestation.submission_id == sub.id)
                .order_by(StoryAttestation.id)
            ).scalars()
        ],
        "approvals": [
            {"version": a.version, "tier": a.tier, "decision": a.decision, "by": a.actor_name}
            for a in session.execute(
                select(StoryApproval)
                .where(StoryApproval.submission_id == sub.id)
                .order_by(StoryApproval.id)
            ).scalars()
        ],
        "media": [
            {
                "name": m.name,
                "source": m.source,
                "rights": m.rights,
                "licence": m.licence,
                "depicts": m.depicts,
                "consent_reference": m.consent_reference,
                "alt_text": m.alt_text,
                "original_sha256": m.original_sha256,
                "published_sha256": m.published_sha256,
            }
            for m in media_rows
        ],
        "publication_id": sub.publication_id,
    }
    if media_rows and store is None:
        # Without the bytes the archive would record the photo by name only.
        raise InvalidInput("a story with photos is archived with the media store; none was given")
    refs = []
    for m in media_rows:
        assert store is not None
        path = store.path_for(m.original_sha256)
        if not path.is_file():
            raise Conflict(
                f"the photo {m.name} ({m.original_sha256[:12]}…) is missing from the store"
            )
        refs.append(MediaRef(data=path.read_bytes(), mime_type=m.mime_type, filename=m.name))
    body = {"text": head.text, **fields}
    item = CapturedItem(
        kind=ItemKind.SUBMISSION,
        platform=ARCHIVE_PLATFORM,
        platform_id=f"submission:{sub.id}",
        raw=json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"),
        author_platform_id=f"account:{sub.author_id}",
        author_name=sub.author_name,
        created_at=sub.submitted_at,
        text=head.text,
        fields=fields,
        media=refs,
    )
    report = capture(session, [item], source="publishing", media=store)
    if sub.archive_item_id is None and report.item_ids:
        sub.archive_item_id = report.item_ids[0]


# ---- sending a story -------------------------------------------------------------------------


def submit(
    session: Session,
    *,
    actor: Actor,
    title: str,
    text: str,
    division: str = "",
    sources: Sequence[str] = (),
    event_date: str | date | None = None,
    photos: Sequence[PhotoUpload] = (),
    store: MediaStore | None = None,
    screener: Screener | None = None,
) -> Submission:
    """An active cadre member sends a story to the PIO office (everything checked first)."""
    require(actor, Perm.STORY_SUBMIT)
    member = cadre.membership_of(session, actor.account_id)
    if member is None or member.state != CadreState.ACTIVE.value:
        where = f"your membership is {member.state}" if member else "you are not in the cadre"
        raise PermissionDenied(
            f"only active cadre members submit stories, and {where}: a supervisor recommends, "
            "internal affairs vets and the PIO office trains each member first (GO 409 §.30)"
        )
    title = clean_line("title", title, max_len=200, required=True)
    text = clean_text("story", text, max_len=MAX_TEXT, required=True)
    division = clean_line("division", division, max_len=120) or member.division
    sources_ = clean_sources(sources)
    when = parse_event_date(event_date)
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"too many photos ({len(photos)}; the limit is {MAX_PHOTOS})")
    if sum(is_video(p) for p in photos) > MAX_VIDEOS or (
        any(is_video(p) for p in photos) and len(photos) > 1
    ):
        raise InvalidInput(
            "a story carries one video, without photos beside it (Mastodon and Facebook take "
            "one video a post)"
        )
    cleaned = [clean_upload(p, n) for n, p in enumerate(photos, start=1)]
    if cleaned and store is None:
        raise InvalidInput("photos and videos need the media store; none is configured")
    findings, ruleset = screen(text, [c.facts for c in cleaned], screener)
    now = clock.now()
    sub = Submission(
        author_id=actor.account_id,
        author_name=actor.display_name,
        member_id=member.id,
        title=title,
        division=division,
        event_date=when,
        state=STORY_LIFECYCLE.initial.value,
        submitted_at=now,
        head_version=1,
        approval_round=1,
        category=None,
        page_ids=[],
        scheduled_for=None,
        changed_at=now,
    )
    session.add(sub)
    session.flush()
    session.add(
        StoryVersion(
            submission_id=sub.id,
            version=1,
            text=text,
            sources=sources_,
            edited_by=actor.account_id,
            edited_by_name=actor.display_name,
            edited_at=now,
            note="as submitted",
            findings=findings,
            ruleset_version=ruleset[:80],
        )
    )
    for c in cleaned:
        assert store is not None
        add_media_row(session, sub, c, actor, store)
    record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.SUBMIT,
        section="§.30",
        data={
            "title": title,
            "division": division,
            "photos": len(cleaned),
            "findings": len(findings),
            "member_id": member.id,
        },
    )
    from piodesk.publishing import notify

    notify.to_review(session, sub)
    return sub


def add_media_row(
    session: Session,
    sub: Submission,
    c: CleanPhoto,
    actor: Actor,
    store: MediaStore,
    replaces: StoryMedia | None = None,
) -> StoryMedia:
    """Store a photo (as sent, and the published copy) and its record."""
    original = store.put(c.original)
    published = store.put(c.published)
    row = StoryMedia(
        submission_id=sub.id,
        replaces_id=replaces.id if replaces else None,
        removed=False,
        name=c.facts.name,
        kind=c.facts.kind,
        mime_type=c.mime_type,
        size=len(c.original),
        original_sha256=original,
        published_sha256=published,
        width=c.width,
        height=c.height,
        metadata_removed=list(c.removed),
        source=c.facts.source,
        rights=c.facts.rights,
        licence=c.facts.licence,
        depicts=sorted(c.facts.depicts),
        consent_reference=c.facts.consent_reference,
        alt_text=c.facts.alt_text,
        added_by=actor.account_id,
        added_by_name=actor.display_name,
        added_at=clock.now(),
    )
    session.add(row)
    return row


def withdraw(
    session: Session,
    submission_id: int,
    *,
    actor: Actor,
    reason: str = "",
    store: MediaStore | None = None,
) -> Submission:
    """The author takes their story back before it is published (kept as a record)."""
    sub = load(session, submission_id, lock=True)
    if sub.author_id != actor.account_id:
        raise PermissionDenied("only the story's author withdraws it")
    reason = clean_text("reason", reason, max_len=2000)
    before = StoryState(sub.state)
    sub.state = STORY_LIFECYCLE.check(before, StoryState.WITHDRAWN).value
    sub.changed_at = clock.now()
    session.add(
        StoryNote(
            submission_id=sub.id,
            version=sub.head_version,
            kind="withdrawal",
            text=reason or "withdrawn by its author",
            author_id=actor.account_id,
            author_name=actor.display_name,
            written_at=clock.now(),
        )
    )
    record_change(
        session,
        sub,
        store,
        actor,
        tags.Story.WITHDRAW,
        reason=reason,
        section="§.30",
        data={"from": before.value},
    )
    return sub


def require_state(sub: Submission, *allowed: StoryState) -> StoryState:
    """The submission's state, refused unless it is one of ``allowed``."""
    state = StoryState(sub.state)
    if state not in allowed:
        raise Conflict(
            f"submission {sub.id} is {state.value.replace('_', ' ')}; "
            f"this is done while it is {' or '.join(s.value.replace('_', ' ') for s in allowed)}"
        )
    return state
