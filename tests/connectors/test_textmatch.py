"""The reconciler's text match: what platforms do to a text is not a different text; a
different text, a post out of the send's window, or one already claimed is not a match; two
matches are never guessed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from piodesk.connectors.textmatch import AmbiguousMatch, Candidate, compare, normalize, pick

SENT = (
    "Road closure: Platte Ave & Union Blvd are closed both ways until 6 pm.\n\n"
    "Detour: use Boulder St. Map: https://coloradosprings.gov/police/detours/platte-union"
)
T0 = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "shown",
    [
        SENT,
        SENT.replace("\n\n", " "),  # paragraphs as spaces
        SENT.replace(" ", "  ").replace("Detour:", "\u00a0Detour:"),  # doubled, no-break spaces
        SENT.replace("&", "&amp;"),  # an entity
        SENT.replace("&", "&amp;amp;"),  # escaped twice
        SENT.replace(
            "https://coloradosprings.gov/police/detours/platte-union", "https://t.co/x1Yz"
        ),
        SENT.replace("https://", "").replace("platte-union", "platte-uni…"),  # shown cut
        SENT + ".",  # a trailing full stop added
        SENT.rstrip("n") + "n …",  # an ellipsis added
        "@cspd_north " + SENT,  # a reply's mention
        SENT.replace("Road closure:", "ROAD CLOSURE:"),
        SENT.replace("6 pm.", "6\u200bpm.").replace("6\u200bpm", "6 pm"),  # a zero-width space
        SENT[:120] + "…",  # cut by the platform, well past the minimum
    ],
)
def test_what_platforms_do_to_a_text_is_the_same_text(shown):
    assert compare(SENT, shown) in {"same", "cut"}


@pytest.mark.parametrize(
    "shown",
    [
        SENT.replace("6 pm", "8 pm"),  # another time: another notice
        SENT.replace("Union", "Uintah"),
        SENT[:30] + "…",  # too little left to tell
        "Road closure: Platte Ave & Union Blvd are open again.",
        "",
    ],
)
def test_another_text_is_not_a_match(shown):
    assert compare(SENT, shown) is None


def test_curly_quotes_dashes_and_compatibility_characters():
    assert normalize("“Stay clear” — ﬁre crews on scene") == normalize(
        '"Stay clear" - fire crews on scene'
    )


def test_pick_one_in_the_window_not_claimed():
    posts = [
        Candidate("1", SENT, T0 - timedelta(hours=2)),  # an older post with the same text
        Candidate("2", SENT.replace("\n\n", " "), T0 + timedelta(seconds=3)),
        Candidate("3", "Something else entirely, posted by hand.", T0 + timedelta(seconds=4)),
        Candidate("4", SENT, T0 + timedelta(hours=1)),  # long after the send: a new post
    ]
    until = T0 + timedelta(minutes=15)
    assert pick(SENT, posts, since=T0 - timedelta(seconds=60), until=until) == "2"
    assert pick(SENT, posts[2:], since=T0, until=until) is None
    assert pick(SENT, posts[:2], since=T0, until=until, exclude={"2"}) is None


def test_two_matches_are_never_guessed():
    posts = [
        Candidate("11", SENT, T0 + timedelta(seconds=2)),
        Candidate("12", SENT.replace("&", "&amp;"), T0 + timedelta(seconds=40)),
    ]
    with pytest.raises(AmbiguousMatch) as caught:
        pick(SENT, posts, since=T0, until=T0 + timedelta(minutes=15))
    assert caught.value.ids == ("11", "12") and "does not guess" in str(caught.value)
    # One claimed by another delivery leaves one.
    assert pick(SENT, posts, since=T0, exclude={"11"}) == "12"


def test_a_whole_match_is_preferred_to_a_cut_one():
    posts = [
        Candidate("21", SENT[:100] + "…", T0),
        Candidate("22", SENT, T0),
    ]
    assert pick(SENT, posts, since=T0) == "22"
