"""The sandbox connector on SQLite and PostgreSQL: what the archive and moderation will call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.base import PlatformError, check_capabilities, registered
from piodesk.connectors.model import (
    Capability,
    CapturedItem,
    CommentState,
    Cursor,
    FetchResult,
    ItemKind,
    MediaRef,
)
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.sandbox.tables import SandboxBlock, SandboxComment
from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.pages.model import Agency
from tests.conftest import People
from tests.connectors.sandbox.conftest import HANDLE, visitor_comment


@pytest.fixture
def frozen_clock() -> Iterator[datetime]:
    """A clock that moves one second per reading, so every time stored is known."""
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    ticks = iter(range(10_000))
    clock.set_clock(lambda: start + timedelta(seconds=next(ticks)))
    yield start
    clock.set_clock(None)


def drain(fetch: object, since: Cursor | None = None) -> tuple[list[list[str]], Cursor | None]:
    """Call ``fetch(since)`` while ``has_more``; the ids of each page and the final cursor."""
    pages: list[list[str]] = []
    while True:
        result: FetchResult = fetch(since)  # type: ignore[operator]
        pages.append([i.platform_id for i in result.items])
        since = result.next
        if not result.has_more:
            return pages, since


def test_registered_with_every_capability() -> None:
    cls = registered("sandbox")
    assert cls is SandboxConnector
    check_capabilities(cls)
    assert cls.capabilities == frozenset(Capability)


def test_publish_then_fetch_gives_the_exact_raw_bytes(
    conn: SandboxConnector,
    frozen_clock: datetime,
) -> None:
    post_id = conn.publish(
        "Road closure: Nevada Ave between Cache la Poudre and Uintah — “détour”."
    )
    result = conn.fetch_posts(None)
    assert [i.platform_id for i in result.items] == [post_id]
    assert result.has_more is False
    item = result.items[0]
    expected = {
        "id": post_id,
        "page": HANDLE,
        "from": {"id": HANDLE, "name": "CSPD Test Page"},
        "message": "Road closure: Nevada Ave between Cache la Poudre and Uintah — “détour”.",
        "created_time": frozen_clock.isoformat(),
        "edited_time": None,
        "permalink_url": f"/sandbox/{HANDLE}#post-{post_id}",
    }
    assert item.raw == json.dumps(expected, ensure_ascii=False).encode("utf-8")
    assert item.kind is ItemKind.POST
    assert (item.page_platform_id, item.author_platform_id) == (HANDLE, HANDLE)
    assert item.text == expected["message"] and item.created_at == frozen_clock
    assert item.edited_at is None
    # Read again: byte for byte the same, so the archive adds nothing.
    again = conn.fetch_posts(None).items[0]
    assert again.raw == item.raw and again.fingerprint == item.fingerprint


def test_posts_page_forward_then_poll_for_new_ones(conn: SandboxConnector) -> None:
    ids = [conn.publish(f"post {n}") for n in range(5)]
    pages, cursor = drain(conn.fetch_posts)
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]
    # Nothing changed: the poll returns nothing and keeps its place.
    quiet = conn.fetch_posts(cursor)
    assert quiet.items == () and quiet.has_more is False and quiet.next == cursor
    newer = conn.publish("post 5")
    assert [i.platform_id for i in conn.fetch_posts(cursor).items] == [newer]


def test_edited_post_comes_back_with_its_edit_time(
    conn: SandboxConnector, sessions: sessionmaker[Session], frozen_clock: datetime
) -> None:
    first, second = conn.publish("Event at 6 pm"), conn.publish("Tip: lock your car")
    _, cursor = drain(conn.fetch_posts)
    with transaction(sessions) as session:
        page = platform.find_page(session, HANDLE)
        assert page is not None
        platform.edit_post(session, page, int(first), "Event at 7 pm (time corrected)")
    changed = conn.fetch_posts(cursor).items
    assert [i.platform_id for i in changed] == [first]
    assert changed[0].text == "Event at 7 pm (time corrected)"
    created, edited = changed[0].created_at, changed[0].edited_at
    assert created is not None and edited is not None and edited > created
    assert json.loads(changed[0].raw)["edited_time"] == edited.isoformat()
    assert second not in [i.platform_id for i in changed]


def test_comments_and_replies_paged_with_cursors(
    conn: SandboxConnector, sessions: sessionmaker[Session]
) -> None:
    post = conn.publish("Community meeting Thursday")
    other = conn.publish("Another post")
    c1 = visitor_comment(sessions, post, "Will it be streamed?")
    c2 = visitor_comment(sessions, post, "Thanks", visitor="v-bob", name="Bob")
    r1 = visitor_comment(sessions, post, "On the website", visitor="v-bob", name="Bob", parent=c1)
    # A reply to a reply joins the thread of the top-level comment.
    r2 = visitor_comment(sessions, post, "Great", parent=r1)
    visitor_comment(sessions, other, "Elsewhere")

    pages, cursor = drain(lambda since: conn.fetch_comments(post, since))
    assert pages == [[c1, c2], [r1, r2]]
    result = drain_items(conn, post)
    by_id = {i.platform_id: i for i in result}
    assert list(by_id) == [c1, c2, r1, r2]
    assert by_id[c1].kind is ItemKind.COMMENT and by_id[c1].parent_platform_id == post
    assert by_id[r1].kind is ItemKind.REPLY and by_id[r1].parent_platform_id == c1
    assert by_id[r2].kind is ItemKind.REPLY and by_id[r2].parent_platform_id == c1
    assert by_id[c2].author_platform_id == "v-bob" and by_id[c2].author_name == "Bob"
    for i in result:
        assert i.fields == {
            "hidden": False,
            "post_id": post,
            "permalink_url": f"/sandbox/{HANDLE}#comment-{i.platform_id}",
        }
    raw = json.loads(by_id[r1].raw)
    assert raw["parent_id"] == c1 and raw["from"] == {"id": "v-bob", "name": "Bob"}
    assert raw["message"] == "On the website" and raw["is_hidden"] is False
    # The poll after the backlog brings only what is new.
    c3 = visitor_comment(sessions, post, "One more")
    assert [i.platform_id for i in conn.fetch_comments(post, cursor).items] == [c3]
    # A cursor is tied to its post.
    with pytest.raises(PlatformError) as err:
        conn.fetch_comments(other, cursor)
    assert err.value.status == 400


def test_hide_and_unhide_are_seen_on_the_next_poll(
    conn: SandboxConnector, sessions: sessionmaker[Session]
) -> None:
    post = conn.publish("Crime prevention tip")
    keep = visitor_comment(sessions, post, "Good advice")
    rude = visitor_comment(sessions, post, "Hide me")
    _, cursor = drain(lambda since: conn.fetch_comments(post, since))

    conn.hide_comment(rude)
    conn.hide_comment(rude)  # hiding twice is harmless and is not a second change
    changed = conn.fetch_comments(post, cursor)
    assert [(i.platform_id, i.fields["hidden"]) for i in changed.items] == [(rude, True)]
    assert json.loads(changed.items[0].raw)["is_hidden"] is True
    # Hidden is not gone: still listed as live, still on the platform.
    assert conn.live_comment_ids(post) == {keep, rude}

    conn.unhide_comment(rude)
    again = conn.fetch_comments(post, changed.next)
    assert [(i.platform_id, i.fields["hidden"]) for i in again.items] == [(rude, False)]
    assert changed.items[0].fingerprint != again.items[0].fingerprint


def test_edited_comment_comes_back_with_edited_at(
    conn: SandboxConnector, sessions: sessionmaker[Session]
) -> None:
    post = conn.publish("Road closure")
    cid = visitor_comment(sessions, post, "How long?")
    _, cursor = drain(lambda since: conn.fetch_comments(post, since))
    with transaction(sessions) as session:
        page = platform.find_page(session, HANDLE)
        assert page is not None
        platform.edit_comment(session, page, int(cid), visitor_id="v-alice", body="How long? Thx")
        with pytest.raises(platform.NotFound):  # only the author edits a comment
            platform.edit_comment(session, page, int(cid), visitor_id="v-bob", body="mine now")
    [item] = conn.fetch_comments(post, cursor).items
    assert item.text == "How long? Thx" and item.edited_at is not None


def test_deleted_comments_and_posts_disappear(
    conn: SandboxConnector, sessions: sessionmaker[Session]
) -> None:
    post = conn.publish("Event")
    other = conn.publish("Other")
    c1 = visitor_comment(sessions, post, "first")
    c2 = visitor_comment(sessions, post, "second")
    r1 = visitor_comment(sessions, post, "reply to first", parent=c1)
    _, cursor = drain(lambda since: conn.fetch_comments(post, since))
    assert conn.live_comment_ids(post) == {c1, c2, r1}

    conn.delete_comment(c1)  # and its reply with it
    assert conn.live_comment_ids(post) == {c2}
    assert conn.fetch_comments(post, cursor).items == ()
    assert [i.platform_id for i in drain_items(conn, post)] == [c2]
    for gone in (c1, r1):
        with pytest.raises(PlatformError) as err:
            conn.hide_comment(gone)
        assert err.value.status == 404 and "deleted" in err.value.message
    with sessions() as session:  # the platform keeps the row, marked deleted
        row = session.get(SandboxComment, int(r1))
        assert row is not None and row.deleted_at is not None

    assert conn.live_post_ids() == {post, other}
    conn.delete_post(post)
    assert conn.live_post_ids() == {other}
    assert [i.platform_id for i in conn.fetch_posts(None).items] == [other]
    for call in (lambda: conn.fetch_comments(post), lambda: conn.live_comment_ids(post)):
        with pytest.raises(PlatformError) as err:
            call()
        assert err.value.status == 404 and f"post {post} was deleted" in err.value.message
    with pytest.raises(PlatformError, match="was deleted"):
        conn.delete_post(post)


def drain_items(conn: SandboxConnector, post: str) -> list[CapturedItem]:
    """Every live comment of ``post``, from the start."""
    items: list[CapturedItem] = []
    since = None
    while True:
        page = conn.fetch_comments(post, since)
        items.extend(page.items)
        since = page.next
        if not page.has_more:
            return items


def test_block_and_unblock(conn: SandboxConnector, sessions: sessionmaker[Session]) -> None:
    post = conn.publish("Event")
    visitor_comment(sessions, post, "I will keep posting", visitor="v-troll", name="Troll")
    conn.block("v-troll")
    conn.block("v-troll")  # idempotent: one block in force
    with pytest.raises(platform.VisitorBlocked, match="blocked you from commenting"):
        visitor_comment(sessions, post, "again", visitor="v-troll", name="Troll")
    [subs] = conn.fetch_subscribers().items
    assert subs.fields["subscribers"] == [{"id": "v-troll", "name": "Troll", "blocked": True}]

    conn.unblock("v-troll")
    visitor_comment(sessions, post, "I will be civil", visitor="v-troll", name="Troll")
    conn.block("v-troll")
    conn.unblock("v-troll")
    with sessions() as session:
        rows = session.execute(
            select(SandboxBlock.lifted_at).where(SandboxBlock.visitor_id == "v-troll")
        ).all()
    assert len(rows) == 2 and all(r.lifted_at is not None for r in rows)  # history kept
    with pytest.raises(PlatformError) as err:
        conn.block("v-nobody")
    assert err.value.status == 404


def test_subscribers_are_the_distinct_commenters(
    conn: SandboxConnector, sessions: sessionmaker[Session]
) -> None:
    post = conn.publish("Event")
    visitor_comment(sessions, post, "a", visitor="v-b", name="Bea")
    visitor_comment(sessions, post, "b", visitor="v-a", name="Al")
    visitor_comment(sessions, post, "c", visitor="v-b", name="Bea R.")
    result = conn.fetch_subscribers()
    [item] = result.items
    assert item.kind is ItemKind.SUBSCRIBER_LIST and item.platform_id == f"{HANDLE}:subscribers"
    assert item.fields == {
        "count": 2,
        "subscribers": [
            {"id": "v-a", "name": "Al", "blocked": False},
            {"id": "v-b", "name": "Bea R.", "blocked": False},
        ],
    }
    assert json.loads(item.raw) == {"page": HANDLE, "subscribers": item.fields["subscribers"]}


def test_read_profile_is_the_registry_profile(conn: SandboxConnector) -> None:
    profile = conn.read_profile()
    assert profile.page_platform_id == HANDLE and profile.name == "CSPD Test Page"
    assert "The opinions expressed by webpage visitors" in profile.about
    assert profile.contact == {"phone": "(719) 444-7000", "email": "pio@example.gov"}
    assert json.loads(profile.raw)["about"] == profile.about
    assert profile.as_item().kind is ItemKind.PROFILE


def test_unknown_ids_and_bad_input_are_platform_errors(
    conn: SandboxConnector, sessions: sessionmaker[Session]
) -> None:
    for call in (
        lambda: conn.fetch_comments("999"),
        lambda: conn.fetch_comments("not-a-number"),
        lambda: conn.hide_comment("12345"),
        lambda: conn.hide_comment("99999999999999999"),
        lambda: conn.fetch_comments("2147483648"),
        lambda: conn.unhide_comment("x"),
        lambda: conn.delete_comment("-1"),
        lambda: conn.delete_post("999"),
        lambda: conn.unblock("v-unknown"),
    ):
        with pytest.raises(PlatformError) as err:
            call()
        assert err.value.status == 404 and err.value.platform == "sandbox"
    with pytest.raises(PlatformError) as err:
        conn.publish("   ")
    assert err.value.status == 422
    # The platform takes photos as uploaded bytes of a common image type, nothing else.
    with pytest.raises(PlatformError, match="uploaded as bytes"):
        conn.publish("photo", [MediaRef(url="https://example.com/a.jpg")])
    with pytest.raises(PlatformError, match="takes JPEG, PNG, GIF or WebP"):
        conn.publish("flyer", [MediaRef(data=b"%PDF-1.7", mime_type="application/pdf")])
    with pytest.raises(PlatformError, match="not a readable JPEG"):
        conn.publish("photo", [MediaRef(data=b"not a jpeg", mime_type="image/jpeg")])
    for garbage in ("garbage", '{"feed": "posts", "after": 1e300}', '{"feed": "posts"}'):
        with pytest.raises(PlatformError, match="not a sandbox cursor"):
            conn.fetch_posts(Cursor(garbage))
    with pytest.raises(PlatformError) as err:
        SandboxConnector(sessions, "no-such-page").fetch_posts()
    assert err.value.status == 404
    with sessions() as session:  # nothing was written by any refused call
        assert session.execute(select(func.count()).select_from(SandboxComment)).scalar() == 0


def test_a_comment_on_another_pages_post_is_not_found(
    conn: SandboxConnector, sessions: sessionmaker[Session], staff: People, agency: Agency
) -> None:
    from tests.connectors.sandbox.conftest import register_sandbox_page

    register_sandbox_page(sessions, staff, agency, "other-page")
    theirs = SandboxConnector(sessions, "other-page")
    their_post = theirs.publish("theirs")
    their_comment = visitor_comment(sessions, their_post, "hi", handle="other-page")
    with pytest.raises(PlatformError) as err:
        conn.hide_comment(their_comment)
    assert err.value.status == 404
    with pytest.raises(PlatformError):
        conn.fetch_comments(their_post)
    assert conn.fetch_posts().items == ()


def test_comment_state_and_is_blocked_read_what_was_done(
    conn: SandboxConnector, sessions: sessionmaker[Session]
) -> None:
    """The reads the reconciler asks: visible, hidden or deleted; blocked or not."""
    post = conn.publish("Event")
    cid = visitor_comment(sessions, post, "hello", visitor="v-1", name="Pat")
    assert conn.comment_state(cid) is CommentState.VISIBLE
    conn.hide_comment(cid)
    assert conn.comment_state(cid) is CommentState.HIDDEN
    conn.delete_comment(cid)
    assert conn.comment_state(cid) is CommentState.DELETED
    assert not conn.is_blocked("v-1")
    conn.block("v-1")
    assert conn.is_blocked("v-1")
    conn.unblock("v-1")
    assert not conn.is_blocked("v-1")
    with pytest.raises(PlatformError, match="no comment"):
        conn.comment_state("999999")
