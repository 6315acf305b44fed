"""One validator for the free text people type: names, reasons, notes, profile fields.

Every service that keeps a person's text (and so may put it in the audit log) passes it through
:func:`clean_text`, so a reason with an escape sequence or a hidden control character is refused
the same way everywhere, with a message naming the field. Pure: no web, no storage.
"""

from __future__ import annotations

import unicodedata

from piodesk.core.errors import InvalidInput

#: Kept: line breaks and tabs are how people lay out a note. Everything else below U+0020, DEL
#: and the C1 range (U+0080-U+009F) can move a terminal's cursor or hide text from a reader.
_ALLOWED_CONTROLS = frozenset("\n\t")


def _is_control(ch: str) -> bool:
    if ch in _ALLOWED_CONTROLS:
        return False
    code = ord(ch)
    # Cc is C0, DEL and C1; the bidirectional overrides (Cf) can make a reason read backwards.
    return unicodedata.category(ch) == "Cc" or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069


def clean_text(
    label: str,
    value: str | None,
    *,
    max_len: int,
    required: bool = False,
    min_len: int = 0,
    multiline: bool = True,
) -> str:
    """The text normalised (NFC, CRLF -> LF), trimmed and checked; InvalidInput names ``label``.

    ``min_len`` applies only when the text is required or not empty; ``multiline=False`` also
    refuses line breaks and tabs (a name or a handle is one line).
    """
    text = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = text.strip()
    if required and not text:
        raise InvalidInput(f"{label} is required")
    if text and len(text) < min_len:
        raise InvalidInput(f"{label} is too short (at least {min_len} characters)")
    if len(text) > max_len:
        raise InvalidInput(
            f"{label} is too long ({len(text):,} characters; the limit is {max_len:,})"
        )
    bad = next((c for c in text if _is_control(c) or (not multiline and c in "\n\t")), None)
    if bad is not None:
        what = "a line break or tab" if bad in "\n\t" else f"a control character (U+{ord(bad):04X})"
        raise InvalidInput(f"{label} contains {what}; remove it and try again")
    return text


def clean_line(label: str, value: str | None, *, max_len: int, required: bool = False) -> str:
    """One line of text (a name, a unit, a handle): :func:`clean_text` without line breaks."""
    return clean_text(label, value, max_len=max_len, required=required, multiline=False)
