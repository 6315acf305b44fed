"""The public checkpoint pages: anyone, signed in or not, can fetch and check them.

Publishing is the point: a checkpoint an outsider has copied can no longer be taken back by
whoever holds the database. The list is read from the database's append-only table; the
public key is the public half of the configured signing key (never the private key).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from piodesk.core import checkpoints, signing
from piodesk.core.errors import NotFound
from piodesk.web.context import ctx, render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["checkpoints"])

#: How many checkpoints the HTML page lists (newest first); the files hold them all.
PAGE_ROWS = 200


def _public_pem(request: Request) -> str | None:
    try:
        return signing.public_pem(signing.load_key(ctx(request).settings.signing_key_path))
    except (NotFound, ValueError):
        return None


@router.get("/checkpoints", response_class=HTMLResponse)
def checkpoint_page(request: Request) -> HTMLResponse:
    """Every chain's signed head over time, and how to check them (public)."""
    with ctx(request).read() as session:
        found = list(checkpoints.all_checkpoints(session))
    pem = _public_pem(request)
    key = signing.key_id(signing.load_public(pem)) if pem else None
    rows: list[dict[str, Any]] = [
        {"cp": cp, "chains": sorted(cp.chains.items())} for cp in reversed(found[-PAGE_ROWS:])
    ]
    return render(
        request,
        "checkpoints.html",
        {"rows": rows, "total": len(found), "public_pem": pem, "key_id": key},
    )


@router.get("/checkpoints.jsonl")
def checkpoint_lines(request: Request) -> Response:
    """Every checkpoint as JSON lines: exactly what `piodesk checkpoint export` writes."""
    with ctx(request).read() as session:
        text = checkpoints.export_text(session)
    return Response(text, media_type="application/jsonl; charset=utf-8")


@router.get("/checkpoints.json")
def checkpoint_json(request: Request) -> dict[str, Any]:
    """Every checkpoint and the public key, as one JSON document."""
    with ctx(request).read() as session:
        found = [
            {"statement": c.statement, "signature": c.signature, "timestamp": c.timestamp}
            for c in checkpoints.all_checkpoints(session)
        ]
    return {"public_key": _public_pem(request), "checkpoints": found}


@router.get("/checkpoints/public-key", response_class=PlainTextResponse)
def checkpoint_public_key(request: Request) -> PlainTextResponse:
    """The agency's public key (PEM) that checks every checkpoint."""
    pem = _public_pem(request)
    if pem is None:
        raise NotFound("this installation has no signing key yet")
    return PlainTextResponse(pem, media_type="application/x-pem-file")
