"""What a platform connector or an export importer hands to the archive (GO 409 §.40).

Pure types: no storage, no web, no network. The archive stores these; the connectors and
importers produce them.

Note for the archive author
===========================

**Identity.** An item is the same record across captures when ``CapturedItem.identity`` is
equal: the triple ``(platform, kind, platform_id)``. ``platform`` is the registry name
(``"mastodon"``, ``"facebook"``, ``"x"``, ``"instagram"``, ``"sandbox"``). ``platform_id`` is the
platform's own id where it has one (a Mastodon status id, a Graph object id, a tweet id, an
ActivityPub object URI). Exports that carry no ids (Facebook "Download Your Information",
Instagram) get a synthetic id derived from the entry's content, prefixed so it can never clash
with a real id (``fbdyi:…``, ``igexp:…``); see each importer's docstring. Connector ids and
importer ids for the same item are equal where the export carries the platform's real id:
X tweet ids, and the Mastodon account's own statuses (their URI ends in the API's id).

**Fingerprint.** ``CapturedItem.fingerprint`` is the SHA-256 (hex) of the canonical JSON
(``sort_keys=True``, ``separators=(",", ":")``, ``ensure_ascii=False``, UTF-8) of exactly
these normalized fields::

    platform, kind, platform_id, page_platform_id, parent_platform_id,
    author_platform_id, author_name,
    created_at, edited_at            (ISO 8601 in UTC, or null)
    text                             (str, or null)
    fields                           (the dict below, JSON values only)
    media                            (list of {url, path, sha256 of data or null,
                                       mime_type, filename}, in order)

``raw`` is deliberately NOT part of the fingerprint: a raw payload carries volatile numbers
(favourite counts, reply counts, rate-limit driven paging) that are not a change of the
record. Everything a connector considers a change of the record — text, edit time, the
hidden flag, visibility, content warning, attachments — is in the fields above, so "same
fingerprint" means "same again" and "different fingerprint" means "changed: add a version".
``fields`` never holds engagement counters for the same reason.

**Raw.** ``CapturedItem.raw`` holds the bytes of the item exactly as they arrived: for a
connector, the JSON value of this item sliced verbatim out of the HTTP response body (for a
list response, this element's bytes; for a single-object response, the whole body); for an
importer, this entry's bytes sliced verbatim out of the export file (for X, the
``{"tweet": …}`` element of ``tweets.js``). Slicing is done on the decoded text and
re-encoded as UTF-8, which gives back the original bytes of a valid UTF-8 file. Store it as
a blob; hash it for the chain as you like. ``raw_media_type`` says what it is (JSON). A
follower snapshot read over several pages has as raw a JSON array of the page bodies, each
verbatim.

**Disappearance.** A hidden comment stays visible to the page (``fields["is_hidden"]``
changes: new fingerprint). A deleted one simply stops appearing; ``Connector.fetch_post``
raises ``NotFound`` for a post that is gone, which the archive can record as "deleted".

**Media.** ``MediaRef`` points at a file by ``url`` (connectors: the platform URL), ``path``
(importers: the path inside the export, relative to its root) or carries ``data`` bytes
(the caller fetched them). The archive fetches and stores media by SHA-256; importers do not
load media bytes while iterating — ``Importer.read_media(ref)`` returns a file's bytes from
the export (None when the export was shipped without its media folder).

**Resuming an import.** ``Importer.iter_items(start_after=None)`` yields ``ImportRecord``
(``position``, ``item``) pairs in a fixed order. ``position`` is a string like
``"tweets.js#000123"``, stable for the same export file. Store the last position you have
committed; after an interruption call ``iter_items(start_after=that_position)`` and the
importer continues with the next entry. Because identity and fingerprint are stable too,
re-capturing an item already stored is a no-op for the archive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from piodesk.core import jsontext


class Capability(StrEnum):
    """Something a platform lets piodesk do on a page; the UI offers only declared ones."""

    READ_PROFILE = "read_profile"
    READ_POSTS = "read_posts"
    READ_COMMENTS = "read_comments"
    READ_SUBSCRIBERS = "read_subscribers"
    PUBLISH = "publish"
    HIDE_COMMENT = "hide_comment"
    UNHIDE_COMMENT = "unhide_comment"
    DELETE_COMMENT = "delete_comment"
    DELETE_POST = "delete_post"  # retract one of the page's own posts
    BLOCK = "block"
    UNBLOCK = "unblock"
    RESTORE_COMMENT = "restore_comment"  # bring back a comment the page deleted
    SEND_MESSAGE = "send_message"  # a private message to a person (the §.20 warning)
    # Say which archived comments are gone from the platform, from a complete listing (§.40).
    DETECT_DELETIONS = "detect_deletions"
    # Reads that tell whether an action happened (the reconciler asks after a crash):
    READ_COMMENT_STATE = "read_comment_state"  # is this comment visible, hidden or gone?
    READ_BLOCKS = "read_blocks"  # is this person blocked from the page?
    # The page's own reply under a comment, or an update threaded under one of its posts.
    REPLY = "reply"


class CommentState(StrEnum):
    """Where a comment stands on its platform right now."""

    VISIBLE = "visible"
    HIDDEN = "hidden"  # hidden from the public; still on the platform
    DELETED = "deleted"  # gone from the platform (the archive keeps it)


class ItemKind(StrEnum):
    """The kinds of public record GO 409 §.40 names: posts, comments, lists, submissions."""

    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"  # a reply to a comment (a comment whose parent is a comment)
    SUBSCRIBER_LIST = "subscriber_list"
    PROFILE = "profile"
    SUBMISSION = "submission"


JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A picture or video attached to an item: by URL, by path inside an export, or as bytes."""

    url: str | None = None
    path: str | None = None
    data: bytes | None = field(default=None, repr=False)
    mime_type: str | None = None
    filename: str | None = None
    #: A description for people who cannot see it (sent where the platform takes one; not part
    #: of the fingerprint, so captures of the same media stay the same).
    alt_text: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.url is None and self.path is None and self.data is None:
            raise ValueError("a MediaRef needs a url, a path or the data itself")

    def normalized(self) -> dict[str, Any]:
        """The media part of an item's fingerprint."""
        return {
            "url": self.url,
            "path": self.path,
            "sha256": hashlib.sha256(self.data).hexdigest() if self.data is not None else None,
            "mime_type": self.mime_type,
            "filename": self.filename,
        }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("captured times must be timezone-aware")
    return value.astimezone(UTC).isoformat()


# Built once: json.dumps with options makes a new encoder per call (see core/jsontext).
_CANONICAL = jsontext.encoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Any) -> bytes:
    """The one JSON serialisation used for fingerprints (sorted keys, no spaces, UTF-8)."""
    return _CANONICAL(value).encode("utf-8")


@dataclass(frozen=True, slots=True)
class CapturedItem:
    """One post, comment, reply, profile, subscriber list or submission as read from a platform."""

    kind: ItemKind
    platform: str
    platform_id: str
    raw: bytes = field(repr=False)
    page_platform_id: str | None = None
    parent_platform_id: str | None = None
    author_platform_id: str | None = None
    author_name: str | None = None
    created_at: datetime | None = None
    edited_at: datetime | None = None
    text: str | None = None
    # Left out of hash() (a dict is unhashable) but compared; items still go in sets.
    fields: Mapping[str, Any] = field(default_factory=dict, hash=False)
    media: Sequence[MediaRef] = ()
    raw_media_type: str = JSON_MEDIA_TYPE

    def __post_init__(self) -> None:
        if not self.platform or not self.platform_id:
            raise ValueError("a captured item needs its platform and platform id")
        if not isinstance(self.raw, bytes):
            raise TypeError("raw must be the bytes as received")
        # Frozen means frozen: a list of media given by a connector becomes a tuple.
        object.__setattr__(self, "media", tuple(self.media))
        # Fail now, at the connector, rather than later in the archive.
        _iso(self.created_at)
        _iso(self.edited_at)
        canonical_json(dict(self.fields))

    @property
    def identity(self) -> tuple[str, str, str]:
        """(platform, kind, platform_id): equal identity means the same record."""
        return (self.platform, self.kind.value, self.platform_id)

    def normalized(self) -> dict[str, Any]:
        """The fields the fingerprint covers (see the module docstring)."""
        return {
            "platform": self.platform,
            "kind": self.kind.value,
            "platform_id": self.platform_id,
            "page_platform_id": self.page_platform_id,
            "parent_platform_id": self.parent_platform_id,
            "author_platform_id": self.author_platform_id,
            "author_name": self.author_name,
            "created_at": _iso(self.created_at),
            "edited_at": _iso(self.edited_at),
            "text": self.text,
            "fields": dict(self.fields),
            "media": [m.normalized() for m in self.media],
        }

    def normalized_json(self) -> bytes:
        """The canonical JSON of the normalized fields: what the fingerprint hashes."""
        return canonical_json(self.normalized())

    @property
    def fingerprint(self) -> str:
        """SHA-256 hex of the normalized fields: equal means "same again", else "changed"."""
        return hashlib.sha256(self.normalized_json()).hexdigest()


@dataclass(frozen=True, slots=True)
class PageProfile:
    """A page's public profile: what the §.10 required-element check reads."""

    platform: str
    page_platform_id: str
    name: str
    about: str
    raw: bytes = field(repr=False)
    links: tuple[str, ...] = ()
    contact: Mapping[str, str] = field(default_factory=dict, hash=False)

    def as_item(self) -> CapturedItem:
        """The profile as an archive record (a changed about text is a new version)."""
        return CapturedItem(
            kind=ItemKind.PROFILE,
            platform=self.platform,
            platform_id=self.page_platform_id,
            page_platform_id=self.page_platform_id,
            raw=self.raw,
            author_name=self.name,
            text=self.about,
            fields={"name": self.name, "links": list(self.links), "contact": dict(self.contact)},
        )


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a connector stopped reading; opaque to everyone but the connector that made it."""

    value: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One page of items, and the cursor to pass next time.

    ``has_more`` is true when calling again with ``next`` right away would return more (the
    connector is paging through a backlog); when false, ``next`` is for the next poll.
    """

    items: tuple[CapturedItem, ...]
    next: Cursor | None
    has_more: bool = False
