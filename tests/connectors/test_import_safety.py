"""Damaged, hostile or mislabelled exports give a clear error before anything is yielded."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from piodesk.connectors.importers import (
    ExportFormatError,
    FacebookDYIImporter,
    InstagramImporter,
    Limits,
    MastodonArchiveImporter,
    XArchiveImporter,
    detect_and_open,
)


def _zip_dir(src: Path, dest: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                zf.write(p, prefix + p.relative_to(src).as_posix())
    return dest


def _identities(path: Path) -> list[tuple[str, tuple[str, str, str], str]]:
    with detect_and_open(path) as imp:
        return [(r.position, r.item.identity, r.item.fingerprint) for r in imp.iter_items()]


@pytest.mark.parametrize(
    ("export", "prefix"),
    [
        # X's download unpacks into a folder named after the account: nest one level down.
        ("twitter_archive", "twitter-2022-11-14/"),
        ("facebook", "your_facebook_activity/posts/"),
        ("instagram", "your_instagram_activity/content/"),
        ("mastodon", ""),
    ],
)
def test_zip_as_downloaded_gives_the_same_items_as_the_folder(
    data: Any, tmp_path: Path, export: str, prefix: str
) -> None:
    root = data(f"exports/{export}")
    zipped = _zip_dir(root, tmp_path / f"{export}.zip", prefix=prefix)
    assert _identities(zipped) == _identities(root)
    assert len(_identities(zipped)) > 0


def test_mastodon_tar_gz_as_downloaded(data: Any, tmp_path: Path) -> None:
    root = data("exports/mastodon")
    archive = tmp_path / "archive-20240723.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        for name in ("outbox.json", "actor.json", "likes.json"):
            tf.add(root / name, arcname=name)
    assert _identities(archive) == _identities(root)
    # Saved without its extension, it is still recognised by content.
    bare = archive.rename(tmp_path / "archive-download")
    assert _identities(bare) == _identities(root)


def test_single_file_as_shipped(data: Any) -> None:
    path = data("exports/instagram/post_comments_1.json")
    with detect_and_open(path) as imp:
        assert type(imp) is InstagramImporter
        assert sum(1 for _ in imp.iter_items()) == 1571


def test_truncated_json_is_refused(data: Any, tmp_path: Path) -> None:
    src = data("exports/twitter_archive/data/tweets.js").read_bytes()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tweets.js").write_bytes(src[: len(src) // 2])
    with pytest.raises(
        ExportFormatError, match=r"X archive .* damaged: the JSON ends too early \(truncated\)"
    ):
        XArchiveImporter.open(tmp_path)


def test_truncated_outbox_cut_at_an_element_boundary(data: Any, tmp_path: Path) -> None:
    text = data("exports/mastodon/outbox.json").read_text("utf-8")
    cut = text[: text.rindex("},{") + 1]  # ends cleanly after an activity, array never closed
    (tmp_path / "outbox.json").write_text(cut, "utf-8")
    with pytest.raises(ExportFormatError, match="truncated"):
        MastodonArchiveImporter.open(tmp_path)


def test_wrong_format_names_what_was_expected(data: Any) -> None:
    with pytest.raises(ExportFormatError, match=r"this is not an X archive: no data/tweets\.js"):
        XArchiveImporter.open(data("exports/facebook"))
    with pytest.raises(ExportFormatError, match="this is not a Mastodon archive"):
        MastodonArchiveImporter.open(data("exports/instagram"))
    with pytest.raises(ExportFormatError, match="this is not a Facebook posts export"):
        FacebookDYIImporter.open(data("exports/twitter_archive"))


def test_a_json_file_that_is_no_export(tmp_path: Path) -> None:
    (tmp_path / "outbox.json").write_text('{"type": "Person", "orderedItems": []}', "utf-8")
    with pytest.raises(ExportFormatError, match="not an OrderedCollection"):
        MastodonArchiveImporter.open(tmp_path)
    other = tmp_path / "notes.json"
    other.write_text("[1, 2, 3]", "utf-8")
    with pytest.raises(ExportFormatError, match="not a platform export piodesk can read"):
        detect_and_open(other)


def test_zip_bomb_is_refused_by_ratio_before_extracting(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/tweets.js", b"window.YTD.tweets.part0 = [" + b" " * (20 << 20) + b"]")
    info = zipfile.ZipFile(bomb).infolist()[0]
    assert info.file_size / info.compress_size > 200  # it is a bomb by ratio
    with pytest.raises(ExportFormatError, match=r"ZIP bomb refused: .* compresses \d+:1"):
        detect_and_open(bomb)


def test_zip_bomb_is_refused_by_declared_size(tmp_path: Path) -> None:
    bomb = tmp_path / "big.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_STORED) as zf:
        for i in range(3):
            zf.writestr(f"part{i}.bin", b"x" * 4096)
    with pytest.raises(ExportFormatError, match=r"declare .* bytes uncompressed in all"):
        detect_and_open(bomb, limits=Limits(max_total_bytes=10_000))
    with pytest.raises(ExportFormatError, match="declares 4096 bytes uncompressed"):
        detect_and_open(bomb, limits=Limits(max_file_bytes=1000))


def test_zip_member_lying_about_its_size_is_refused(tmp_path: Path) -> None:
    # A member whose local data inflates to more than its central-directory size claims.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("outbox.json", b'{"type":"OrderedCollection","orderedItems":[]}' + b" " * 64)
    raw = bytearray(buf.getvalue())
    # Patch the central directory's uncompressed size (offset 24 in the entry) to 10 bytes.
    cd = raw.rindex(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    lying = tmp_path / "lying.zip"
    lying.write_bytes(bytes(raw))
    with pytest.raises(ExportFormatError, match=r"(inflates past|damaged)"):
        detect_and_open(lying)


def test_path_traversal_in_zip_names_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
        zf.writestr("../../etc/cron.d/evil", "boom")
    with pytest.raises(ExportFormatError, match="path traversal"):
        detect_and_open(evil)


def test_path_traversal_in_tar_names_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tf:
        payload = b"{}"
        info = tarfile.TarInfo("/abs/outbox.json")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    with pytest.raises(ExportFormatError, match="path traversal"):
        detect_and_open(evil)


def test_file_not_utf8_is_broken_encoding(data: Any, tmp_path: Path) -> None:
    src = data("exports/facebook/your_posts_1.json").read_bytes()
    # Replace one ASCII letter inside a post with a lone 0xFF byte (never valid UTF-8).
    at = src.index(b"Finally the premier")
    (tmp_path / "your_posts_1.json").write_bytes(src[:at] + b"\xff" + src[at + 1 :])
    with pytest.raises(ExportFormatError, match=r"broken text encoding in your_posts_1.json: byte"):
        FacebookDYIImporter.open(tmp_path)


def test_mojibake_that_cannot_be_repaired_is_broken_encoding(data: Any, tmp_path: Path) -> None:
    src = data("exports/facebook/your_posts_1.json").read_text("utf-8")
    # "\u00e9t\u00e9" is not escaped UTF-8 (0xE9 0x74 is no UTF-8 sequence) in a file whose
    # other strings are: the file's text is damaged.
    damaged = src.replace("Finally the premier league", "Finally the \\u00e9t\\u00e9 league", 1)
    assert damaged != src
    (tmp_path / "your_posts_1.json").write_text(damaged, "utf-8")
    with pytest.raises(ExportFormatError, match=r"broken text encoding in your_posts_1\.json"):
        FacebookDYIImporter.open(tmp_path)


def test_already_correct_unicode_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "your_posts_1.json").write_text(
        '[{"timestamp": 1600000000, "data": [{"post": "Caf\\u00e9 open \\ud83d\\ude00"}]}]', "utf-8"
    )
    with FacebookDYIImporter.open(tmp_path) as imp:
        (record,) = list(imp.iter_items())
    assert record.item.text == "Café open 😀"


def test_directory_symlink_out_of_the_export_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.json"
    outside.write_text("{}", "utf-8")
    export = tmp_path / "export"
    export.mkdir()
    (export / "outbox.json").symlink_to(outside)
    with pytest.raises(ExportFormatError, match="outside"):
        detect_and_open(export)


def test_failed_open_yields_nothing(data: Any, tmp_path: Path) -> None:
    # Truncation deep in the file (the last entry) still fails at open, not mid-iteration.
    src = data("exports/twitter_archive/data/tweets.js").read_text("utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tweets.js").write_text(src[: src.rindex("}") - 2], "utf-8")
    shutil.copy(data("exports/twitter_archive/data/account.js"), tmp_path / "data")
    yielded = []
    with pytest.raises(ExportFormatError):
        imp = XArchiveImporter.open(tmp_path)
        yielded.extend(imp.iter_items())
    assert yielded == []


def test_early_x_archive_with_bare_tweets(data: Any, tmp_path: Path) -> None:
    # The first archives (2018-19) named the file tweet.js and listed tweets unwrapped.
    text = data("exports/twitter_archive/data/tweets.js").read_text("utf-8")
    tweets = [t["tweet"] for t in json.loads(text.split("=", 1)[1])[:3]]
    (tmp_path / "tweet.js").write_text(
        "window.YTD.tweet.part0 = " + json.dumps(tweets, indent=2), "utf-8"
    )
    with detect_and_open(tmp_path / "tweet.js") as imp:
        records = list(imp.iter_items())
    assert [r.item.platform_id for r in records] == [t["id_str"] for t in tweets]
    assert json.loads(records[0].item.raw) == tweets[0]


def test_x_entry_that_is_not_a_tweet(tmp_path: Path) -> None:
    (tmp_path / "tweets.js").write_text('window.YTD.tweets.part0 = [{"like": {}}]', "utf-8")
    with pytest.raises(ExportFormatError, match=r"tweets\.js#000000 is not a tweet entry"):
        detect_and_open(tmp_path)


def test_tar_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "archive.tar.gz"
    zeros = b"\0" * (20 << 20)
    with tarfile.open(bomb, "w:gz") as tf:
        info = tarfile.TarInfo("outbox.json")
        info.size = len(zeros)
        tf.addfile(info, io.BytesIO(zeros))
    assert bomb.stat().st_size * 200 < len(zeros)
    with pytest.raises(ExportFormatError, match="archive bomb refused: members declare"):
        detect_and_open(bomb)


def test_tar_member_over_the_size_limit(tmp_path: Path) -> None:
    archive = tmp_path / "archive.tar"
    with tarfile.open(archive, "w") as tf:
        payload = b"x" * 4096
        info = tarfile.TarInfo("outbox.json")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    with pytest.raises(ExportFormatError, match="declares 4096 bytes, over the 1000-byte limit"):
        detect_and_open(archive, limits=Limits(max_file_bytes=1000))


def test_encrypted_zip_member_is_a_clear_error(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("outbox.json", b'{"type":"OrderedCollection","orderedItems":[]}')
    raw = bytearray(buf.getvalue())
    # Set the "encrypted" flag bit in the local header and the central directory entry.
    raw[6] |= 0x01
    cd = raw.rindex(b"PK\x01\x02")
    raw[cd + 8] |= 0x01
    locked = tmp_path / "locked.zip"
    locked.write_bytes(bytes(raw))
    with pytest.raises(ExportFormatError, match=r"cannot be read: .*password"):
        detect_and_open(locked)


def test_media_files_are_read_from_the_export(data: Any, tmp_path: Path) -> None:
    root = data("exports/twitter_archive")
    with detect_and_open(root) as imp:
        record = next(r for r in imp.iter_items() if r.item.media)
        ref = record.item.media[0]
        assert ref.path is not None and ref.path.startswith("data/tweets_media/")
        assert imp.read_media(ref) is None  # the sample was published without its media
    # The same export as downloaded, with the media file in its place.
    zipped = _zip_dir(root, tmp_path / "x.zip", prefix="twitter-2022-11-14/")
    with zipfile.ZipFile(zipped, "a") as zf:
        zf.writestr(f"twitter-2022-11-14/{ref.path}", b"\xff\xd8\xff\xe0 picture bytes")
    with detect_and_open(zipped) as imp:
        assert imp.read_media(ref) == b"\xff\xd8\xff\xe0 picture bytes"


def test_mastodon_media_found_without_the_bucket_prefix(data: Any, tmp_path: Path) -> None:
    root = data("exports/mastodon")
    archive = tmp_path / "archive.tar.gz"
    with detect_and_open(root) as imp:
        ref = next(r.item.media[0] for r in imp.iter_items() if r.item.media)
    assert ref.path is not None and ref.path.startswith("indiewebsocial/media_attachments/")
    inner = ref.path.removeprefix("indiewebsocial/")
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(root / "outbox.json", arcname="outbox.json")
        info = tarfile.TarInfo(inner)
        info.size = 5
        tf.addfile(info, io.BytesIO(b"image"))
    with detect_and_open(archive) as imp:
        assert imp.read_media(ref) == b"image"
