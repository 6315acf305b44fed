"""Warnings to a commenter, with an explanation, before any block (§.20)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors import intents
from piodesk.connectors.intents import Intent, Kind
from piodesk.connectors.model import Capability
from piodesk.connectors.tables import PlatformAction
from piodesk.core import audit, clock, tags
from piodesk.core.db import reading, transaction
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.moderation.actions._common import (
    Connect,
    check_category,
    connector_of,
    registered_page,
)
from piodesk.moderation.model import (
    MAX_NOTE,
    MIN_EXPLANATION,
    REASONS,
)
from piodesk.moderation.queries import (
    find_case,
    latest_texts,
    person_of_case,
)
from piodesk.moderation.tables import (
    Warning_,
)
from piodesk.pages.tables import Page


def warning_text(page: Page, category: str, explanation: str, comment: str = "") -> str:
    """The message the person receives: which comment, which §.20 category, what happens next."""
    quoted = " ".join((comment or "").split())
    if len(quoted) > 160:
        quoted = quoted[:157] + "…"
    which = f"your comment “{quoted}”" if quoted else "a comment of yours"
    return (
        f"A message from {page.name}: {which} was reviewed under the department's social media "
        f"policy (GO 409 §.20: {REASONS[category].lower()}). {explanation} "
        "What happens next: if another comment of yours is hidden or removed for breaking these "
        "rules, you may be blocked from commenting on this page. A block would come with its "
        "reason, a review date and a way to appeal. Criticism of the department is welcome."
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
    """Warn the author of a case's comment, with an explanation (§.20).

    Delivered as a private message where the platform has them, through the platform-action
    primitive (a refusal records only the failed attempt); where it has none, the warning is
    recorded as not delivered, to be delivered another way.
    """
    category = check_category(category)
    explanation = clean_text(
        "the explanation", explanation, max_len=MAX_NOTE, required=True, min_len=MIN_EXPLANATION
    )
    with reading(sessions) as session:
        person = person_of_case(session, case_id)
        require(actor, Perm.PERSON_WARN, person.page_id)
        page = registered_page(session, person.page_id)
        connector = connector_of(connect, page)
        text = warning_text(page, category, explanation, _comment_text(session, case_id))
    params: dict[str, Any] = {
        "case_id": case_id,
        "category": category,
        "explanation": explanation,
        "person": [person.page_id, person.platform, person.person_id, person.name],
    }
    if Capability.SEND_MESSAGE not in connector.capabilities:
        with transaction(sessions) as session:
            return _write_warning(
                session,
                params,
                actor,
                delivered=False,
                delivery=f"not delivered: {person.platform} offers piodesk no private messages; "
                "deliver it another way and note how",
                platform_action_id=None,
            )
    intent = Intent(
        purpose="moderation:warn",
        kind=Kind.SEND_MESSAGE,
        page_id=person.page_id,
        platform=person.platform,
        target=person.person_id,
        subject_type="case",
        subject_id=str(case_id),
        reason=explanation,
        params=params,
        lock=False,
    )
    warning: Warning_ = intents.perform(
        sessions,
        intent,
        actor=actor,
        check=lambda s: None,
        call=lambda: connector.send_message(person.person_id, text),
        what="send the warning",
        effect=f"sent as a private message on {person.platform}",
    )
    return warning


def _comment_text(session: Session, case_id: int) -> str:
    case = find_case(session, case_id)
    if case.item_id is None:
        return ""
    return latest_texts(session, [case.item_id]).get(case.item_id, "")


def _record_warn(
    session: Session, row: PlatformAction, actor: Actor, delivered: bool | None
) -> Warning_:
    if delivered:
        delivery = f"sent as a private message on {row.platform}"
    else:
        delivery = (
            "not confirmed: piodesk stopped while sending it, and the platform cannot say "
            "whether it arrived; ask the person or check the page's messages"
        )
    return _write_warning(
        session,
        row.params,
        actor,
        delivered=bool(delivered),
        delivery=delivery,
        platform_action_id=row.id,
    )


def _write_warning(
    session: Session,
    params: dict[str, Any],
    actor: Actor,
    *,
    delivered: bool,
    delivery: str,
    platform_action_id: int | None,
) -> Warning_:
    page_id, platform, person_id, name = params["person"]
    case_id, category, explanation = params["case_id"], params["category"], params["explanation"]
    warning = Warning_(
        page_id=page_id,
        platform=platform,
        person_id=person_id,
        person_name=name,
        case_id=case_id,
        category=category,
        explanation=explanation,
        delivery=delivery[:300],
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
        tags.Moderation.WARN,
        "person",
        f"{platform}:{person_id}",
        reason=explanation,
        section="§.20",
        data={
            "warning_id": warning.id,
            "case_id": case_id,
            "category": category,
            "delivered": delivered,
            "delivery": delivery[:300],
            "platform_action_id": platform_action_id,
        },
    )
    return warning


# A warning is recorded even when its delivery cannot be confirmed: it was given in piodesk,
# and its delivery column says plainly that nobody knows whether it arrived.
intents.register_purpose("moderation:warn", _record_warn, lambda s, row: None, record_unknown=True)
