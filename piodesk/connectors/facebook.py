"""The Facebook Pages connector: the Graph API over httpx.

One instance speaks for one Page with a Page access token (and, when the app requires it,
``appsecret_proof``: HMAC-SHA256 of the token keyed with the app secret, sent with every
call). Every response body is kept: each item's ``raw`` is its JSON sliced verbatim out of the
body.

What the Graph API lets a Page do, and so what this connector declares:

* read the Page's profile fields, its feed (the Page's posts and visitors' posts), and the
  comments on a post with ``filter=stream`` (every comment and reply in one flat list, each
  reply naming its ``parent``);
* publish to the feed (with photos uploaded unpublished first and attached), delete its own
  post, hide, unhide and delete a comment, block and unblock a person;
* the Graph API gives a Page's follower *count* but never the list, so READ_SUBSCRIBERS is
  not declared.

Paging follows the documented cursors: ``paging.cursors.after`` is sent back as ``after``
while the body carries ``paging.next`` (no ``next`` means the last page). Once the backlog is
read, each poll is a sweep with ``since`` = the newest ``created_time`` seen. ``since`` is
about creation: edits to older posts are found by ``fetch_post`` (or a full re-sweep with a
fresh cursor), which the ingestion schedule decides. Comments read
without the MODERATE task carry no ``id`` (Graph v11+); their id is then taken from the
``comment_id=`` in ``permalink_url``.

Errors: Graph error objects (``{"error": {"code", "error_subcode", "message", …}}``) map to
``AuthExpired`` for code 190 (and 102, a lost session), ``RateLimited`` for the throttling
codes (4, 17, 32, 613, 80001–80014) or HTTP 429 — with ``retry_after`` from
``X-Business-Use-Case-Usage``'s ``estimated_time_to_regain_access`` (minutes) when given —
and ``PlatformError`` otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import mimetypes
import re
from collections.abc import Collection, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any, ClassVar, Literal, NoReturn
from urllib.parse import parse_qs, urlsplit

import httpx

from piodesk.connectors.base import (
    AuthExpired,
    Connection,
    Connector,
    NotFound,
    PlatformError,
    RateLimited,
    register,
)
from piodesk.connectors.credentials import Credential
from piodesk.connectors.jsonspans import Span, array_elements, object_members, raw_bytes
from piodesk.connectors.model import (
    Capability,
    CapturedItem,
    CommentState,
    Cursor,
    FetchResult,
    ItemKind,
    MediaRef,
    PageProfile,
)
from piodesk.connectors.textmatch import Candidate, pick

GRAPH_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v19.0"

PROFILE_FIELDS = "id,name,username,about,description,website,link,emails,phone,general_info"
POST_FIELDS = (
    "id,message,created_time,updated_time,from,permalink_url,status_type,is_hidden,"
    "attachments{media_type,url,media,target,subattachments}"
)
COMMENT_FIELDS = (
    "id,message,created_time,from,parent{id},permalink_url,is_hidden,attachment,can_hide,can_remove"
)
_AUTH_CODES = {190, 102}
_TOKEN_IN_URL = re.compile(r"(access_token|appsecret_proof)=[^&\s\"']+")


class _RedactTokens(logging.Filter):
    """httpx logs every request URL at INFO; the Graph token travels in the URL. Scrub it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_URL.sub(r"\1=REDACTED", str(a)) if "access_token=" in str(a) else a
                for a in record.args
            )
        if isinstance(record.msg, str) and "access_token=" in record.msg:
            record.msg = _TOKEN_IN_URL.sub(r"\1=REDACTED", record.msg)
        return True


logging.getLogger("httpx").addFilter(_RedactTokens())
_THROTTLE_CODES = {4, 17, 32, 613, *range(80001, 80015)}


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    # Graph writes "+0000"; Python 3.11 reads it.
    return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")


def _ids_from_permalink(url: str | None, post_id: str) -> tuple[str | None, str | None]:
    """(comment id, parent comment id) in Graph's "<post object>_<comment>" form.

    Without the MODERATE task Graph v11+ omits ``id``; the permalink still says
    ``/posts/<post object>/?comment_id=<c>`` and, for a reply, ``&reply_comment_id=<r>``.
    Graph's own ids for the same comments are ``<post object>_<c>`` (and ``_<r>``), so the
    identity stays the same if the page later gains MODERATE.
    """
    if not url:
        return None, None
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    comment = (query.get("comment_id") or [""])[0]
    reply = (query.get("reply_comment_id") or [""])[0]
    segments = [s for s in parts.path.split("/") if s]
    # /<page>/posts/<object>/?comment_id=…; other permalink shapes (permalink.php?story_fbid=…)
    # fall back to the object part of the post id the comments were asked for.
    obj = segments[segments.index("posts") + 1] if "posts" in segments[:-1] else None
    obj = obj or post_id.rsplit("_", 1)[-1]
    if not comment:
        return None, None
    if reply:
        return f"{obj}_{reply}", f"{obj}_{comment}"
    return f"{obj}_{comment}", None


def _comment_id(comment: dict[str, Any], post_id: str) -> str | None:
    """A comment's Graph id, or the one its permalink gives when Graph left ``id`` out."""
    cid = comment.get("id") or _ids_from_permalink(comment.get("permalink_url"), post_id)[0]
    return str(cid) if cid else None


@register
class FacebookConnector(Connector):
    """A department Page on Facebook."""

    platform = "facebook"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.READ_PROFILE,
            Capability.READ_POSTS,
            Capability.READ_COMMENTS,
            Capability.PUBLISH,
            Capability.HIDE_COMMENT,
            Capability.UNHIDE_COMMENT,
            Capability.DELETE_COMMENT,
            Capability.DELETE_POST,
            Capability.BLOCK,
            Capability.UNBLOCK,
            Capability.DETECT_DELETIONS,
            Capability.READ_COMMENT_STATE,
            Capability.READ_BLOCKS,
            Capability.REPLY,
        }
    )
    connection_settings = ("graph_page_id",)
    connection_secrets = ("access_token",)

    @classmethod
    def from_connection(cls, connection: Connection) -> FacebookConnector:
        """The connector for a page from its stored settings and decrypted credential."""
        if connection.credential is None:
            raise AuthExpired(cls.platform, "no credential is stored for the page")
        return cls(connection.settings["graph_page_id"], connection.credential)

    def __init__(
        self,
        page_id: str,
        credential: Credential,
        *,
        base_url: str = GRAPH_URL,
        version: str = DEFAULT_VERSION,
        page_size: int = 25,
        client: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.page_id = page_id
        self.page_size = page_size
        self._base = f"{base_url.rstrip('/')}/{version}"
        self._token = credential.secret("access_token")
        secret = credential.get("app_secret")
        self._proof = (
            hmac.new(secret.encode(), self._token.encode(), hashlib.sha256).hexdigest()
            if secret
            else None
        )
        self._client = client or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return f"FacebookConnector(page_id={self.page_id!r}, base={self._base!r})"

    # --- plumbing ------------------------------------------------------------------------------

    def _auth(self) -> dict[str, str]:
        params = {"access_token": self._token}
        if self._proof:
            params["appsecret_proof"] = self._proof
        return params

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> str:
        query = {**(params or {}), **self._auth()}
        try:
            resp = self._client.request(
                method, f"{self._base}/{path}", params=query, data=data, files=files
            )
        except httpx.HTTPError as exc:
            # The exception text can include the URL, which holds the token: never pass it on.
            raise PlatformError(
                self.platform, None, f"network failure ({type(exc).__name__})"
            ) from None
        text = resp.content.decode("utf-8")
        if not resp.is_success:
            self._raise(resp, text)
        return text

    def _raise(self, resp: httpx.Response, text: str) -> NoReturn:
        try:
            error = json.loads(text).get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        code = error.get("code")
        message = error.get("message") or resp.reason_phrase or "unknown error"
        if code in _AUTH_CODES or resp.status_code == 401:
            raise AuthExpired(self.platform, message)
        if code in _THROTTLE_CODES or resp.status_code == 429:
            raise RateLimited(self.platform, _retry_after(resp), message)
        if resp.status_code == 404 or (code == 100 and error.get("error_subcode") == 33):
            raise NotFound(self.platform, message)
        detail = f"{message} (code {code})" if code is not None else message
        raise PlatformError(self.platform, resp.status_code, detail)

    # --- reading -------------------------------------------------------------------------------

    def read_profile(self) -> PageProfile:
        """The Page's name, about/description text, website and contact fields."""
        text = self._request("GET", self.page_id, params={"fields": PROFILE_FIELDS})
        page = json.loads(text)
        about = "\n\n".join(
            p for p in (page.get("about"), page.get("description"), page.get("general_info")) if p
        )
        links = tuple(str(page[k]) for k in ("website", "link") if page.get(k))
        contact = {}
        if page.get("emails"):
            contact["email"] = ", ".join(page["emails"])
        if page.get("phone"):
            contact["phone"] = str(page["phone"])
        return PageProfile(
            platform=self.platform,
            page_platform_id=str(page.get("id", self.page_id)),
            name=page.get("name", ""),
            about=about,
            links=links,
            contact=contact,
            raw=text.encode("utf-8"),
        )

    def fetch_posts(self, since: Cursor | None = None) -> FetchResult:
        """The Page feed, a sweep at a time.

        A sweep pages back by ``after`` cursor until the body has no ``paging.next``. The
        first sweep reads the whole feed; each later sweep asks only for posts created
        ``since`` the newest one seen (Graph's ``since`` is inclusive, so that post comes
        again and the archive sees "same again"). The cursor carries the sweep in progress.
        """
        state = json.loads(since.value) if since else {}
        params: dict[str, Any] = {"fields": POST_FIELDS, "limit": self.page_size}
        if state.get("after"):
            params["after"] = state["after"]
        if state.get("since"):
            params["since"] = state["since"]
        text = self._request("GET", f"{self.page_id}/feed", params=params)
        spans, paging = _data_and_paging(text)
        items = [self._post_item(s, text) for s in spans]
        newest = state.get("newest")
        for item in items:
            if item.created_at is not None:
                ts = int(item.created_at.timestamp())
                newest = ts if newest is None else max(newest, ts)
        after = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
        if after and after == state.get("after"):
            raise PlatformError(self.platform, 200, "the feed's paging did not advance")
        if after:  # this sweep goes on
            nxt = {"after": after, "since": state.get("since"), "newest": newest}
        else:  # sweep done: the next one starts from the newest post seen
            nxt = {"after": None, "since": newest, "newest": newest}
        return FetchResult(tuple(items), Cursor(json.dumps(nxt)), has_more=after is not None)

    def fetch_post(self, post_id: str) -> CapturedItem:
        """Re-read one post (an edit shows in ``updated_time`` and the fingerprint)."""
        text = self._request("GET", post_id, params={"fields": POST_FIELDS})
        value = json.loads(text)
        return self._post_item(Span(value, 0, len(text)), text)

    def fetch_comments(self, post_id: str, since: Cursor | None = None) -> FetchResult:
        """Every comment and reply on a post, oldest first, a page at a time."""
        params: dict[str, Any] = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "chronological",
            "limit": self.page_size,
        }
        state = json.loads(since.value) if since else {}
        if state.get("after"):
            params["after"] = state["after"]
        text = self._request("GET", f"{post_id}/comments", params=params)
        spans, paging = _data_and_paging(text)
        items = [i for s in spans if (i := self._comment_item(s, text, post_id)) is not None]
        after = (paging.get("cursors") or {}).get("after")
        has_more = bool(paging.get("next"))
        if has_more and (not after or after == state.get("after")):
            # A next page that the cursor cannot reach would be asked for again forever.
            raise PlatformError(self.platform, 200, "the comment listing's paging did not advance")
        # Chronological order: the last cursor is where new comments will appear next time.
        nxt = Cursor(json.dumps({"after": after or state.get("after")}))
        return FetchResult(tuple(items), nxt, has_more=has_more)

    #: A comment listing longer than this many pages is not read to its end, so not trusted.
    MAX_LISTING_PAGES = 400

    def deleted_comment_ids(self, post_id: str, known: AbstractSet[str]) -> frozenset[str]:
        """Of ``known``, the comments and replies no longer on the post's comments edge.

        The whole edge is read (``filter=stream``: every comment and reply, hidden ones
        included, since the Page token sees them) by following ``paging.next`` to its end. Any
        failed page raises, as do a comment with no id to compare, paging that stops advancing
        and a listing over ``MAX_LISTING_PAGES``: a partial listing says nothing about what is
        gone. A post that no longer answers raises ``NotFound``, not ``Gone``: Graph says
        "does not exist, or missing permissions" in one error, so that is no proof of deletion.
        """
        if not known:
            return frozenset()
        listed: set[str] = set()
        after: str | None = None
        cursors_seen: set[str] = set()
        for _ in range(self.MAX_LISTING_PAGES):
            params: dict[str, Any] = {
                "fields": COMMENT_FIELDS,
                "filter": "stream",
                "order": "chronological",
                "limit": self.page_size,
            }
            if after:
                params["after"] = after
            text = self._request("GET", f"{post_id}/comments", params=params)
            spans, paging = _data_and_paging(text)
            for span in spans:
                cid = _comment_id(span.value, post_id)
                if cid is None:
                    raise PlatformError(
                        self.platform, 200, "a comment in the listing has no id to compare"
                    )
                listed.add(cid)
            if not paging.get("next"):
                return frozenset(known - listed)
            after = (paging.get("cursors") or {}).get("after")
            if not after or after in cursors_seen:
                raise PlatformError(
                    self.platform, 200, "the comment listing's paging did not advance"
                )
            cursors_seen.add(after)
        raise PlatformError(
            self.platform,
            200,
            f"the comment listing is longer than {self.MAX_LISTING_PAGES} pages; not compared",
        )

    def _post_item(self, span: Span, text: str) -> CapturedItem:
        post = span.value
        author = post.get("from") or {}
        media = []
        attachments = (post.get("attachments") or {}).get("data", [])
        # An album's photos are its subattachments; the album's own media is the cover.
        flat: list[dict[str, Any]] = []
        for a in attachments:
            subs = (a.get("subattachments") or {}).get("data", [])
            flat += subs if subs else [a]
        for a in flat:
            src = ((a.get("media") or {}).get("image") or {}).get("src")
            if src:
                media.append(
                    MediaRef(
                        url=src,
                        mime_type=mimetypes.guess_type(urlsplit(src).path)[0],
                        filename=urlsplit(src).path.rsplit("/", 1)[-1],
                    )
                )
        return CapturedItem(
            kind=ItemKind.POST,
            platform=self.platform,
            platform_id=str(post["id"]),
            page_platform_id=self.page_id,
            author_platform_id=author.get("id"),
            author_name=author.get("name"),
            created_at=_time(post.get("created_time")),
            edited_at=_time(post.get("updated_time"))
            if post.get("updated_time") != post.get("created_time")
            else None,
            text=post.get("message"),
            fields={
                "permalink_url": post.get("permalink_url"),
                "status_type": post.get("status_type"),
                "is_hidden": post.get("is_hidden"),
            },
            media=media,
            raw=raw_bytes(text, span),
        )

    def _comment_item(self, span: Span, text: str, post_id: str) -> CapturedItem | None:
        c = span.value
        _link_id, link_parent = _ids_from_permalink(c.get("permalink_url"), post_id)
        cid = _comment_id(c, post_id)
        if not cid:
            return None  # neither id nor permalink: nothing to identify it by
        parent = (c.get("parent") or {}).get("id") or (None if c.get("id") else link_parent)
        author = c.get("from") or {}
        attachment = c.get("attachment") or {}
        src = ((attachment.get("media") or {}).get("image") or {}).get("src")
        return CapturedItem(
            kind=ItemKind.REPLY if parent else ItemKind.COMMENT,
            platform=self.platform,
            platform_id=str(cid),
            page_platform_id=self.page_id,
            parent_platform_id=parent or post_id,
            author_platform_id=author.get("id"),
            author_name=author.get("name"),
            created_at=_time(c.get("created_time")),
            text=c.get("message"),
            fields={
                "is_hidden": c.get("is_hidden"),
                "permalink_url": c.get("permalink_url"),
                "post_id": post_id,
            },
            media=[MediaRef(url=src, filename=urlsplit(src).path.rsplit("/", 1)[-1])]
            if src
            else [],
            raw=raw_bytes(text, span),
        )

    # --- acting --------------------------------------------------------------------------------

    def publish(
        self, text: str, media: Sequence[MediaRef] = (), *, idempotency_key: str | None = None
    ) -> str:
        """Post to the Page feed; photos are uploaded unpublished, then attached.

        Graph takes no idempotency key: a publish whose answer was lost is found afterwards by
        reading the feed (``find_published``), never by posting again."""
        data: dict[str, Any] = {"message": text}
        videos = [m for m in media if (m.mime_type or "").startswith("video/")]
        if videos:
            if len(media) > 1:
                raise PlatformError(
                    self.platform, None, "a Page post carries one video, without photos beside it"
                )
            return self._publish_video(text, videos[0])
        for i, m in enumerate(media):
            if m.data is None:
                raise PlatformError(self.platform, None, "media must be given as bytes to upload")
            body = self._request(
                "POST",
                f"{self.page_id}/photos",
                data={"published": "false"},
                files={"source": (m.filename or "photo", m.data, m.mime_type or "image/jpeg")},
            )
            data[f"attached_media[{i}]"] = json.dumps({"media_fbid": json.loads(body)["id"]})
        body = self._request("POST", f"{self.page_id}/feed", data=data)
        return str(json.loads(body)["id"])

    def _publish_video(self, text: str, video: MediaRef) -> str:
        """``POST /{page-id}/videos`` (the Pages API's non-resumable upload, for files under
        1 GB): the video, its ``description`` (the post's text) and its ``title`` left empty;
        Graph answers ``{"id": <video id>}``, which takes comments like a post."""
        if video.data is None:
            raise PlatformError(self.platform, None, "media must be given as bytes to upload")
        body = self._request(
            "POST",
            f"{self.page_id}/videos",
            data={"description": text, "published": "true"},
            files={"source": (video.filename or "video.mp4", video.data, video.mime_type)},
        )
        return str(json.loads(body)["id"])

    def reply(
        self,
        parent_id: str,
        text: str,
        *,
        under: Literal["comment", "post"] = "comment",
        idempotency_key: str | None = None,
    ) -> str:
        """``POST /{parent-id}/comments`` as the Page: a comment under its post (a thread) or a
        reply under a visitor's comment; answers ``{"id": …}``."""
        body = self._request("POST", f"{parent_id}/comments", data={"message": text})
        return str(json.loads(body)["id"])

    def find_published(
        self,
        text: str,
        *,
        since: datetime,
        parent_id: str | None = None,
        under: Literal["comment", "post"] = "post",
        until: datetime | None = None,
        exclude: AbstractSet[str] = frozenset(),
        media_types: Collection[str] = (),
    ) -> str | None:
        """The Page's post (``/{page}/posts``), its video (``/{page}/videos``) or its comment
        under ``parent_id`` (``/{parent}/comments``, from the Page only) with this message
        (see ``textmatch``: Graph may change whitespace, escape entities, wrap links), made
        between ``since`` and ``until``.

        A video goes out through ``POST /{page}/videos`` and its answer is the *video's* id,
        which is what a delivery stores; the feed lists the same video under a different post
        id. So a lost video publish is looked for on the Page's videos edge, by the video's
        ``description`` (its text), and found by the id the answer would have carried. That
        edge is read newest first without ``since``/``until`` (the Video API's guide documents
        neither for it); the window is applied to each video's ``created_time`` instead.
        """
        if parent_id is None and any(m.startswith("video/") for m in media_types):
            return self._find_video(text, since=since, until=until, exclude=exclude)
        if parent_id is None:
            params = {"fields": "id,message,created_time", "since": str(int(since.timestamp()))}
            if until is not None:
                params["until"] = str(int(until.timestamp()) + 1)
            path = f"{self.page_id}/posts"
        else:
            params = {"fields": "id,message,created_time,from", "filter": "stream"}
            path = f"{parent_id}/comments"
        params["limit"] = str(self.page_size)
        rows = json.loads(self._request("GET", path, params=params)).get("data") or []
        candidates = [
            Candidate(str(row["id"]), str(row.get("message") or ""), _time(row.get("created_time")))
            for row in rows
            if parent_id is None or str((row.get("from") or {}).get("id")) == self.page_id
        ]
        return pick(text, candidates, since=since, until=until, exclude=exclude)

    def _find_video(
        self,
        text: str,
        *,
        since: datetime,
        until: datetime | None,
        exclude: AbstractSet[str],
    ) -> str | None:
        """``GET /{page}/videos?fields=id,description,created_time``: the Page's uploaded
        videos, newest first; the one whose description is this text, in the window."""
        params = {"fields": "id,description,created_time", "limit": str(self.page_size)}
        rows = json.loads(self._request("GET", f"{self.page_id}/videos", params=params))
        candidates = [
            Candidate(
                str(row["id"]), str(row.get("description") or ""), _time(row.get("created_time"))
            )
            for row in rows.get("data") or []
            if row.get("id")
        ]
        return pick(text, candidates, since=since, until=until, exclude=exclude)

    def _expect_success(self, text: str, action: str) -> None:
        value = json.loads(text)
        ok = value.get("success") if isinstance(value, dict) else None
        if ok is None and isinstance(value, dict):
            # POST /{page}/blocked answers {"<user id>": true}
            ok = all(v is True for v in value.values()) and bool(value)
        if not ok:
            raise PlatformError(self.platform, 200, f"{action} was not confirmed: {text[:200]}")

    def hide_comment(self, comment_id: str) -> None:
        """Hide a comment (its author and friends still see it; the public does not)."""
        self._expect_success(
            self._request("POST", comment_id, data={"is_hidden": "true"}), "hide comment"
        )

    def unhide_comment(self, comment_id: str) -> None:
        """Show a hidden comment again."""
        self._expect_success(
            self._request("POST", comment_id, data={"is_hidden": "false"}), "unhide comment"
        )

    def delete_comment(self, comment_id: str) -> None:
        """Remove a comment from Facebook."""
        self._expect_success(self._request("DELETE", comment_id), "delete comment")

    def delete_post(self, post_id: str) -> None:
        """Delete one of the Page's own posts."""
        self._expect_success(self._request("DELETE", post_id), "delete post")

    def block(self, person_id: str) -> None:
        """Block a person from the Page (they can no longer comment or react)."""
        self._expect_success(
            self._request("POST", f"{self.page_id}/blocked", data={"user": person_id}), "block"
        )

    def unblock(self, person_id: str) -> None:
        """Lift a block."""
        self._expect_success(
            self._request("DELETE", f"{self.page_id}/blocked", params={"user": person_id}),
            "unblock",
        )

    # --- reading what was done (for the reconciler) -----------------------------------------------

    def comment_state(self, comment_id: str) -> CommentState:
        """``GET /{comment-id}?fields=id,is_hidden``; a deleted comment is Graph's "does not
        exist" error (code 100, subcode 33), which is ``NotFound``."""
        try:
            text = self._request("GET", comment_id, params={"fields": "id,is_hidden"})
        except NotFound:
            return CommentState.DELETED
        value = json.loads(text)
        return CommentState.HIDDEN if value.get("is_hidden") is True else CommentState.VISIBLE

    def is_blocked(self, person_id: str) -> bool:
        """``GET /{page-id}/blocked?user={id}``: the person is listed while blocked."""
        text = self._request("GET", f"{self.page_id}/blocked", params={"user": person_id})
        rows = json.loads(text).get("data") or []
        return any(str(row.get("id")) == str(person_id) for row in rows)


def _data_and_paging(text: str) -> tuple[list[Span], dict[str, Any]]:
    members = dict(object_members(text))
    if "data" not in members:
        raise PlatformError("facebook", 200, "the Graph API answer has no data list")
    spans = array_elements(text, members["data"].start)
    paging = members["paging"].value if "paging" in members else {}
    return spans, paging if isinstance(paging, dict) else {}


def _retry_after(resp: httpx.Response) -> float | None:
    if "Retry-After" in resp.headers:
        try:
            return float(resp.headers["Retry-After"])
        except ValueError:
            pass
    usage = resp.headers.get("X-Business-Use-Case-Usage")
    if usage:
        try:
            entries = [e for v in json.loads(usage).values() for e in v]
            minutes = max(int(e.get("estimated_time_to_regain_access", 0)) for e in entries)
            return float(minutes * 60)
        except (ValueError, TypeError, AttributeError):
            return None
    return None
