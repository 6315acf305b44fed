"""Facebook "Download Your Information" (JSON): the page's or profile's own posts.

The posts file is ``your_posts_1.json`` (``…_2.json`` and so on for big accounts; newer
exports call it ``your_posts__check_ins__photos_and_videos_1.json`` under
``your_facebook_activity/posts/``). It is a JSON array of
``{"timestamp", "data": [{"post"} | {"update_timestamp"}], "title", "attachments", "tags"}``,
any key of which may be missing.

Text quirk: Meta writes each UTF-8 byte as a ``\\u00XX`` escape ("mojibake"). The importer
decides per file (``MojibakeCheck``, on the first read) and repairs every string with
``s.encode('latin-1').decode('utf-8')``; ``raw`` keeps the bytes as shipped.

The export carries no post ids, so ``platform_id`` is ``fbdyi:`` + the first 32 hex digits of
the SHA-256 of the repaired entry's canonical JSON (a second identical entry gets ``~2``).
An entry holding nothing but timestamps (no text, title, attachment or tag) is skipped.
"""

from __future__ import annotations

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

_POST_FILES = ("your_posts_*.json", "your_posts__check_ins__photos_and_videos_*.json")


def _ts(value: Any) -> datetime | None:
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return None


class FacebookDYIImporter(Importer):
    """Posts from a Facebook "Download Your Information" JSON export."""

    platform = "facebook"
    label = "a Facebook posts export"

    def __init__(self, source: ExportSource, *, page_platform_id: str | None = None) -> None:
        self._repair: dict[str, bool] = {}  # per file: is its text Meta's mojibake?
        super().__init__(source, page_platform_id=page_platform_id)

    @classmethod
    def sniff(cls, source: ExportSource) -> str | None:
        files = source.find(*_POST_FILES)
        if not files:
            return "no your_posts_1.json in it"
        head = source.head(files[0], 4096).decode("utf-8", "replace").lstrip()
        if not head.startswith(("[", "{")) or '"timestamp"' not in head:
            return f"{files[0]} is not a JSON list of timestamped posts"
        return None

    def _load(self) -> Iterable[_Entry]:
        seen: dict[str, int] = {}
        for name in self.source.find(*_POST_FILES):
            repair = self._needs_repair(name)
            for i, piece in enumerate(entry_list(self.source, name, self.label)):
                entry = repair_mojibake(piece.value) if repair else piece.value
                yield self._entry(position(name, i), entry, piece.raw, seen)

    def _needs_repair(self, name: str) -> bool:
        """Check every entry's shape and judge the file's text (once; remembered)."""
        if name not in self._repair:
            check = MojibakeCheck(name)
            for i, piece in enumerate(entry_list(self.source, name, self.label)):
                v = piece.value
                if not isinstance(v, dict) or not isinstance(v.get("timestamp"), int):
                    raise ExportFormatError(
                        f"this is not {self.label}: {position(name, i)} has no timestamp"
                    )
                check.add(v)
            self._repair[name] = check.verdict()
        return self._repair[name]

    def _entry(self, pos: str, entry: dict[str, Any], raw: bytes, seen: dict[str, int]) -> _Entry:
        data = [d for d in entry.get("data", []) if isinstance(d, dict)]
        posts = [d["post"] for d in data if isinstance(d.get("post"), str)]
        updated = [d["update_timestamp"] for d in data if "update_timestamp" in d]
        attachments = [
            a
            for block in entry.get("attachments", [])
            if isinstance(block, dict)
            for a in block.get("data", [])
            if isinstance(a, dict)
        ]
        tags = [t.get("name") for t in entry.get("tags", []) if isinstance(t, dict)]
        title = entry.get("title")
        if not posts and not title and not attachments and not tags:
            return _Entry(pos, None, "no post text, title, attachment or tag (only timestamps)")
        media = [
            MediaRef(
                path=a["media"]["uri"],
                filename=str(a["media"]["uri"]).rsplit("/", 1)[-1],
            )
            for a in attachments
            if isinstance(a.get("media"), dict) and a["media"].get("uri")
        ]
        created = _ts(entry["timestamp"])
        edited = _ts(max(updated)) if updated else None
        item = CapturedItem(
            kind=ItemKind.POST,
            platform=self.platform,
            platform_id=content_id("fbdyi:", entry, seen),
            page_platform_id=self.page_platform_id,
            created_at=created,
            edited_at=edited if edited and edited != created else None,
            text="\n\n".join(posts) if posts else None,
            fields={
                "title": title,
                "attachments": attachments,
                "tags": tags,
            },
            media=media,
            raw=raw,
        )
        return _Entry(pos, item)
