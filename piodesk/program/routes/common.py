"""What the program's pages share: labels, settings, refusals beside fields."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from piodesk.core.errors import DomainError
from piodesk.people.tables import Account
from piodesk.program.config import ProgramSettings
from piodesk.program.jobs import program_settings_of
from piodesk.program.model import (
    AUTH_STATE_LABELS,
    DEVICE_LABELS,
    MEMO_STATE_LABELS,
    PURPOSE_LABELS,
    REVIEW_LABELS,
    USE_LABELS,
    FieldErrors,
)
from piodesk.web.context import render

LABELS = {
    "purposes": PURPOSE_LABELS,
    "reviews": REVIEW_LABELS,
    "memo_states": MEMO_STATE_LABELS,
    "devices": DEVICE_LABELS,
    "uses": USE_LABELS,
    "auth_states": AUTH_STATE_LABELS,
}


def program_settings(request: Request) -> ProgramSettings:
    """The program's settings (``PIODESK_*``), read once per app; tests may set their own."""
    return program_settings_of(request.app)


def field_errors(exc: DomainError, default: str) -> dict[str, str]:
    return exc.fields if isinstance(exc, FieldErrors) else {default: exc.message}


def view(request: Request, template: str, data: dict[str, Any], status: int = 200) -> HTMLResponse:
    return render(request, template, {**LABELS, **data}, status=status)


def names_by_id(session: Any) -> dict[int, str]:
    return dict(session.execute(select(Account.id, Account.display_name)).all())


def int_or_none(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
