"""Legal counsel: the PIO asks, counsel advises; the decision stays with the PIO (§.20)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.core.text import clean_text
from piodesk.moderation.actions import notifications
from piodesk.moderation.model import (
    CASE_LIFECYCLE,
    MAX_NOTE,
    MIN_EXPLANATION,
    CaseState,
)
from piodesk.moderation.privilege import PRIVILEGED, text_digest
from piodesk.moderation.queries import find_case
from piodesk.moderation.tables import (
    Advice,
    Consultation,
)


def consult(session: Session, case_id: int, *, question: str, actor: Actor) -> Consultation:
    """Send a case to legal counsel before deciding (§.20); the decision stays with the PIO."""
    question = clean_text(
        "the question for counsel",
        question,
        max_len=MAX_NOTE,
        required=True,
        min_len=MIN_EXPLANATION,
    )
    case = find_case(session, case_id)
    require(actor, Perm.MODERATION_CONSULT, case.page_id)
    case.state = CASE_LIFECYCLE.check(CaseState(case.state), CaseState.WITH_COUNSEL).value
    consultation = Consultation(
        case_id=case.id,
        question=question,
        asked_by=actor.account_id,
        asked_by_name=actor.username,
        asked_at=clock.now(),
    )
    session.add(consultation)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Moderation.CONSULT,
        "case",
        case.id,
        # A request for legal advice is privileged: the log says it was asked, and vouches for
        # the words by their digest; the words are in the consultation record.
        reason=f"asked legal counsel ({PRIVILEGED}; the question is in its record)",
        section="§.20",
        data={"consultation_id": consultation.id, "question_sha256": text_digest(question)},
    )
    notifications.notify_role(
        session,
        Role.LEGAL,
        f"{actor.display_name} asks your advice on moderation case #{case.id}",
        f"/moderation/cases/{case.id}",
    )
    return consultation


ADVICE_RECOMMENDS = ("keep", "hide", "remove", "none")


def advise(
    session: Session,
    consultation_id: int,
    *,
    advice: str,
    recommends: str = "none",
    concurs_block: bool = False,
    actor: Actor,
) -> Advice:
    """Legal counsel answers a consultation; the case goes back to the PIO to decide."""
    require(actor, Perm.MODERATION_ADVISE)
    advice = clean_text(
        "the advice", advice, max_len=MAX_NOTE, required=True, min_len=MIN_EXPLANATION
    )
    if recommends not in ADVICE_RECOMMENDS:
        raise InvalidInput(f"recommendation must be one of {', '.join(ADVICE_RECOMMENDS)}")
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound(f"no consultation {consultation_id}")
    if session.execute(select(Advice.id).where(Advice.consultation_id == consultation_id)).first():
        raise Conflict(f"consultation {consultation_id} was already answered")
    case = find_case(session, consultation.case_id)
    answer = Advice(
        consultation_id=consultation_id,
        advice=advice,
        recommends=recommends,
        concurs_block=concurs_block,
        advised_by=actor.account_id,
        advised_by_name=actor.username,
        advised_at=clock.now(),
    )
    session.add(answer)
    if case.state == CaseState.WITH_COUNSEL.value:
        case.state = CaseState.OPEN.value
    session.flush()
    audit.record(
        session,
        actor,
        tags.Moderation.ADVISE,
        "case",
        case.id,
        # Counsel's words are privileged: the audit log, which more people read, records that
        # advice was given and its digest; the text lives in the advice record (evidence).
        reason=f"legal advice given ({PRIVILEGED}; the advice is in its record)",
        section="§.20",
        data={
            "consultation_id": consultation_id,
            "advice_id": answer.id,
            "advice_sha256": text_digest(advice),
            "recommends": recommends,
            "concurs_block": concurs_block,
        },
    )
    if consultation.asked_by is not None:
        notifications.notify(
            session,
            consultation.asked_by,
            f"{actor.display_name} answered your question on case #{case.id}",
            f"/moderation/cases/{case.id}",
        )
    return answer
