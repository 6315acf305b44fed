"""JSON encoders built once, for the texts that are hashed or stored a row at a time.

``json.dumps`` and ``JSONEncoder.encode`` build a new C encoder at every call (and a closure or
two around it); at an import's hundreds of thousands of items, a handful of encodings each,
that set-up cost more than the encoding. :func:`encoder` builds the C encoder once, with the
options given, and returns a function that gives exactly the text ``JSONEncoder(**options)
.encode`` gives. Pure: no storage, no web.

The one difference: there is no circular-reference check (``check_circular=False``): a value
that contains itself raises ``RecursionError`` instead of ``ValueError``. Every value encoded
here is made of JSON a platform sent, or of our own dicts and lists of it, so none does. (A
shared table of the containers being encoded, which the check needs, could also be seen half
full by another thread.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _std
from typing import Any

#: The standard "is not JSON serializable" refusal, for values without a ``default``.
_REFUSE = json.JSONEncoder().default


def encoder(
    *,
    sort_keys: bool = False,
    separators: tuple[str, str] = (", ", ": "),
    ensure_ascii: bool = True,
    allow_nan: bool = True,
    default: Callable[[Any], Any] | None = None,
) -> Callable[[Any], str]:
    """A function giving the text ``json.JSONEncoder(**these options).encode`` gives."""
    item_separator, key_separator = separators
    make = getattr(_std, "c_make_encoder", None)
    if make is None:  # no C accelerator in this interpreter: the standard encoder, same text
        return json.JSONEncoder(
            sort_keys=sort_keys,
            separators=separators,
            ensure_ascii=ensure_ascii,
            allow_nan=allow_nan,
            default=default,
            check_circular=False,
        ).encode
    quote = _std.encode_basestring_ascii if ensure_ascii else _std.encode_basestring
    encode_chunks = make(
        None,  # no markers: no circular check (see the module docstring)
        default or _REFUSE,
        quote,
        None,  # no indent
        key_separator,
        item_separator,
        sort_keys,
        False,  # skipkeys
        allow_nan,
    )

    return _Encoder(encode_chunks)


class _Encoder:
    """The C encoder's chunks joined into the text. A callable object, not a closure: psycopg
    caches the adapter it makes for a JSON ``dumps`` by the function, and cannot for a closure
    (it would make a new one at every value)."""

    __slots__ = ("_chunks",)

    def __init__(self, chunks: Callable[[Any, int], list[str]]) -> None:
        self._chunks = chunks

    def __call__(self, value: Any) -> str:
        return "".join(self._chunks(value, 0))


#: ``json.dumps`` with its defaults (what SQLAlchemy stores in a JSON column on SQLite).
dumps = encoder()
