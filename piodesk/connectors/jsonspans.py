"""Parse JSON while keeping each element's exact source text.

The archive keeps every item's raw payload exactly as received (GO 409 §.40: the record as
the platform gave it, not our re-serialisation). A list response or an export file holds
many items, so we walk the top-level array with ``json.JSONDecoder.raw_decode`` and slice
each element's text out of the original. Duplicate object keys behave as in ``json.loads``
(the last one wins), which Mastodon's own outbox relies on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_WS = " \t\n\r"


class JSONSpanError(ValueError):
    """The text is not the JSON shape expected; the message says where."""


@dataclass(frozen=True, slots=True)
class Span:
    """A parsed JSON value and its [start, end) character range in the source text."""

    value: Any
    start: int
    end: int


def _skip_ws(text: str, idx: int) -> int:
    while idx < len(text) and text[idx] in _WS:
        idx += 1
    return idx


def _where(text: str, idx: int) -> str:
    line = text.count("\n", 0, idx) + 1
    col = idx - (text.rfind("\n", 0, idx) + 1) + 1
    return f"line {line}, column {col}"


def _decode_at(text: str, idx: int) -> Span:
    try:
        value, end = _DECODER.raw_decode(text, idx)
    except json.JSONDecodeError as exc:
        # An unterminated string runs to the end of the text: that is truncation too.
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise JSONSpanError(
                f"the JSON ends too early (truncated) at {_where(text, exc.pos)}"
            ) from None
        raise JSONSpanError(f"malformed JSON at {_where(text, exc.pos)}: {exc.msg}") from None
    return Span(value, idx, end)


def array_elements(text: str, start: int = 0) -> list[Span]:
    """Each element of the JSON array that begins at ``start`` (after whitespace)."""
    return array_with_end(text, start)[0]


def array_with_end(text: str, start: int = 0) -> tuple[list[Span], int]:
    """The array's elements and the index just after its closing bracket."""
    idx = _skip_ws(text, start)
    if idx >= len(text):
        raise JSONSpanError("the JSON ends too early (truncated): expected an array")
    if text[idx] != "[":
        raise JSONSpanError(f"expected a JSON array at {_where(text, idx)}")
    idx = _skip_ws(text, idx + 1)
    out: list[Span] = []
    if idx < len(text) and text[idx] == "]":
        return out, idx + 1
    while True:
        span = _decode_at(text, idx)
        out.append(span)
        idx = _skip_ws(text, span.end)
        if idx >= len(text):
            raise JSONSpanError("the JSON ends too early (truncated): array not closed")
        if text[idx] == "]":
            return out, idx + 1
        if text[idx] != ",":
            raise JSONSpanError(f"malformed JSON at {_where(text, idx)}: expected ',' or ']'")
        idx = _skip_ws(text, idx + 1)


def object_members(text: str, start: int = 0) -> list[tuple[str, Span]]:
    """Each (key, value span) of the JSON object at ``start``, duplicates kept, in order."""
    return object_with_end(text, start)[0]


def object_with_end(text: str, start: int = 0) -> tuple[list[tuple[str, Span]], int]:
    """The object's members and the index just after its closing brace."""
    idx = _skip_ws(text, start)
    if idx >= len(text):
        raise JSONSpanError("the JSON ends too early (truncated): expected an object")
    if text[idx] != "{":
        raise JSONSpanError(f"expected a JSON object at {_where(text, idx)}")
    idx = _skip_ws(text, idx + 1)
    out: list[tuple[str, Span]] = []
    if idx < len(text) and text[idx] == "}":
        return out, idx + 1
    while True:
        key = _decode_at(text, idx)
        if not isinstance(key.value, str):
            raise JSONSpanError(f"malformed JSON at {_where(text, idx)}: object key expected")
        idx = _skip_ws(text, key.end)
        if idx >= len(text) or text[idx] != ":":
            raise JSONSpanError(f"malformed JSON at {_where(text, idx)}: expected ':'")
        value = _decode_at(text, _skip_ws(text, idx + 1))
        out.append((key.value, value))
        idx = _skip_ws(text, value.end)
        if idx >= len(text):
            raise JSONSpanError("the JSON ends too early (truncated): object not closed")
        if text[idx] == "}":
            return out, idx + 1
        if text[idx] != ",":
            raise JSONSpanError(f"malformed JSON at {_where(text, idx)}: expected ',' or '}}'")
        idx = _skip_ws(text, idx + 1)


def check_end(text: str, end: int) -> None:
    """Refuse anything but whitespace after the value (two documents glued together)."""
    idx = _skip_ws(text, end)
    if idx != len(text):
        raise JSONSpanError(f"unexpected data after the JSON at {_where(text, idx)}")


def raw_bytes(text: str, span: Span) -> bytes:
    """The span's source text as UTF-8: the original bytes of a UTF-8 document."""
    return text[span.start : span.end].encode("utf-8")
