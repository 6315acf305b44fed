"""Answers to comments that ask the department something (§.12)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.moderation.model import (
    MAX_NOTE,
    RESPONSE_LIFECYCLE,
    ResponseState,
)
from piodesk.moderation.tables import (
    Answer,
    ResponseRequest,
)

ANSWER_OUTCOMES = ("answered", "no_response")


def answer(session: Session, request_id: int, *, outcome: str, note: str, actor: Actor) -> Answer:
    """Record who answered a comment's question, when and how (or why no answer is due)."""
    if outcome not in ANSWER_OUTCOMES:
        raise InvalidInput("outcome is 'answered' or 'no_response'")
    note = clean_text("how it was answered", note, max_len=MAX_NOTE, required=True, min_len=3)
    request = session.get(ResponseRequest, request_id)
    if request is None:
        raise NotFound(f"no response request {request_id}")
    require(actor, Perm.RESPONSE_ANSWER, request.page_id)
    if request.state != ResponseState.OPEN.value:
        raise Conflict(f"request {request_id} was already closed ({request.state})")
    state = RESPONSE_LIFECYCLE.check(ResponseState(request.state), ResponseState(outcome))
    now = clock.now()
    row = Answer(
        request_id=request.id,
        outcome=outcome,
        note=note,
        actor_id=actor.account_id,
        actor_name=actor.username,
        answered_at=now,
    )
    session.add(row)
    request.state, request.answered_at = state.value, now
    session.flush()
    audit.record(
        session,
        actor,
        tags.Moderation.ANSWER,
        "response_request",
        request.id,
        reason=note,
        section="§.12",
        data={"item_id": request.item_id, "outcome": outcome, "answer_id": row.id},
    )
    return row
