"""The one interface every platform adapter implements, its typed errors, and the registry.

A connector declares its ``capabilities``; piodesk's UI offers an action only when the
platform has it, and calling one it lacks raises ``UnsupportedAction`` naming both. Platform
failures reach callers as three typed errors so the job runner can react the same way for
every platform: wait (``RateLimited``), ask a person to reconnect (``AuthExpired``), or record
the failure (``PlatformError``).
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from piodesk.connectors.credentials import Credential
from piodesk.connectors.model import (
    Capability,
    CapturedItem,
    CommentState,
    Cursor,
    FetchResult,
    MediaRef,
    PageProfile,
)


class ConnectorError(Exception):
    """Base of every error a connector raises."""


class UnsupportedAction(ConnectorError):
    """The platform does not offer this action at all (not a permission problem)."""

    def __init__(self, platform: str, action: Capability | str) -> None:
        self.platform = platform
        self.action = Capability(action)
        super().__init__(f"{platform} does not support {self.action.value.replace('_', ' ')}")


class RateLimited(ConnectorError):
    """The platform asked us to slow down; try again after ``retry_after`` seconds."""

    def __init__(self, platform: str, retry_after: float | None, message: str = "") -> None:
        self.platform = platform
        self.retry_after = retry_after
        wait = f"retry after {retry_after:.0f} s" if retry_after is not None else "no wait given"
        super().__init__(
            f"{platform} rate limit reached ({wait}){': ' + message if message else ''}"
        )


class AuthExpired(ConnectorError):
    """The stored credential no longer works; a person must reconnect the page."""

    def __init__(self, platform: str, message: str = "") -> None:
        self.platform = platform
        super().__init__(f"{platform} rejected the credential{': ' + message if message else ''}")


class PlatformError(ConnectorError):
    """The platform refused or failed a request for another reason."""

    def __init__(self, platform: str, status: int | None, message: str) -> None:
        self.platform = platform
        self.status = status
        self.message = message
        super().__init__(f"{platform} error (HTTP {status}): {message}")


class NotFound(PlatformError):
    """The platform says the item does not exist (deleted, or never was)."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(platform, 404, message)


class UnsupportedPlatform(ConnectorError):
    """No connector is registered for the platform."""


class Gone(NotFound):
    """The platform confirms the item no longer exists: deleted, not merely unreadable.

    Only a connector that can tell the two apart raises it (Mastodon answers 404 for a status
    that was deleted; Graph's "does not exist, or missing permissions" cannot be told apart
    from a permission problem, so Facebook never raises it). The archive records a DELETED
    version on ``Gone`` and never on a plain ``NotFound``.
    """


@dataclass(frozen=True)
class Connection:
    """What a connector is built from: the page's handle, its stored settings and credential."""

    handle: str
    settings: Mapping[str, str] = field(default_factory=dict)
    credential: Credential | None = None
    #: The database of the built-in sandbox platform (it lives inside piodesk's database).
    sessions: Any = None


class Connector(ABC):
    """A platform adapter for one page (account) on one platform.

    Every method exists on every connector. The base implementation of each raises
    ``UnsupportedAction``; a connector overrides the ones its platform offers and lists them
    in ``capabilities``. ``check_capabilities`` (run by the tests for every registered class)
    keeps the two in agreement.
    """

    platform: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    #: What connecting a page stores: non-secret settings, and the secret credential fields
    #: (encrypted). A platform with no secrets (the sandbox) needs no connection at all.
    connection_settings: ClassVar[tuple[str, ...]] = ()
    connection_secrets: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_connection(cls, connection: Connection) -> Connector:
        """This platform's connector for one page, from what connecting the page stored."""
        raise NotImplementedError(f"{cls.__name__} does not say how to build itself")

    def _unsupported(self, action: Capability) -> UnsupportedAction:
        return UnsupportedAction(self.platform, action)

    def read_profile(self) -> PageProfile:
        """The page's current public profile (name, about text, links, contact)."""
        raise self._unsupported(Capability.READ_PROFILE)

    def fetch_posts(self, since: Cursor | None = None) -> FetchResult:
        """The page's posts after ``since`` (None: start from the newest, then page back)."""
        raise self._unsupported(Capability.READ_POSTS)

    def fetch_post(self, post_id: str) -> CapturedItem:
        """Re-read one post (an edit shows as a new fingerprint; ``NotFound`` once deleted).

        Part of READ_POSTS; optional for a connector (the base raises UnsupportedAction).
        """
        raise self._unsupported(Capability.READ_POSTS)

    def fetch_comments(self, post_id: str, since: Cursor | None = None) -> FetchResult:
        """Comments and replies on one post (all of them when ``since`` is None).

        A result whose ``next`` is None means the platform hands over the whole thread each
        time (Mastodon); otherwise pass ``next`` to read only what came after. A read from
        None is how edits, hides and disappearances of older comments are seen.
        """
        raise self._unsupported(Capability.READ_COMMENTS)

    def deleted_comment_ids(self, post_id: str, known: AbstractSet[str]) -> frozenset[str]:
        """Of ``known`` (a post's comments and replies the archive holds as live), the ids
        the platform no longer has.

        Read from the post's complete listing: a failed page, a rate limit or a listing that
        may be cut raises (``ConnectorError``) rather than answer from part of it, because an
        id missing from a partial listing is not a deletion. Raises ``Gone`` when the post
        itself no longer exists (everything under it is gone too).
        """
        raise self._unsupported(Capability.DETECT_DELETIONS)

    def deleted_post_ids(self, known: AbstractSet[str]) -> frozenset[str]:
        """Of ``known`` (the page's posts the archive holds as live), the ids no longer there.

        Part of DETECT_DELETIONS, optional: only a platform that can list every live post in
        one answer offers it (the sandbox); elsewhere a deleted post shows as ``Gone`` from
        ``deleted_comment_ids``.
        """
        raise self._unsupported(Capability.DETECT_DELETIONS)

    def fetch_subscribers(self) -> FetchResult:
        """A snapshot of the page's subscriber/follower list as one item."""
        raise self._unsupported(Capability.READ_SUBSCRIBERS)

    def publish(
        self, text: str, media: Sequence[MediaRef] = (), *, idempotency_key: str | None = None
    ) -> str:
        """Publish a post; returns the platform's id for it.

        ``idempotency_key`` is sent where the platform honours one (Mastodon keeps it about an
        hour), so a request repeated by the network is not a second post.
        """
        raise self._unsupported(Capability.PUBLISH)

    def reply(
        self,
        parent_id: str,
        text: str,
        *,
        under: Literal["comment", "post"] = "comment",
        idempotency_key: str | None = None,
    ) -> str:
        """The page's reply under a visitor's comment (``under="comment"``), or an update
        threaded under one of the page's own posts (``under="post"``); returns its id."""
        raise self._unsupported(Capability.REPLY)

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
        """Read the page's recent own posts (or its replies under ``parent_id``) for the one
        with this text (as ``textmatch`` compares texts) made between ``since`` and ``until``
        and not in ``exclude``; its id, or None when there is none; ``textmatch.AmbiguousMatch``
        when more than one could be it (a person decides, never a guess). ``media_types`` are
        the MIME types the publish carried: a platform that lists a video post elsewhere than
        its other posts (Facebook's Page videos) looks there, for the id ``publish`` gave.

        A read, for the reconciler: did a publish whose answer never came reach the platform?
        Optional (the base raises UnsupportedAction: the outcome stays for a person to check).
        """
        raise self._unsupported(Capability.READ_POSTS)

    def hide_comment(self, comment_id: str) -> None:
        """Hide a comment from the public (it stays on the platform and in the archive)."""
        raise self._unsupported(Capability.HIDE_COMMENT)

    def unhide_comment(self, comment_id: str) -> None:
        """Show a hidden comment again."""
        raise self._unsupported(Capability.UNHIDE_COMMENT)

    def delete_comment(self, comment_id: str) -> None:
        """Remove a comment from the platform (the archive keeps every version)."""
        raise self._unsupported(Capability.DELETE_COMMENT)

    def delete_post(self, post_id: str) -> None:
        """Delete one of the page's own posts (a correction; the archive keeps it)."""
        raise self._unsupported(Capability.DELETE_POST)

    def restore_comment(self, comment_id: str) -> None:
        """Bring back a comment the page deleted (few platforms can; Facebook cannot)."""
        raise self._unsupported(Capability.RESTORE_COMMENT)

    def send_message(self, person_id: str, text: str) -> None:
        """Send a person a private message from the page (how a §.20 warning is delivered)."""
        raise self._unsupported(Capability.SEND_MESSAGE)

    def block(self, person_id: str) -> None:
        """Block a person from the page (after the §.20 warning)."""
        raise self._unsupported(Capability.BLOCK)

    def unblock(self, person_id: str) -> None:
        """Lift a block."""
        raise self._unsupported(Capability.UNBLOCK)

    def comment_state(self, comment_id: str) -> CommentState:
        """Whether a comment is visible, hidden or deleted on the platform now (a read)."""
        raise self._unsupported(Capability.READ_COMMENT_STATE)

    def is_blocked(self, person_id: str) -> bool:
        """Whether a person is blocked from the page now (a read)."""
        raise self._unsupported(Capability.READ_BLOCKS)


_METHOD_FOR: dict[Capability, str] = {
    Capability.READ_PROFILE: "read_profile",
    Capability.READ_POSTS: "fetch_posts",
    Capability.READ_COMMENTS: "fetch_comments",
    Capability.READ_SUBSCRIBERS: "fetch_subscribers",
    Capability.PUBLISH: "publish",
    Capability.HIDE_COMMENT: "hide_comment",
    Capability.UNHIDE_COMMENT: "unhide_comment",
    Capability.DELETE_COMMENT: "delete_comment",
    Capability.DELETE_POST: "delete_post",
    Capability.BLOCK: "block",
    Capability.UNBLOCK: "unblock",
    Capability.RESTORE_COMMENT: "restore_comment",
    Capability.SEND_MESSAGE: "send_message",
    Capability.DETECT_DELETIONS: "deleted_comment_ids",
    Capability.READ_COMMENT_STATE: "comment_state",
    Capability.READ_BLOCKS: "is_blocked",
    Capability.REPLY: "reply",
}


def check_capabilities(cls: type[Connector]) -> None:
    """Refuse a connector class whose declared capabilities and overridden methods disagree."""
    for capability, name in _METHOD_FOR.items():
        overridden = getattr(cls, name) is not getattr(Connector, name)
        declared = capability in cls.capabilities
        if overridden != declared:
            state = "implements" if overridden else "does not implement"
            raise TypeError(
                f"{cls.__name__} {state} {name} but "
                f"{'does not declare' if overridden else 'declares'} {capability.value}"
            )


#: platform name -> connector class. The sandbox connector registers itself here too.
REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: check a connector and add it to the registry under its platform name."""
    check_capabilities(cls)
    if cls.platform in REGISTRY and REGISTRY[cls.platform] is not cls:
        raise ValueError(f"a connector for {cls.platform!r} is already registered")
    REGISTRY[cls.platform] = cls
    return cls


def registered(platform: str) -> type[Connector] | None:
    """The connector class registered for a platform name (built-in ones included), or None."""
    # Importing the built-in connectors registers them.
    import piodesk.connectors.facebook
    import piodesk.connectors.mastodon
    import piodesk.connectors.sandbox.connector  # noqa: F401

    return REGISTRY.get(platform)


def create(platform: str, connection: Connection) -> Connector:
    """Construct the registered connector for ``platform`` from a page's connection."""
    cls = registered(platform)
    if cls is None:
        known = ", ".join(sorted(REGISTRY)) or "none"
        raise UnsupportedPlatform(f"piodesk has no connector for {platform} (known: {known})")
    return cls.from_connection(connection)
