"""Suggestion memos (§.15): the pages and the JSON API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from piodesk.core.errors import DomainError, InvalidInput
from piodesk.core.permissions import Actor
from piodesk.program import memos
from piodesk.program.model import (
    MemoState,
)
from piodesk.program.routes.common import (
    field_errors,
    int_or_none,
    program_settings,
    view,
)
from piodesk.program.tables import Memo
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor

router = APIRouter(include_in_schema=False)
api = APIRouter()  # mounted under /api/v1 by the package


def _memos_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        lists = memos.list_memos(session, actor=actor)
        sups = [a for a in memos.supervisors(session) if a.id != actor.account_id]
        return view(
            request,
            "program/memos.html",
            {
                **lists,
                "supervisors": sups,
                "errors": errors or {},
                "values": values or {},
            },
            status=status,
        )


@router.get("/memos", response_class=HTMLResponse)
def memos_page(request: Request) -> HTMLResponse:
    """Your suggestion memos, the ones waiting for you, and the form to file one."""
    return _memos_page(request)


@router.post("/memos", dependencies=[Depends(check_csrf)])
async def memos_file(request: Request) -> Response:
    """File a suggestion memo; refusals are shown beside their fields."""
    actor = authenticate(request).actor
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("title", "body", "supervisor")}
    try:
        with ctx(request).tx() as session:
            memo = memos.file_memo(
                session,
                actor=actor,
                title=values["title"],
                body=values["body"],
                supervisor_id=int_or_none(values["supervisor"]),
                levels=program_settings(request).memo_levels,
            )
            memo_id = memo.id
    except DomainError as exc:
        return _memos_page(
            request, errors=field_errors(exc, "form"), values=values, status=exc.status_code
        )
    return RedirectResponse(f"/memos/{memo_id}", status_code=303)


def _memo_page(
    request: Request,
    memo_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        memo = memos.get_memo(session, memo_id, actor=actor)
        return view(
            request,
            "program/memo.html",
            {
                "memo": memo,
                "events": memos.history(session, memo.id),
                "mine_to_act": memos.waiting_for(session, memo, actor),
                "is_author": memo.author_id == actor.account_id,
                "errors": errors or {},
                "values": values or {},
                "open": memo.state in (MemoState.ROUTING.value, MemoState.RETURNED.value),
            },
            status=status,
        )


@router.get("/memos/{memo_id}", response_class=HTMLResponse)
def memo_page(request: Request, memo_id: int) -> HTMLResponse:
    """One memo: where it is on its route, what each step said."""
    return _memo_page(request, memo_id)


@router.post("/memos/{memo_id}/{what}", dependencies=[Depends(check_csrf)])
async def memo_action(request: Request, memo_id: int, what: str) -> Response:
    """Act at your step (approve, return, decline), or as author resubmit or withdraw."""
    actor = authenticate(request).actor
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("comment", "body", "action")}
    try:
        with ctx(request).tx() as session:
            if what == "act":
                memos.act(
                    session,
                    memo_id,
                    actor=actor,
                    action=values["action"],
                    comment=values["comment"],
                )
            elif what == "resubmit":
                memos.resubmit(
                    session, memo_id, actor=actor, body=values["body"], comment=values["comment"]
                )
            elif what == "withdraw":
                memos.withdraw(session, memo_id, actor=actor, reason=values["comment"])
            else:
                raise InvalidInput(f"unknown memo action '{what[:20]}'")
    except DomainError as exc:
        return _memo_page(
            request,
            memo_id,
            errors=field_errors(exc, "comment"),
            values=values,
            status=exc.status_code,
        )
    return RedirectResponse(f"/memos/{memo_id}", status_code=303)


class MemoIn(BaseModel):
    """A suggestion memo to file."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=200)
    body: str = Field(max_length=20000)
    supervisor_id: int | None = None


def memo_out(m: Memo) -> dict[str, Any]:
    """The API view of a memo and where it is."""
    return {
        "id": m.id,
        "title": m.title,
        "author": m.author_name,
        "state": m.state,
        "step": m.step,
        "at": m.route[m.step]["label"],
        "route": [s["label"] for s in m.route],
    }


@api.post("/memos", status_code=201)
def api_file_memo(
    request: Request, body: MemoIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """File a suggestion memo (§.15); it goes to the supervisor named."""
    with ctx(request).tx() as session:
        memo = memos.file_memo(
            session, actor=actor, levels=program_settings(request).memo_levels, **body.model_dump()
        )
        return memo_out(memo)


@api.get("/memos")
def api_memos(request: Request, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    """Your memos, those waiting for you, and (for readers of all) every memo."""
    with ctx(request).read() as session:
        return {
            k: [memo_out(m) for m in v] for k, v in memos.list_memos(session, actor=actor).items()
        }


class MemoActIn(BaseModel):
    """What a step does (approve, return, decline) or an author's resubmission."""

    model_config = ConfigDict(extra="forbid")
    action: str = Field(default="", max_length=20)
    comment: str = Field(default="", max_length=5000)
    body: str = Field(default="", max_length=20000)


@api.post("/memos/{memo_id}/{what}")
def api_memo_action(
    request: Request,
    memo_id: int,
    what: str,
    body: MemoActIn,
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """``act`` at your step, or as author ``resubmit`` / ``withdraw``."""
    with ctx(request).tx() as session:
        if what == "act":
            memo = memos.act(
                session, memo_id, actor=actor, action=body.action, comment=body.comment
            )
        elif what == "resubmit":
            memo = memos.resubmit(
                session, memo_id, actor=actor, body=body.body, comment=body.comment
            )
        elif what == "withdraw":
            memo = memos.withdraw(session, memo_id, actor=actor, reason=body.comment)
        else:
            raise InvalidInput(f"unknown memo action '{what[:20]}'")
        return memo_out(memo)
