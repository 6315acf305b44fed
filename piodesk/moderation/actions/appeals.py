"""Block notices and appeals (§.20 due process; as Mastodon's strikes have).

When a person is blocked they get a notice through the platform (a private message where it
has them): the reason, the date, when the block comes up for review, and how to appeal — a
one-time code for the public appeal form (``/appeal``), linked from the notice. The appeal is
a record (append-only, sealed); it waits in the appeals queue for someone other than whoever
placed the block, whose decision (uphold, or lift the block) is its own record.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors import intents
from piodesk.connectors.base import Connector
from piodesk.connectors.intents import Intent, Kind
from piodesk.connectors.model import Capability
from piodesk.connectors.tables import PlatformAction
from piodesk.core import audit, clock, tags
from piodesk.core.db import reading, transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.core.text import clean_line, clean_text
from piodesk.moderation.actions import notifications
from piodesk.moderation.actions._common import Connect
from piodesk.moderation.actions.blocks import lift_block
from piodesk.moderation.model import MAX_NOTE, MIN_EXPLANATION, REASONS
from piodesk.moderation.tables import Appeal, AppealDecision, Block, Notice
from piodesk.pages.tables import Page

#: Who files an appeal: a member of the public, signed in nowhere.
PUBLIC = Actor(
    account_id=None,
    username="public",
    display_name="a member of the public",
    roles=frozenset(),
    via="public",
)

APPEAL_PATH = "/appeal"
MAX_APPEAL = 2_000
APPEAL_OUTCOMES = {"upheld": "Block upheld", "lifted": "Block lifted"}


def code_digest(code: str) -> str:
    """The stored form of an appeal code."""
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def notice_text(page_name: str, block: Block, code: str) -> str:
    """What the blocked person reads: reason, date, review date, and how to appeal."""
    category = REASONS.get(block.category, block.category).lower()
    return (
        f"A message from {page_name}: you were blocked from commenting on this page on "
        f"{block.blocked_at:%Y-%m-%d} under the department's social media policy (GO 409 §.20: "
        f"{category}). Reason: {block.reason} The block comes up for review on "
        f"{block.review_due_at:%Y-%m-%d}. You may appeal: open {APPEAL_PATH}?code={code} "
        f"(or go to {APPEAL_PATH} and enter the code {code}) and say why the block should be "
        "lifted. Someone other than the person who blocked you decides, and you can read the "
        "page meanwhile."
    )


def send_block_notice(
    sessions: sessionmaker[Session], block_id: int, *, actor: Actor, connector: Connector
) -> Notice:
    """Tell a blocked person why, until when, and how to appeal (through the platform)."""
    code = secrets.token_urlsafe(12)
    with reading(sessions) as session:
        row = session.get(Block, block_id)
        if row is None:
            raise NotFound(f"no block {block_id}")
        page = session.get(Page, row.page_id)
        text = notice_text(page.name if page else "the department", row, code)
        person_id, page_id, platform = row.person_id, row.page_id, row.platform
    params: dict[str, Any] = {"block_id": block_id, "text": text, "code_sha256": code_digest(code)}
    if Capability.SEND_MESSAGE not in connector.capabilities:
        with transaction(sessions) as session:
            return _write_notice(
                session,
                params,
                actor,
                delivered=False,
                delivery=f"not delivered: {platform} offers piodesk no private messages; "
                "give the person this notice another way",
                platform_action_id=None,
            )
    intent = Intent(
        purpose="moderation:block_notice",
        kind=Kind.SEND_MESSAGE,
        page_id=page_id,
        platform=platform,
        target=person_id,
        subject_type="block",
        subject_id=str(block_id),
        reason="block notice",
        params=params,
        lock=False,
    )
    try:
        notice: Notice = intents.perform(
            sessions,
            intent,
            actor=actor,
            check=lambda s: None,
            call=lambda: connector.send_message(person_id, text),
            what="send the block notice",
            effect=f"sent as a private message on {platform}",
        )
    except Conflict as exc:
        # The block stands; its notice is recorded as not delivered, to be given another way.
        with transaction(sessions) as session:
            return _write_notice(
                session,
                params,
                actor,
                delivered=False,
                delivery=f"not delivered: {exc.message}"[:300],
                platform_action_id=None,
            )
    return notice


def _record_notice(
    session: Session, row: PlatformAction, actor: Actor, delivered: bool | None
) -> Notice:
    delivery = (
        f"sent as a private message on {row.platform}"
        if delivered
        else "not confirmed: piodesk stopped while sending it; give the person the notice "
        "another way"
    )
    return _write_notice(
        session,
        row.params,
        actor,
        delivered=bool(delivered),
        delivery=delivery,
        platform_action_id=row.id,
    )


def _write_notice(
    session: Session,
    params: dict[str, Any],
    actor: Actor,
    *,
    delivered: bool,
    delivery: str,
    platform_action_id: int | None,
) -> Notice:
    block = session.get(Block, int(params["block_id"]))
    assert block is not None
    notice = Notice(
        block_id=block.id,
        text=params["text"],
        code_sha256=params["code_sha256"],
        delivered=delivered,
        delivery=delivery[:300],
        actor_name=actor.username,
        sent_at=clock.now(),
    )
    session.add(notice)
    session.flush()
    audit.record(
        session,
        actor,
        tags.DueProcess.NOTICE,
        "person",
        f"{block.platform}:{block.person_id}",
        reason="block notice: reason, date, review date and how to appeal",
        section="§.20",
        data={
            "block_id": block.id,
            "notice_id": notice.id,
            "delivered": delivered,
            "platform_action_id": platform_action_id,
        },
    )
    return notice


def notice_for_code(session: Session, code: str) -> tuple[Notice, Block]:
    """The notice an appeal code came with, or a refusal that says what to do."""
    code = (code or "").strip()
    if not code or len(code) > 64 or not code.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("enter the appeal code from the notice you received")
    row = session.execute(
        select(Notice, Block)
        .join(Block, Block.id == Notice.block_id)
        .where(Notice.code_sha256 == code_digest(code))
    ).first()
    if row is None:
        raise InvalidInput(
            "that appeal code is not one piodesk gave; check the notice and type it again"
        )
    return row[0], row[1]


def file_appeal(
    session: Session, *, code: str, text: str, contact: str = "", via: str = "form"
) -> Appeal:
    """A blocked person appeals, with the code from their notice (no sign-in)."""
    text = clean_text(
        "your appeal", text, max_len=MAX_APPEAL, required=True, min_len=MIN_EXPLANATION
    )
    contact = clean_line("how to reach you", contact or "", max_len=300, required=False)
    if via not in ("form", "notice"):
        raise InvalidInput("via is form or notice")
    notice, block = notice_for_code(session, code)
    waiting = session.execute(
        select(Appeal.id)
        .outerjoin(AppealDecision, AppealDecision.appeal_id == Appeal.id)
        .where(Appeal.block_id == block.id, AppealDecision.id.is_(None))
    ).first()
    if waiting:
        raise Conflict(
            "your appeal of this block is already waiting for a decision; you will hear back"
        )
    if block.lifted_at is not None:
        raise Conflict("this block was already lifted; you can comment on the page again")
    appeal = Appeal(
        block_id=block.id,
        notice_id=notice.id,
        text=text,
        contact=contact,
        via=via,
        filed_at=clock.now(),
    )
    session.add(appeal)
    session.flush()
    audit.record(
        session,
        PUBLIC,
        tags.DueProcess.APPEAL,
        "person",
        f"{block.platform}:{block.person_id}",
        reason=text,
        section="§.20",
        data={"appeal_id": appeal.id, "block_id": block.id, "via": via},
    )
    notifications.notify_role(
        session,
        Role.PIO,
        f"An appeal of block {block.id} waits for a decision",
        "/moderation/appeals",
    )
    return appeal


def _open_appeal(session: Session, appeal_id: int) -> tuple[Appeal, Block]:
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    done = session.execute(
        select(AppealDecision.id).where(AppealDecision.appeal_id == appeal_id)
    ).first()
    if done:
        raise Conflict(f"appeal {appeal_id} was already decided")
    block = session.get(Block, appeal.block_id)
    assert block is not None
    return appeal, block


def decide_appeal(
    sessions: sessionmaker[Session],
    appeal_id: int,
    *,
    outcome: str,
    note: str,
    actor: Actor,
    connect: Connect,
) -> AppealDecision:
    """Uphold a block or lift it, on appeal; by someone other than whoever placed it."""
    if outcome not in APPEAL_OUTCOMES:
        raise InvalidInput("an appeal is upheld or the block lifted (upheld, lifted)")
    note = clean_text(
        "the decision's reason", note, max_len=MAX_NOTE, required=True, min_len=MIN_EXPLANATION
    )
    with reading(sessions) as session:
        appeal, block = _open_appeal(session, appeal_id)
        require(actor, Perm.PERSON_BLOCK, block.page_id)
        if actor.account_id is not None and actor.account_id == block.actor_id:
            raise PermissionDenied(
                "you placed this block, so someone else decides its appeal (§.20 due process)"
            )
        block_id, lifted = block.id, block.lifted_at is not None
    if outcome == "lifted" and not lifted:
        lift_block(
            sessions,
            block_id,
            reason=f"appeal {appeal_id} granted: {note}",
            actor=actor,
            connect=connect,
        )
    with transaction(sessions) as session:
        appeal, block = _open_appeal(session, appeal_id)
        row = AppealDecision(
            appeal_id=appeal.id,
            outcome=outcome,
            note=note,
            actor_id=actor.account_id,
            actor_name=actor.username,
            decided_at=clock.now(),
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            tags.DueProcess.APPEAL_DECIDE,
            "person",
            f"{block.platform}:{block.person_id}",
            reason=note,
            section="§.20",
            data={"appeal_id": appeal.id, "block_id": block.id, "outcome": outcome},
        )
        session.expunge(row)
    return row


intents.register_purpose(
    "moderation:block_notice", _record_notice, lambda s, row: None, record_unknown=True
)
