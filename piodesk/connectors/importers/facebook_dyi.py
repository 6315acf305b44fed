"""Facebook "Download Your Information" (JSON): the page's or profile's own posts.

The posts file is ``your_posts_1.json`` (``…_2.json`` and so on for big accounts; newer
exports call it ``your_posts__check_ins__photos_and_videos_1.json`` under
``your_facebook_activity/posts/``). It is a JSON array of
``{"timestamp", "data": [{"post"} | {"update_timestamp"}], "title", "attachments", "tags"}``,
any key of which may be missing.

Text quirk: Meta writes each UTF-8 byte as a ``\\u00XX`` escape ("mojibake"). The importer
decides per file (``needs_mojibake_repair``) and repairs every string with
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
    _Entry,
    content_id,
    needs_mojibake_repair,
    position,
    repair_mojibake,
)
from piodesk.connectors.jsonspans import array_with_end, check_end, object_members, raw_bytes
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

    @classmethod
    def sniff(cls, source: ExportSource) -> str | None:
        files = source.find(*_POST_FILES)
        if not files:
            return "no your_posts_1.json in it"
        head = source.read_bytes(files[0])[:4096].decode("utf-8", "replace").lstrip()
        if not head.startswith(("[", "{")) or '"timestamp"' not in head:
            return f"{files[0]} is not a JSON list of timestamped posts"
        return None

    def _load(self) -> Iterable[_Entry]:
        seen: dict[str, int] = {}
        for name in self.source.find(*_POST_FILES):
            text = self.source.read_text(name)
            start = 0
            if text.lstrip().startswith("{"):
                # Some layouts wrap the list: {"status_updates_v2": [...]}.
                lists = [s for _, s in object_members(text) if isinstance(s.value, list)]
                if len(lists) != 1:
                    raise ExportFormatError(
                        f"this is not {self.label}: {name} is an object without one list of posts"
                    )
                start = lists[0].start
                spans, _ = array_with_end(text, start)
            else:
                spans, end = array_with_end(text, start)
                check_end(text, end)
            values = [s.value for s in spans]
            for i, v in enumerate(values):
                if not isinstance(v, dict) or not isinstance(v.get("timestamp"), int):
                    raise ExportFormatError(
                        f"this is not {self.label}: {position(name, i)} has no timestamp"
                    )
            repair = needs_mojibake_repair(values, name)
            for i, span in enumerate(spans):
                entry = repair_mojibake(span.value) if repair else span.value
                yield self._entry(position(name, i), entry, raw_bytes(text, span), seen)

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
