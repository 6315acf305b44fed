"""The X/Twitter "Download your data" archive: ``data/tweets.js`` and friends.

Each ``*.js`` file is a JavaScript assignment, ``window.YTD.tweets.part0 = [ … ]``; the JSON
after the first ``=`` is an array of ``{"tweet": {…}}``. Large accounts get more parts
(``tweets-part1.js`` …), older archives call the file ``tweet.js``. The account id and name
come from ``data/account.js`` (or ``manifest.js``) when present.

Every tweet is a post by the account (replies included: ``parent_platform_id`` is the tweet
replied to). ``text`` is ``full_text`` with HTML entities unescaped (X escapes ``&``, ``<``,
``>`` in archives). ``raw`` is the ``{"tweet": …}`` element verbatim (early archives list
the tweet objects bare; both are read).
"""

from __future__ import annotations

import html
import mimetypes
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from piodesk.connectors.importers.base import (
    ExportFormatError,
    ExportSource,
    Importer,
    _Entry,
    position,
)
from piodesk.connectors.jsonstream import JSONStream
from piodesk.connectors.model import CapturedItem, ItemKind, MediaRef

_TWEET_FILES = ("tweets.js", "tweet.js", "tweets-part*.js", "tweet-part*.js")
_ASSIGN = re.compile(r"\A\s*window\.(YTD\.[A-Za-z_]+\.part\d+|__THAR_CONFIG)\s*=\s*")


def _json_after_assignment(stream: JSONStream, name: str, expect: str) -> None:
    """Consume the JavaScript ``window.YTD.….partN =`` in front of the JSON."""
    head = stream.head(200)
    match = _ASSIGN.match(head)
    if not match or not match.group(1).startswith(expect):
        shown = head[:40].strip().replace("\n", " ")
        raise ExportFormatError(
            f"this is not an X archive: {name} does not start with window.{expect}… ({shown!r})"
        )
    stream.advance(match.end())


def _part_key(name: str) -> tuple[int, str]:
    m = re.search(r"part(\d+)\.js$", name)
    return (int(m.group(1)) if m else 0, name)


class XArchiveImporter(Importer):
    """Tweets from an X/Twitter account archive."""

    platform = "x"
    label = "an X archive"
    _who: tuple[str | None, str | None] | None = None  # the account, read once

    @classmethod
    def sniff(cls, source: ExportSource) -> str | None:
        files = source.find(*_TWEET_FILES)
        if not files:
            return "no data/tweets.js (or tweet.js) in it"
        head = source.head(files[0], 200).decode("utf-8", "replace")
        if not _ASSIGN.match(head) or "YTD.tweet" not in head.split("=", 1)[0]:
            return f"{files[0]} does not start with window.YTD.tweets.part0 = […]"
        return None

    def _account(self) -> tuple[str | None, str | None]:
        for name in self.source.find("account.js"):
            stream = self.source.json(name)
            _json_after_assignment(stream, name, "YTD.account")
            for piece in stream.array():
                if isinstance(piece.value, dict):
                    acct = piece.value.get("account", {})
                    return acct.get("accountId"), acct.get("username")
                break
        for name in self.source.find("manifest.js"):
            stream = self.source.json(name)
            _json_after_assignment(stream, name, "__THAR_CONFIG")
            for key in stream.members():
                if key != "userInfo":
                    stream.skip()
                    continue
                info = stream.value().value
                if isinstance(info, dict):
                    return info.get("accountId"), info.get("userName")
        return None, None

    def _load(self) -> Iterable[_Entry]:
        if self._who is None:
            self._who = self._account()
        account_id, username = self._who
        page_id = self.page_platform_id or account_id
        for name in sorted(self.source.find(*_TWEET_FILES), key=_part_key):
            stream = self.source.json(name)
            _json_after_assignment(stream, name, "YTD.tweet")
            for i, piece in enumerate(stream.array()):
                pos = position(name, i)
                value = piece.value
                # Archives since 2019-ish wrap each tweet as {"tweet": {…}}; the first ones
                # from 2018-19 listed the tweet objects bare.
                if isinstance(value, dict) and isinstance(value.get("tweet"), dict):
                    tweet = value["tweet"]
                elif isinstance(value, dict) and ("id_str" in value or "full_text" in value):
                    tweet = value
                else:
                    raise ExportFormatError(f"this is not an X archive: {pos} is not a tweet entry")
                tweet_id = tweet.get("id_str") or tweet.get("id")
                if not tweet_id:
                    yield _Entry(pos, None, "tweet without an id")
                    continue
                yield _Entry(pos, _tweet_item(tweet, piece.raw, page_id, account_id, username))
            # A trailing ";" is valid JavaScript and harmless; anything else is not an archive.
            stream.end(allow=";")


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_TIME = re.compile(
    r"[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d\d) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d) (\d{4})"
)


def _created(value: str | None) -> datetime | None:
    if not value:
        return None
    # X's one format, "Wed Nov 02 09:20:26 +0000 2022", read directly: strptime takes ten
    # times as long, which counts at two hundred thousand tweets. Anything else: strptime.
    m = _TIME.fullmatch(value)
    if m and m.group(1) in _MONTHS:
        mon, d, hh, mm, ss, sign, oh, om, y = m.groups()
        offset = timedelta(hours=int(oh), minutes=int(om))
        try:
            return datetime(
                int(y),
                _MONTHS[mon],
                int(d),
                int(hh),
                int(mm),
                int(ss),
                tzinfo=timezone(-offset if sign == "-" else offset),
            )
        except ValueError:
            pass
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        raise ExportFormatError(f"X archive: unreadable tweet time {value!r}") from None


def _media(tweet: dict[str, Any]) -> list[MediaRef]:
    out: list[MediaRef] = []
    tweet_id = str(tweet.get("id_str") or tweet.get("id"))
    for m in (tweet.get("extended_entities") or {}).get("media", []):
        url = m.get("media_url_https") or m.get("media_url")
        mime = None
        variants = (m.get("video_info") or {}).get("variants") or []
        if m.get("type") in ("video", "animated_gif") and variants:
            best = max(variants, key=lambda v: int(v.get("bitrate", 0) or 0))
            url, mime = best.get("url", url), best.get("content_type")
        if not url:
            continue
        filename = url.split("?", 1)[0].rsplit("/", 1)[-1]
        mime = mime or mimetypes.guess_type(filename)[0]
        # The archive keeps the file as data/tweets_media/<tweet id>-<file name>.
        out.append(
            MediaRef(
                url=url,
                path=f"data/tweets_media/{tweet_id}-{filename}",
                mime_type=mime,
                filename=filename,
            )
        )
    return out


def _tweet_item(
    tweet: dict[str, Any],
    raw: bytes,
    page_id: str | None,
    account_id: str | None,
    username: str | None,
) -> CapturedItem:
    entities = tweet.get("entities") or {}
    full_text = tweet.get("full_text") or tweet.get("text") or ""
    text = html.unescape(full_text)
    edit_ids = ((tweet.get("edit_info") or {}).get("initial") or {}).get("editTweetIds") or []
    fields: dict[str, Any] = {
        "lang": tweet.get("lang"),
        "source": tweet.get("source"),
        "retweet": text.startswith("RT @"),
        "possibly_sensitive": bool(tweet.get("possibly_sensitive", False)),
        "in_reply_to_screen_name": tweet.get("in_reply_to_screen_name"),
        "in_reply_to_user_id": tweet.get("in_reply_to_user_id_str"),
        "urls": [u.get("expanded_url") for u in entities.get("urls", [])],
        "hashtags": [h.get("text") for h in entities.get("hashtags", [])],
        "mentions": [u.get("screen_name") for u in entities.get("user_mentions", [])],
        "edit_tweet_ids": list(edit_ids),
    }
    return CapturedItem(
        kind=ItemKind.POST,
        platform="x",
        platform_id=str(tweet.get("id_str") or tweet.get("id")),
        page_platform_id=page_id,
        parent_platform_id=tweet.get("in_reply_to_status_id_str"),
        author_platform_id=account_id,
        author_name=username,
        created_at=_created(tweet.get("created_at")),
        text=text,
        fields=fields,
        media=_media(tweet),
        raw=raw,
    )
