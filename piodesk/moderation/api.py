"""The moderation JSON API (/api/v1/moderation/..., /api/v1/reports): the pages' actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from piodesk.core.permissions import Actor
from piodesk.moderation import actions, queries
from piodesk.moderation.routes import connect_pages, queue_filter
from piodesk.moderation.tables import Case, Decision, Report
from piodesk.web.context import ctx, current_actor

api = APIRouter(prefix="/api/v1", tags=["moderation"])
T = TypeVar("T")


# ---- JSON API --------------------------------------------------------------------------------


class CaseOut(BaseModel):
    """A case in the queue."""

    id: int
    state: str
    outcome: str | None
    source: str
    page_id: int | None
    item_id: int | None
    url: str | None
    author_name: str | None
    author_platform_id: str | None
    categories: list[str]
    text: str
    opened_at: str
    decided_at: str | None


def _case_out(case: Case, categories: list[str], text: str) -> CaseOut:
    return CaseOut(
        id=case.id,
        state=case.state,
        outcome=case.outcome,
        source=case.source,
        page_id=case.page_id,
        item_id=case.item_id,
        url=case.url,
        author_name=case.author_name,
        author_platform_id=case.author_platform_id,
        categories=categories,
        text=text,
        opened_at=case.opened_at.isoformat(),
        decided_at=case.decided_at.isoformat() if case.decided_at else None,
    )


class DecisionOut(BaseModel):
    """A decision on a case."""

    id: int
    case_id: int
    action: str
    reason: str
    note: str
    decided_by: str
    decided_at: str
    platform_effect: str
    archive_seq: int | None


def _decision_out(d: Decision) -> DecisionOut:
    return DecisionOut(
        id=d.id,
        case_id=d.case_id,
        action=d.action,
        reason=d.reason,
        note=d.note,
        decided_by=d.actor_name,
        decided_at=d.decided_at.isoformat(),
        platform_effect=d.platform_effect,
        archive_seq=d.archive_seq,
    )


class CaseDetailOut(BaseModel):
    """A case with its findings and decisions."""

    case: CaseOut
    findings: list[dict[str, Any]]
    decisions: list[DecisionOut]
    platform_actions: list[str] = []  # actions on the platform not confirmed yet, in words


@api.get("/moderation/cases", response_model=list[CaseOut])
def api_queue(
    request: Request,
    page: str | None = None,
    category: str | None = None,
    age: str | None = None,
    state: str | None = None,
    actor: Actor = Depends(current_actor),
) -> list[CaseOut]:
    """The queue (open cases by default, oldest first); filters: page, category, age (hours)."""
    flt = queue_filter({"page": page, "category": category, "age": age, "state": state})
    with ctx(request).read() as session:
        return [
            _case_out(r.case, r.categories, r.text)
            for r in queries.queue(session, flt, actor=actor)
        ]


@api.get("/moderation/cases/{case_id}", response_model=CaseDetailOut)
def api_case(
    request: Request, case_id: int, actor: Actor = Depends(current_actor)
) -> CaseDetailOut:
    """One case."""
    with ctx(request).read() as session:
        v = queries.case_view(session, case_id, actor=actor)
        return CaseDetailOut(
            case=_case_out(v.case, v.categories, v.text),
            findings=v.findings,
            decisions=[_decision_out(d) for d in v.decisions],
            platform_actions=v.platform_actions,
        )


class _In(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


def _on_platform(request: Request, act: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action that changes a platform, with the app's sessions and page connectors."""
    app = ctx(request)
    return act(app.sessions, *args, connect=connect_pages(app), **kwargs)


class DecisionIn(_In):
    """keep (reason no_violation), hide or remove (reason: a §.20 category), with a note."""

    action: str = Field(max_length=10)
    reason: str = Field(max_length=20)
    note: str = Field(default="", max_length=2000)


@api.post("/moderation/cases/{case_id}/decision", response_model=DecisionOut, status_code=201)
def api_decide(
    request: Request, case_id: int, body: DecisionIn, actor: Actor = Depends(current_actor)
) -> DecisionOut:
    """Decide a case."""
    return _decision_out(
        _on_platform(
            request,
            actions.decide,
            case_id,
            action=body.action,
            reason=body.reason,
            note=body.note,
            actor=actor,
            guard_mode=ctx(request).settings.viewpoint_concurrence,
        )
    )


class RestoreIn(_In):
    """Why a hidden or removed comment goes back up: a reason (model.RESTORE_REASONS) and a
    note."""

    note: str = Field(max_length=2000)
    reason: str = Field(default="", max_length=20)


class NoteIn(_In):
    """A person's reason or note."""

    note: str = Field(max_length=2000)


@api.post("/moderation/cases/{case_id}/restore", response_model=DecisionOut, status_code=201)
def api_restore(
    request: Request, case_id: int, body: RestoreIn, actor: Actor = Depends(current_actor)
) -> DecisionOut:
    """Restore a hidden or removed comment, for its own reason."""
    return _decision_out(
        _on_platform(
            request, actions.restore, case_id, reason=body.reason, note=body.note, actor=actor
        )
    )


class ConsultIn(_In):
    """The PIO's question for legal counsel."""

    question: str = Field(max_length=2000)


@api.post("/moderation/cases/{case_id}/consultations", status_code=201)
def api_consult(
    request: Request, case_id: int, body: ConsultIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Send a case to legal counsel."""
    with ctx(request).tx() as session:
        c = actions.consult(session, case_id, question=body.question, actor=actor)
        return {"id": c.id, "case_id": c.case_id, "asked_at": c.asked_at.isoformat()}


class AdviceIn(_In):
    """Counsel's advice."""

    advice: str = Field(max_length=2000)
    recommends: str = Field(default="none", max_length=10)
    concurs_block: bool = False


@api.post("/moderation/consultations/{consultation_id}/advice", status_code=201)
def api_advise(
    request: Request, consultation_id: int, body: AdviceIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Answer a consultation."""
    with ctx(request).tx() as session:
        a = actions.advise(
            session,
            consultation_id,
            advice=body.advice,
            recommends=body.recommends,
            concurs_block=body.concurs_block,
            actor=actor,
        )
        return {"id": a.id, "consultation_id": a.consultation_id, "concurs_block": a.concurs_block}


class WarnIn(_In):
    """A warning: the §.20 category and the explanation the person receives."""

    category: str = Field(max_length=20)
    explanation: str = Field(max_length=2000)


@api.post("/moderation/cases/{case_id}/warnings", status_code=201)
def api_warn(
    request: Request, case_id: int, body: WarnIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Warn the author of a case's comment."""
    w = _on_platform(
        request,
        actions.warn,
        case_id=case_id,
        category=body.category,
        explanation=body.explanation,
        actor=actor,
    )
    return {"id": w.id, "delivered": w.delivered, "delivery": w.delivery}


class BlockIn(_In):
    """A block: category, reason, and (without a prior warning) counsel's concurring advice."""

    category: str = Field(max_length=20)
    reason: str = Field(max_length=2000)
    concurrence_id: int | None = None


@api.post("/moderation/cases/{case_id}/blocks", status_code=201)
def api_block(
    request: Request, case_id: int, body: BlockIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Block the author of a case's comment."""
    b = _on_platform(
        request,
        actions.block,
        case_id=case_id,
        category=body.category,
        reason=body.reason,
        concurrence_id=body.concurrence_id,
        actor=actor,
        review_days=ctx(request).settings.block_review_days,
    )
    return {
        "id": b.id,
        "warning_id": b.warning_id,
        "concurrence_id": b.concurrence_id,
        "review_due_at": b.review_due_at.isoformat(),
    }


@api.post("/moderation/blocks/{block_id}/lift")
def api_lift(
    request: Request, block_id: int, body: NoteIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Lift a block."""
    b = _on_platform(request, actions.lift_block, block_id, reason=body.note, actor=actor)
    return {"id": b.id, "lifted_at": b.lifted_at.isoformat() if b.lifted_at else None}


class AnswerIn(_In):
    """How a comment's question was answered (or why no answer is due)."""

    outcome: str = Field(default="answered", max_length=12)
    note: str = Field(max_length=2000)


@api.post("/moderation/responses/{request_id}/answer", status_code=201)
def api_answer(
    request: Request, request_id: int, body: AnswerIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Record an answer to a comment that asked for a response."""
    with ctx(request).tx() as session:
        a = actions.answer(session, request_id, outcome=body.outcome, note=body.note, actor=actor)
        return {"id": a.id, "answered_by": a.actor_name, "answered_at": a.answered_at.isoformat()}


class ReportIn(_In):
    """An employee's report: a link or an archive record, and why."""

    reason: str = Field(max_length=2000)
    url: str | None = Field(default=None, max_length=1000)
    item_id: int | None = None
    category: str | None = Field(default=None, max_length=20)


class ReportOut(BaseModel):
    """A report and what became of it."""

    id: int
    case_id: int
    reported_at: str
    status: str
    outcome: str | None


def _report_out(report: Report, status: str, outcome: str | None) -> ReportOut:
    return ReportOut(
        id=report.id,
        case_id=report.case_id,
        reported_at=report.reported_at.isoformat(),
        status=status,
        outcome=outcome,
    )


@api.post("/reports", response_model=ReportOut, status_code=201)
def api_report(
    request: Request, body: ReportIn, actor: Actor = Depends(current_actor)
) -> ReportOut:
    """Report a post or comment to the PIO (§.22)."""
    with ctx(request).tx() as session:
        r = actions.file_report(
            session,
            reason=body.reason,
            url=body.url,
            item_id=body.item_id,
            category=body.category,
            actor=actor,
        )
        return _report_out(r, "open", None)


@api.get("/reports/mine", response_model=list[ReportOut])
def api_my_reports(request: Request, actor: Actor = Depends(current_actor)) -> list[ReportOut]:
    """The caller's reports and their outcomes."""
    with ctx(request).read() as session:
        return [
            _report_out(s.report, s.case.state, s.last_decision.action if s.last_decision else None)
            for s in queries.my_reports(session, actor=actor)
        ]
