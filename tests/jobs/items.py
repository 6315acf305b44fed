"""The comments the job tests capture: one shape for the queue and the pipeline tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from piodesk.connectors.model import CapturedItem, ItemKind


def comment(n: int, text: str, version: int = 1) -> CapturedItem:
    """Comment ``n`` on the sandbox page's post p1, at its ``version`` (2 and later are edits)."""
    return CapturedItem(
        kind=ItemKind.COMMENT,
        platform="sandbox",
        platform_id=f"c{n}",
        raw=json.dumps({"id": n, "text": text, "v": version}).encode(),
        page_platform_id="precinct",
        parent_platform_id="p1",
        author_platform_id=f"v{n}",
        author_name="Pat Doe",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        edited_at=datetime(2026, 12, 2, tzinfo=UTC) if version > 1 else None,
        text=text,
    )
