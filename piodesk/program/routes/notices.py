"""Notifications: your list, and the JSON API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from piodesk.core.permissions import Actor
from piodesk.program import notifications
from piodesk.program.routes.common import (
    view,
)
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor

router = APIRouter(include_in_schema=False)
api = APIRouter()  # mounted under /api/v1 by the package


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request) -> HTMLResponse:
    """Your notifications, newest first."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        rows = notifications.list_notifications(session, actor=actor)
        return view(request, "program/notifications.html", {"rows": rows})


@router.post("/notifications/{notification_id}/read", dependencies=[Depends(check_csrf)])
def notification_read(request: Request, notification_id: int) -> Response:
    """Mark one read and open what it is about."""
    actor = authenticate(request).actor
    with ctx(request).tx() as session:
        row = notifications.mark_read(session, notification_id, actor=actor)
        link = row.link or "/notifications"
    return RedirectResponse(link, status_code=303)


@api.get("/notifications")
def api_notifications(
    request: Request, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """Your notifications, newest first."""
    with ctx(request).read() as session:
        return [
            {
                "id": n.id,
                "kind": n.kind,
                "subject": n.subject,
                "body": n.body,
                "link": n.link,
                "created_at": n.created_at.isoformat(),
                "read": n.read_at is not None,
            }
            for n in notifications.list_notifications(session, actor=actor)
        ]


@api.post("/notifications/{notification_id}/read", status_code=204)
def api_notification_read(
    request: Request, notification_id: int, actor: Actor = Depends(current_actor)
) -> Response:
    """Mark one of your notifications read."""
    with ctx(request).tx() as session:
        notifications.mark_read(session, notification_id, actor=actor)
    return Response(status_code=204)
