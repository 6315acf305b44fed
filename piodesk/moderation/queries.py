"""What the PIO office looks at: the queue, a case with its context, people's histories.

Reads only; each function checks that the actor may see what it returns.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors import intents
from piodesk.connectors.model import ItemKind
from piodesk.core import clock
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, require
from piodesk.moderation.model import REASONS, CaseState
from piodesk.moderation.tables import (
    Advice,
    Answer,
    Appeal,
    AppealDecision,
    Block,
    Case,
    CaseCategory,
    Claim,
    Concurrence,
    Consultation,
    Decision,
    Notice,
    PersonNote,
    Proposal,
    Reopening,
    Report,
    ResponseRequest,
    SavedReply,
    Screening,
    Viewer,
    Warning_,
)
from piodesk.pages.tables import Page
from piodesk.people.tables import Account

QUEUE_LIMIT = 200
OPEN_STATES = (CaseState.OPEN.value, CaseState.WITH_COUNSEL.value)


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters: page, category, minimum age in hours, and which cases."""

    page_id: int | None = None
    category: str | None = None
    older_than_hours: float | None = None
    state: str = "open"  # open (incl. with counsel) | with_counsel | closed | all

    def __post_init__(self) -> None:
        if self.state not in ("open", "with_counsel", "closed", "all"):
            raise InvalidInput("state is open, with_counsel, closed or all")
        if self.older_than_hours is not None and not 0 <= self.older_than_hours <= 24 * 3650:
            raise InvalidInput("age is a number of hours between 0 and 87,600")


@dataclass
class QueueRow:
    """One case as the queue lists it."""

    case: Case
    page_name: str
    text: str
    categories: list[str]


def _in_scope(actor: Actor, column: Any) -> Any:
    """A condition limiting a PIO designee to their pages (always true for everyone else)."""
    if actor.page_scope is not None and not actor.can(Perm.MODERATION_VIEW, -1):
        return column.in_(sorted(actor.page_scope))
    return true()


def _queue_where(flt: QueueFilter, actor: Actor) -> list[Any]:
    """The conditions a case meets to be in the queue under ``flt``."""
    where: list[Any] = []
    if flt.state == "open":
        where.append(Case.state.in_(OPEN_STATES))
    elif flt.state != "all":
        where.append(Case.state == flt.state)
    if flt.page_id is not None:
        where.append(Case.page_id == flt.page_id)
    if flt.category:
        where.append(
            exists().where(CaseCategory.case_id == Case.id, CaseCategory.category == flt.category)
        )
    if flt.older_than_hours is not None:
        where.append(Case.opened_at <= clock.now() - timedelta(hours=flt.older_than_hours))
    where.append(_in_scope(actor, Case.page_id))
    return where


def _queue_order(flt: QueueFilter) -> list[tuple[Any, bool]]:
    """The queue's order as (expression, descending) keys; the case id settles ties."""
    if flt.state == "closed":
        # The latest decided first (a case with no decision time last, on either database).
        undecided = sql_case((Case.decided_at.is_(None), 1), else_=0)
        return [(undecided, False), (Case.decided_at, True), (Case.id, False)]
    # Threats first (a person may be in danger), then the oldest.
    threat = exists().where(CaseCategory.case_id == Case.id, CaseCategory.category == "threat")
    return [(sql_case((threat, 0), else_=1), False), (Case.opened_at, False), (Case.id, False)]


def queue(session: Session, flt: QueueFilter, *, actor: Actor) -> list[QueueRow]:
    """Cases in the queue, oldest first (the order the office works them)."""
    require(actor, Perm.MODERATION_VIEW)
    orders = [e.desc() if desc else e for e, desc in _queue_order(flt)]
    q = select(Case).where(*_queue_where(flt, actor)).order_by(*orders).limit(QUEUE_LIMIT)
    return _rows(session, list(session.execute(q).scalars()))


def page_names(session: Session) -> dict[int, str]:
    """Every page's name by its id."""
    return {row.id: row.name for row in session.execute(select(Page.id, Page.name))}


def _rows(session: Session, cases: Sequence[Case]) -> list[QueueRow]:
    ids = [c.id for c in cases]
    cats: dict[int, list[str]] = {}
    for r in session.execute(select(CaseCategory).where(CaseCategory.case_id.in_(ids))).scalars():
        cats.setdefault(r.case_id, []).append(r.category)
    texts = _latest_texts(session, [c.item_id for c in cases if c.item_id])
    pages = page_names(session)
    return [
        QueueRow(
            c,
            pages.get(c.page_id, "—") if c.page_id else "—",
            texts.get(c.item_id, "") if c.item_id else (c.url or ""),
            sorted(cats.get(c.id, [])),
        )
        for c in cases
    ]


def latest_texts(session: Session, item_ids: list[int]) -> dict[int, str]:
    """The latest text of each archived record."""
    return _latest_texts(session, item_ids)


def _latest_texts(session: Session, item_ids: list[int]) -> dict[int, str]:
    if not item_ids:
        return {}
    rows = session.execute(
        select(ArchiveVersion.item_id, ArchiveVersion.text)
        .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
        .where(
            ArchiveVersion.item_id.in_(item_ids),
            ArchiveVersion.version == ArchiveItem.head_version,
        )
    )
    return {r.item_id: r.text or "" for r in rows}


def oldest_open(session: Session, *, actor: Actor) -> tuple[int, datetime | None]:
    """How many cases are open, and when the oldest was opened (for the dashboard)."""
    require(actor, Perm.MODERATION_VIEW)
    q = select(func.count(), func.min(Case.opened_at)).where(
        Case.state.in_(OPEN_STATES), _in_scope(actor, Case.page_id)
    )
    count, oldest = session.execute(q).one()
    return int(count), oldest


def dashboard_counts(session: Session, *, actor: Actor) -> dict[str, int]:
    """Comments waiting for a response (§.12) and blocks due for review, counted in SQL."""
    require(actor, Perm.MODERATION_VIEW)
    responses = session.execute(
        select(func.count()).where(
            ResponseRequest.state == "open", _in_scope(actor, ResponseRequest.page_id)
        )
    ).scalar_one()
    due = session.execute(
        select(func.count()).where(
            Block.lifted_at.is_(None),
            Block.review_due_at <= clock.now(),
            _in_scope(actor, Block.page_id),
        )
    ).scalar_one()
    return {"responses": int(responses), "blocks_due": int(due)}


def neighbours(session: Session, case: Case, flt: QueueFilter, *, actor: Actor) -> dict[str, Any]:
    """The previous and next case in the queue order, for moving with the keyboard, and the
    case's place in the queue: a few indexed queries, never the whole queue."""
    require(actor, Perm.MODERATION_VIEW)
    where = _queue_where(flt, actor)
    keys = _queue_order(flt)
    total = int(session.execute(select(func.count()).select_from(Case).where(*where)).scalar_one())
    found = session.execute(
        select(*(e for e, _ in keys)).where(Case.id == case.id, *where)
    ).one_or_none()

    def first(before: bool) -> int | None:
        """The case just before (or after) this one in the queue order."""
        directed = [(e, desc) if before else (e, not desc) for e, desc in keys]
        orders = [e if desc else e.desc() for e, desc in directed]  # nearest first
        return session.execute(
            select(Case.id)
            .where(*where, _ahead(directed, found) if found is not None else true())
            .order_by(*orders)
            .limit(1)
        ).scalar()

    if found is None:
        head = session.execute(
            select(Case.id)
            .where(*where)
            .order_by(*(e.desc() if desc else e for e, desc in keys))
            .limit(1)
        ).scalar()
        return {"prev": None, "next": head, "position": None, "total": total}
    ahead = session.execute(
        select(func.count()).select_from(Case).where(*where, _ahead(keys, found))
    ).scalar_one()
    return {
        "prev": first(before=True),
        "next": first(before=False),
        "position": int(ahead) + 1,
        "total": total,
    }


def _ahead(keys: Sequence[tuple[Any, bool]], values: Sequence[Any]) -> Any:
    """Rows that come before ``values`` in the order ``keys`` (a keyset condition)."""

    def same(e: Any, v: Any) -> Any:
        return e.is_(None) if v is None else e == v

    alternatives = []
    for k, (e, desc) in enumerate(keys):
        if values[k] is None:
            continue  # nothing sorts strictly before or after NULL within the same group
        earlier = e > values[k] if desc else e < values[k]
        ties = [same(x, v) for (x, _), v in zip(keys[:k], values[:k], strict=True)]
        alternatives.append(and_(*ties, earlier))
    return or_(*alternatives) if alternatives else false()


@dataclass
class Segment:
    """A piece of the comment's text, highlighted when a finding points at it."""

    text: str
    categories: tuple[str, ...] = ()


def highlight(text: str, findings: Sequence[dict[str, Any]]) -> list[Segment]:
    """Split ``text`` at the findings' spans so the page can mark each one."""
    marks: list[tuple[int, int, str]] = []
    for f in findings:
        for start, end in f.get("spans", []):
            if 0 <= start < end <= len(text):
                marks.append((start, end, f["category"]))
    if not marks:
        return [Segment(text)]
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    out = []
    for a, b in itertools.pairwise(cuts):
        cats = tuple(sorted({c for s, e, c in marks if s <= a and b <= e}))
        out.append(Segment(text[a:b], cats))
    return out


@dataclass
class History:
    """A person's record on the department's pages: earlier cases, warnings, blocks."""

    cases: list[Case] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    comments: int = 0


def history(session: Session, platform: str | None, person_id: str | None) -> History:
    """Everything piodesk knows of one commenter."""
    if not platform or not person_id:
        return History()
    return History(
        cases=list(
            session.execute(
                select(Case)
                .where(Case.platform == platform, Case.author_platform_id == person_id)
                .order_by(Case.id.desc())
                .limit(50)
            ).scalars()
        ),
        warnings=list(
            session.execute(
                select(Warning_)
                .where(Warning_.platform == platform, Warning_.person_id == person_id)
                .order_by(Warning_.id.desc())
            ).scalars()
        ),
        blocks=list(
            session.execute(
                select(Block)
                .where(Block.platform == platform, Block.person_id == person_id)
                .order_by(Block.id.desc())
            ).scalars()
        ),
        comments=session.execute(
            select(func.count()).where(
                ArchiveItem.platform == platform,
                ArchiveItem.author_platform_id == person_id,
                ArchiveItem.kind.in_((ItemKind.COMMENT.value, ItemKind.REPLY.value)),
            )
        ).scalar_one(),
    )


@dataclass
class CaseView:
    """Everything a case page shows."""

    case: Case
    page: Page | None
    item: ArchiveItem | None
    versions: list[ArchiveVersion]
    text: str
    segments: list[Segment]
    findings: list[dict[str, Any]]
    screening: Screening | None
    post: ArchiveVersion | None  # the post the comment is under
    thread: list[tuple[ArchiveItem, str]]  # the other comments of the thread
    categories: list[str]
    history: History
    decisions: list[Decision]
    consultations: list[tuple[Consultation, Advice | None]]
    reports: list[Report]
    concurrences: list[Advice]
    active_block: Block | None
    # Platform actions on this case or its author's block not yet confirmed, in plain words.
    platform_actions: list[str] = field(default_factory=list)
    # What screening found in the comment, and the §.20 categories it did not find.
    found: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    # Every step of the case and of its author's record, from the audit log, oldest first.
    history_events: list[Any] = field(default_factory=list)
    # Held decisions with their answer (None: still waiting), oldest first.
    proposals: list[tuple[Proposal, Concurrence | None]] = field(default_factory=list)
    reopenings: list[Reopening] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    appeals: list[tuple[Appeal, AppealDecision | None]] = field(default_factory=list)
    person_notes: list[PersonNote] = field(default_factory=list)
    claim: Claim | None = None
    claimed_by: str | None = None  # the name of whoever works the case
    viewers: list[str] = field(default_factory=list)  # names of others looking lately


def _head(session: Session, item_id: int) -> ArchiveVersion | None:
    return session.execute(
        select(ArchiveVersion)
        .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
        .where(ArchiveItem.id == item_id, ArchiveVersion.version == ArchiveItem.head_version)
    ).scalar_one_or_none()


THREAD_WINDOW = 15


def _thread(session: Session, item: ArchiveItem, post_id: str) -> list[ArchiveItem]:
    """The post's comments, each followed by its replies, around the case's comment: the
    comments within THREAD_WINDOW of the case's thread read by keyset (never the whole post),
    which holds every one the window of the flattened thread can reach."""
    same_post = (
        ArchiveItem.platform == item.platform,
        ArchiveItem.page_id == item.page_id,
        ArchiveItem.kind == ItemKind.COMMENT.value,
        ArchiveItem.parent_platform_id == post_id,
    )
    # Oldest first, an undated comment last (on either database).
    undated = sql_case((ArchiveItem.created_at.is_(None), 1), else_=0)
    keys: list[tuple[Any, bool]] = [
        (undated, False),
        (ArchiveItem.created_at, False),
        (ArchiveItem.id, False),
    ]
    if item.kind == ItemKind.COMMENT.value:
        anchor: ArchiveItem | None = item
    else:
        anchor = session.execute(
            select(ArchiveItem).where(
                *same_post, ArchiveItem.platform_id == item.parent_platform_id
            )
        ).scalar_one_or_none()

    def page(where: Any, descending: bool, limit: int) -> list[ArchiveItem]:
        orders = [e.desc() if descending else e for e, _ in keys]
        return list(
            session.execute(
                select(ArchiveItem).where(*same_post, where).order_by(*orders).limit(limit)
            ).scalars()
        )

    if anchor is None or anchor.parent_platform_id != post_id:
        comments = page(true(), False, THREAD_WINDOW + 1)  # no thread to centre on: the first
    else:
        mark = (1 if anchor.created_at is None else 0, anchor.created_at, anchor.id)
        later = [(e, not desc) for e, desc in keys]
        comments = [
            *reversed(page(_ahead(keys, mark), True, THREAD_WINDOW)),
            anchor,
            *page(_ahead(later, mark), False, THREAD_WINDOW),
        ]
    replies: dict[str | None, list[ArchiveItem]] = {}
    ids = [c.platform_id for c in comments]
    for start in range(0, len(ids), 500):
        for r in session.execute(
            select(ArchiveItem)
            .where(
                ArchiveItem.platform == item.platform,
                ArchiveItem.page_id == item.page_id,
                ArchiveItem.kind == ItemKind.REPLY.value,
                ArchiveItem.parent_platform_id.in_(ids[start : start + 500]),
            )
            .order_by(ArchiveItem.created_at, ArchiveItem.id)
        ).scalars():
            replies.setdefault(r.parent_platform_id, []).append(r)
    ordered = [x for c in comments for x in (c, *replies.get(c.platform_id, []))]
    at = next((i for i, x in enumerate(ordered) if x.id == item.id), 0)
    return ordered[max(0, at - THREAD_WINDOW) : at + THREAD_WINDOW + 1]


def case_view(session: Session, case_id: int, *, actor: Actor) -> CaseView:
    """A case with its comment in its thread and post, findings, history and decisions."""
    case = get_case(session, case_id, actor=actor)
    item = session.get(ArchiveItem, case.item_id) if case.item_id else None
    versions: list[ArchiveVersion] = []
    post = None
    thread: list[tuple[ArchiveItem, str]] = []
    text = ""
    if item is not None:
        versions = list(
            session.execute(
                select(ArchiveVersion)
                .where(ArchiveVersion.item_id == item.id)
                .order_by(ArchiveVersion.version)
            ).scalars()
        )
        text = versions[-1].text or "" if versions else ""
        post_id = item.parent_platform_id
        if item.kind == ItemKind.REPLY.value and item.parent_platform_id:
            parent = session.execute(
                select(ArchiveItem).where(
                    ArchiveItem.platform == item.platform,
                    ArchiveItem.kind == ItemKind.COMMENT.value,
                    ArchiveItem.platform_id == item.parent_platform_id,
                )
            ).scalar_one_or_none()
            post_id = parent.parent_platform_id if parent else None
        if post_id and item.kind != ItemKind.POST.value:
            post_item = session.execute(
                select(ArchiveItem).where(
                    ArchiveItem.platform == item.platform,
                    ArchiveItem.kind == ItemKind.POST.value,
                    ArchiveItem.platform_id == post_id,
                )
            ).scalar_one_or_none()
            post = _head(session, post_item.id) if post_item else None
            siblings = _thread(session, item, post_id)
            texts = _latest_texts(session, [s.id for s in siblings])
            thread = [(s, texts.get(s.id, "")) for s in siblings]
    screening = session.get(Screening, case.screening_id) if case.screening_id else None
    findings = list(screening.findings) if screening else []
    consultations = []
    for c in session.execute(
        select(Consultation).where(Consultation.case_id == case.id).order_by(Consultation.id)
    ).scalars():
        advice = session.execute(
            select(Advice).where(Advice.consultation_id == c.id)
        ).scalar_one_or_none()
        consultations.append((c, advice))
    concurrences: list[Advice] = []
    active = None
    if case.page_id and case.author_platform_id and case.platform:
        person = person_of_case(session, case.id)
        concurrences = concurrences_for(session, person)
        active = active_block(session, person)
    page = session.get(Page, case.page_id) if case.page_id else None
    unsettled = intents.open_actions(session, "case", [str(case.id)])
    if active is not None:
        unsettled += intents.open_actions(session, "block", [str(active.id)])
    return CaseView(
        case=case,
        page=page,
        item=item,
        versions=versions,
        text=text,
        segments=highlight(screening_text(versions, screening) or text, findings)
        if findings
        else [Segment(text)],
        findings=findings,
        screening=screening,
        post=post,
        thread=thread,
        categories=sorted(
            session.execute(
                select(CaseCategory.category).where(CaseCategory.case_id == case.id)
            ).scalars()
        ),
        history=history(session, case.platform, case.author_platform_id),
        decisions=list(
            session.execute(
                select(Decision).where(Decision.case_id == case.id).order_by(Decision.id)
            ).scalars()
        ),
        consultations=consultations,
        reports=list(
            session.execute(
                select(Report).where(Report.case_id == case.id).order_by(Report.id)
            ).scalars()
        ),
        concurrences=concurrences,
        active_block=active,
        platform_actions=[intents.describe(a, page.name if page else None) for a in unsettled],
        **_due_process(session, case, actor),
    )


VIEWING_MINUTES = 10


def _due_process(session: Session, case: Case, actor: Actor) -> dict[str, Any]:
    """The parts of a case page the due-process work added (see CaseView)."""
    from piodesk.core.audit import AuditEvent
    from piodesk.moderation.model import REASONS

    found = found_categories(session, case)
    person_key = f"{case.platform}:{case.author_platform_id}" if case.author_platform_id else None
    cond = (AuditEvent.target_type == "case") & (AuditEvent.target_id == str(case.id))
    if person_key:
        cond = cond | ((AuditEvent.target_type == "person") & (AuditEvent.target_id == person_key))
    events = list(
        session.execute(
            select(AuditEvent).where(cond).order_by(AuditEvent.seq).limit(500)
        ).scalars()
    )
    proposals = []
    for p in session.execute(
        select(Proposal).where(Proposal.case_id == case.id).order_by(Proposal.id)
    ).scalars():
        answer = session.execute(
            select(Concurrence).where(Concurrence.proposal_id == p.id)
        ).scalar_one_or_none()
        proposals.append((p, answer))
    blocks_of = select(Block.id).where(
        Block.platform == case.platform, Block.person_id == case.author_platform_id
    )
    notices = list(
        session.execute(
            select(Notice).where(Notice.block_id.in_(blocks_of)).order_by(Notice.id)
        ).scalars()
    )
    appeals = [
        (a, d)
        for a, d in session.execute(
            select(Appeal, AppealDecision)
            .outerjoin(AppealDecision, AppealDecision.appeal_id == Appeal.id)
            .where(Appeal.block_id.in_(blocks_of))
            .order_by(Appeal.id)
        )
    ]
    notes = (
        list(
            session.execute(
                select(PersonNote)
                .where(
                    PersonNote.platform == case.platform,
                    PersonNote.person_id == case.author_platform_id,
                )
                .order_by(PersonNote.id)
            ).scalars()
        )
        if case.author_platform_id
        else []
    )
    claim = session.get(Claim, case.id)
    since = clock.now() - timedelta(minutes=VIEWING_MINUTES)
    viewers = [
        name
        for (name,) in session.execute(
            select(Account.display_name)
            .join(Viewer, Viewer.account_id == Account.id)
            .where(
                Viewer.case_id == case.id,
                Viewer.seen_at >= since,
                Viewer.account_id != (actor.account_id or -1),
            )
        )
    ]
    return {
        "found": sorted(found),
        "not_found": [c for c in REASONS if c != "no_violation" and c not in found],
        "history_events": events,
        "proposals": proposals,
        "reopenings": list(
            session.execute(
                select(Reopening).where(Reopening.case_id == case.id).order_by(Reopening.id)
            ).scalars()
        ),
        "notices": notices,
        "appeals": appeals,
        "person_notes": notes,
        "claim": claim,
        "claimed_by": session.execute(
            select(Account.display_name).where(Account.id == claim.account_id)
        ).scalar()
        if claim
        else None,
        "viewers": viewers,
    }


def saved_replies(session: Session) -> list[SavedReply]:
    """The office's saved explanations for warnings, by title."""
    return list(session.execute(select(SavedReply).order_by(SavedReply.title)).scalars())


def display_names(session: Session) -> dict[str, str]:
    """Every account's name by its username (pages show names, not usernames)."""
    return {
        row.username: row.display_name
        for row in session.execute(select(Account.username, Account.display_name))
    }


def appeals_queue(session: Session, *, actor: Actor) -> list[tuple[Appeal, Block, Notice]]:
    """Appeals waiting for a decision, oldest first (the PIO office)."""
    require(actor, Perm.PERSON_BLOCK)
    rows = session.execute(
        select(Appeal, Block, Notice)
        .join(Block, Block.id == Appeal.block_id)
        .join(Notice, Notice.id == Appeal.notice_id)
        .outerjoin(AppealDecision, AppealDecision.appeal_id == Appeal.id)
        .where(AppealDecision.id.is_(None), _in_scope(actor, Block.page_id))
        .order_by(Appeal.id)
        .limit(QUEUE_LIMIT)
    )
    return [(a, b, n) for a, b, n in rows]


def decided_appeals(
    session: Session, *, actor: Actor, limit: int = 50
) -> list[tuple[Appeal, Block, AppealDecision]]:
    """Appeals decided, newest first."""
    require(actor, Perm.MODERATION_VIEW)
    rows = session.execute(
        select(Appeal, Block, AppealDecision)
        .join(Block, Block.id == Appeal.block_id)
        .join(AppealDecision, AppealDecision.appeal_id == Appeal.id)
        .where(_in_scope(actor, Block.page_id))
        .order_by(AppealDecision.id.desc())
        .limit(limit)
    )
    return [(a, b, d) for a, b, d in rows]


def screening_text(versions: Sequence[ArchiveVersion], screening: Screening | None) -> str:
    """The text that was screened (the spans point into it), not a later edit's."""
    if screening is None:
        return ""
    for v in versions:
        if v.seq == screening.version_seq:
            return v.text or ""
    return ""


# ---- other lists -----------------------------------------------------------------------------


def consultations_for_counsel(
    session: Session, *, actor: Actor, answered: bool = False
) -> list[tuple[Consultation, Case, Advice | None]]:
    """The cases sent to legal counsel: waiting for advice, or answered."""
    require(actor, Perm.MODERATION_ADVISE)
    q = (
        select(Consultation, Case, Advice)
        .join(Case, Case.id == Consultation.case_id)
        .outerjoin(Advice, Advice.consultation_id == Consultation.id)
    )
    q = q.where(Advice.id.is_not(None) if answered else Advice.id.is_(None))
    return [(c, k, a) for c, k, a in session.execute(q.order_by(Consultation.id).limit(200))]


@dataclass
class ReportStatus:
    """A report as its reporter sees it: what happened to it."""

    report: Report
    case: Case
    last_decision: Decision | None
    #: The reported comment's text as piodesk captured it; None when piodesk never captured it
    #: (a link to something outside the archive) -- the page then says so.
    text: str | None = None
    page_name: str | None = None
    posted_at: datetime | None = None
    outcome: str = ""


#: A decision's action as the reporter reads it.
REPORT_OUTCOME_WORDS: dict[str, str] = {
    "keep": "Kept: no violation found",
    "hide": "Hidden from the page",
    "remove": "Removed from the page",
    "restore": "Restored to the page after a review",
}


def _report_outcome(case: Case, last: Decision | None) -> str:
    if last is not None:
        words = REPORT_OUTCOME_WORDS.get(last.action, last.action)
        if last.action in ("hide", "remove"):
            reason = REASONS.get(last.reason, last.reason)
            words += f" ({reason[:1].lower() + reason[1:]})"
        if case.state != CaseState.CLOSED.value:
            words += "; the case has since been reopened for review"
        return words
    if case.state == CaseState.WITH_COUNSEL.value:
        return "Under review (with legal counsel)"
    if case.state == CaseState.AWAITING_SECOND.value:
        return "Under review (waiting for a second person)"
    return "Waiting for the PIO's review"


def my_reports(session: Session, *, actor: Actor) -> list[ReportStatus]:
    """The reports the actor filed, with the outcome of each (§.22)."""
    require(actor, Perm.REPORT_FILE)
    rows = session.execute(
        select(Report, Case)
        .join(Case, Case.id == Report.case_id)
        .where(Report.reporter_id == actor.account_id)
        .order_by(Report.id.desc())
        .limit(100)
    )
    pairs = list(rows)
    item_ids = [i for r, c in pairs if (i := r.item_id or c.item_id)]
    texts = _latest_texts(session, item_ids)
    found = session.execute(select(ArchiveItem).where(ArchiveItem.id.in_(item_ids))).scalars()
    items = {i.id: i for i in found} if item_ids else {}
    pages = page_names(session)
    out = []
    for report, case in pairs:
        last = session.execute(
            select(Decision)
            .where(Decision.case_id == case.id, Decision.decided_at >= report.reported_at)
            .order_by(Decision.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        item_id = report.item_id or case.item_id
        item = items.get(item_id) if item_id else None
        page_id = case.page_id or (item.page_id if item else None)
        out.append(
            ReportStatus(
                report,
                case,
                last,
                text=texts.get(item.id) if item else None,
                page_name=pages.get(page_id) if page_id else None,
                posted_at=item.created_at if item else None,
                outcome=_report_outcome(case, last),
            )
        )
    return out


@dataclass
class ResponseRow:
    """A comment that asks the department something, and who answered it."""

    request: ResponseRequest
    item: ArchiveItem
    text: str
    page_name: str
    answer: Answer | None


def needs_response(session: Session, *, actor: Actor, state: str = "open") -> list[ResponseRow]:
    """The §.12 queue: comments asking for a response (open first, oldest first)."""
    require(actor, Perm.MODERATION_VIEW)
    if state not in ("open", "answered", "no_response", "all"):
        raise InvalidInput("state is open, answered, no_response or all")
    q = select(ResponseRequest, ArchiveItem).join(
        ArchiveItem, ArchiveItem.id == ResponseRequest.item_id
    )
    if state != "all":
        q = q.where(ResponseRequest.state == state)
    q = q.where(_in_scope(actor, ResponseRequest.page_id))
    order = ResponseRequest.detected_at if state == "open" else ResponseRequest.answered_at.desc()
    rows = list(session.execute(q.order_by(order).limit(QUEUE_LIMIT)))
    texts = _latest_texts(session, [i.id for _, i in rows])
    pages = page_names(session)
    answers = {
        a.request_id: a
        for a in session.execute(
            select(Answer).where(Answer.request_id.in_([r.id for r, _ in rows]))
        ).scalars()
    }
    return [
        ResponseRow(
            r,
            i,
            texts.get(i.id, ""),
            pages.get(r.page_id, "—") if r.page_id else "—",
            answers.get(r.id),
        )
        for r, i in rows
    ]


def block_actions(session: Session, blocks: Sequence[Block]) -> dict[int, list[str]]:
    """Lifts of these blocks not confirmed yet on the platform, in words, by block id."""
    notes: dict[int, list[str]] = {}
    for row in intents.open_actions(session, "block", [str(b.id) for b in blocks]):
        notes.setdefault(int(row.subject_id), []).append(intents.describe(row))
    return notes


def blocks(session: Session, *, actor: Actor, include_lifted: bool = False) -> list[Block]:
    """Blocks in force (due for review first), or every block."""
    require(actor, Perm.MODERATION_VIEW)
    q = select(Block).where(_in_scope(actor, Block.page_id))
    if not include_lifted:
        q = q.where(Block.lifted_at.is_(None))
    return list(session.execute(q.order_by(Block.review_due_at).limit(500)).scalars())


def all_comments(
    session: Session, *, actor: Actor, page_id: int | None = None, before: int | None = None
) -> list[tuple[ArchiveItem, str, Case | None]]:
    """Every captured comment, newest first, with its case if it has one (flagged or not)."""
    require(actor, Perm.MODERATION_VIEW)
    q = select(ArchiveItem).where(
        ArchiveItem.kind.in_((ItemKind.COMMENT.value, ItemKind.REPLY.value))
    )
    if page_id is not None:
        q = q.where(ArchiveItem.page_id == page_id)
    q = q.where(_in_scope(actor, ArchiveItem.page_id))
    if before is not None:
        q = q.where(ArchiveItem.id < before)
    items = list(session.execute(q.order_by(ArchiveItem.id.desc()).limit(50)).scalars())
    texts = _latest_texts(session, [i.id for i in items])
    cases: dict[int, Case] = {}
    for c in session.execute(
        select(Case).where(Case.item_id.in_([i.id for i in items])).order_by(Case.id)
    ).scalars():
        if c.item_id is not None:
            cases[c.item_id] = c
    return [(i, texts.get(i.id, ""), cases.get(i.id)) for i in items]


def found_categories(session: Session, case: Case) -> frozenset[str]:
    """The §.20 categories screening found in a case's comment (a report's category is one
    person's view, not a finding)."""
    screening = session.get(Screening, case.screening_id) if case.screening_id else None
    if screening is None and case.item_id is not None:
        # A case opened from a report: what screening said of the comment itself.
        screening = session.execute(
            select(Screening)
            .where(Screening.item_id == case.item_id)
            .order_by(Screening.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    if screening is None:
        return frozenset()
    return frozenset(str(f.get("category")) for f in screening.findings if f.get("category"))


def find_case(session: Session, case_id: int) -> Case:
    """A case by its id, or NotFound (no permission check: callers check)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no moderation case {case_id}")
    return case


def may_view_case(session: Session, case: Case, actor: Actor) -> bool:
    """The PIO office and the auditor see every case; counsel sees the ones sent to them."""
    if actor.can(Perm.MODERATION_VIEW, case.page_id):
        return True
    if actor.can(Perm.MODERATION_ADVISE):
        return (
            session.execute(
                select(Consultation.id).where(Consultation.case_id == case.id).limit(1)
            ).first()
            is not None
        )
    return False


def get_case(session: Session, case_id: int, *, actor: Actor) -> Case:
    """One case, for those who may see it."""
    case = find_case(session, case_id)
    if not may_view_case(session, case, actor):
        raise PermissionDenied(
            f"{actor.username} may not see moderation case {case_id}; the PIO office and the "
            "auditor see every case, legal counsel the cases sent to them"
        )
    return case


@dataclass(frozen=True)
class Person:
    """Someone who commented on a department page, as the platform names them."""

    page_id: int
    platform: str
    person_id: str
    name: str | None


def person_of_case(session: Session, case_id: int) -> Person:
    """The author of a case's comment."""
    case = find_case(session, case_id)
    if case.page_id is None or not case.author_platform_id or not case.platform:
        raise Conflict(f"case {case_id} has no known author on a department page")
    return Person(case.page_id, case.platform, case.author_platform_id, case.author_name)


def concurrences_for(session: Session, person: Person) -> list[Advice]:
    """Counsel's advice concurring with blocking this person without a warning."""
    return list(
        session.execute(
            select(Advice)
            .join(Consultation, Consultation.id == Advice.consultation_id)
            .join(Case, Case.id == Consultation.case_id)
            .where(
                Advice.concurs_block.is_(True),
                Case.platform == person.platform,
                Case.author_platform_id == person.person_id,
            )
            .order_by(Advice.id.desc())
        ).scalars()
    )


def active_block(session: Session, person: Person) -> Block | None:
    """The block of this person on their page that is in force, if any."""
    return session.execute(
        select(Block).where(
            Block.page_id == person.page_id,
            Block.platform == person.platform,
            Block.person_id == person.person_id,
            Block.lifted_at.is_(None),
        )
    ).scalar_one_or_none()


_COMMENT_KINDS = (ItemKind.COMMENT.value, ItemKind.REPLY.value)

# Links to a record on each platform: the platform, and the id (and kind, where the link says).
_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "sandbox",
        re.compile(r"/sandbox/[\w.%-]+/?[^#\s]*#(?P<kind>comment|post)-(?P<id>\d{1,18})\b"),
    ),
    ("mastodon", re.compile(r"^https?://[^/\s]+/@[\w.@-]+/(?P<id>\d{1,24})\b")),
    ("x", re.compile(r"^https?://(?:www\.)?(?:x|twitter)\.com/\w+/status/(?P<id>\d{1,24})\b")),
    (
        "facebook",
        re.compile(r"^https?://(?:www\.|m\.)?facebook\.com/.*[?&]comment_id=(?P<id>\d{1,24})"),
    ),
)


def resolve_link(session: Session, url: str) -> ArchiveItem | None:
    """The archived post or comment a platform link points at, if piodesk captured it."""
    for platform, pattern in _LINKS:
        match = pattern.search(url)
        if not match:
            continue
        platform_id = match.group("id")
        kind = match.groupdict().get("kind")
        q = select(ArchiveItem).where(ArchiveItem.platform == platform)
        if kind == "post":
            q = q.where(ArchiveItem.kind == ItemKind.POST.value)
        elif kind == "comment" or platform == "facebook":
            q = q.where(ArchiveItem.kind.in_(_COMMENT_KINDS))
        if platform == "facebook":
            # Graph comment ids are "<post>_<comment>"; the link carries the comment part.
            q = q.where(
                (ArchiveItem.platform_id == platform_id)
                | ArchiveItem.platform_id.like(f"%\\_{platform_id}", escape="\\")
            )
        else:
            q = q.where(ArchiveItem.platform_id == platform_id)
        return session.execute(q.order_by(ArchiveItem.id).limit(1)).scalar_one_or_none()
    return None
