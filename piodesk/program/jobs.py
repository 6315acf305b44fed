"""The program's periodic job: expiry reminders, then the mail outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from piodesk.program.authorizations import send_reminders
from piodesk.program.config import ProgramSettings
from piodesk.program.notifications import Delivery, deliver_outbox


def program_settings_of(app: Any) -> ProgramSettings:
    """The app's program settings (``PIODESK_*``), read once; tests may set their own."""
    found: ProgramSettings | None = getattr(app.state, "program_settings", None)
    if found is None:
        found = ProgramSettings()
        app.state.program_settings = found
    return found


def program_job(sessions: sessionmaker[Session], settings: ProgramSettings) -> Delivery:
    """Remind of authorizations expiring soon, then send the e-mails that are due."""
    send_reminders(sessions, settings)
    return deliver_outbox(sessions, settings)
