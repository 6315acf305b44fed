"""The streaming JSON reader: the same values and exact bytes as a whole-file parse, whatever
the reads' sizes, and hostile shapes (deep nesting, huge entries, truncation) refused by offset.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from piodesk.connectors.jsonspans import JSONSpanError, array_elements, object_members, raw_bytes
from piodesk.connectors.jsonstream import JSONLimitError, JSONStream, array_at, scalar_members


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def elements(data: bytes, size: int, read_size: int, **kw: Any) -> list[tuple[Any, bytes]]:
    stream = JSONStream(chunked(data, size), "t.json", read_size=read_size, **kw)
    out = [(p.value, p.raw) for p in stream.array()]
    stream.end()
    return out


SMALL = (
    '[{"a": "é😀\\u00e9", "b": [1, 2.5e3, -0, true, null]}, "x\\"]", 12345678901234567890,'
    ' [[[]]], {"k": {"k": "v", "k": "last wins"}}, "ünïcode ☃", 0.1]'
).encode()


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_tiny_reads_split_anywhere_give_the_same_pieces(size: int) -> None:
    expected = [(s.value, raw_bytes(SMALL.decode(), s)) for s in array_elements(SMALL.decode())]
    assert elements(SMALL, size, read_size=1) == expected
    assert expected[4][0] == {"k": {"k": "last wins"}}  # as json.loads


@pytest.mark.parametrize(
    ("path", "skip"),
    [
        ("exports/twitter_archive/data/tweets.js", "window.YTD.tweets.part0 = "),
        ("exports/facebook/your_posts_1.json", ""),
        ("exports/instagram/post_comments_1.json", ""),
    ],
)
def test_real_exports_streamed_equal_the_whole_file_parse(data: Any, path: str, skip: str) -> None:
    blob = data(path).read_bytes().removeprefix(skip.encode())
    text = blob.decode()
    expected = [(s.value, raw_bytes(text, s)) for s in array_elements(text)]
    # 4093 bytes splits multi-byte characters and entries alike; 1 MiB is the default.
    assert elements(blob, 4093, read_size=4093) == expected
    assert elements(blob, 1 << 20, read_size=1 << 20) == expected


def test_mastodon_outbox_walked_by_its_members(data: Any) -> None:
    blob = data("exports/mastodon/outbox.json").read_bytes()
    scalars, lists = scalar_members(JSONStream(chunked(blob, 5000), "outbox.json", read_size=5000))
    assert scalars["type"] == "OrderedCollection"
    # Mastodon writes the key twice (the first list empty); the last one counts.
    assert [n for n in lists if n[0] == "orderedItems"] == [("orderedItems", i) for i in (1, 2)]
    text = blob.decode()
    last = [s for k, s in object_members(text) if k == "orderedItems"][-1]
    expected = [raw_bytes(text, s) for s in array_elements(text, last.start)]
    stream = JSONStream(chunked(blob, 5000), "outbox.json", read_size=5000)
    assert [p.raw for p in array_at(stream, "orderedItems", 2)] == expected
    stream.end()


def test_two_hundred_thousand_levels_are_refused_at_the_byte_where_64_is_passed() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    doc = b"[" + deep + b"]"
    with pytest.raises(JSONLimitError, match=r"t\.json nests deeper than 64 levels at byte 64;"):
        elements(doc, 1 << 20, read_size=1 << 20)


@pytest.mark.parametrize("levels", [64, 65])
def test_the_depth_limit_is_exact(levels: int) -> None:
    # The outer array is level 1; the entry adds the rest, with brackets in strings not counted.
    inner = '{"x": ' * (levels - 2) + '"[[[{{{"' + "}" * (levels - 2)
    doc = f"[ 1, [{inner}] ]".encode()
    if levels == 64:
        assert elements(doc, 10, read_size=10)[1][0] is not None
        return
    offset = doc.index(b"{") + (levels - 3) * len('{"x": ')
    with pytest.raises(JSONLimitError, match=rf"nests deeper than 64 levels at byte {offset};"):
        elements(doc, 10, read_size=10)


def test_deep_object_keys_and_members_are_counted_from_the_root() -> None:
    doc = ('{"a": {"b": ' + "[" * 63 + "]" * 63 + "}}").encode()
    stream = JSONStream(chunked(doc, 100), "o.json")
    with pytest.raises(JSONLimitError, match="nests deeper than 64 levels"):
        for _ in stream.members():
            for _ in stream.members():
                stream.value()


def test_an_endless_string_is_refused_after_reading_no_more_than_the_limit() -> None:
    reads = 0

    def two_gigabytes() -> Iterator[bytes]:
        nonlocal reads
        yield b'[{"full_text": "'
        for _ in range(2048):  # 2 GiB if it were all read
            reads += 1
            yield b"a" * (1 << 20)

    stream = JSONStream(two_gigabytes(), "tweets.js", max_item_bytes=4 << 20)
    with pytest.raises(JSONLimitError, match=r"has an entry larger than 4194304 bytes at byte 1;"):
        list(stream.array())
    assert reads <= 10  # the limit and one read's worth, never the whole thing


def test_truncation_beyond_the_first_read_says_truncated() -> None:
    doc = json.dumps([{"n": i, "text": "word " * 50} for i in range(2000)]).encode()
    cut = doc[: len(doc) * 3 // 4]
    with pytest.raises(JSONSpanError, match=r"the JSON ends too early \(truncated\)"):
        elements(cut, 4096, read_size=4096)


def test_malformed_json_far_into_the_file_names_its_line_and_column() -> None:
    lines = [json.dumps({"n": i, "text": "é" * 40}) for i in range(3000)]
    lines[2500] = lines[2500].replace(":", "=", 1)
    doc = ("[\n" + ",\n".join(lines) + "\n]").encode()
    with pytest.raises(JSONSpanError, match=r"malformed JSON at line 2502, column 5"):
        elements(doc, 4096, read_size=4096)


def test_broken_utf8_far_into_the_file_names_its_byte() -> None:
    doc = json.dumps(["x" * 10_000, "ok"]).encode()
    bad = doc[:9_000] + b"\xff" + doc[9_001:]
    with pytest.raises(JSONSpanError, match=r"broken text encoding in t\.json: byte 9000 "):
        elements(bad, 1000, read_size=1000)


def test_data_after_the_document_is_refused() -> None:
    with pytest.raises(JSONSpanError, match="unexpected data after the JSON"):
        elements(b"[1, 2] [3]", 4, read_size=4)


def test_nan_and_infinity_are_not_json() -> None:
    # json.loads takes them; the archive's canonical JSON could not store them.
    with pytest.raises(JSONSpanError, match="NaN is not JSON"):
        elements(b'[{"lang": NaN}]', 100, read_size=100)
    with pytest.raises(JSONSpanError, match="-Infinity is not JSON"):
        elements(b"[1, -Infinity]", 100, read_size=100)


def test_a_number_of_ten_thousand_digits_is_a_clear_error() -> None:
    with pytest.raises(JSONSpanError, match=r"malformed JSON at line 1, column 5: .*digits"):
        elements(b"[1, " + b"7" * 10_000 + b"]", 100_000, read_size=100_000)
