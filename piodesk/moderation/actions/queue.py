"""Working the queue: claim and assign cases, see who is looking, keep several clean cases at
once, saved replies for warnings, and the office's notes on a person (§.20)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.moderation.actions import notifications
from piodesk.moderation.actions._common import Connect, check_category
from piodesk.moderation.actions.decisions import decide
from piodesk.moderation.model import MAX_NOTE, MIN_EXPLANATION, NO_VIOLATION, CaseState
from piodesk.moderation.queries import find_case, found_categories, person_of_case
from piodesk.moderation.tables import Case, Claim, PersonNote, SavedReply, Viewer
from piodesk.people.tables import Account

MAX_BULK = 50
#: A case page refreshes its viewer's presence at most this often (presence shows for
#: ``queries.VIEWING_MINUTES``): a write on every view queued each page behind other writers.
PRESENCE_REFRESH = timedelta(seconds=60)


def viewer_noted_recently(session: Session, case_id: int, actor: Actor) -> bool:
    """Whether the actor's presence on the case is fresh enough that the view need not write."""
    if actor.account_id is None:
        return True
    row = session.get(Viewer, (case_id, actor.account_id))
    return row is not None and clock.as_utc(row.seen_at) > clock.now() - PRESENCE_REFRESH


def note_viewer(session: Session, case_id: int, actor: Actor) -> None:
    """Remember that the actor is looking at a case (presence; not evidence, not audited)."""
    if actor.account_id is None or session.get(Case, case_id) is None:
        return
    row = session.get(Viewer, (case_id, actor.account_id))
    if row is None:
        session.add(Viewer(case_id=case_id, account_id=actor.account_id, seen_at=clock.now()))
    else:
        row.seen_at = clock.now()


def claim(session: Session, case_id: int, *, actor: Actor, assignee: str | None = None) -> Claim:
    """Claim a case (work it yourself) or assign it to a colleague in the PIO office."""
    case = find_case(session, case_id)
    require(actor, Perm.MODERATION_DECIDE, case.page_id)
    if case.state == CaseState.CLOSED.value:
        raise Conflict(f"case {case_id} is decided; there is nothing to claim")
    account_id = actor.account_id
    tag = tags.DueProcess.CLAIM
    if assignee:
        account = session.execute(
            select(Account).where(Account.username == assignee.strip())
        ).scalar_one_or_none()
        if account is None or not account.active:
            raise InvalidInput(f"nobody active is called '{assignee[:40]}'")
        account_id, tag = account.id, tags.DueProcess.ASSIGN
    if account_id is None:
        raise InvalidInput("a case is claimed by a person")
    row = session.get(Claim, case_id)
    if row is None:
        row = Claim(case_id=case_id, account_id=account_id, claimed_at=clock.now())
        session.add(row)
    row.account_id, row.assigned_by, row.claimed_at = (
        account_id,
        actor.account_id if tag is tags.DueProcess.ASSIGN else None,
        clock.now(),
    )
    session.flush()
    audit.record(
        session, actor, tag, "case", case_id, section="§.20", data={"account_id": account_id}
    )
    if tag is tags.DueProcess.ASSIGN and account_id != actor.account_id:
        notifications.notify(
            session,
            account_id,
            f"{actor.display_name} assigned you case #{case_id}",
            f"/moderation/cases/{case_id}",
        )
    return row


def release(session: Session, case_id: int, *, actor: Actor) -> None:
    """Give a claimed case back to the queue."""
    case = find_case(session, case_id)
    require(actor, Perm.MODERATION_DECIDE, case.page_id)
    row = session.get(Claim, case_id)
    if row is None:
        raise Conflict(f"case {case_id} is not claimed")
    session.delete(row)
    session.flush()
    audit.record(session, actor, tags.DueProcess.RELEASE, "case", case_id, section="§.20")


def bulk_keep(
    sessions: sessionmaker[Session], case_ids: list[int], *, actor: Actor, connect: Connect
) -> list[int]:
    """Keep several open cases at once (each keep is its own decision and audit event).

    A case with a threat finding is decided on its own; the whole batch is checked first and
    refused, naming the case, when one cannot be kept.
    """
    ids = sorted(set(case_ids))
    if not ids:
        raise InvalidInput("choose the cases to keep")
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"keep at most {MAX_BULK} cases at once")
    with sessions() as session:
        for case_id in ids:
            case = find_case(session, case_id)
            require(actor, Perm.MODERATION_DECIDE, case.page_id)
            if case.state == CaseState.CLOSED.value:
                raise Conflict(f"case {case_id} is already decided; nothing was kept")
            if "threat" in found_categories(session, case):
                raise Conflict(
                    f"case {case_id} has a threat finding: open it and decide it on its own; "
                    "nothing was kept"
                )
    for case_id in ids:
        decide(
            sessions,
            case_id,
            action="keep",
            reason=NO_VIOLATION,
            note="",
            actor=actor,
            connect=connect,
        )
    return ids


def add_person_note(session: Session, case_id: int, *, note: str, actor: Actor) -> PersonNote:
    """The office's note on a case's author (append-only; shown on each of their cases)."""
    note = clean_text("the note", note, max_len=MAX_NOTE, required=True, min_len=MIN_EXPLANATION)
    person = person_of_case(session, case_id)
    require(actor, Perm.PERSON_WARN, person.page_id)
    row = PersonNote(
        platform=person.platform,
        person_id=person.person_id,
        note=note,
        actor_id=actor.account_id,
        actor_name=actor.username,
        noted_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.DueProcess.PERSON_NOTE,
        "person",
        f"{person.platform}:{person.person_id}",
        reason=note,
        section="§.20",
        data={"person_note_id": row.id},
    )
    return row


def save_reply(
    session: Session, *, title: str, category: str, text: str, actor: Actor
) -> SavedReply:
    """Keep an explanation for warnings, to use again."""
    require(actor, Perm.PERSON_WARN)
    title = clean_line("the title", title, max_len=120, required=True)
    category = check_category(category)
    text = clean_text(
        "the explanation", text, max_len=MAX_NOTE, required=True, min_len=MIN_EXPLANATION
    )
    row = SavedReply(
        title=title,
        category=category,
        text=text,
        created_by_name=actor.username,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.DueProcess.SAVED_REPLY,
        "saved_reply",
        row.id,
        reason=title,
        section="§.20",
    )
    return row


def saved_reply(session: Session, reply_id: int) -> SavedReply:
    """One saved reply."""
    row = session.get(SavedReply, reply_id)
    if row is None:
        raise NotFound(f"no saved reply {reply_id}")
    return row
