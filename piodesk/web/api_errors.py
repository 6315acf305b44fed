"""The JSON API's error answers, as the OpenAPI document describes them.

Every refusal under ``/api`` is ``{"error": "<a readable sentence>"}`` (a 422 also lists the
``problems``, one a field), whatever raised it: a domain error (400 bad input, 401 no or a bad
credential, 403 not allowed, 404 no such record, 409 a conflict with the record's state, 422
invalid fields), the body limit (413) or the framework (405). Declared once for every operation
so that clients (and schemathesis) can rely on the documented codes and shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.routing import Match


class ApiError(BaseModel):
    """A refusal: what was wrong, in words; for invalid fields, one problem a field."""

    error: str
    problems: list[str] | None = None


_WHY = {
    400: "Bad request: the input cannot be used as sent",
    401: "No credential, or one that is not valid (send Authorization: Bearer <token>)",
    403: "The account or the token's scopes do not allow this",
    404: "No such record",
    405: "The path does not take this method (the Allow header lists those it does)",
    409: "Refused because of the record's current state",
    413: "The request body is larger than the installation accepts",
    422: "Invalid fields: each problem names its field",
}

#: ``FastAPI(responses=...)``: the error answers every operation may give.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ApiError, "description": why} for code, why in _WHY.items()
}


def allowed_methods(request: Request) -> str:
    """Every method some route takes at this path, for a 405's ``Allow`` (Starlette names only
    those of the first route that matched the path, and GET and POST are often two routes)."""
    methods = [
        method
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(methods)
