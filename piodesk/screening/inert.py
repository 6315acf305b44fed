"""Characters every ASCII pattern reads alike, shared by the engine's gate and the small gates.

A non-ASCII character is "inert" to every ASCII pattern when it is not a letter, digit or space
to Python (so not \\w, \\d or \\s) and has no case: emoji, curly quotes, dashes, the byte-order
mark YouTube ends comments with. In a text whose only non-ASCII characters are inert, each can
be scanned as NUL, which `.`, `\\W`, `\\S`, `\\D` and negated classes match as they match the
character. A pattern that names NUL or a code point by an escape cannot tell the NUL from the
character, so the gates report it as possible in such a text (`inert_safe` is False for it);
`detectors/multimatch.py` also handles patterns that name non-ASCII characters themselves.
"""

from __future__ import annotations

import re

_cache: dict[str, bool] = {}

#: An escape that names NUL or a code point (`\x80`, `\x00`, `\x{...}`, `\0`, `\p{..}`, `\N{..}`).
NOT_INERT_SAFE = re.compile(r"\\x(?:[89a-fA-F]|0[0]|\{)|\\0|\\[pPN]")


def is_inert(c: str) -> bool:
    """True when no ASCII pattern can tell `c` from NUL (see the module's docstring)."""
    got = _cache.get(c)
    if got is None:
        got = _cache[c] = not (c.isalnum() or c.isspace() or c == "_" or c.lower() != c.upper())
    return got


def inert_safe(expression: str) -> bool:
    """True when `expression` is ASCII and names no NUL or code point by an escape."""
    return expression.isascii() and NOT_INERT_SAFE.search(expression) is None
