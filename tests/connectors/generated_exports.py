"""Large X archives made from the real sample's tweets (new ids), for memory-bound tests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from tests.connectors.conftest import shared


def sample_tweets() -> list[dict[str, Any]]:
    """The real sample archive's tweet entries (``{"tweet": {…}}``)."""
    text = shared("exports/twitter_archive/data/tweets.js").read_text("utf-8")
    entries: list[dict[str, Any]] = json.loads(text.split("=", 1)[1])
    return entries


def write_x_archive(path: Path, count: int) -> Path:
    """A ZIP like X's download holding ``count`` tweets; written entry by entry."""
    templates = sample_tweets()
    account = shared("exports/twitter_archive/data/account.js").read_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("twitter-2024-06-01/data/account.js", account)
        with zf.open("twitter-2024-06-01/data/tweets.js", "w", force_zip64=True) as out:
            out.write(b"window.YTD.tweets.part0 = [ ")
            for i in range(count):
                tweet = dict(templates[i % len(templates)]["tweet"])
                tweet["id"] = tweet["id_str"] = str(1_700_000_000_000_000_000 + i)
                tweet["full_text"] = f"{tweet.get('full_text', '')} #{i}"
                body = json.dumps({"tweet": tweet}, indent=2, separators=(",", " : "))
                out.write((", " if i else "").encode() + body.encode())
            out.write(b" ]")
    return path
