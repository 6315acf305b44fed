"""Importers read exports as streams: flat memory whatever the size, hostile shapes refused
with a message that says where, before anything is yielded.
"""

from __future__ import annotations

import json
import shutil
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from piodesk.connectors.importers import ExportFormatError, Limits, detect_and_open
from piodesk.connectors.jsonspans import array_elements, raw_bytes
from tests.connectors.generated_exports import write_x_archive

PREFIX = "window.YTD.tweets.part0 = ["


def _x_export(tmp_path: Path, tweets_js: str | bytes, data: Any) -> Path:
    (tmp_path / "data").mkdir(parents=True)
    body = tweets_js.encode() if isinstance(tweets_js, str) else tweets_js
    (tmp_path / "data" / "tweets.js").write_bytes(body)
    shutil.copy(data("exports/twitter_archive/data/account.js"), tmp_path / "data")
    return tmp_path


def test_a_200000_deep_array_is_refused_with_where_and_why(data: Any, tmp_path: Path) -> None:
    export = _x_export(tmp_path, PREFIX + "[" * 200_000 + "]" * 200_000 + "]", data)
    offset = len(PREFIX) + 63  # the outer array is level 1; level 65 starts here
    with pytest.raises(
        ExportFormatError,
        match=rf"refused: tweets\.js nests deeper than 64 levels at byte {offset}; "
        "it is not a platform export",
    ):
        detect_and_open(export)


def test_deep_nesting_inside_a_real_tweet_is_refused(data: Any, tmp_path: Path) -> None:
    text = data("exports/twitter_archive/data/tweets.js").read_text("utf-8")
    entries = json.loads(text.split("=", 1)[1])
    nested: Any = "bottom"
    for _ in range(70):
        nested = {"n": nested}
    entries[5]["tweet"]["extra"] = nested
    export = _x_export(tmp_path, PREFIX + json.dumps(entries)[1:], data)
    with pytest.raises(ExportFormatError, match=r"nests deeper than 64 levels at byte \d+"):
        detect_and_open(export)


def test_deep_nesting_in_account_facebook_and_mastodon_files(data: Any, tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    x = _x_export(tmp_path / "x", data("exports/twitter_archive/data/tweets.js").read_bytes(), data)
    (x / "data" / "account.js").write_text(f"window.YTD.account.part0 = [{deep}]", "utf-8")
    with pytest.raises(ExportFormatError, match=r"account\.js nests deeper than 64 levels"):
        detect_and_open(x)
    fb = tmp_path / "fb"
    fb.mkdir()
    (fb / "your_posts_1.json").write_text(f'[{{"timestamp": 1, "data": {deep}}}]', "utf-8")
    with pytest.raises(ExportFormatError, match=r"your_posts_1\.json nests deeper than 64"):
        detect_and_open(fb)
    md = tmp_path / "md"
    md.mkdir()
    outbox = '{"type": "OrderedCollection", "orderedItems": [{"type": "Create", "object": %s}]}'
    (md / "outbox.json").write_text(outbox % deep, "utf-8")
    with pytest.raises(ExportFormatError, match=r"outbox\.json nests deeper than 64 levels"):
        detect_and_open(md)


def test_an_entry_over_the_size_limit_is_refused(data: Any, tmp_path: Path) -> None:
    huge = {"tweet": {"id_str": "1", "full_text": "a" * 3_000_000}}
    export = _x_export(tmp_path, PREFIX + json.dumps(huge) + "]", data)
    with pytest.raises(
        ExportFormatError,
        match=rf"tweets\.js has an entry larger than 1000000 bytes at byte {len(PREFIX)}",
    ):
        detect_and_open(export, limits=Limits(max_item_bytes=1_000_000))
    with detect_and_open(export) as imp:  # the default limit (16 MiB) takes it
        assert imp.total == 1


def test_raw_is_byte_for_byte_what_the_whole_file_parse_kept(data: Any) -> None:
    # The bytes the archive held before streaming (jsonspans over the whole text) are the
    # bytes it gets now: re-importing an old import's export finds every item unchanged.
    path = data("exports/twitter_archive/data/tweets.js")
    text = path.read_text("utf-8")
    old = [raw_bytes(text, s) for s in array_elements(text, text.index("["))]
    with detect_and_open(data("exports/twitter_archive")) as imp:
        assert [r.item.raw for r in imp.iter_items()] == old


def test_a_big_export_is_read_in_flat_memory(tmp_path: Path) -> None:
    export = write_x_archive(tmp_path / "big.zip", 3_000)
    with zipfile.ZipFile(export) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 4_800_000
    tracemalloc.start()
    try:
        with detect_and_open(export) as imp:
            count = sum(1 for _ in imp.iter_items())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3_000
    # Holding the file (as before streaming) takes its size several times over; streaming
    # holds a window of 1 MiB of text and a few copies of it as it slides, whatever the size.
    assert peak < 9_000_000, f"peak {peak:,} bytes"
