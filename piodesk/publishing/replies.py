"""Replies from the needs-response queue (§.12), published under the comment by the outbox.

A person of the PIO office writes the reply; it is screened as a staff draft first
(``Screener.screen_draft``: the §.12 rules and the §.20 categories). Findings stop it, shown
with their explanations, until the text is changed, or the person keeps it with a reason
(recorded in the audit event). The reply is then enqueued as a ``reply`` publication to the
comment's page, under the comment's platform id, and the request is closed as answered
(``moderation.actions.answer``, its note naming the publication): the outbox sends it once and
its status (published, failed with the platform's words, unconfirmed) shows in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.tables import ArchiveItem
from piodesk.core import audit, tags
from piodesk.core.errors import Conflict, DomainError, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.moderation.actions import answer
from piodesk.moderation.model import ResponseState
from piodesk.moderation.tables import ResponseRequest
from piodesk.publishing import outbox
from piodesk.publishing.outbox_tables import Publication
from piodesk.screening.engine import Screener
from piodesk.screening.model import Finding


class ReplyFindings(DomainError):
    """Screening found something in the reply; change it, or keep it with a reason."""

    status_code = 409

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        self.findings = findings
        listed = "; ".join(f"{f.label}: {f.explanation}" for f in findings[:5])
        super().__init__(
            f"screening found {len(findings)} thing(s) to look at in the reply ({listed}); "
            "change the text, or keep it with a reason"
        )


@dataclass(frozen=True)
class Reply:
    """A reply enqueued: its publication, and the comment it answers."""

    publication_id: int
    request_id: int
    comment_platform_id: str


def reply_to_request(
    session: Session,
    request_id: int,
    *,
    actor: Actor,
    text: str,
    screener: Screener,
    keep_reason: str = "",
) -> Reply:
    """Screen the reply, enqueue it under the comment, close the request (caller commits)."""
    request = session.get(ResponseRequest, request_id)
    if request is None:
        raise NotFound(f"no response request {request_id}")
    require(actor, Perm.RESPONSE_ANSWER, request.page_id)
    if request.page_id is None:
        raise Conflict("this comment belongs to no page piodesk publishes to")
    require(actor, Perm.PUBLISH, request.page_id)
    if request.state != ResponseState.OPEN.value:
        raise Conflict(f"request {request_id} was already closed ({request.state})")
    body = clean_text("The reply", text, max_len=5000, required=True)
    item = session.get(ArchiveItem, request.item_id)
    if item is None or item.kind not in ("comment", "reply"):
        raise Conflict("the request's record is not a comment that can be replied to")
    result = screener.screen_draft(body)
    why = clean_text("The reason for keeping it", keep_reason, max_len=1000)
    if result.findings and not why:
        raise ReplyFindings(result.findings)
    pub = outbox.enqueue(
        session,
        actor=actor,
        text=body,
        page_ids=[request.page_id],
        source=f"response:{request.id}",
        kind="reply",
        reply_to_external_id=item.platform_id,
    )
    if result.findings:
        audit.record(
            session,
            actor,
            tags.Outbox.ENQUEUE,
            "publication",
            pub,
            reason=f"kept despite screening: {why}",
            section="§.12",
            data={"findings": [f"{f.category}:{f.rule}" for f in result.findings]},
        )
    answer(
        session,
        request.id,
        outcome="answered",
        note=f"replied on the page through piodesk (publication {pub})",
        actor=actor,
    )
    return Reply(pub, request.id, item.platform_id)


def replies_for(session: Session, request_ids: list[int]) -> dict[int, int]:
    """The reply publication of each request answered through piodesk (request id → id)."""
    if not request_ids:
        return {}
    sources = {f"response:{i}": i for i in request_ids}
    rows = session.execute(
        select(Publication.id, Publication.source).where(Publication.source.in_(list(sources)))
    ).all()
    return {sources[source]: pub for pub, source in rows}
