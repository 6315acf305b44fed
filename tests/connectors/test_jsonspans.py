"""The span parser gives back each element's exact source text, whatever the layout."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piodesk.connectors.jsonspans import (
    JSONSpanError,
    array_elements,
    array_with_end,
    check_end,
    object_members,
    raw_bytes,
)

_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(
    st.lists(_values, max_size=6),
    st.sampled_from([None, 0, 2]),
    st.booleans(),
    st.sampled_from(["", " ", "\n  ", "\t"]),
)
def test_elements_round_trip(
    values: list[object], indent: int | None, ascii_only: bool, pad: str
) -> None:
    text = pad + json.dumps(values, indent=indent, ensure_ascii=ascii_only) + pad
    spans, end = array_with_end(text)
    check_end(text, end)
    assert [s.value for s in spans] == values
    for span, value in zip(spans, values, strict=True):
        assert json.loads(raw_bytes(text, span)) == value
        assert raw_bytes(text, span) in text.encode("utf-8")


def test_duplicate_keys_are_all_kept_in_order() -> None:
    members = object_members('{"orderedItems":[],"x":1,"orderedItems":[{"a":"]"}]}')
    assert [k for k, _ in members] == ["orderedItems", "x", "orderedItems"]
    assert members[-1][1].value == [{"a": "]"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"a": 1}, {"b": ', "truncated"),
        ('[{"a": "unterminated', "truncated"),
        ("[1, 2", "truncated"),
        ("[1 2]", "expected ',' or ']'"),
        ('[{"a" 1}]', "malformed JSON at line 1, column 7: Expecting ':' delimiter"),
        ("", "truncated"),
        ('{"a": 1}', "expected a JSON array"),
    ],
)
def test_errors_say_what_and_where(text: str, message: str) -> None:
    with pytest.raises(JSONSpanError, match=message):
        array_elements(text)


def test_trailing_garbage_is_refused() -> None:
    spans, end = array_with_end("[1] [2]")
    with pytest.raises(JSONSpanError, match="unexpected data after the JSON at line 1, column 5"):
        check_end("[1] [2]", end)
    assert [s.value for s in spans] == [1]


def test_object_errors() -> None:
    with pytest.raises(JSONSpanError, match="expected ':'"):
        object_members('{"a" 1}')
    with pytest.raises(JSONSpanError, match="object key expected"):
        object_members("{1: 2}")
