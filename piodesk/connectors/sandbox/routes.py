"""The sandbox platform's public page: anyone reads a page's posts and leaves comments.

No sign-in: this is the platform's side, what the public sees. A visitor is recognised by a
random secret in an HttpOnly cookie (set on the first visit); comments carry only a one-way
hash of it (:func:`platform.visitor_id_for`). Forms are protected by a signed double-submit
token: the form echoes an HMAC of the visitor's cookie under the installation's secret key, so
a page on another site can neither read nor forge it. Every page the platform has is public, as
on any platform; piodesk's §.04 approval governs what piodesk pulls and publishes, not this.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from piodesk.connectors.sandbox import platform
from piodesk.core.errors import InvalidInput, NotFound
from piodesk.web.context import CsrfFailed, ctx, render
from piodesk.web.hardening import text_form

router = APIRouter(include_in_schema=False)
api = APIRouter()  # the sandbox has no JSON API of its own; piodesk reads it via the connector

VISITOR_COOKIE = "piodesk_sandbox_visitor"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_YEAR = 365 * 24 * 3600
POSTS_PER_PAGE = 20


def _visitor_token(request: Request) -> str | None:
    token = request.cookies.get(VISITOR_COOKIE, "")
    return token if _TOKEN.fullmatch(token) else None


def _csrf_for(request: Request, token: str) -> str:
    key = ctx(request).settings.secret_key.encode()
    return hmac.new(key, b"sandbox-csrf:" + token.encode(), hashlib.sha256).hexdigest()


def _page_response(
    request: Request,
    handle: str,
    token: str,
    *,
    status: int = 200,
    error: str = "",
    error_post: int | None = None,
    error_parent: int | None = None,
    error_edit: int | None = None,
    draft: dict[str, str] | None = None,
    before: int | None = None,
    post_id: int | None = None,
    reply_to: int | None = None,
) -> HTMLResponse:
    """The page's feed, or (``post_id``) one post with every comment, the reply form open
    under comment ``reply_to`` when asked for."""
    visitor = platform.visitor_id_for(token)
    # A read: under SQLite a write transaction here queued every page view behind the ingest.
    with ctx(request).read() as session:
        page = platform.public_page(session, handle)
        if post_id is not None:
            feed = [platform.public_post(session, page, post_id, visitor_id=visitor)]
            older = None
        else:
            feed = platform.public_feed(
                session, page, visitor_id=visitor, before=before, limit=POSTS_PER_PAGE + 1
            )
            older = feed[POSTS_PER_PAGE - 1].id if len(feed) > POSTS_PER_PAGE else None
        data: dict[str, Any] = {
            "page": page,
            "profile": page,  # the platform's own page carries its profile
            "feed": feed[:POSTS_PER_PAGE],
            "older": older,
            "single": post_id is not None,
            "blocked": platform.is_blocked(session, page, visitor),
            "messages": platform.messages_for(session, page, visitor),
        }
    return _with_cookie(
        request,
        render(
            request,
            "sandbox/page.html",
            {
                **data,
                **_form_context(request, token),
                "error": error,
                "error_post": error_post,
                "error_parent": error_parent,
                "error_edit": error_edit,
                "draft": draft or {},
                "reply_to": reply_to,
                "focus": reply_to is not None,
            },
            status=status,
        ),
        token,
    )


def _form_context(request: Request, token: str) -> dict[str, Any]:
    return {
        "blocked_message": platform.BLOCKED_MESSAGE,
        "visitor_csrf": _csrf_for(request, token),
        "max_comment": platform.MAX_COMMENT,
        "max_name": platform.MAX_NAME,
    }


def _with_cookie(request: Request, response: HTMLResponse, token: str) -> HTMLResponse:
    response.set_cookie(
        VISITOR_COOKIE,
        token,
        max_age=_YEAR,
        path="/sandbox",
        httponly=True,
        samesite="lax",
        secure=ctx(request).settings.cookie_secure,
    )
    return response


def _checked_visitor(request: Request, sent: object) -> str:
    """The visitor's cookie token, once the form proved it came from this page (else 403)."""
    token = _visitor_token(request)
    if (
        token is None
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, _csrf_for(request, token))
    ):
        raise CsrfFailed("the comment form expired or came from elsewhere; reload the page")
    return token


@router.get("/sandbox/{handle}", response_class=HTMLResponse)
def public_page(request: Request, handle: str, before: int | None = None) -> HTMLResponse:
    """A sandbox page as the public sees it: profile, posts, visible comments, comment forms."""
    token = _visitor_token(request) or secrets.token_urlsafe(32)
    return _page_response(request, handle, token, before=before)


@router.get("/sandbox/{handle}/posts/{post_id}", response_class=HTMLResponse)
def post_page(request: Request, handle: str, post_id: int) -> HTMLResponse:
    """One post with every visible comment (the feed shows each post's newest threads)."""
    token = _visitor_token(request) or secrets.token_urlsafe(32)
    return _page_response(request, handle, token, post_id=post_id)


@router.get("/sandbox/{handle}/comments/{comment_id}/reply", response_class=HTMLResponse)
def reply_form(request: Request, handle: str, comment_id: int) -> HTMLResponse:
    """The form to reply to a comment: alone for htmx (into the thread), else the post's page
    with the form open under the comment (no script needed)."""
    token = _visitor_token(request) or secrets.token_urlsafe(32)
    with ctx(request).read() as session:
        page = platform.public_page(session, handle)
        comment = platform.get_comment(session, page, comment_id)
        if comment.hidden or comment.parent_comment_id is not None:
            raise NotFound(f"comment {comment_id} takes no replies here")
        post_id = comment.post_id
        blocked = platform.is_blocked(session, page, platform.visitor_id_for(token))
    if request.headers.get("hx-request") != "true" or blocked:
        response = _page_response(request, handle, token, post_id=post_id, reply_to=comment_id)
    else:
        response = _with_cookie(
            request,
            render(
                request,
                "sandbox/reply.html",
                {
                    **_form_context(request, token),
                    "page": page,
                    "post_id": post_id,
                    "parent": comment_id,
                    "draft": {},
                    "focus": True,
                },
            ),
            token,
        )
    response.headers["Vary"] = "HX-Request"  # the same address answers a fragment or a page
    return response


@router.get("/sandbox/{handle}/photos/{photo_id}")
def photo(request: Request, handle: str, photo_id: int) -> Response:
    """A photo of one of the page's live posts (public, like the page)."""
    with ctx(request).read() as session:
        page = platform.public_page(session, handle)
        row = platform.public_photo(session, photo_id)
        post = session.get(platform.SandboxPost, row.post_id)
        if post is None or post.page_id != page.id:
            raise NotFound("that photo is not on this page")
        data, mime = bytes(row.data), row.mime_type
    return Response(data, media_type=mime, headers={"Cache-Control": "public, max-age=3600"})


@router.post("/sandbox/{handle}/posts/{post_id}/comments")
async def leave_comment(request: Request, handle: str, post_id: int) -> Response:
    """A visitor comments on a post (or replies to a comment); refused when blocked."""
    with ctx(request).read() as session:
        platform.public_page(session, handle)  # 404 for a page the platform does not have
    form = await text_form(request)
    token = _checked_visitor(request, form.get("csrf_token"))
    name, body = str(form.get("visitor_name", "")), str(form.get("body", ""))
    parent_field = str(form.get("parent_comment_id", "")).strip()
    parent = (
        int(parent_field)
        if parent_field.isascii() and parent_field.isdigit() and len(parent_field) < 18
        else None
    )
    try:
        with ctx(request).tx() as session:
            page = platform.public_page(session, handle)
            comment = platform.add_comment(
                session,
                page,
                post_id,
                visitor_id=platform.visitor_id_for(token),
                visitor_name=name,
                body=body,
                parent_comment_id=parent,
            )
    except (InvalidInput, platform.VisitorBlocked) as exc:
        # Show the page again with the message next to the form and the text kept (a reply:
        # the post's page, with the form open under the comment replied to).
        return _page_response(
            request,
            handle,
            token,
            status=exc.status_code,
            error=exc.message,
            error_post=post_id,
            error_parent=parent,
            draft={"visitor_name": name[:200], "body": body[:10_000]},
            post_id=post_id if parent is not None else None,
            reply_to=parent,
        )
    if parent is not None:  # the thread may be older than the feed's newest ones
        return RedirectResponse(
            f"/sandbox/{handle}/posts/{post_id}#comment-{comment.id}", status_code=303
        )
    return RedirectResponse(f"/sandbox/{handle}#comment-{comment.id}", status_code=303)


@router.post("/sandbox/{handle}/comments/{comment_id}/edit")
async def edit_comment(request: Request, handle: str, comment_id: int) -> Response:
    """A visitor corrects their own comment (the archive keeps the version before the edit)."""
    with ctx(request).read() as session:
        page = platform.public_page(session, handle)
        post_id = platform.get_comment(session, page, comment_id).post_id
    form = await text_form(request)
    token = _checked_visitor(request, form.get("csrf_token"))
    body = str(form.get("body", ""))
    try:
        with ctx(request).tx() as session:
            page = platform.public_page(session, handle)
            platform.edit_comment(
                session, page, comment_id, visitor_id=platform.visitor_id_for(token), body=body
            )
    except (InvalidInput, platform.VisitorBlocked) as exc:
        return _page_response(
            request,
            handle,
            token,
            status=exc.status_code,
            error=exc.message,
            error_edit=comment_id,
            draft={"body": body[:10_000]},
            post_id=post_id,
        )
    # The post's page shows every comment (the feed only each post's newest threads).
    return RedirectResponse(
        f"/sandbox/{handle}/posts/{post_id}#comment-{comment_id}", status_code=303
    )
