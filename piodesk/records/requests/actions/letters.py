"""Letters from the agency's templates, and the templates themselves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.records.requests import letters, queries
from piodesk.records.requests.actions._common import (
    SECTION,
    T,
    _actor_id,
    _open_request,
)
from piodesk.records.requests.deadline import Clock
from piodesk.records.requests.model import (
    CHANNEL_LABELS,
    MAX_LETTER,
    MAX_NOTE,
    Channel,
    LetterKind,
)
from piodesk.records.requests.queries import Desk, number
from piodesk.records.requests.tables import (
    Letter,
    LetterTemplate,
    RecordsRequest,
)

# ---- letters and templates -------------------------------------------------------------------


def _grounds(desk: Desk, request: RecordsRequest, keys: Sequence[str]) -> list[dict[str, str]]:
    regime = desk.book.get(request.regime)
    known = {e.key: e for e in regime.exemptions}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise InvalidInput(
            f"{regime.name} has no exemption '{unknown[0][:40]}' "
            f"(it has: {', '.join(sorted(known)) or 'none'})"
        )
    return [{"key": k, "label": known[k].label, "citation": known[k].citation} for k in keys]


def letter_context(
    session: Session,
    desk: Desk,
    request: RecordsRequest,
    actor: Actor,
    *,
    clock_: Clock | None = None,
    grounds: Sequence[dict[str, str]] = (),
    finding: str = "",
    extension_days: int = 0,
    extra: str = "",
) -> dict[str, Any]:
    """Everything a letter template may name."""
    regime = desk.book.get(request.regime)
    c = clock_ or queries.clock_of(session, desk, request)
    f = queries.fees_of(session, desk, request)
    return {
        "request": {
            "number": number(request),
            "requester": request.requester_name,
            "received": c.received_at.strftime("%Y-%m-%d"),
            "channel": CHANNEL_LABELS[Channel(request.channel)],
            "text": request.text,
            "scope": request.scope,
        },
        "agency": desk.agency,
        "custodian": actor.display_name,
        "regime": {
            "name": regime.name,
            "citation": regime.citation,
            "extension_citation": regime.extension_citation,
        },
        "clock": {
            "due": c.due.strftime("%A %d %B %Y") if c.due else None,
            "days_left": c.days_left,
            "counts_from": c.counts_from.isoformat(),
        },
        "fees": {
            "minutes": f.minutes,
            "free_minutes": regime.fees.free_minutes,
            "hourly_rate": f"{regime.fees.hourly_rate:.2f}",
            "copy_pages": f.copy_pages,
            "copy_page": f"{regime.fees.copy_page:.2f}",
            "total": f"{f.total:.2f}",
            "paid": f"{f.paid:.2f}",
            "balance": f"{f.balance:.2f}",
            "citation": regime.fees.citation,
        },
        "grounds": list(grounds),
        "finding": finding,
        "extension_days": extension_days,
        "responsive": len(queries.review_set_item_ids(session, request.id)),
        "extra": extra,
        "today": desk.today().isoformat(),
    }


def _write_letter(
    session: Session,
    desk: Desk,
    request: RecordsRequest,
    kind: LetterKind,
    actor: Actor,
    *,
    clock_: Clock | None = None,
    grounds: Sequence[dict[str, str]] = (),
    finding: str = "",
    extension_days: int = 0,
    extra: str = "",
    sent_at: datetime | None = None,
) -> Letter:
    tpl = queries.template(session, kind)
    context = letter_context(
        session,
        desk,
        request,
        actor,
        clock_=clock_,
        grounds=grounds,
        finding=finding,
        extension_days=extension_days,
        extra=extra,
    )
    subject, body = letters.render(tpl, context)
    letter = Letter(
        request_id=request.id,
        kind=kind.value,
        template_version=tpl.version,
        subject=subject[:300],
        body=clean_text("the letter", body, max_len=MAX_LETTER, required=True),
        grounds=list(grounds),
        sent_at=sent_at or clock.now(),
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
    )
    session.add(letter)
    return letter


def preview_letter(
    session: Session,
    desk: Desk,
    request_id: int,
    kind: str,
    *,
    actor: Actor,
    grounds: Sequence[str] = (),
    extra: str = "",
) -> tuple[str, str]:
    """The letter as it would be sent (nothing is written)."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    request = queries.get_request(session, request_id)
    k = _letter_kind(kind)
    ctx = letter_context(
        session,
        desk,
        request,
        actor,
        grounds=_grounds(desk, request, grounds),
        extra=clean_text("the added text", extra, max_len=MAX_NOTE),
    )
    return letters.render(queries.template(session, k), ctx)


def letter_kind(kind: str) -> LetterKind:
    """The kind of letter named ``kind``, or InvalidInput."""
    return _letter_kind(kind)


def _letter_kind(kind: str) -> LetterKind:
    try:
        return LetterKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown kind of letter '{kind[:40]}'") from None


def send_letter(
    session: Session,
    desk: Desk,
    request_id: int,
    kind: str,
    *,
    actor: Actor,
    grounds: Sequence[str] = (),
    extra: str = "",
) -> Letter:
    """Send a letter from the agency's template and keep it, as sent, as a record. A denial
    needs its grounds; an extension is sent by :func:`extend` (it needs the finding)."""
    request = _open_request(session, request_id, actor)
    k = _letter_kind(kind)
    if k == LetterKind.EXTENSION:
        raise InvalidInput("an extension letter is sent with the extension and its finding")
    chosen = _grounds(desk, request, grounds)
    if k == LetterKind.DENIAL and not chosen:
        raise InvalidInput("a denial names its grounds: choose at least one exemption")
    text = clean_text("the added text", extra, max_len=MAX_NOTE)
    if k == LetterKind.CLARIFICATION and not text:
        raise InvalidInput("say what needs clarifying")
    letter = _write_letter(session, desk, request, k, actor, grounds=chosen, extra=text)
    session.flush()
    audit.record(
        session,
        actor,
        T.LETTER,
        "records_request",
        request.id,
        section=SECTION,
        reason=letter.subject,
        data={
            "letter": letter.id,
            "kind": k.value,
            "template_version": letter.template_version,
            "grounds": [g["key"] for g in chosen],
        },
    )
    return letter


def save_template(
    session: Session, kind: str, *, subject: str, body: str, reason: str, actor: Actor
) -> LetterTemplate:
    """A new version of the agency's template for ``kind`` (checked by rendering it first)."""
    require(actor, Perm.RECORDS_REQUEST_MANAGE)
    k = _letter_kind(kind)
    subject = clean_line("the subject", subject, max_len=300, required=True)
    body = clean_text("the template", body, max_len=MAX_LETTER, required=True)
    reason = clean_text("the reason", reason, max_len=MAX_NOTE, required=True)
    letters.render(letters.Template(k, subject, body, 0), letters.sample_context())
    version = queries.template_versions(session, k) + 1
    row = LetterTemplate(
        kind=k.value,
        version=version,
        subject=subject,
        body=body,
        reason=reason,
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
        saved_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.RecordsRequest.TEMPLATE,
        "letter_template",
        k.value,
        reason=reason,
        section=SECTION,
        data={"version": version},
    )
    return row
