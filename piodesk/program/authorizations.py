"""Access authorizations (§.12): "The use of departmental computers by department personnel
to access social media is prohibited without authorization. The use of personally owned
devices or computers to manage the department's social media activities or in the course of
official duties is prohibited without authorization."

A register of grants (who, by whom, which pages, devices and uses, from when until when),
their periodic review and revocation, reminders before expiry, the report of everyone
authorized on a day, and the sign-in check for publishing and moderation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit, clock, tags
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import SYSTEM, Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.pages.tables import Page
from piodesk.people.lookup import actor_for, get_account
from piodesk.people.tables import Account
from piodesk.program.config import ProgramSettings
from piodesk.program.model import (
    DEVICE_LABELS,
    DeviceClass,
    FieldErrors,
    Use,
    device_class_of,
    parse_networks,
)
from piodesk.program.notifications import notify
from piodesk.program.tables import AccessAuthorization


def _label(row: AccessAuthorization) -> str:
    return DEVICE_LABELS[DeviceClass(row.device_class)].lower()


def _who(actor: Actor) -> str:
    return f"{actor.display_name} ({actor.username})"


def grant(
    session: Session,
    *,
    actor: Actor,
    account_id: int,
    device_class: str,
    devices: str,
    uses: Iterable[str],
    starts_on: date,
    expires_on: date,
    page_ids: Iterable[int] = (),
    review_every_days: int = 90,
    reason: str,
) -> AccessAuthorization:
    """Authorize a person to use a device class for department social media (never oneself)."""
    require(actor, Perm.AUTHORIZATION_GRANT)
    errors: dict[str, str] = {}
    if actor.account_id == account_id:
        errors["account"] = "person: nobody authorizes themselves; another supervisor must"
    try:
        account = get_account(session, account_id)
        if not account.active:
            errors["account"] = "person: that account is deactivated"
    except NotFound:
        errors["account"] = "person: choose who is authorized"
    try:
        klass = DeviceClass(device_class)
    except ValueError:
        errors["device_class"] = "device: a department computer or a personally owned device"
    try:
        devices = clean_text("devices", devices, max_len=2000, required=True)
    except InvalidInput as exc:
        errors["devices"] = exc.message
    chosen: list[str] = []
    for u in uses:
        try:
            chosen.append(Use(u).value)
        except ValueError:
            errors["uses"] = f"uses: '{u}' is not a use ({', '.join(x.value for x in Use)})"
    if not chosen and "uses" not in errors:
        errors["uses"] = "uses: choose at least one use the authorization covers"
    pages = sorted(set(page_ids))
    for p in pages:
        if session.get(Page, p) is None:
            errors["pages"] = f"pages: no page {p}"
    if expires_on < starts_on:
        errors["expires_on"] = (
            f"expires: the authorization ends ({expires_on}) before it starts ({starts_on})"
        )
    if not 1 <= review_every_days <= 366:
        errors["review_every_days"] = "review every: 1 to 366 days"
    try:
        reason = clean_text("reason", reason, max_len=2000, required=True)
    except InvalidInput as exc:
        errors["reason"] = exc.message
    if errors:
        raise FieldErrors(errors)
    now = clock.now()
    row = AccessAuthorization(
        account_id=account_id,
        device_class=klass.value,
        page_ids=pages,
        devices=devices,
        uses=sorted(set(chosen)),
        starts_on=starts_on,
        expires_on=expires_on,
        review_every_days=review_every_days,
        review_due_on=min(starts_on + timedelta(days=review_every_days), expires_on),
        state="active",
        reason=reason,
        granted_by_id=actor.account_id,
        granted_by_name=_who(actor),
        granted_at=now,
        last_reviewed_by="",
        revoked_by_name="",
        revoke_reason="",
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.AUTHORIZATION_GRANT,
        "access_authorization",
        row.id,
        reason=reason,
        section="§.12",
        data={"account_id": account_id, "device_class": klass.value, "uses": row.uses},
    )
    return row


def get_authorization(session: Session, auth_id: int) -> AccessAuthorization:
    """The authorization with this id, or a clear NotFound."""
    row = session.get(AccessAuthorization, auth_id)
    if row is None:
        raise NotFound(f"no authorization {auth_id}")
    return row


def review(session: Session, auth_id: int, *, actor: Actor, note: str = "") -> AccessAuthorization:
    """The periodic review: still needed; the next review falls due a period later."""
    require(actor, Perm.AUTHORIZATION_GRANT)
    row = get_authorization(session, auth_id)
    if row.state != "active":
        raise Conflict(f"authorization {auth_id} is {row.state}")
    if row.account_id == actor.account_id:
        raise Conflict("nobody reviews their own authorization")
    text = clean_text("note", note, max_len=2000)
    today = clock.now().date()
    row.last_reviewed_at = clock.now()
    row.last_reviewed_by = _who(actor)
    row.review_due_on = min(today + timedelta(days=row.review_every_days), row.expires_on)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.AUTHORIZATION_REVIEW,
        "access_authorization",
        row.id,
        reason=text,
        section="§.12",
        data={"review_due_on": row.review_due_on.isoformat()},
    )
    return row


def revoke(session: Session, auth_id: int, *, actor: Actor, reason: str) -> AccessAuthorization:
    """End an authorization now, with a reason."""
    require(actor, Perm.AUTHORIZATION_GRANT)
    row = get_authorization(session, auth_id)
    if row.state != "active":
        raise Conflict(f"authorization {auth_id} is {row.state} already")
    try:
        text = clean_text("reason", reason, max_len=2000, required=True)
    except InvalidInput as exc:
        raise FieldErrors({"reason": exc.message}) from None
    row.state = "revoked"
    row.revoked_at = clock.now()
    row.revoked_by_name = _who(actor)
    row.revoke_reason = text
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.AUTHORIZATION_REVOKE,
        "access_authorization",
        row.id,
        reason=text,
        section="§.12",
    )
    notify(
        session,
        recipient_account_id=row.account_id,
        kind="authorization.revoked",
        subject=f"Your authorization for a {_label(row)} was revoked",
        body=text,
        link="/authorizations",
    )
    return row


def list_authorizations(
    session: Session, *, actor: Actor, account_id: int | None = None
) -> list[AccessAuthorization]:
    """The register (everyone's for those who keep it; otherwise one's own)."""
    stmt = select(AccessAuthorization).order_by(AccessAuthorization.id.desc())
    if not actor.can(Perm.AUTHORIZATION_VIEW):
        if actor.account_id is None:
            raise PermissionDenied(f"{actor.username} may not read the authorization register")
        account_id = actor.account_id
    if account_id is not None:
        stmt = stmt.where(AccessAuthorization.account_id == account_id)
    return list(session.execute(stmt).scalars())


def in_force(row: AccessAuthorization, day: date) -> bool:
    """True when ``row`` authorizes on ``day``."""
    return row.state == "active" and row.starts_on <= day <= row.expires_on


def authorized_on(
    session: Session, *, actor: Actor, day: date | None = None
) -> list[tuple[Account, AccessAuthorization]]:
    """The report: everyone authorized on ``day`` (today by default), and by what."""
    require(actor, Perm.AUTHORIZATION_VIEW)
    when = day or clock.now().date()
    rows = session.execute(
        select(Account, AccessAuthorization)
        .join(AccessAuthorization, AccessAuthorization.account_id == Account.id)
        .where(
            AccessAuthorization.state == "active",
            AccessAuthorization.starts_on <= when,
            AccessAuthorization.expires_on >= when,
        )
        .order_by(Account.display_name, AccessAuthorization.id)
    ).all()
    return [(a, r) for a, r in rows]


def send_reminders(sessions: sessionmaker[Session], settings: ProgramSettings) -> int:
    """Tell each holder (and who granted it) once, ``authorization_reminder_days`` before an
    authorization expires; returns how many were reminded."""
    today = clock.now().date()
    horizon = today + timedelta(days=settings.authorization_reminder_days)
    sent = 0
    with transaction(sessions) as session:
        rows = session.execute(
            select(AccessAuthorization).where(
                AccessAuthorization.state == "active",
                AccessAuthorization.expires_on >= today,
                AccessAuthorization.expires_on <= horizon,
                AccessAuthorization.reminded_at.is_(None),
            )
        ).scalars()
        for row in rows:
            label = DEVICE_LABELS[DeviceClass(row.device_class)].lower()
            people = {row.account_id}
            if row.granted_by_id is not None:
                people.add(row.granted_by_id)
            for person in sorted(people):
                notify(
                    session,
                    recipient_account_id=person,
                    kind="authorization.expiring",
                    subject=f"An authorization for a {label} expires on {row.expires_on}",
                    body=f"Authorization {row.id} ({row.devices}) ends on {row.expires_on}; "
                    "renew it before then if it is still needed.",
                    link="/authorizations",
                )
            row.reminded_at = clock.now()
            audit.record(
                session,
                SYSTEM,
                tags.Program.AUTHORIZATION_REMINDER,
                "access_authorization",
                row.id,
                section="§.12",
                data={"expires_on": row.expires_on.isoformat()},
            )
            sent += 1
        # A review that has fallen due: whoever granted it is told, once per due date.
        due = session.execute(
            select(AccessAuthorization).where(
                AccessAuthorization.state == "active",
                AccessAuthorization.review_due_on <= today,
                AccessAuthorization.expires_on >= today,
            )
        ).scalars()
        for row in due:
            if row.review_reminded_for == row.review_due_on or row.granted_by_id is None:
                continue
            notify(
                session,
                recipient_account_id=row.granted_by_id,
                kind="authorization.review_due",
                subject=f"An authorization is due for review ({_label(row)})",
                body=f"Authorization {row.id} ({row.devices}) was due for review on "
                f"{row.review_due_on}: confirm it is still needed, or revoke it.",
                link=f"/authorizations#auth-{row.id}",
            )
            row.review_reminded_for = row.review_due_on
            audit.record(
                session,
                SYSTEM,
                tags.Program.AUTHORIZATION_REMINDER,
                "access_authorization",
                row.id,
                section="§.12",
                data={"review_due_on": row.review_due_on.isoformat()},
            )
            sent += 1
    return sent


#: The permissions whose screens need a device authorization (publishing and moderation).
GUARDED = (Perm.MODERATION_VIEW, Perm.MODERATION_DECIDE, Perm.PAGE_EDIT_PROFILE)


@dataclass(frozen=True)
class DeviceCheck:
    """A sign-in from a device class the person holds no authorization for."""

    device_class: DeviceClass
    refused: bool
    message: str


def check_sign_in(
    session: Session, account: Account, *, source: str, settings: ProgramSettings
) -> DeviceCheck | None:
    """At sign-in: someone who works publishing or moderation from a device class they hold no
    authorization for is recorded (an audit event in the caller's transaction), and refused
    when the agency configured it (``PIODESK_DEVICE_REFUSE``): the caller then starts no
    session. None when the sign-in is fine or the person works no guarded screen.
    """
    actor = actor_for(account)
    if not any(actor.can(p) for p in GUARDED):
        return None
    klass = device_class_of(source, parse_networks(settings.device_networks))
    today = clock.now().date()
    held = session.execute(
        select(AccessAuthorization).where(
            AccessAuthorization.account_id == account.id,
            AccessAuthorization.device_class == klass.value,
        )
    ).scalars()
    if any(in_force(r, today) for r in held):
        return None
    refused = settings.device_refuse
    audit.record(
        session,
        actor,
        tags.Program.DEVICE_REFUSED if refused else tags.Program.DEVICE_UNREGISTERED,
        "account",
        account.id,
        section="§.12",
        data={"device_class": klass.value, "source": source[:100]},
    )
    label = DEVICE_LABELS[klass].lower()
    message = (
        f"you hold no authorization to use a {label} for department social media "
        "(GO 409 §.12); ask your supervisor"
        if refused
        else f"this sign-in from a {label} without an authorization (GO 409 §.12) is recorded"
    )
    return DeviceCheck(klass, refused, message)
