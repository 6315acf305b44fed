"""The program's pages and JSON API: memos, the investigative log, authorizations,
notifications and page administrators. Thin: parse, call one action, render.

One module per noun; this package gathers them into the ``router`` and ``api`` the app includes.
"""

from __future__ import annotations

from fastapi import APIRouter

from piodesk.program.routes import admins, authorizations, investigations, memos, notices
from piodesk.program.routes.common import program_settings

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["program"])
for _module in (memos, investigations, authorizations, notices, admins):
    router.include_router(_module.router)
    api.include_router(_module.api)

__all__ = ["api", "program_settings", "router"]
