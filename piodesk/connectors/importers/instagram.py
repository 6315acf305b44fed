"""Instagram "Download your information" (JSON): the account's posts and its comments.

* ``posts_1.json`` (newer exports: ``your_instagram_activity/content/posts_1.json``): a JSON
  array of ``{"media": [{"uri", "creation_timestamp", "title", …}], "title",
  "creation_timestamp"}``. A single-photo post keeps its caption and time in ``media[0]``.
* ``post_comments_1.json`` (``your_instagram_activity/comments/``): a JSON array (or
  ``{"comments_media_comments": [...]}``) of ``{"string_map_data": {"Comment": {"value"},
  "Media Owner": {"value"}, "Time": {"timestamp"}}}``.

Same mojibake as Facebook (judged per file on the first read, then repaired). Neither file
carries ids: a post's id is ``igexp:post:`` + a hash of its first media path (the path embeds
Instagram's media id, so it is the same in a later export); a comment's id is
``igexp:comment:`` + a hash of its time, media owner and text (``~2`` for an identical second
one). A comment with no text (the export sometimes keeps only the time) is skipped. Comments
are by the account owner, on posts named only by their owner's user name, so
``parent_platform_id`` is unknown (None) and the owner is in ``fields["media_owner"]``.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from piodesk.connectors.importers.base import (
    ExportFormatError,
    ExportSource,
    Importer,
    MojibakeCheck,
    _Entry,
    content_id,
    entry_list,
    position,
    repair_mojibake,
)
from piodesk.connectors.model import CapturedItem, ItemKind, MediaRef

_POSTS = "posts_*.json"
_COMMENTS = "post_comments_*.json"


def _ts(value: Any) -> datetime | None:
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return None


class InstagramImporter(Importer):
    """Posts and comments from an Instagram JSON export."""

    platform = "instagram"
    label = "an Instagram export"

    def __init__(self, source: ExportSource, *, page_platform_id: str | None = None) -> None:
        self._repair: dict[str, bool] = {}  # per file: is its text Meta's mojibake?
        super().__init__(source, page_platform_id=page_platform_id)

    @classmethod
    def sniff(cls, source: ExportSource) -> str | None:
        files = source.find(_POSTS, _COMMENTS)
        # posts_1.json is also the tail of Facebook's your_posts_1.json: not ours.
        files = [f for f in files if not f.rsplit("/", 1)[-1].startswith("your_")]
        if not files:
            return "no posts_1.json or post_comments_1.json in it"
        head = source.head(files[0], 4096).decode("utf-8", "replace")
        if '"media"' not in head and '"string_map_data"' not in head:
            return f"{files[0]} has neither Instagram media entries nor comment entries"
        return None

    def _files(self, pattern: str) -> list[str]:
        return [
            f for f in self.source.find(pattern) if not f.rsplit("/", 1)[-1].startswith("your_")
        ]

    def _load(self) -> Iterable[_Entry]:
        for name in self._files(_POSTS):
            yield from self._posts(name)
        seen: dict[str, int] = {}
        for name in self._files(_COMMENTS):
            yield from self._comments(name, seen)

    def _needs_repair(self, name: str, key: str, what: str) -> bool:
        """Check every entry has a ``key`` list/object and judge the file's text (once)."""
        if name not in self._repair:
            check = MojibakeCheck(name)
            want = list if key == "media" else dict
            for i, piece in enumerate(entry_list(self.source, name, self.label)):
                if not isinstance(piece.value, dict) or not isinstance(piece.value.get(key), want):
                    raise ExportFormatError(
                        f"this is not {self.label}: {position(name, i)} is not {what}"
                    )
                check.add(piece.value)
            self._repair[name] = check.verdict()
        return self._repair[name]

    def _posts(self, name: str) -> Iterable[_Entry]:
        repair = self._needs_repair(name, "media", "a post with media")
        for i, span in enumerate(entry_list(self.source, name, self.label)):
            pos = position(name, i)
            post = repair_mojibake(span.value) if repair else span.value
            media_list = [m for m in post["media"] if isinstance(m, dict) and m.get("uri")]
            if not media_list:
                yield _Entry(pos, None, "post without any media")
                continue
            first = media_list[0]
            caption = post.get("title") or first.get("title") or ""
            created = _ts(post.get("creation_timestamp") or first.get("creation_timestamp"))
            yield _Entry(
                pos,
                CapturedItem(
                    kind=ItemKind.POST,
                    platform=self.platform,
                    platform_id=content_id("igexp:post:", first["uri"], {}),
                    page_platform_id=self.page_platform_id,
                    created_at=created,
                    text=caption,
                    fields={
                        "cross_post_source": (first.get("cross_post_source") or {}).get(
                            "source_app"
                        ),
                        "media_titles": [m.get("title", "") for m in media_list],
                    },
                    media=[
                        MediaRef(
                            path=m["uri"],
                            filename=m["uri"].rsplit("/", 1)[-1],
                            mime_type=mimetypes.guess_type(m["uri"])[0],
                        )
                        for m in media_list
                    ],
                    raw=span.raw,
                ),
            )

    def _comments(self, name: str, seen: dict[str, int]) -> Iterable[_Entry]:
        repair = self._needs_repair(name, "string_map_data", "a comment entry")
        for i, span in enumerate(entry_list(self.source, name, self.label)):
            pos = position(name, i)
            smd = (repair_mojibake(span.value) if repair else span.value)["string_map_data"]
            comment = (smd.get("Comment") or {}).get("value")
            if not comment:
                yield _Entry(pos, None, "comment with no text in the export")
                continue
            owner = (smd.get("Media Owner") or {}).get("value")
            when = (smd.get("Time") or {}).get("timestamp")
            yield _Entry(
                pos,
                CapturedItem(
                    kind=ItemKind.COMMENT,
                    platform=self.platform,
                    platform_id=content_id("igexp:comment:", [when, owner, comment], seen),
                    page_platform_id=self.page_platform_id,
                    created_at=_ts(when),
                    text=comment,
                    fields={"media_owner": owner},
                    raw=span.raw,
                ),
            )
