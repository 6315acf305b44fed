"""The Mastodon connector, through Mastodon.py.

One connector instance speaks for one department account on one Mastodon server. Mastodon.py
makes every request (parameter encoding, errors); a response hook on its ``requests``
session keeps the last response so that each item's ``raw`` is sliced verbatim out of the
body, paging follows the ``Link`` header the server sent, and a 429 reports how long to wait.

What Mastodon lets an account do, and so what this connector declares:

* read its profile, its statuses, the replies under a status (``/context``), its followers;
* publish a status (public), delete its own status, block and unblock an account.
* Mastodon has no way to hide someone else's reply, or delete it, from an ordinary account
  (only server moderators can): HIDE/UNHIDE/DELETE_COMMENT are not declared and raise
  ``UnsupportedAction``.

Paging (``fetch_posts``): the first call reads the newest page; while older pages remain,
``has_more`` is true and the cursor continues with ``max_id`` (from the ``rel="next"`` link);
once the backlog is read, the cursor polls for newer statuses with ``min_id`` (from the
``rel="prev"`` link, i.e. the newest id seen). ``cursor_after(status_id)`` starts polling
after a known status, e.g. the newest one an imported archive held.
"""

from __future__ import annotations

import email.utils
import io
import json
import mimetypes
import re
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
)

from piodesk.connectors.base import (
    AuthExpired,
    Connection,
    Connector,
    Gone,
    NotFound,
    PlatformError,
    RateLimited,
    register,
)
from piodesk.connectors.credentials import Credential
from piodesk.connectors.htmltext import html_to_text
from piodesk.connectors.jsonspans import Span, array_elements, object_members, raw_bytes
from piodesk.connectors.model import (
    Capability,
    CapturedItem,
    Cursor,
    FetchResult,
    ItemKind,
    MediaRef,
    PageProfile,
)
from piodesk.connectors.textmatch import Candidate, pick

T = TypeVar("T")


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _link_param(response: requests.Response, rel: str, param: str) -> str | None:
    link = response.links.get(rel)
    if not link:
        return None
    values = parse_qs(urlsplit(link["url"]).query).get(param)
    return values[0] if values else None


@register
class MastodonConnector(Connector):
    """A department account on a Mastodon server."""

    platform = "mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.READ_PROFILE,
            Capability.READ_POSTS,
            Capability.READ_COMMENTS,
            Capability.READ_SUBSCRIBERS,
            Capability.PUBLISH,
            Capability.DELETE_POST,
            Capability.BLOCK,
            Capability.UNBLOCK,
            Capability.SEND_MESSAGE,
            Capability.DETECT_DELETIONS,
            Capability.READ_BLOCKS,
            Capability.REPLY,
        }
    )
    connection_settings = ("api_base_url",)
    connection_secrets = ("access_token",)

    @classmethod
    def from_connection(cls, connection: Connection) -> MastodonConnector:
        """The connector for a page from its stored settings and decrypted credential."""
        if connection.credential is None:
            raise AuthExpired(cls.platform, "no credential is stored for the page")
        return cls(connection.settings["api_base_url"], connection.credential)

    def __init__(
        self,
        api_base_url: str,
        credential: Credential,
        *,
        account_id: str | None = None,
        page_size: int = 40,
        session: requests.Session | None = None,
        request_timeout: float = 30.0,
        mastodon_version: str = "4.0.0",
    ) -> None:
        self.api_base_url = api_base_url.rstrip("/")
        self.page_size = page_size
        self._account_id = account_id
        self._last: requests.Response | None = None
        self._session = session or requests.Session()
        self._session.hooks["response"].append(self._remember)
        self._api = Mastodon(
            access_token=credential.secret("access_token"),
            api_base_url=self.api_base_url,
            session=self._session,
            # We report rate limits to the job runner instead of sleeping inside a request.
            ratelimit_method="throw",
            # The server version is given (Mastodon 4+ is assumed; it picks e.g. the v2 media
            # endpoint) rather than asked of the server at every start.
            version_check_mode="created",
            mastodon_version=mastodon_version,
            request_timeout=request_timeout,
        )

    def __repr__(self) -> str:
        return f"MastodonConnector({self.api_base_url!r}, account_id={self._account_id!r})"

    # --- plumbing ------------------------------------------------------------------------------

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def _response(self) -> requests.Response:
        if self._last is None:  # every API call goes through the session hook
            raise RuntimeError("no Mastodon response was seen")
        return self._last

    def _body(self) -> str:
        return self._response().content.decode("utf-8")

    def _retry_after(self) -> float | None:
        resp = self._last
        if resp is None:
            return None
        if "Retry-After" in resp.headers:
            try:
                return float(resp.headers["Retry-After"])
            except ValueError:
                pass
        reset = resp.headers.get("X-RateLimit-Reset")
        if not reset:
            return None
        try:
            reset_at = datetime.fromisoformat(reset.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
        now = time.time()
        if "Date" in resp.headers:
            parsed = email.utils.parsedate_to_datetime(resp.headers["Date"])
            now = parsed.timestamp()
        return max(0.0, reset_at - now)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except MastodonRatelimitError as exc:
            raise RateLimited(self.platform, self._retry_after(), str(exc)) from None
        except MastodonUnauthorizedError as exc:
            raise AuthExpired(self.platform, _api_message(exc)) from None
        except MastodonNetworkError as exc:
            raise PlatformError(self.platform, None, f"network failure: {exc}") from None
        except MastodonNotFoundError as exc:
            raise NotFound(self.platform, _api_message(exc)) from None
        except MastodonAPIError as exc:
            status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            raise PlatformError(self.platform, status, _api_message(exc)) from None

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._errors():
            return fn(*args, **kwargs)

    def account_id(self) -> str:
        """The department account's id (asked of the server once)."""
        if self._account_id is None:
            self._call(self._api.account_verify_credentials)
            self._account_id = str(json.loads(self._body())["id"])
        return self._account_id

    # --- reading -------------------------------------------------------------------------------

    def read_profile(self) -> PageProfile:
        """The account's display name, bio, profile fields and links."""
        self._call(self._api.account_verify_credentials)
        body = self._response().content
        account = json.loads(body)
        self._account_id = str(account["id"])
        fields = [f for f in account.get("fields", []) if isinstance(f, dict)]
        # The §.10 check looks for the official website among the links: the profile URL,
        # links in profile fields, then links in the bio, without repeats.
        found = [account.get("url") or ""]
        for f in fields:
            found += _hrefs(str(f.get("value", "")))
        found += _hrefs(account.get("note") or "")
        links = list(dict.fromkeys(u for u in found if u))
        return PageProfile(
            platform=self.platform,
            page_platform_id=self._account_id,
            name=account.get("display_name") or account.get("username", ""),
            about=html_to_text(account.get("note") or ""),
            links=tuple(links),
            contact={str(f.get("name")): html_to_text(str(f.get("value", ""))) for f in fields},
            raw=body,
        )

    @staticmethod
    def cursor_after(status_id: str) -> Cursor:
        """A cursor that polls for statuses newer than ``status_id`` (no backlog)."""
        return Cursor(json.dumps({"older": None, "newest": status_id}))

    def fetch_posts(self, since: Cursor | None = None) -> FetchResult:
        """The account's statuses: newest page, then older pages, then newer ones as they come."""
        state = json.loads(since.value) if since else {"older": None, "newest": None, "start": 1}
        account = self.account_id()
        if state.get("start") or state.get("older"):
            self._call(
                self._api.account_statuses,
                account,
                limit=self.page_size,
                max_id=state.get("older"),
            )
            items = self._statuses(ItemKind.POST)
            resp = self._response()
            newest = state.get("newest")
            if state.get("start") and items:
                newest = _link_param(resp, "prev", "min_id") or max(
                    (i.platform_id for i in items), key=int
                )
            older = _link_param(resp, "next", "max_id") if items else None
            nxt = {"older": older, "newest": newest}
            return FetchResult(tuple(items), Cursor(json.dumps(nxt)), has_more=older is not None)
        self._call(
            self._api.account_statuses, account, limit=self.page_size, min_id=state.get("newest")
        )
        items = self._statuses(ItemKind.POST)
        newest = state.get("newest")
        if items:
            newest = _link_param(self._response(), "prev", "min_id") or max(
                (i.platform_id for i in items), key=int
            )
        nxt = {"older": None, "newest": newest}
        return FetchResult(
            tuple(items), Cursor(json.dumps(nxt)), has_more=len(items) >= self.page_size
        )

    def fetch_post(self, post_id: str) -> CapturedItem:
        """Re-read one status (edits show in ``edited_at`` and the fingerprint)."""
        self._call(self._api.status, post_id)
        text = self._body()
        value = json.loads(text)
        return self._status_item(Span(value, 0, len(text)), text, ItemKind.POST)

    def fetch_comments(self, post_id: str, since: Cursor | None = None) -> FetchResult:
        """Every reply in the thread under a status (Mastodon returns the thread whole)."""
        self._call(self._api.status_context, post_id)
        text = self._body()
        members = dict(object_members(text))
        spans = (
            array_elements(text, members["descendants"].start) if "descendants" in members else []
        )
        items = []
        for span in spans:
            parent = span.value.get("in_reply_to_id")
            author = str((span.value.get("account") or {}).get("id"))
            if author == self._account_id:
                # The department's own replies are its statuses: fetch_posts returns them as
                # posts too, so they keep that one identity (the parent says what they answer).
                kind = ItemKind.POST
            else:
                kind = ItemKind.COMMENT if parent == post_id else ItemKind.REPLY
            items.append(self._status_item(span, text, kind))
        return FetchResult(tuple(items), None, has_more=False)

    #: Mastodon cuts a thread's context at this many descendants (``CONTEXT_LIMIT`` in its
    #: StatusesController, for a signed-in account): a thread that long may be incomplete.
    CONTEXT_LIMIT = 4096

    def deleted_comment_ids(self, post_id: str, known: AbstractSet[str]) -> frozenset[str]:
        """Of ``known``, the replies the server confirms deleted.

        The thread (``/context``'s descendants) is read whole; a reply of ``known`` missing
        from it is then asked for by id, and only a 404 there counts as deleted. A missing
        reply that still answers was left out of the thread for another reason (a block or a
        mute filters a thread, not the status). A thread at Mastodon's context limit, an answer
        without ``descendants`` or any failed call raises: nothing is taken from a partial
        listing. A 404 on the post itself is ``Gone``.
        """
        try:
            self._call(self._api.status_context, post_id)
        except NotFound as exc:
            raise Gone(self.platform, f"status {post_id}: {exc.message}") from None
        text = self._body()
        members = dict(object_members(text))
        if "descendants" not in members:
            raise PlatformError(self.platform, 200, "the thread answer has no descendants list")
        spans = array_elements(text, members["descendants"].start)
        if len(spans) >= self.CONTEXT_LIMIT:
            raise PlatformError(
                self.platform,
                200,
                f"the thread has {len(spans)} replies, Mastodon's limit: it may be cut",
            )
        listed = {str(span.value.get("id")) for span in spans}
        gone = set()
        for status_id in sorted(known - listed):
            try:
                self._call(self._api.status, status_id)
            except NotFound:
                gone.add(status_id)
        return frozenset(gone)

    def fetch_subscribers(self) -> FetchResult:
        """One snapshot item listing every follower (all pages are read)."""
        account = self.account_id()
        bodies: list[bytes] = []
        followers: list[dict[str, Any]] = []
        max_id: str | None = None
        while True:
            self._call(self._api.account_followers, account, max_id=max_id)
            text = self._body()
            bodies.append(text.encode("utf-8"))
            page = [s.value for s in array_elements(text)]
            followers += [
                {"id": str(a["id"]), "acct": a.get("acct"), "display_name": a.get("display_name")}
                for a in page
            ]
            max_id = _link_param(self._response(), "next", "max_id") if page else None
            if max_id is None:
                break
        # One page: its body verbatim. Several: a JSON array of the page bodies, each verbatim.
        raw = bodies[0] if len(bodies) == 1 else b"[" + b",".join(bodies) + b"]"
        item = CapturedItem(
            kind=ItemKind.SUBSCRIBER_LIST,
            platform=self.platform,
            platform_id=f"{account}:followers",
            page_platform_id=account,
            fields={"count": len(followers), "followers": followers},
            raw=raw,
        )
        return FetchResult((item,), None, has_more=False)

    def _statuses(self, kind: ItemKind) -> list[CapturedItem]:
        text = self._body()
        return [self._status_item(span, text, kind) for span in array_elements(text)]

    def _status_item(self, span: Span, text: str, kind: ItemKind) -> CapturedItem:
        status = span.value
        account = status.get("account") or {}
        return CapturedItem(
            kind=kind,
            platform=self.platform,
            platform_id=str(status["id"]),
            page_platform_id=self._account_id,
            parent_platform_id=status.get("in_reply_to_id"),
            author_platform_id=str(account.get("id")) if account.get("id") else None,
            author_name=account.get("acct"),
            created_at=_time(status.get("created_at")),
            edited_at=_time(status.get("edited_at")),
            text=html_to_text(status.get("content") or ""),
            fields={
                "content_html": status.get("content") or "",
                "spoiler_text": status.get("spoiler_text") or "",
                "sensitive": bool(status.get("sensitive")),
                "visibility": status.get("visibility"),
                "language": status.get("language"),
                "uri": status.get("uri"),
                "url": status.get("url"),
                "in_reply_to_account_id": status.get("in_reply_to_account_id"),
                "reblog_of": (status.get("reblog") or {}).get("id"),
                "tags": [t.get("name") for t in status.get("tags", [])],
                "mentions": [m.get("acct") for m in status.get("mentions", [])],
                # image / gifv / video / audio, and the alt text a screen reader reads.
                "media": [
                    {"type": m.get("type"), "description": m.get("description")}
                    for m in status.get("media_attachments", [])
                ],
            },
            media=[
                MediaRef(
                    url=m["url"],
                    mime_type=mimetypes.guess_type(m["url"])[0],
                    filename=m["url"].rsplit("/", 1)[-1],
                )
                for m in status.get("media_attachments", [])
                if m.get("url")
            ],
            raw=raw_bytes(text, span),
        )

    # --- acting --------------------------------------------------------------------------------

    def publish(
        self, text: str, media: Sequence[MediaRef] = (), *, idempotency_key: str | None = None
    ) -> str:
        """Post a public status (uploading its media first); returns the status id.

        ``idempotency_key`` goes in Mastodon's ``Idempotency-Key`` header: the server answers a
        repeat of the same request (within about an hour) with the status it already made.
        """
        media_ids = []
        for m in media:
            if m.data is None:
                raise PlatformError(self.platform, None, "media must be given as bytes to upload")
            self._call(
                self._api.media_post,
                io.BytesIO(m.data),
                mime_type=m.mime_type,
                file_name=m.filename,
                description=m.alt_text or None,
                # A video is processed after the upload; a status naming it before then is
                # refused (422), so wait for it as Mastodon's own apps do.
                synchronous=(m.mime_type or "").startswith("video/"),
            )
            media_ids.append(str(json.loads(self._body())["id"]))
        self._call(
            self._api.status_post,
            text,
            media_ids=media_ids or None,
            visibility="public",
            idempotency_key=idempotency_key,
        )
        return str(json.loads(self._body())["id"])

    def reply(
        self,
        parent_id: str,
        text: str,
        *,
        under: Literal["comment", "post"] = "comment",
        idempotency_key: str | None = None,
    ) -> str:
        """A public status ``in_reply_to_id`` the parent (a reply and a thread are the same on
        Mastodon). A reply to someone else's status starts with their handle, as Mastodon's own
        apps do, so the person is told; the server's length limit counts it."""
        prefix = ""
        if under == "comment":
            self._call(self._api.status, parent_id)
            author = json.loads(self._body()).get("account") or {}
            if str(author.get("id")) != self.account_id() and author.get("acct"):
                prefix = f"@{author['acct']} "
        self._call(
            self._api.status_post,
            prefix + text,
            in_reply_to_id=parent_id,
            visibility="public",
            idempotency_key=idempotency_key,
        )
        return str(json.loads(self._body())["id"])

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
        """Among the account's newest statuses (replies included), the one with this text (a
        reply's leading mentions aside; see ``textmatch``), made between ``since`` and
        ``until``, replying to ``parent_id`` when given."""
        self._call(self._api.account_statuses, self.account_id(), limit=self.page_size)
        candidates = [
            Candidate(
                str(status["id"]),
                html_to_text(status.get("content") or ""),
                _time(status.get("created_at")),
            )
            for status in json.loads(self._body())
            if parent_id is None or str(status.get("in_reply_to_id")) == str(parent_id)
        ]
        return pick(text, candidates, since=since, until=until, exclude=exclude)

    def delete_post(self, post_id: str) -> None:
        """Delete one of the account's own statuses."""
        self._call(self._api.status_delete, post_id)

    #: A status's length limit on a stock Mastodon server.
    MAX_STATUS = 500

    def send_message(self, person_id: str, text: str) -> None:
        """A direct message (a status with ``visibility=direct`` that mentions the person).

        Mastodon has no separate messages: a direct status is seen only by the accounts it
        mentions. A text longer than one status goes as a thread of direct replies, each
        mentioning the person, so nothing of the §.20 explanation is cut.
        """
        self._call(self._api.account, person_id)
        mention = "@" + str(json.loads(self._body())["acct"]) + " "
        room = self.MAX_STATUS - len(mention)
        parts = _split(text, room)
        reply_to = None
        for i, part in enumerate(parts):
            suffix = f" ({i + 1}/{len(parts)})" if len(parts) > 1 else ""
            self._call(
                self._api.status_post,
                mention + part + suffix,
                in_reply_to_id=reply_to,
                visibility="direct",
            )
            reply_to = str(json.loads(self._body())["id"])

    def block(self, person_id: str) -> None:
        """Block an account (it can no longer see or reply to the department's posts)."""
        self._call(self._api.account_block, person_id)

    def unblock(self, person_id: str) -> None:
        """Lift a block."""
        self._call(self._api.account_unblock, person_id)

    def is_blocked(self, person_id: str) -> bool:
        """``GET /api/v1/accounts/relationships?id[]=…``: the relationship's ``blocking``."""
        self._call(self._api.account_relationships, person_id)
        rows = json.loads(self._body())
        return any(str(r.get("id")) == str(person_id) and r.get("blocking") for r in rows)


def _split(text: str, room: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``room`` characters (leaving space for " (n/m)"),
    at spaces where possible."""
    room -= 8
    parts: list[str] = []
    rest = " ".join(text.split())
    while len(rest) > room:
        cut = rest.rfind(" ", 0, room)
        cut = cut if cut > room // 2 else room
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return parts


def _api_message(exc: Exception) -> str:
    # Mastodon.py: ('Mastodon API returned error', status, reason, server message)
    parts = [a for a in exc.args if isinstance(a, str)]
    return parts[-1] if parts else str(exc)


def _hrefs(html: str) -> list[str]:
    """The link targets in a bit of profile HTML."""
    return re.findall(r'href="([^"]+)"', html)
