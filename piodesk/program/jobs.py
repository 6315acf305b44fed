"""The program's periodic job: expiry reminders, records-request deadlines, then the mail
outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from piodesk.program.authorizations import send_reminders
from piodesk.program.config import ProgramSettings
from piodesk.program.notifications import Delivery, deliver_outbox

if TYPE_CHECKING:
    from piodesk.records.requests.queries import Desk


def program_settings_of(app: Any) -> ProgramSettings:
    """The app's program settings (``PIODESK_*``), read once; tests may set their own."""
    found: ProgramSettings | None = getattr(app.state, "program_settings", None)
    if found is None:
        found = ProgramSettings()
        app.state.program_settings = found
    return found


def program_job(
    sessions: sessionmaker[Session], settings: ProgramSettings, desk: Desk | None = None
) -> Delivery:
    """Remind of authorizations expiring soon and (with ``desk``) of records requests due
    within a working day or overdue, then send the e-mails that are due."""
    send_reminders(sessions, settings)
    if desk is not None:
        from piodesk.records.requests.reminders import deadline_reminders

        deadline_reminders(sessions, desk)
    return deliver_outbox(sessions, settings)
