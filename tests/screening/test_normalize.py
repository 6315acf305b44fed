"""Normalization against evasion keeps a map back to the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piodesk.screening.normalize import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FUCK", "fuck"),
        ("ｆｕｃｋ", "fuck"),  # fullwidth
        ("𝐟𝐮𝐜𝐤", "fuck"),  # mathematical bold
        ("fυсk", "fuck"),  # Greek upsilon, Cyrillic es
        ("f\u200bu\u200cc\u200dk", "fuck"),  # zero-width characters
        ("fu\u0301\u0308ck", "fuck"),  # combining marks
        ("fúck", "fuck"),
        ("sh1t", "shit"),
        ("$h1t", "shit"),
        ("@ss", "ass"),
        ("b1tch", "bitch"),
        ("f u c k", "fuck"),
        ("f.u.c.k", "fuck"),
        ("f-u-c-k you", "fuck you"),
        ("fuuuuuck", "fuuck"),
        ("f*ck", "f*ck"),
        ("sh!t", "sh*t"),
        ("f#ck", "f*ck"),
        ("I’ll", "i'll"),
    ],
)
def test_evasions_fold(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "call 555-0100 today",  # digits outside words stay digits
        "the year 2024",
        "wow!!! really",
        "$100 fine",
    ],
)
def test_numbers_and_punctuation_outside_words_are_kept(text: str) -> None:
    out = normalize(text).text
    for token in ("555-0100", "2024", "100"):
        if token in text:
            assert token in out


def test_spans_map_back_to_what_was_written() -> None:
    original = "you are a f u c k i n g joke"
    n = normalize(original)
    i = n.text.index("fucking")
    s, e = n.to_original(i, i + len("fucking"))
    assert original[s:e] == "f u c k i n g"


def test_map_through_zero_width_and_wide_letters() -> None:
    original = "hey ｓ\u200bｈｉｔ head"
    n = normalize(original)
    i = n.text.index("shit")
    s, e = n.to_original(i, i + 4)
    assert original[s:e] == "ｓ\u200bｈｉｔ"


def test_expanding_characters_map_to_their_source() -> None:
    original = "Straße"  # ß folds to "ss"
    n = normalize(original)
    assert n.text == "strasse"
    i = n.text.index("ss")
    assert n.to_original(i, i + 2) == (4, 5)


def _check_map(text: str) -> None:
    n = normalize(text)
    assert isinstance(n.text, str)
    if n.starts is None:
        assert len(n.text) == len(text)
        return
    assert n.ends is not None
    assert len(n.starts) == len(n.ends) == len(n.text)
    prev = 0
    for s, e in zip(n.starts, n.ends, strict=True):
        assert 0 <= s < e <= len(text)
        assert s >= prev  # monotonic
        prev = s
    for i in range(len(n.text) + 1):
        a, b = n.to_original(i, len(n.text))
        assert 0 <= a <= b <= len(text)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_never_crashes_and_map_is_monotonic_and_in_bounds(text: str) -> None:
    _check_map(text)


_EVASION_CHARS = ["\u200b", "\u0301", "ｆ", "о", "ß", "ﬁ", "𝐟", "’"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from([*"abcdefghijklmnopqrstuvwxyz ABC.-_*!@$0134578", *_EVASION_CHARS])
    )
)
def test_map_on_evasion_heavy_text(text: str) -> None:
    _check_map(text)


def test_one_megabyte_of_mixed_text() -> None:
    chunk = "Ｈéllo wörld sh1t f u c k fuuuuck \u200b ß 12-34 "
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    n = normalize(text)
    assert n.starts is not None
    assert len(n.starts) == len(n.text)
    assert "shit" in n.text[:200]
    assert n.to_original(0, len(n.text)) == (0, len(text))


def test_the_stages_gate_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spaced and repeated letters' stages, skipped when one Hyperscan scan says they
    find nothing, give what they give when always run."""
    import importlib.util

    from piodesk.screening import devsets
    from piodesk.screening import normalize as norm_module

    gate = norm_module._STAGES_GATE
    assert gate.wait(120) or importlib.util.find_spec("hyperscan") is None
    texts = [e.text for name in devsets.FILES for e in devsets.load(name)][:3000]
    texts += [t.upper() for t in texts[:500]]
    texts += ["f u c k", "f.u.c.k", "fuuuuck", "s h 1 t", "a a a", "4 b c", "b00bs", "a-a-a"]
    texts += ["shhhiiit", "c*o*c*k", "f-u-c-k you", "t\x1fh h h", "wowww\x1c", "sooo  c o o l"]
    gated = [normalize(t) for t in texts]

    class Ungated:
        @staticmethod
        def possible(_text: str) -> None:
            return None

    monkeypatch.setattr(norm_module, "_STAGES_GATE", Ungated())
    assert [normalize(t) for t in texts] == gated
