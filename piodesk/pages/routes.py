"""The page registry in the browser and in the JSON API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from piodesk.core import tags
from piodesk.core.audit import AuditEvent
from piodesk.core.errors import Conflict, InvalidInput
from piodesk.core.permissions import Actor, Perm
from piodesk.pages import actions
from piodesk.pages.model import (
    ELEMENT_LABELS,
    MIN_JUSTIFICATION_WORDS,
    PLATFORM_LABELS,
    STATE_LABELS,
    Element,
    Platform,
)
from piodesk.pages.tables import Page
from piodesk.people.lookup import display_names
from piodesk.program import admins as page_admins
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor, render
from piodesk.web.labels import action_label

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["pages"])


def _form_profile(form: Any) -> actions.Profile:
    links = [x for x in str(form.get("links", "")).splitlines() if x.strip()]
    return actions.clean_profile(
        about=str(form.get("about", "")),
        links=links,
        contact_phone=str(form.get("contact_phone", "")),
        contact_email=str(form.get("contact_email", "")),
        contact_address=str(form.get("contact_address", "")),
        target_audience=str(form.get("target_audience", "")),
    )


@router.get("/pages", response_class=HTMLResponse)
def pages_list(request: Request, state: str | None = None) -> HTMLResponse:
    """The registry of official pages."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        pages = actions.list_pages(session, actor=actor, state=state or None)
        administrators = page_admins.administrators_by_page(session)  # §.04, program/
    return render(
        request,
        "pages/list.html",
        {
            "pages": pages,
            "state": state,
            "platforms": PLATFORM_LABELS,
            "states": STATE_LABELS,
            "administrators": administrators,
        },
    )


@router.post("/pages", dependencies=[Depends(check_csrf)])
async def pages_register(request: Request) -> Response:
    """Register a page from the form; it then awaits approval."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    profile = _form_profile(form)
    with app.tx() as session:
        page = actions.register_page(
            session,
            actor=actor,
            agency=app.agency,
            platform=str(form.get("platform", "")),
            handle=str(form.get("handle", "")),
            name=str(form.get("name", "")),
            administering_unit=str(form.get("administering_unit", "")),
            url=str(form.get("url", "")),
            profile=profile,
        )
    return RedirectResponse(f"/pages/{page.id}", status_code=303)


@router.get("/pages/{page_id}", response_class=HTMLResponse)
def page_detail(request: Request, page_id: int) -> HTMLResponse:
    """One page: approval, profile and its §.10 compliance report, and its history."""
    return _detail(request, page_id)


def _detail(
    request: Request,
    page_id: int,
    *,
    decision_error: str = "",
    reason: str = "",
    live_error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The page's detail view; after a refused decision, with the error beside the reason
    field and the text the person typed kept in it."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        page = actions.get_page(session, page_id, actor=actor)
        profile = actions.current_profile(session, page)
        check = actions.latest_check(session, page)
        history = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.target_type == "page", AuditEvent.target_id == str(page.id))
                .order_by(AuditEvent.seq.desc())
                .limit(50)
            )
            .scalars()
            .all()
            if actor.can(Perm.AUDIT_VIEW)
            else []
        )
        administrators = page_admins.administrators_by_page(session).get(page.id, [])
        # The chief's note to the PIO office is the page's business, not only the auditors'.
        returned = session.execute(
            select(AuditEvent)
            .where(
                AuditEvent.target_type == "page",
                AuditEvent.target_id == str(page.id),
                AuditEvent.action == tags.PageReview.SENT_BACK.value,
            )
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        names = display_names(
            session, [e.actor_id for e in history] + ([returned.actor_id] if returned else [])
        )
    last_return = None
    if returned is not None:
        by = names.get(returned.actor_id, returned.actor_name) if returned.actor_id else ""
        last_return = {
            "by": by or returned.actor_name,
            "at": returned.occurred_at,
            "reason": returned.reason,
        }
    return render(
        request,
        "pages/detail.html",
        {
            "administrators": administrators,
            "page": page,
            "profile": profile,
            "check": check,
            "history": history,
            "names": names,
            "last_return": last_return,
            "platforms": PLATFORM_LABELS,
            "states": STATE_LABELS,
            "actions": action_label,
            "can_edit": actor.can(Perm.PAGE_EDIT_PROFILE, page.id),
            "can_read_live": _reads_profile(page.platform),
            "live_error": live_error,
            "live_done": request.query_params.get("live") == "1",
            "decision_error": decision_error,
            "reason": reason,
            "min_words": MIN_JUSTIFICATION_WORDS,
        },
        status=status_code,
    )


@router.post("/pages/{page_id}/decision", dependencies=[Depends(check_csrf)])
async def page_decision(request: Request, page_id: int) -> Response:
    """Approve, reject, resubmit or retire the page (the service checks who may)."""
    actor = authenticate(request).actor
    form = await request.form()
    decision = str(form.get("decision", ""))
    reason = str(form.get("reason", ""))
    steps = {
        "approve": actions.approve_page,
        "reject": actions.reject_page,
        "send_back": actions.send_back_page,
        "resubmit": actions.resubmit_page,
        "retire": actions.retire_page,
    }
    if decision not in steps:
        raise actions.InvalidInput(f"unknown decision '{decision[:40]}'")
    try:
        with ctx(request).tx() as session:
            steps[decision](session, page_id, actor=actor, reason=reason)
    except (InvalidInput, Conflict) as exc:
        # Nothing was written; the form comes back with the message beside the field.
        return _detail(
            request,
            page_id,
            decision_error=exc.message,
            reason=reason,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/pages/{page_id}#decision", status_code=303)


def _reads_profile(platform: str) -> bool:
    """Whether piodesk's connector for the platform can read a page's live profile."""
    from piodesk.connectors.base import registered  # loads every connector: only when needed
    from piodesk.connectors.model import Capability

    cls = registered(platform)
    return cls is not None and Capability.READ_PROFILE in cls.capabilities


def _connect(request: Request) -> actions.Connect:
    """How this installation reaches a page's platform (its stored connection)."""
    from piodesk.connectors.factory import build  # the connector layer: only when needed

    app = ctx(request)

    def connect(page: Page) -> Any:
        return build(page, app.sessions, app.settings.secret_key)

    return connect


@router.post("/pages/{page_id}/live-check", dependencies=[Depends(check_csrf)])
def page_live_check(request: Request, page_id: int) -> Response:
    """Read the profile the platform shows now and run the §.10 check on it (audited)."""
    actor = authenticate(request).actor
    app = ctx(request)
    try:
        actions.check_live_profile(
            app.sessions, page_id, actor=actor, agency=app.agency, connect=_connect(request)
        )
    except (InvalidInput, Conflict) as exc:
        return _detail(request, page_id, live_error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/pages/{page_id}?live=1#compliance", status_code=303)


@router.post("/pages/{page_id}/profile", dependencies=[Depends(check_csrf)])
async def page_profile(request: Request, page_id: int) -> Response:
    """Save a new version of the profile; the §.10 check runs again."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    profile = _form_profile(form)
    with app.tx() as session:
        actions.update_profile(
            session,
            page_id,
            actor=actor,
            agency=app.agency,
            profile=profile,
            reason=str(form.get("reason", "")),
        )
    return RedirectResponse(f"/pages/{page_id}#compliance", status_code=303)


# ---- JSON API -------------------------------------------------------------------------------


class ProfileIn(BaseModel):
    """A page's public profile."""

    model_config = ConfigDict(extra="forbid")
    about: str = Field(default="", max_length=actions.MAX_ABOUT)
    links: list[str] = Field(default_factory=list, max_length=actions.MAX_LINKS)
    contact_phone: str = Field(default="", max_length=60)
    contact_email: str = Field(default="", max_length=254)
    contact_address: str = Field(default="", max_length=300)
    target_audience: str = Field(default="", max_length=200)


class PageIn(BaseModel):
    """A page to register."""

    model_config = ConfigDict(extra="forbid")
    platform: Platform
    handle: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    administering_unit: str = Field(min_length=1, max_length=200)
    url: str = Field(default="", max_length=500)
    profile: ProfileIn = Field(default_factory=ProfileIn)


class ProfileUpdate(ProfileIn):
    """A new profile version and why it changed."""

    reason: str = Field(default="", max_length=500)


class DecisionIn(BaseModel):
    """A reason for an approval decision."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=1000)


class ElementOut(BaseModel):
    """One §.10 element of a compliance report."""

    element: Element
    label: str
    met: bool
    evidence: str


class ComplianceOut(BaseModel):
    """A §.10 compliance report."""

    compliant: bool
    profile_version: int
    checked_at: str
    elements: list[ElementOut]


class PageOut(BaseModel):
    """A page of the registry with its latest compliance report."""

    id: int
    platform: Platform
    handle: str
    name: str
    url: str
    administering_unit: str
    state: str
    approved_at: str | None
    retired_at: str | None
    compliance: ComplianceOut | None


def _page_out(session: Any, page: Page) -> PageOut:
    check = actions.latest_check(session, page)
    compliance = None
    if check is not None:
        compliance = ComplianceOut(
            compliant=check.compliant,
            profile_version=check.profile_version,
            checked_at=check.checked_at.isoformat(),
            elements=[ElementOut(**e) for e in check.report["elements"]],
        )
    return PageOut(
        id=page.id,
        platform=Platform(page.platform),
        handle=page.handle,
        name=page.name,
        url=page.url,
        administering_unit=page.administering_unit,
        state=page.state,
        approved_at=page.approved_at.isoformat() if page.approved_at else None,
        retired_at=page.retired_at.isoformat() if page.retired_at else None,
        compliance=compliance,
    )


@api.get("/pages", response_model=list[PageOut])
def api_pages(
    request: Request, state: str | None = None, actor: Actor = Depends(current_actor)
) -> list[PageOut]:
    """The registry."""
    with ctx(request).read() as session:
        return [
            _page_out(session, p) for p in actions.list_pages(session, actor=actor, state=state)
        ]


@api.post("/pages", response_model=PageOut, status_code=201)
def api_page_register(
    request: Request, body: PageIn, actor: Actor = Depends(current_actor)
) -> PageOut:
    """Register a page; it awaits the chief's approval."""
    app = ctx(request)
    profile = actions.clean_profile(**body.profile.model_dump())
    with app.tx() as session:
        page = actions.register_page(
            session,
            actor=actor,
            agency=app.agency,
            platform=body.platform.value,
            handle=body.handle,
            name=body.name,
            administering_unit=body.administering_unit,
            url=body.url,
            profile=profile,
        )
        return _page_out(session, page)


@api.get("/pages/{page_id}", response_model=PageOut)
def api_page(request: Request, page_id: int, actor: Actor = Depends(current_actor)) -> PageOut:
    """One page with its compliance report."""
    with ctx(request).read() as session:
        return _page_out(session, actions.get_page(session, page_id, actor=actor))


@api.put("/pages/{page_id}/profile", response_model=PageOut)
def api_page_profile(
    request: Request, page_id: int, body: ProfileUpdate, actor: Actor = Depends(current_actor)
) -> PageOut:
    """Save a new profile version; the §.10 check runs again."""
    app = ctx(request)
    fields = body.model_dump()
    reason = fields.pop("reason")
    profile = actions.clean_profile(**fields)
    with app.tx() as session:
        actions.update_profile(
            session, page_id, actor=actor, agency=app.agency, profile=profile, reason=reason
        )
        return _page_out(session, actions.get_page(session, page_id, actor=actor))


class LiveCheckOut(BaseModel):
    """A §.10 check of the profile the platform shows now."""

    page: PageOut
    differs: list[str]  # fields in which the live profile differs from piodesk's record
    fingerprint: str  # SHA-256 of the platform's answer


@api.post("/pages/{page_id}/live-check", response_model=LiveCheckOut)
def api_page_live_check(
    request: Request, page_id: int, actor: Actor = Depends(current_actor)
) -> LiveCheckOut:
    """Read the page's live profile through its connector and check it (an audited recheck)."""
    app = ctx(request)
    result = actions.check_live_profile(
        app.sessions, page_id, actor=actor, agency=app.agency, connect=_connect(request)
    )
    with app.read() as session:
        page = _page_out(session, actions.get_page(session, page_id, actor=actor))
    return LiveCheckOut(page=page, differs=result.differs, fingerprint=result.fingerprint)


class ConnectionIn(BaseModel):
    """How piodesk reaches the page: settings, and secrets (stored encrypted, never shown)."""

    model_config = ConfigDict(extra="forbid")
    settings: dict[str, str] = Field(default_factory=dict, max_length=10)
    secrets: dict[str, str] = Field(default_factory=dict, max_length=10)


class ConnectionOut(BaseModel):
    """A stored connection, without its secrets."""

    page_id: int
    settings: dict[str, str]
    credential_stored: bool


@api.put("/pages/{page_id}/connection", response_model=ConnectionOut)
def api_page_connect(
    request: Request, page_id: int, body: ConnectionIn, actor: Actor = Depends(current_actor)
) -> ConnectionOut:
    """Store the platform credentials piodesk uses for this page (administrators)."""
    app = ctx(request)
    with app.tx() as session:
        row = actions.connect_page(
            session,
            page_id,
            actor=actor,
            settings=body.settings,
            secrets=body.secrets,
            key=app.settings.secret_key,
        )
        return ConnectionOut(page_id=page_id, settings=row.settings, credential_stored=True)


def _decision_endpoint(name: str, step: Any, doc: str) -> None:
    def endpoint(
        request: Request, page_id: int, body: DecisionIn, actor: Actor = Depends(current_actor)
    ) -> PageOut:
        with ctx(request).tx() as session:
            page = step(session, page_id, actor=actor, reason=body.reason)
            return _page_out(session, page)

    endpoint.__doc__ = doc
    api.add_api_route(
        f"/pages/{{page_id}}/{name}",
        endpoint,
        methods=["POST"],
        response_model=PageOut,
        name=f"page_{name}",
    )


_decision_endpoint(
    "approve",
    actions.approve_page,
    "Approve the page (chief or designee, §.04); a page failing §.10 elements needs a written "
    "justification as its reason.",
)
_decision_endpoint("reject", actions.reject_page, "Decline the page, with a reason.")
_decision_endpoint(
    "send-back",
    actions.send_back_page,
    "Send a waiting page back to the PIO office for fixes, with a note (§.04, §.10).",
)
_decision_endpoint(
    "resubmit", actions.resubmit_page, "Put a declined or sent-back page before the chief again."
)
_decision_endpoint("retire", actions.retire_page, "Retire the page, with a reason (§.04).")

__all__ = ["ELEMENT_LABELS", "api", "router"]
