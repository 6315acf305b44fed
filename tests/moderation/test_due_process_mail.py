"""Moderation's notifications arrive by e-mail at a real SMTP server the test starts on
loopback (aiosmtpd): counsel when a case is sent to them, the PIO when counsel answers, the
employee when their report is answered, and (§.12) a person whose authorization expires soon.
Counsel's question and advice are privileged: neither is in any mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.moderation import actions
from piodesk.people import actions as people
from piodesk.program import authorizations as auth
from piodesk.program.config import ProgramSettings
from piodesk.program.notifications import deliver_outbox
from tests.moderation.conftest import Site
from tests.program.test_notifications import SmtpServer, _free_port

CRITICISM = "Another useless PR post from a department that covers for bad cops"
QUESTION = "Is this protected criticism, or may we remove it?"
ADVICE = "Protected speech under Lindke v. Freed; keep it and do not block."

ADDRESSES = {
    Role.PIO: "pio@cspd.example",
    Role.LEGAL: "counsel@cityattorney.example",
    Role.EMPLOYEE: "officer@cspd.example",
}


def test_counsel_the_pio_the_reporter_and_an_expiring_authorization_get_mail(
    sessions: sessionmaker[Session], site: Site, staff
) -> None:
    for role, address in ADDRESSES.items():
        with transaction(sessions) as s:
            people.set_email(s, staff[role].account_id, actor=staff.admin, email=address)
    pio, counsel, employee = staff[Role.PIO], staff[Role.LEGAL], staff[Role.EMPLOYEE]
    cid = site.comment("Critic", CRITICISM)
    site.poll()
    with transaction(sessions) as s:
        case_id = actions.file_report(
            s, item_id=site.item(cid).id, reason="PIO should look at this", actor=employee
        ).case_id
        consultation = actions.consult(s, case_id, question=QUESTION, actor=pio)
        actions.advise(s, consultation.id, advice=ADVICE, recommends="keep", actor=counsel)
    site.decide(case_id, action="keep", reason="no_violation", note="", actor=pio)
    today = clock.now().date()
    with transaction(sessions) as s:
        auth.grant(
            s,
            actor=staff[Role.SUPERVISOR],
            account_id=pio.account_id,
            device_class="personal_device",
            devices="iPhone 15",
            uses=["moderation"],
            starts_on=today,
            expires_on=today + timedelta(days=5),
            reason="on-call PIO",
        )
    assert auth.send_reminders(sessions, ProgramSettings(authorization_reminder_days=14)) == 1

    port = _free_port()
    settings = ProgramSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="piodesk@cspd.example",
        smtp_timeout=3,
        base_url="https://piodesk.cspd.example",
    )
    with SmtpServer(port) as inbox:
        result = deliver_outbox(sessions, settings)
    assert result.sent == len(inbox.messages) and result.retried == 0
    mail: dict[str, list[str]] = {}
    for rcpts, msg in inbox.messages:
        body = msg.get_payload(decode=True).decode()
        for rcpt in rcpts:
            mail.setdefault(rcpt, []).append(f"{msg['Subject']}\n{body}")
    to_counsel = "\n".join(mail[ADDRESSES[Role.LEGAL]])
    to_pio = "\n".join(mail[ADDRESSES[Role.PIO]])
    to_employee = "\n".join(mail[ADDRESSES[Role.EMPLOYEE]])
    assert f"#{case_id}" in to_counsel
    assert f"https://piodesk.cspd.example/moderation/cases/{case_id}" in to_counsel
    assert f"answered your question on case #{case_id}" in to_pio
    assert "The comment you reported was kept" in to_employee
    expires = today + timedelta(days=5)
    assert f"An authorization for a personally owned device expires on {expires}" in to_pio
    assert "(iPhone 15)" in to_pio
    everything = "\n".join((to_counsel, to_pio, to_employee))
    for privileged in (ADVICE, QUESTION, "Lindke"):
        assert privileged not in everything
