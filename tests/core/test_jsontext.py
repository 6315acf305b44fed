"""The encoders built once give exactly the text the standard library's encoders give."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest

from piodesk.connectors.model import canonical_json
from piodesk.core import jsontext
from piodesk.core.chain import canonical

VALUES: list[Any] = [
    None,
    True,
    0,
    -7,
    2**70,
    1.5,
    1e-300,
    "plain",
    'é ✓ 𝄞 \x00 \x1f \n " \\ \u2028',
    [],
    {},
    [1, "two", [3.0, {"four": None}]],
    {"b": 1, "a": [True, False], "ç": {"z": "", "y": [[]]}, "\x00key": "nul"},
    {"lang": "en", "urls": ["https://example.org/?q=1&r=2"], "n": 12345678901234567890},
    {3: "int key", "3": "str key"},
]
OPTIONS: list[dict[str, Any]] = [
    {},
    {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False, "default": str},
    {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False, "allow_nan": False},
    {"ensure_ascii": False},
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("value", VALUES)
def test_same_text_as_the_standard_encoder(options: dict[str, Any], value: Any) -> None:
    try:
        expected = json.JSONEncoder(**options).encode(value)
    except TypeError:  # int and str keys cannot be sorted together: refused by both
        with pytest.raises(TypeError):
            jsontext.encoder(**options)(value)
        return
    assert jsontext.encoder(**options)(value) == expected


def test_dumps_is_json_dumps() -> None:
    for value in VALUES:
        assert jsontext.dumps(value) == json.dumps(value)


def test_refusals_are_the_standard_ones() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsontext.dumps({"when": datetime(2026, 1, 1, tzinfo=UTC)})
    with pytest.raises(ValueError, match="not JSON compliant"):
        canonical_json({"x": math.nan})
    # The hash encoder writes what it cannot encode as its text, as before.
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    assert canonical({"at": moment}) == '{"at":"' + str(moment) + '"}'
    assert canonical_json({"b": "ü", "a": 1}) == '{"a":1,"b":"ü"}'.encode()
