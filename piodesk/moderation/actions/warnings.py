"""Warnings to a commenter, with an explanation, before any block (§.20)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.base import ConnectorError
from piodesk.connectors.model import Capability
from piodesk.core import audit, clock
from piodesk.core.db import reading, transaction
from piodesk.core.permissions import Actor, Perm, require
from piodesk.moderation.actions._common import (
    Connect,
    check_category,
    connector_of,
    registered_page,
)
from piodesk.moderation.model import (
    REASONS,
    clean_note,
)
from piodesk.moderation.queries import (
    person_of_case,
)
from piodesk.moderation.tables import (
    Warning_,
)
from piodesk.pages.tables import Page


def warning_text(page: Page, category: str, explanation: str) -> str:
    """The message the person receives."""
    return (
        f"A message from {page.name}: a comment of yours was reviewed under the department's "
        f"social media policy (GO 409 §.20: {REASONS[category].lower()}). {explanation} "
        "Comments of this kind may be hidden or removed, and repeated ones may lead to a block "
        "from commenting on this page."
    )


def warn(
    sessions: sessionmaker[Session],
    *,
    case_id: int,
    category: str,
    explanation: str,
    actor: Actor,
    connect: Connect,
) -> Warning_:
    """Warn the author of a case's comment, with an explanation (§.20). Delivered through the
    platform where it can send a private message; recorded either way."""
    category = check_category(category)
    explanation = clean_note("the explanation", explanation, required=True)
    with reading(sessions) as session:
        person = person_of_case(session, case_id)
        require(actor, Perm.PERSON_WARN, person.page_id)
        page = registered_page(session, person.page_id)
        connector = connector_of(connect, page)
        text = warning_text(page, category, explanation)
    if Capability.SEND_MESSAGE in connector.capabilities:
        try:
            connector.send_message(person.person_id, text)
            delivered, delivery = True, f"sent as a private message on {person.platform}"
        except ConnectorError as exc:
            delivered, delivery = False, f"not delivered: {exc}"[:300]
    else:
        delivered, delivery = (
            False,
            f"not delivered: {person.platform} offers piodesk no private messages; "
            "deliver it another way and note how",
        )
    with transaction(sessions) as session:
        warning = Warning_(
            page_id=person.page_id,
            platform=person.platform,
            person_id=person.person_id,
            person_name=person.name,
            case_id=case_id,
            category=category,
            explanation=explanation,
            delivery=delivery,
            delivered=delivered,
            actor_id=actor.account_id,
            actor_name=actor.username,
            warned_at=clock.now(),
        )
        session.add(warning)
        session.flush()
        audit.record(
            session,
            actor,
            "moderation:warn",
            "person",
            f"{person.platform}:{person.person_id}",
            reason=explanation,
            section="§.20",
            data={
                "warning_id": warning.id,
                "case_id": case_id,
                "category": category,
                "delivered": delivered,
                "delivery": delivery,
            },
        )
        return warning
