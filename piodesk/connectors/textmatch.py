"""Is this post on the page the one piodesk sent? The reconciler's text match, made robust.

A publish whose answer never came is looked for among the page's recent posts (the
reconciler reads; it never sends again). The platform seldom shows the text exactly as sent:

- whitespace: line breaks turned into paragraphs, runs of spaces collapsed, no-break spaces;
- links: shortened (Facebook's ``l.facebook.com``, ``t.co``) or shown cut (Mastodon shows
  ``example.org/road-clos…`` with the rest hidden);
- entities: ``&amp;``, ``&#39;`` (Graph and Mastodon's HTML), sometimes escaped twice;
- typography: curly quotes, dashes, compatibility characters (NFKC);
- the ends: a trailing full stop or ellipsis added or stripped, a long post cut with ``…``,
  a reply's leading ``@handle`` mentions.

So both texts are normalized (:func:`normalize`) and compared; a candidate must also be on
the same page (the connector reads only that page, or the thread under ``parent_id``), made in
the time window of the send, and not already claimed by another delivery. Exactly one match
is the post; none is "not found" (the listing may lag: a person checks); two or more is
:class:`AmbiguousMatch` — never guessed, left for a person with the candidates named.

Pure text work: no web, no storage.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import datetime

#: A link as written or as a platform shows it: scheme or www, or a bare domain with a path.
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*",
    re.IGNORECASE,
)
LINK = "\ue000"  # a private-use character: what every link becomes
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_PUNCT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2032": "'",
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
#: What may be added or stripped at the end without changing the post.
_ENDS = " .…!?,;:"
_LEADING_MENTIONS = re.compile(r"^(?:@[\w.-]+(?:@[\w.-]+)?\s+)+")
#: A cut text is taken as a match only when this much of it survives (characters).
MIN_PREFIX = 40


@dataclass(frozen=True, slots=True)
class Candidate:
    """A post (or reply) the platform shows: its id, text and when it was made."""

    id: str
    text: str
    created_at: datetime | None


class AmbiguousMatch(Exception):
    """More than one post on the page could be the one sent: a person decides."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = tuple(ids)
        super().__init__(
            f"{len(self.ids)} posts on the page match the text sent ({', '.join(self.ids)}); "
            "piodesk does not guess: check the page and record which one is ours"
        )


def _clean(text: str) -> str:
    t = text
    for _ in range(3):  # entities escaped more than once
        unescaped = html.unescape(t)
        if unescaped == t:
            break
        t = unescaped
    t = unicodedata.normalize("NFKC", t).translate(_PUNCT)
    t = _ZERO_WIDTH.sub("", t)
    t = _URL.sub(f" {LINK} ", t)
    return " ".join(t.split()).casefold()


def normalize(text: str) -> str:
    """The text as compared: entities unescaped, NFKC, straight quotes, links as one token,
    whitespace collapsed, case folded, and what platforms add or strip at the ends gone."""
    return _clean(text).strip(_ENDS)


def _cut(shown: str) -> str | None:
    """The surviving part of a text the platform cut with an ellipsis, else None."""
    raw = _clean(shown).rstrip(" ")
    for mark in ("…", "..."):
        if raw.endswith(mark):
            kept = raw[: -len(mark)].rstrip(_ENDS)
            return kept if len(kept) >= MIN_PREFIX else None
    return None


def compare(sent: str, shown: str) -> str | None:
    """How ``shown`` is ``sent`` as the platform renders it: "same", "cut" (the platform
    shortened it with an ellipsis), or None when it is another text."""
    want = normalize(sent)
    if not want:
        return None
    if not want.startswith("@"):
        shown = _LEADING_MENTIONS.sub("", " ".join(html.unescape(shown).split()))
    if normalize(shown) == want:
        return "same"
    kept = _cut(shown)
    return "cut" if kept is not None and want.startswith(kept) and kept != want else None


def same_text(sent: str, shown: str) -> bool:
    """Whether ``shown`` is ``sent`` as the platform renders it (a cut text included)."""
    return compare(sent, shown) is not None


def pick(
    sent: str,
    candidates: Iterable[Candidate],
    *,
    since: datetime,
    until: datetime | None = None,
    exclude: Set[str] = frozenset(),
) -> str | None:
    """The one candidate that is ``sent``; None when there is none; AmbiguousMatch for two.

    A candidate counts when it was made in [``since``, ``until``] (one without a time counts:
    the page and the text still have to agree) and is not in ``exclude`` (posts already
    recorded for other deliveries)."""
    same: list[str] = []
    cut: list[str] = []
    for c in candidates:
        if c.id in exclude or c.id in same or c.id in cut:
            continue
        if c.created_at is not None and (
            c.created_at < since or (until is not None and c.created_at > until)
        ):
            continue
        how = compare(sent, c.text)
        if how == "same":
            same.append(c.id)
        elif how == "cut":
            cut.append(c.id)
    # A whole-text match is preferred to a cut one; two of the best kind are for a person.
    found = same or cut
    if len(found) > 1:
        raise AmbiguousMatch(found)
    return found[0] if found else None
