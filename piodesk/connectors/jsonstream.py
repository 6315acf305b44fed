"""Read a large JSON document piece by piece, keeping each piece's exact bytes, in bounded memory.

An export's data file can be hundreds of megabytes (X's ``tweets.js`` of a busy account), and
the archive keeps every item's raw payload exactly as shipped (GO 409 §.40), so a streaming
parser that rebuilds values is not enough: we need each array element's source bytes. This
reader holds a sliding window of decoded text; the structure around the items (the outer
array, the wrapping object) is walked here, and each item is decoded by the C
``json`` decoder with ``raw_decode``, which also tells where it ends, so the window slice is
the item's exact text. Parsing agrees with ``json.loads`` (duplicate keys: the last wins).

Hostile shapes are refused with a message that says where, before any item is taken from a
bad file (the importers read every file through once before anything is written):

* nesting deeper than ``max_depth`` (counted from the document's root): ``JSONLimitError``
  naming the byte offset, never a ``RecursionError``;
* one item (or one key or scalar) larger than ``max_item_bytes``: ``JSONLimitError``; the
  window never holds more than that plus one read;
* truncation, malformed JSON and invalid UTF-8: ``JSONSpanError`` with line and column (or
  the byte offset for the encoding); ``NaN`` and ``Infinity``, which ``json.loads`` takes but
  JSON does not, likewise.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from piodesk.connectors.jsonspans import JSONSpanError


def _not_json(name: str) -> Any:
    # json.loads takes NaN and Infinity; JSON does not, and the archive could not store them.
    raise JSONSpanError(f"{name} is not JSON (JavaScript's NaN and Infinity are not numbers)")


_DECODER = json.JSONDecoder(parse_constant=_not_json)
_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_PAIR = re.compile(r"\[\]|\{\}")
_STRUCT = re.compile(r'["\[\]{}]')

MAX_DEPTH = 64
MAX_ITEM_BYTES = 16 * 1024 * 1024
READ_SIZE = 1 << 20


class JSONLimitError(JSONSpanError):
    """The document exceeds a limit no platform export comes near (too deep, an item too big)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One decoded value and its exact UTF-8 source bytes."""

    value: Any
    raw: bytes


def _depth(text: str) -> int:
    """How deeply the (valid) JSON text nests: ``[]`` is 1, ``[{}]`` is 2, a scalar 0."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = 0
    while brackets:
        brackets = _PAIR.sub("", brackets)
        depth += 1
    return depth


def _deep_offset(text: str, allowed: int) -> int:
    """The index in ``text`` where nesting first exceeds ``allowed`` levels (or -1)."""
    depth, idx = 0, 0
    while m := _STRUCT.search(text, idx):
        ch = m.group()
        if ch == '"':
            s = _STRING.match(text, m.start())
            if s is None:
                return -1
            idx = s.end()
            continue
        depth += 1 if ch in "[{" else -1
        if depth > allowed:
            return m.start()
        idx = m.end()
    return -1


class JSONStream:
    """A JSON document read from chunks of UTF-8 bytes, walked by its structure."""

    def __init__(
        self,
        chunks: Iterable[bytes],
        name: str,
        *,
        max_depth: int = MAX_DEPTH,
        max_item_bytes: int = MAX_ITEM_BYTES,
        read_size: int = READ_SIZE,
    ) -> None:
        self.name = name
        self.read_size = read_size
        self.max_depth = max_depth
        self.max_item_bytes = max_item_bytes
        self._chunks = iter(chunks)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._first = True
        self._read_bytes = 0  # bytes given to the decoder so far (for offsets in messages)
        # Where the window starts in the whole document, for messages.
        self._base_line = 1
        self._base_col = 1
        self.depth = 0  # open containers around the current position

    # --- the window ---------------------------------------------------------------------------

    def _fill(self, at_least: int = 0) -> bool:
        """Append more text to the window; False at the end of the document."""
        if self._eof:
            return False
        self._compact()
        at_least = max(at_least, self.read_size)
        got = 0
        while got < at_least:
            chunk = next(self._chunks, None)
            pending = len(self._utf8.getstate()[0])  # bytes of a character cut by the last read
            try:
                if chunk is None:
                    text = self._utf8.decode(b"", final=True)
                    self._eof = True
                else:
                    if self._first and chunk:
                        # A leading byte-order mark is no part of the JSON.
                        chunk = chunk.removeprefix(b"\xef\xbb\xbf")
                        self._first = False
                    text = self._utf8.decode(chunk)
            except UnicodeDecodeError as exc:
                raise JSONSpanError(
                    f"broken text encoding in {self.name}: byte "
                    f"{self._read_bytes - pending + exc.start} is not valid UTF-8"
                ) from None
            self._buf += text
            got += len(text)
            if chunk is not None:
                self._read_bytes += len(chunk)
            if self._eof:
                break
        return got > 0 or not self._eof

    def _compact(self) -> None:
        """Drop the text before the current position (kept only for messages' offsets)."""
        if self._pos == 0:
            return
        gone = self._buf[: self._pos]
        newlines = gone.count("\n")
        if newlines:
            self._base_line += newlines
            self._base_col = len(gone) - gone.rfind("\n")
        else:
            self._base_col += len(gone)
        self._buf = self._buf[self._pos :]
        self._pos = 0

    def _where(self, idx: int) -> str:
        before = self._buf[:idx]
        newlines = before.count("\n")
        line = self._base_line + newlines
        col = (idx - before.rfind("\n")) if newlines else self._base_col + idx
        return f"line {line}, column {col}"

    def _byte(self, idx: int) -> int:
        # Counted back from the bytes decoded so far, so sliding the window costs no encoding.
        undecoded = len(self._utf8.getstate()[0])
        return self._read_bytes - undecoded - len(self._buf[idx:].encode("utf-8"))

    def _too_deep(self, idx: int) -> JSONLimitError:
        return JSONLimitError(
            f"{self.name} nests deeper than {self.max_depth} levels at byte {self._byte(idx)}; "
            "it is not a platform export"
        )

    def _skip_ws(self) -> None:
        while True:
            self._pos = _WS.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._buf) or not self._fill():
                return

    def peek(self) -> str:
        """The next non-whitespace character, or "" at the end of the document."""
        self._skip_ws()
        return self._buf[self._pos] if self._pos < len(self._buf) else ""

    def head(self, size: int) -> str:
        """Up to ``size`` characters from the current position, not consumed."""
        while len(self._buf) - self._pos < size and self._fill(size):
            pass
        return self._buf[self._pos : self._pos + size]

    def advance(self, count: int) -> None:
        """Consume ``count`` characters the caller has looked at with ``head``."""
        self._pos += count

    def _expect(self, chars: str, what: str) -> str:
        ch = self.peek()
        if ch == "":
            raise JSONSpanError(f"the JSON ends too early (truncated): expected {what}")
        if ch not in chars:
            raise JSONSpanError(f"malformed JSON at {self._where(self._pos)}: expected {what}")
        self._pos += 1
        return ch

    def _open(self, bracket: str, what: str) -> None:
        self._expect(bracket, what)
        self.depth += 1
        if self.depth > self.max_depth:
            raise self._too_deep(self._pos - 1)

    # --- values -------------------------------------------------------------------------------

    def value(self) -> Piece:
        """The next whole value (an item, a key, a small member) with its exact bytes."""
        if self.peek() == "":
            raise JSONSpanError("the JSON ends too early (truncated): expected a value")
        start = self._pos
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, start)
            except json.JSONDecodeError as exc:
                # Cut off by the window's edge (not by the document's): read on and retry.
                near_edge = exc.pos + 64 >= len(self._buf) or exc.msg.startswith("Unterminated")
                if near_edge and not self._eof:
                    self._grow(start)
                    start = self._pos
                    continue
                if near_edge or exc.pos >= len(self._buf.rstrip()):
                    raise JSONSpanError(
                        f"the JSON ends too early (truncated) at {self._where(exc.pos)}"
                    ) from None
                raise JSONSpanError(
                    f"malformed JSON at {self._where(exc.pos)}: {exc.msg}"
                ) from None
            except JSONSpanError:
                raise
            except ValueError as exc:  # e.g. an integer of more digits than Python converts
                raise JSONSpanError(f"malformed JSON at {self._where(start)}: {exc}") from None
            except RecursionError:
                # Far deeper than any limit; find where our limit was crossed, for the message.
                at = _deep_offset(self._buf[start:], self.max_depth - self.depth)
                raise self._too_deep(start + max(at, 0)) from None
            if end == len(self._buf) and not self._eof:
                self._grow(start)  # a number may go on in the next read
                start = self._pos
                continue
            break
        text = self._buf[start:end]
        raw = text.encode("utf-8")
        if len(raw) > self.max_item_bytes:
            self._refuse_size(start)
        allowed = self.max_depth - self.depth
        # Fewer opening brackets than levels allowed (a tweet has 15 to 60) cannot nest too
        # deep: two C-speed counts spare the exact check for nearly every item.
        opening = text.count("[") + text.count("{") if text[0] in "[{" else 0
        if opening > allowed and _depth(text) > allowed:
            raise self._too_deep(start + _deep_offset(text, allowed))
        self._pos = end
        return Piece(value, raw)

    def _grow(self, start: int) -> None:
        self._pos = start
        pending = len(self._buf) - start  # characters: never more than the bytes they were
        if pending > self.max_item_bytes:
            self._refuse_size(start)
        # Read at least as much as is pending, so a big value is re-parsed O(log n) times.
        self._fill(pending)

    def _refuse_size(self, start: int) -> None:
        raise JSONLimitError(
            f"{self.name} has an entry larger than {self.max_item_bytes} bytes at byte "
            f"{self._byte(start)}; it is not a platform export"
        )

    def skip(self) -> None:
        """Consume the next value, however large, without keeping it."""
        ch = self.peek()
        if ch == "[":
            for _ in self.array():
                pass
        elif ch == "{":
            for _ in self.members():
                self.skip()
        else:
            self.value()

    # --- containers ---------------------------------------------------------------------------

    def array(self) -> Iterator[Piece]:
        """Each element of the array that comes next, read one at a time."""
        self._open("[", "a JSON array")
        if self.peek() == "]":
            self._pos += 1
            self.depth -= 1
            return
        while True:
            yield self.value()
            if self._expect(",]", "',' or ']'") == "]":
                self.depth -= 1
                return

    def members(self) -> Iterator[str]:
        """Each key of the object that comes next; the caller consumes each member's value."""
        self._open("{", "a JSON object")
        if self.peek() == "}":
            self._pos += 1
            self.depth -= 1
            return
        while True:
            if self.peek() != '"':
                if self.peek() == "":
                    raise JSONSpanError("the JSON ends too early (truncated): object not closed")
                raise JSONSpanError(
                    f"malformed JSON at {self._where(self._pos)}: object key expected"
                )
            key = self.value().value
            self._expect(":", "':'")
            yield key
            if self._expect(",}", "',' or '}'") == "}":
                self.depth -= 1
                return

    def end(self, *, allow: str = "") -> None:
        """Refuse anything after the document but whitespace (and ``allow``, e.g. JS's ";")."""
        ch = self.peek()
        if ch and ch in allow:
            self._pos += 1
            ch = self.peek()
        if ch:
            raise JSONSpanError(f"unexpected data after the JSON at {self._where(self._pos)}")


def scalar_members(stream: JSONStream) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """Walk an object: its scalar members (the last of a key wins) and where its lists are.

    The lists are skipped, not kept; each is named by (key, occurrence of that key), so a
    second walk can stream the one wanted (see :func:`array_at`).
    """
    scalars: dict[str, Any] = {}
    lists: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    for key in stream.members():
        seen[key] = seen.get(key, 0) + 1
        ch = stream.peek()
        if ch == "[":
            lists.append((key, seen[key]))
            scalars.pop(key, None)
            stream.skip()
        elif ch == "{":
            stream.skip()
            scalars.pop(key, None)
        else:
            scalars[key] = stream.value().value
    return scalars, lists


def array_at(stream: JSONStream, key: str, occurrence: int) -> Iterator[Piece]:
    """The elements of the ``occurrence``-th list named ``key`` in the object that comes next."""
    seen = 0
    for k in stream.members():
        if k == key and stream.peek() == "[":
            seen += 1
            if seen == occurrence:
                yield from stream.array()
                continue
        stream.skip()
