"""Each real sample export imports, and the counts and fields match the files themselves.

Expectations are computed here from the files with plain ``json`` (independently of the
importers' span parser), or are values checked by hand in the files, quoted below.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from piodesk.connectors.importers import (
    ExportFormatError,
    FacebookDYIImporter,
    InstagramImporter,
    MastodonArchiveImporter,
    XArchiveImporter,
    detect_and_open,
)


def _ytd(path: Path) -> Any:
    text = path.read_text("utf-8")
    return json.loads(text.split("=", 1)[1])


def _all(importer: Any) -> list[Any]:
    return list(importer.iter_items())


# --- X ---------------------------------------------------------------------------------------


def test_x_archive_counts_and_fields(data: Any) -> None:
    root = data("exports/twitter_archive")
    tweets = [t["tweet"] for t in _ytd(root / "data" / "tweets.js")]
    account = _ytd(root / "data" / "account.js")[0]["account"]
    with XArchiveImporter.open(root) as imp:
        records = _all(imp)
        assert imp.total == len(tweets) == 1986  # 1,986 per the export's SOURCE.md
        assert imp.report.taken == len(tweets) and imp.report.skipped == []
    by_id = {r.item.platform_id: r.item for r in records}
    assert set(by_id) == {t["id_str"] for t in tweets}
    replies = [i for i in by_id.values() if i.parent_platform_id]
    assert len(replies) == sum(1 for t in tweets if t.get("in_reply_to_status_id_str")) == 485
    assert sum(1 for i in by_id.values() if i.media) == 146
    assert {i.page_platform_id for i in by_id.values()} == {account["accountId"]}

    first = by_id["1588091220244369409"]  # hand-checked: first entry of tweets.js
    assert first.text == "Good morning #LeadDevBerlin 👋 https://t.co/p5Z1ebhgmy"
    assert first.created_at == datetime(2022, 11, 3, 8, 50, 26, tzinfo=UTC)
    assert first.fields["hashtags"] == ["LeadDevBerlin"]
    assert first.media[0].url == "https://pbs.twimg.com/media/FgoIitdWAAAL87b.jpg"
    assert first.author_name == "andreruffert"

    # HTML entities are unescaped in text (86 tweets carry them per SOURCE.md).
    escaped = [t for t in tweets if any(e in t["full_text"] for e in ("&amp;", "&gt;", "&lt;"))]
    assert len(escaped) == 86
    for t in escaped:
        assert by_id[t["id_str"]].text == html.unescape(t["full_text"])
        assert "&amp;" not in (by_id[t["id_str"]].text or "")


def test_x_raw_is_the_verbatim_entry(data: Any) -> None:
    root = data("exports/twitter_archive")
    file_bytes = (root / "data" / "tweets.js").read_bytes()
    tweets = _ytd(root / "data" / "tweets.js")
    with XArchiveImporter.open(root) as imp:
        records = _all(imp)
    for record, entry in zip(records, tweets, strict=True):
        assert record.item.raw in file_bytes
        assert json.loads(record.item.raw) == entry
    # Consecutive raws tile the array: nothing between them but the separators.
    joined = b",\n  ".join(r.item.raw for r in records[:3])
    assert joined in file_bytes


# --- Facebook --------------------------------------------------------------------------------


def test_facebook_posts_counts_and_mojibake(data: Any) -> None:
    path = data("exports/facebook/your_posts_1.json")
    entries = json.loads(path.read_text("utf-8"))
    with FacebookDYIImporter.open(path.parent) as imp:
        records = _all(imp)
        report = imp.report
    assert imp.total == len(entries) == 124
    empty = [
        e
        for e in entries
        if not any("post" in d for d in e.get("data", []))
        and not e.get("title")
        and not any(b.get("data") for b in e.get("attachments", []))
        and not e.get("tags")
    ]
    assert len(report.skipped) == len(empty) == 46
    assert report.taken == len(records) == 124 - 46
    assert {s.reason for s in report.skipped} == {
        "no post text, title, attachment or tag (only timestamps)"
    }
    with_text = [r.item for r in records if r.item.text]
    assert len(with_text) == sum(1 for e in entries if any("post" in d for d in e["data"])) == 59
    # 22 post texts are mojibake-encoded (SOURCE.md); all are repaired into real characters.
    repaired = [i for i in with_text if not i.text.isascii()]
    assert len(repaired) == 22
    for item in with_text:
        assert "ð\x9f" not in item.text and "â\x80" not in item.text
    # Hand-checked: "\u00e2\u009d\u00a4\u00ef\u00b8\u008f" is U+2764 U+FE0F (a red heart).
    heart = [i for i in with_text if i.text.startswith("Finally the premier league")]
    assert heart[0].text == "Finally the premier league is back in action! \u2764\ufe0f"
    assert heart[0].created_at == datetime.fromtimestamp(1471086224, UTC)
    # Raw keeps the bytes as shipped, mojibake included.
    assert b"\\u00e2\\u009d\\u00a4" in heart[0].raw


# --- Instagram -------------------------------------------------------------------------------


def test_instagram_posts_and_comments(data: Any) -> None:
    root = data("exports/instagram")
    posts = json.loads((root / "posts_1.json").read_text("utf-8"))
    comments = json.loads((root / "post_comments_1.json").read_text("utf-8"))
    with InstagramImporter.open(root) as imp:
        records = _all(imp)
        report = imp.report
    got_posts = [r.item for r in records if r.item.kind == "post"]
    got_comments = [r.item for r in records if r.item.kind == "comment"]
    assert len(got_posts) == len(posts) == 16
    assert sum(len(p.media) for p in got_posts) == sum(len(p["media"]) for p in posts) == 59
    no_text = [c for c in comments if not c["string_map_data"].get("Comment", {}).get("value")]
    assert len(no_text) == 22
    assert len(got_comments) == len(comments) - 22 == 1571
    assert len(report.skipped) == 22
    assert all(p.text for p in got_posts)  # every post has a caption (SOURCE.md)

    first = got_comments[0]  # hand-checked: first entry of post_comments_1.json
    assert first.text == "This the typa content I like to see"
    assert first.fields["media_owner"] == "austin__j11"
    assert first.created_at == datetime.fromtimestamp(1708539162, UTC)
    for c in got_comments:
        assert "ð\x9f" not in (c.text or "")
    assert len({c.platform_id for c in got_comments}) == len(got_comments)


# --- Mastodon --------------------------------------------------------------------------------


def test_mastodon_outbox_counts_and_fields(data: Any) -> None:
    root = data("exports/mastodon")
    outbox = json.loads((root / "outbox.json").read_text("utf-8"))
    activities = outbox["orderedItems"]  # json keeps the last of the two "orderedItems"
    with MastodonArchiveImporter.open(root) as imp:
        records = _all(imp)
    assert len(records) == len(activities) == 1586
    assert outbox["totalItems"] == 1557  # the file's own count is wrong; we do not trust it
    items = [r.item for r in records]
    boosts = [i for i in items if "boost_of" in i.fields]
    notes = [i for i in items if "boost_of" not in i.fields]
    assert (len(notes), len(boosts)) == (1260, 326)
    assert sum(1 for n in notes if n.parent_platform_id) == 422
    assert sum(1 for n in notes if n.fields["summary"]) == 18
    assert sum(1 for n in notes if n.fields["sensitive"]) == 22
    assert sum(1 for n in notes if n.media) == 159
    vis = Counter(i.fields["visibility"] for i in items)
    assert vis["public"] == 1495 and vis["unlisted"] == 16
    assert vis["private"] + vis["direct"] == 75

    first = items[0]
    # Hand-checked: ".../users/dealingwith/statuses/109305976208011760" has API id …760.
    assert activities[0]["object"]["id"].endswith("/statuses/109305976208011760")
    assert first.platform_id == "109305976208011760"
    assert first.fields["uri"] == activities[0]["object"]["id"]
    # Every own status gets a numeric API id; replies to other servers keep the target's URI.
    assert all(i.platform_id.isdigit() for i in items)
    actor = "https://indieweb.social/users/dealingwith/statuses/"
    self_replies = [
        a
        for a in activities
        if a["type"] == "Create" and (a["object"].get("inReplyTo") or "").startswith(actor)
    ]
    numeric_parents = [n for n in notes if (n.parent_platform_id or "").isdigit()]
    assert len(numeric_parents) == len(self_replies) > 0
    assert first.text is not None and first.text.startswith("As Twitter crashes and burns, it’s")
    assert "<p>" not in first.text
    assert first.page_platform_id == "https://indieweb.social/users/dealingwith"
    assert json.loads(first.raw) == activities[0]


# --- resuming, stability, detection ----------------------------------------------------------


@pytest.mark.parametrize("export", ["twitter_archive", "facebook", "instagram", "mastodon"])
def test_resume_after_interruption_gives_the_same_items(data: Any, export: str) -> None:
    root = data(f"exports/{export}")
    with detect_and_open(root) as imp:
        full = [(r.position, r.item.identity, r.item.fingerprint) for r in imp.iter_items()]
        taken_all = imp.report.taken
    assert taken_all == len(full)
    with detect_and_open(root) as imp:
        first_part = []
        for r in imp.iter_items():
            first_part.append((r.position, r.item.identity, r.item.fingerprint))
            if len(first_part) == len(full) // 3:
                break  # "killed" here
    with detect_and_open(root) as imp:
        rest = [
            (r.position, r.item.identity, r.item.fingerprint)
            for r in imp.iter_items(start_after=first_part[-1][0])
        ]
    assert first_part + rest == full
    assert len({identity for _, identity, _ in full}) == len(full)


@pytest.mark.parametrize(
    ("export", "cls"),
    [
        ("twitter_archive", XArchiveImporter),
        ("facebook", FacebookDYIImporter),
        ("instagram", InstagramImporter),
        ("mastodon", MastodonArchiveImporter),
    ],
)
def test_detect_and_open_chooses_by_content(data: Any, export: str, cls: type) -> None:
    with detect_and_open(data(f"exports/{export}")) as imp:
        assert type(imp) is cls


def test_unknown_resume_position_is_refused(data: Any) -> None:
    with (
        detect_and_open(data("exports/facebook")) as imp,
        pytest.raises(ExportFormatError, match="resume position"),
    ):
        list(imp.iter_items(start_after="nowhere#000001"))
