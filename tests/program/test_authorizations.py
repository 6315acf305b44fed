"""Access authorizations (§.12): grant, review, revoke, expiry reminders, the report of
everyone authorized on a day, and the sign-in check for publishing and moderation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock, evidence
from piodesk.core.audit import AuditEvent
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.program import authorizations as auth
from piodesk.program.config import ProgramSettings
from piodesk.program.model import DeviceClass, FieldErrors, device_class_of, parse_networks
from piodesk.program.tables import AccessAuthorization, Notification
from tests.conftest import PASSWORD
from tests.web.conftest import sign_in


def _grant(sessions, staff, *, who: Role = Role.PIO, days: int = 90, **kw) -> int:
    today = clock.now().date()
    args = {
        "account_id": staff[who].account_id,
        "device_class": "personal_device",
        "devices": "iPhone 15, serial F2LX",
        "uses": ["moderation", "publishing"],
        "starts_on": today,
        "expires_on": today + timedelta(days=days),
        "reason": "on-call PIO",
    } | kw
    with transaction(sessions) as s:
        return auth.grant(s, actor=staff[Role.SUPERVISOR], **args).id


def test_grant_review_revoke_and_the_report(sessions: sessionmaker[Session], staff) -> None:
    today = clock.now().date()
    first = _grant(sessions, staff)
    later = _grant(sessions, staff, who=Role.EMPLOYEE, starts_on=today + timedelta(days=10))
    with sessions() as s:
        report = auth.authorized_on(s, actor=staff[Role.AUDITOR])
        assert [(a.username, r.id) for a, r in report] == [("pio", first)]
        future = auth.authorized_on(s, actor=staff[Role.CHIEF], day=today + timedelta(days=11))
        assert {r.id for _a, r in future} == {first, later}
        # The holder sees their own; an employee cannot read the register.
        assert [r.id for r in auth.list_authorizations(s, actor=staff[Role.PIO])] == [first]
        with pytest.raises(PermissionDenied):
            auth.authorized_on(s, actor=staff[Role.EMPLOYEE])
    with transaction(sessions) as s:
        row = auth.review(s, first, actor=staff[Role.CHIEF], note="still on call")
        assert row.last_reviewed_by.startswith("Test chief")
    with transaction(sessions) as s, pytest.raises(FieldErrors):
        auth.revoke(s, first, actor=staff[Role.SUPERVISOR], reason=" ")
    with transaction(sessions) as s:
        auth.revoke(s, first, actor=staff[Role.SUPERVISOR], reason="left the PIO office")
    with transaction(sessions) as s, pytest.raises(Conflict):
        auth.revoke(s, first, actor=staff[Role.SUPERVISOR], reason="again")
    with sessions() as s:
        assert auth.authorized_on(s, actor=staff[Role.AUDITOR]) == []
        kinds = [
            n.kind
            for n in s.execute(
                select(Notification).where(Notification.recipient_id == staff[Role.PIO].account_id)
            ).scalars()
        ]
        assert kinds == ["authorization.revoked"]
        assert evidence.verify(s).ok


def test_bad_grants_are_refused_with_every_field_named(sessions, staff) -> None:
    today = clock.now().date()
    with pytest.raises(FieldErrors) as caught:
        _grant(
            sessions,
            staff,
            expires_on=today - timedelta(days=1),
            uses=[],
            devices="",
            device_class="tablet",
        )
    assert {"expires_on", "uses", "devices", "device_class"} <= set(caught.value.fields)
    assert "before it starts" in caught.value.fields["expires_on"]
    with pytest.raises(FieldErrors) as caught:
        _grant(sessions, staff, who=Role.SUPERVISOR)  # oneself
    assert "themselves" in caught.value.fields["account"]
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        auth.grant(
            s,
            actor=staff.admin,
            account_id=staff[Role.PIO].account_id,
            device_class="department_computer",
            devices="PC-1",
            uses=["publishing"],
            starts_on=today,
            expires_on=today,
            reason="x",
        )
    with sessions() as s:
        assert s.execute(select(AccessAuthorization)).first() is None


def test_reminders_go_once_before_expiry(sessions, staff) -> None:
    soon = _grant(sessions, staff, days=5)
    _grant(sessions, staff, who=Role.EMPLOYEE, days=200)
    settings = ProgramSettings(authorization_reminder_days=14)
    assert auth.send_reminders(sessions, settings) == 1
    assert auth.send_reminders(sessions, settings) == 0
    with sessions() as s:
        told = {
            n.recipient_id
            for n in s.execute(
                select(Notification).where(Notification.kind == "authorization.expiring")
            ).scalars()
        }
        assert told == {staff[Role.PIO].account_id, staff[Role.SUPERVISOR].account_id}
        assert s.get(AccessAuthorization, soon).reminded_at is not None  # type: ignore[union-attr]
        assert evidence.verify(s).ok


def test_a_review_that_falls_due_is_reminded_once(sessions, staff) -> None:
    today = clock.now().date()
    auth_id = _grant(sessions, staff, days=200, review_every_days=1)
    settings = ProgramSettings(authorization_reminder_days=14)
    assert auth.send_reminders(sessions, settings) == 0  # due tomorrow
    with transaction(sessions) as s:
        row = s.get(AccessAuthorization, auth_id)
        assert row is not None
        assert row.review_due_on == today + timedelta(days=1)
    clock.set_clock(lambda: datetime.now(UTC) + timedelta(days=1))
    try:
        assert auth.send_reminders(sessions, settings) == 1
        assert auth.send_reminders(sessions, settings) == 0
        with transaction(sessions) as s:
            auth.review(s, auth_id, actor=staff[Role.CHIEF], note="still needed")
    finally:
        clock.set_clock(None)
    with sessions() as s:
        kinds = [
            n.kind
            for n in s.execute(
                select(Notification).where(
                    Notification.recipient_id == staff[Role.SUPERVISOR].account_id
                )
            ).scalars()
        ]
        assert kinds == ["authorization.review_due"]
        assert evidence.verify(s).ok


def _device_events(sessions) -> list[str]:
    with sessions() as s:
        return [
            e.action
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.action.like("program:device%"))
            ).scalars()
        ]


def test_sign_in_from_an_unauthorized_device_is_recorded_or_refused(
    client: TestClient, sessions, staff
) -> None:
    # The test client's address counts as a personally owned device (no department networks).
    sign_in(client, "pio", PASSWORD)
    assert _device_events(sessions) == ["program:device_unregistered"]
    # An employee works no publishing or moderation screen: nothing to record.
    sign_in(TestClient(client.app, follow_redirects=False), "employee", PASSWORD)
    assert _device_events(sessions) == ["program:device_unregistered"]
    client.app.state.program_settings = ProgramSettings(device_refuse=True)
    fresh = TestClient(client.app, follow_redirects=False)
    page = fresh.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    r = fresh.post("/login", data={"username": "pio", "password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 403 and "no authorization to use a personally owned device" in r.text
    assert "piodesk_session" not in r.cookies
    assert _device_events(sessions)[-1] == "program:device_refused"
    # Once authorized for that device class, the sign-in goes through and records nothing.
    _grant(sessions, staff)
    before = len(_device_events(sessions))
    sign_in(TestClient(client.app, follow_redirects=False), "pio", PASSWORD)
    assert len(_device_events(sessions)) == before


def test_device_class_comes_from_the_department_networks() -> None:
    nets = parse_networks("10.20.0.0/16, 192.0.2.7")
    assert device_class_of("10.20.3.4", nets) == DeviceClass.DEPARTMENT
    assert device_class_of("192.0.2.7", nets) == DeviceClass.DEPARTMENT
    assert device_class_of("198.51.100.1", nets) == DeviceClass.PERSONAL
    assert device_class_of("testclient", nets) == DeviceClass.PERSONAL
    with pytest.raises(InvalidInput, match="not a network"):
        parse_networks("10.0.0.0/99")
