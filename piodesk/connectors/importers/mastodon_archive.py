"""A Mastodon account archive ("Request your archive"): ``outbox.json`` and ``actor.json``.

``outbox.json`` is an ActivityStreams ``OrderedCollection`` whose ``orderedItems`` are
``Create`` activities (wrapping a ``Note``, or a ``Question`` for a poll) and ``Announce``
activities (boosts, whose ``object`` is just a URL). Mastodon really writes the key
``orderedItems`` twice (first empty); as in ``json.loads``, the last one counts.
``totalItems`` is not trusted (it differs from the real count in real archives).

A ``Note`` becomes a post whose ``platform_id`` is the API's status id (the last part of the
account's own status URI; see ``status_id``), so later API reads share its identity; the
URI is kept in ``fields["uri"]``. Times in the archive have whole seconds and the field set
differs from the API's, so a later API read of the same status is stored as a new version
(both readings are kept).
``text`` is the HTML content as plain text, ``fields`` keep the HTML, the content warning
(``summary``), ``sensitive``, the visibility worked out from the addressing, tags, language
and ``in_reply_to``. Direct messages are included (they are department communications) with
``visibility: "direct"``. A boost becomes a post whose ``fields["boost_of"]`` is the boosted
URL and whose text is None. Other activity types are skipped with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from piodesk.connectors.htmltext import html_to_text
from piodesk.connectors.importers.base import (
    ExportFormatError,
    ExportSource,
    Importer,
    _Entry,
    position,
)
from piodesk.connectors.jsonstream import array_at
from piodesk.connectors.model import CapturedItem, ItemKind, MediaRef

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ExportFormatError(f"Mastodon archive: unreadable time {value!r}") from None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def status_id(uri: str, actor_id: str | None) -> str:
    """The API's status id for one of the account's own statuses, else the URI itself.

    The account's statuses are ``<actor>/statuses/<id>`` (a boost's activity adds
    ``/activity``), and ``<id>`` is the id the API (and so ``MastodonConnector``) uses: an
    imported status and the same status read later share their identity. Other servers'
    statuses (the target of a reply) keep their URI, which the API does not number alike.
    """
    if actor_id:
        prefix = f"{actor_id}/statuses/"
        rest = uri.removeprefix(prefix).removesuffix("/activity")
        if uri.startswith(prefix) and rest.isdigit():
            return rest
    return uri


def visibility(obj: dict[str, Any], followers_url: str | None) -> str:
    """public / unlisted / private / direct, from the ActivityPub addressing (as Mastodon does)."""
    to, cc = _as_list(obj.get("to")), _as_list(obj.get("cc"))
    if PUBLIC in to:
        return "public"
    if PUBLIC in cc:
        return "unlisted"
    if (followers_url and followers_url in to) or any(
        isinstance(t, str) and t.endswith("/followers") for t in to
    ):
        return "private"
    return "direct"


class MastodonArchiveImporter(Importer):
    """Posts and boosts from a Mastodon account archive."""

    platform = "mastodon"
    label = "a Mastodon archive"

    @classmethod
    def sniff(cls, source: ExportSource) -> str | None:
        files = source.find("outbox.json")
        if not files:
            return "no outbox.json in it"
        head = source.head(files[0], 8192).decode("utf-8", "replace")
        if "OrderedCollection" not in head and "orderedItems" not in head:
            return f"{files[0]} is not an ActivityStreams OrderedCollection"
        return None

    def __init__(self, source: ExportSource, *, page_platform_id: str | None = None) -> None:
        self._items_key: int | None = None  # which "orderedItems" holds the activities
        self._who: tuple[str | None, str | None, str | None] | None = None
        super().__init__(source, page_platform_id=page_platform_id)

    def _actor(self) -> tuple[str | None, str | None, str | None]:
        for name in self.source.find("actor.json"):
            stream = self.source.json(name)
            get: dict[str, Any] = {}
            for key in stream.members():
                if key in ("id", "preferredUsername", "followers"):
                    get[key] = stream.value().value
                else:
                    stream.skip()
            return get.get("id"), get.get("preferredUsername"), get.get("followers")
        return None, None, None

    def _outbox_layout(self, name: str) -> int:
        """Which occurrence of ``orderedItems`` is the last (it wins, as in ``json.loads``)."""
        stream = self.source.json(name)
        kind: Any = None
        seen, last, last_is_list = 0, 0, False
        for key in stream.members():
            if key == "orderedItems":
                seen += 1
                last, last_is_list = seen, stream.peek() == "["
                stream.skip()
            elif key == "type" and stream.peek() not in "[{":
                kind = stream.value().value
            else:
                stream.skip()
        stream.end()
        if kind != "OrderedCollection":
            raise ExportFormatError(
                f"this is not {self.label}: outbox.json is not an OrderedCollection"
            )
        if not last_is_list:
            raise ExportFormatError(f"this is not {self.label}: outbox.json has no orderedItems")
        return last

    def _load(self) -> Iterable[_Entry]:
        name = self.source.find("outbox.json")[0]
        if self._items_key is None:
            self._items_key = self._outbox_layout(name)
        if self._who is None:
            self._who = self._actor()
        actor_id, username, followers = self._who
        page_id = self.page_platform_id or actor_id
        stream = self.source.json(name)
        for i, piece in enumerate(array_at(stream, "orderedItems", self._items_key)):
            pos = position(name, i)
            activity = piece.value
            if not isinstance(activity, dict):
                raise ExportFormatError(f"this is not {self.label}: {pos} is not an activity")
            raw = piece.raw
            kind = activity.get("type")
            author = activity.get("actor") or actor_id
            if kind == "Announce":
                yield _Entry(
                    pos,
                    CapturedItem(
                        kind=ItemKind.POST,
                        platform=self.platform,
                        platform_id=status_id(str(activity.get("id")), actor_id),
                        page_platform_id=page_id,
                        author_platform_id=author,
                        author_name=username,
                        created_at=_time(activity.get("published")),
                        text=None,
                        fields={
                            "boost_of": activity.get("object"),
                            "visibility": visibility(activity, followers),
                        },
                        raw=raw,
                    ),
                )
                continue
            obj = activity.get("object")
            if (
                kind != "Create"
                or not isinstance(obj, dict)
                or obj.get("type")
                not in (
                    "Note",
                    "Question",
                )
            ):
                what = obj.get("type") if isinstance(obj, dict) else None
                yield _Entry(pos, None, f"activity {kind}{'/' + what if what else ''} not archived")
                continue
            yield _Entry(pos, _note_item(obj, raw, page_id, author, username, followers))


def _note_item(
    obj: dict[str, Any],
    raw: bytes,
    page_id: str | None,
    author: str | None,
    username: str | None,
    followers: str | None,
) -> CapturedItem:
    content = obj.get("content") or ""
    fields: dict[str, Any] = {
        "content_html": content,
        "summary": obj.get("summary"),
        "sensitive": bool(obj.get("sensitive", False)),
        "visibility": visibility(obj, followers),
        "uri": obj.get("id"),
        "url": obj.get("url"),
        "language": sorted((obj.get("contentMap") or {}).keys()),
        "tags": [t.get("name") for t in obj.get("tag", []) if isinstance(t, dict)],
        "in_reply_to": obj.get("inReplyTo"),
    }
    if obj.get("type") == "Question":
        fields["poll_options"] = [
            o.get("name")
            for o in _as_list(obj.get("oneOf") or obj.get("anyOf"))
            if isinstance(o, dict)
        ]
    media = []
    for a in obj.get("attachment", []):
        if not isinstance(a, dict) or not a.get("url"):
            continue
        url = str(a["url"])
        media.append(
            MediaRef(
                # Relative in the archive ("/<instance>/media_attachments/…"): a path in it.
                path=url.lstrip("/") if not url.startswith("http") else None,
                url=url if url.startswith("http") else None,
                mime_type=a.get("mediaType"),
                filename=url.rsplit("/", 1)[-1],
            )
        )
    return CapturedItem(
        kind=ItemKind.POST,
        platform="mastodon",
        platform_id=status_id(str(obj.get("id")), page_id),
        page_platform_id=page_id,
        parent_platform_id=status_id(obj["inReplyTo"], page_id) if obj.get("inReplyTo") else None,
        author_platform_id=obj.get("attributedTo") or author,
        author_name=username,
        created_at=_time(obj.get("published")),
        edited_at=_time(obj.get("updated")),
        text=html_to_text(content),
        fields=fields,
        media=media,
        raw=raw,
    )
