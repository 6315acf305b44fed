"""The polling recipe of the connector's docstring, run the way the archive will run it.

A small stand-in for the archive keeps the latest snapshot of every item it has seen and marks
what disappears; the test changes the platform between polls and checks that each poll sees
exactly the changes made, on both databases. Then, on PostgreSQL, two writers at once: change
numbers commit in order, so a reader's cursor never skips a write that commits late.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.base import PlatformError
from piodesk.connectors.model import CapturedItem, Cursor
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.sandbox.tables import SandboxComment
from piodesk.core.db import transaction
from tests.connectors.sandbox.conftest import HANDLE, visitor_comment


@dataclass
class Poller:
    """What the archive keeps between polls: cursors, the latest snapshot of each item (by
    "kind:id", since ids are unique per kind), and which items it saw disappear."""

    conn: SandboxConnector
    posts_cursor: Cursor | None = None
    comment_cursors: dict[str, Cursor | None] = field(default_factory=dict)
    latest: dict[str, CapturedItem] = field(default_factory=dict)
    post_of: dict[str, str] = field(default_factory=dict)  # comment or reply key -> post id
    deleted: set[str] = field(default_factory=set)

    def _take(self, items: tuple[CapturedItem, ...], changed: list[str]) -> None:
        for item in items:
            key = f"{item.kind.value}:{item.platform_id}"
            if key not in self.latest or self.latest[key].fingerprint != item.fingerprint:
                changed.append(key)
            self.latest[key] = item
            if "post_id" in item.fields:
                self.post_of[key] = item.fields["post_id"]

    def _under(self, post: str) -> set[str]:
        return {k for k, p in self.post_of.items() if p == post and k not in self.deleted}

    def poll(self) -> tuple[list[str], set[str]]:
        """One poll: the keys of new or changed items, and the keys found deleted."""
        changed: list[str] = []
        gone: set[str] = set()
        while True:
            result = self.conn.fetch_posts(self.posts_cursor)
            self._take(result.items, changed)
            self.posts_cursor = result.next
            if not result.has_more:
                break
        live_posts = self.conn.live_post_ids()
        for key, item in self.latest.items():
            gone_post = item.platform_id not in live_posts
            if key.startswith("post:") and key not in self.deleted and gone_post:
                gone |= {key} | self._under(item.platform_id)
        for post in sorted(live_posts, key=int):
            since = self.comment_cursors.get(post)
            while True:
                result = self.conn.fetch_comments(post, since)
                self._take(result.items, changed)
                since = result.next
                if not result.has_more:
                    break
            self.comment_cursors[post] = since
            live = self.conn.live_comment_ids(post)
            gone |= {k for k in self._under(post) if self.latest[k].platform_id not in live}
        self.deleted |= gone
        return changed, gone


def test_each_poll_sees_exactly_what_changed(
    conn: SandboxConnector, sessions: sessionmaker[Session]
) -> None:
    poller = Poller(conn)
    assert poller.poll() == ([], set())

    road = conn.publish("Road closure")
    event = conn.publish("Community event")
    tip = conn.publish("Crime prevention tip")
    a = visitor_comment(sessions, road, "How long?")
    b = visitor_comment(sessions, road, "Call 719-555-0147", visitor="v-b", name="B")
    c = visitor_comment(sessions, event, "See you there", visitor="v-c", name="C")
    r = visitor_comment(sessions, event, "Me too", visitor="v-d", name="D", parent=c)
    changed, gone = poller.poll()
    posts = [f"post:{road}", f"post:{event}", f"post:{tip}"]
    comments = [f"comment:{a}", f"comment:{b}", f"comment:{c}", f"reply:{r}"]
    assert sorted(changed) == sorted(posts + comments)
    assert gone == set()
    assert poller.poll() == ([], set())  # nothing changed, nothing new

    conn.hide_comment(b)
    with transaction(sessions) as session:
        page = platform.find_page(session, HANDLE)
        assert page is not None
        platform.edit_comment(session, page, int(a), visitor_id="v-alice", body="How long? 2h?")
        platform.edit_post(session, page, int(tip), "Crime prevention tip (updated)")
    changed, gone = poller.poll()
    assert sorted(changed) == sorted([f"comment:{a}", f"comment:{b}", f"post:{tip}"])
    assert poller.latest[f"comment:{b}"].fields["hidden"] is True
    assert poller.latest[f"comment:{a}"].edited_at is not None
    assert gone == set()

    conn.delete_comment(c)  # takes its reply with it
    conn.delete_post(road)  # takes its comments out of reach
    changed, gone = poller.poll()
    assert changed == []
    assert gone == {f"comment:{c}", f"reply:{r}", f"post:{road}", f"comment:{a}", f"comment:{b}"}

    with pytest.raises(PlatformError, match="was deleted"):  # its post is gone
        conn.unhide_comment(b)
    assert poller.poll() == ([], set())


def test_a_full_pass_lists_exactly_the_live_posts(conn: SandboxConnector) -> None:
    ids = [conn.publish(f"post {n}") for n in range(7)]
    conn.delete_post(ids[3])
    seen: list[str] = []
    since = None
    while True:
        result = conn.fetch_posts(since)
        seen += [i.platform_id for i in result.items]
        since = result.next
        if not result.has_more:
            break
    assert set(seen) == conn.live_post_ids() == set(ids) - {ids[3]}


def test_concurrent_writers_commit_change_numbers_in_order(
    conn: SandboxConnector, sessions: sessionmaker[Session], db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time; the ordering matters on PostgreSQL")
    post = conn.publish("Event")
    _, cursor = _drain(conn, post, None)

    # Writer A takes a change number and holds its transaction open.
    first = sessions()
    writer_b: threading.Thread | None = None
    b_result: list[str] = []
    try:
        first.begin()
        page = platform.find_page(first, HANDLE)
        assert page is not None
        comment_a = platform.add_comment(
            first, page, int(post), visitor_id="v-a", visitor_name="A", body="first"
        )
        a_pid = first.execute(text("SELECT pg_backend_pid()")).scalar_one()

        # Writer B starts while A is open, and must wait for A's lock on the page's counter.
        writer_b = threading.Thread(
            target=lambda: b_result.append(visitor_comment(sessions, post, "second", visitor="v-b"))
        )
        writer_b.start()
        _wait_until_blocked_by(sessions, a_pid)
        # A reader sees neither write: A is uncommitted, and B cannot have taken a number.
        assert conn.fetch_comments(post, cursor).items == ()
        first.commit()
    finally:
        first.close()  # rolls back if the test failed before the commit
        if writer_b is not None:
            writer_b.join(timeout=60)
    assert writer_b is not None and not writer_b.is_alive() and len(b_result) == 1
    items, _ = _drain(conn, post, cursor)
    assert items == [str(comment_a.id), b_result[0]]
    with sessions() as session:  # distinct numbers, in commit order: no lost update
        seqs = [session.get(SandboxComment, int(i)).change_seq for i in items]  # type: ignore[union-attr]
    assert seqs[0] < seqs[1]


def _drain(conn: SandboxConnector, post: str, since: Cursor | None) -> tuple[list[str], Cursor]:
    ids: list[str] = []
    while True:
        result = conn.fetch_comments(post, since)
        ids += [i.platform_id for i in result.items]
        since = result.next
        if not result.has_more:
            assert since is not None
            return ids, since


def _wait_until_blocked_by(sessions: sessionmaker[Session], pid: int) -> None:
    """Return once some backend waits on a lock held by ``pid`` (a condition, not a delay)."""
    with sessions() as watcher:
        for _ in range(3000):
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND :pid = ANY(pg_blocking_pids(pid))"
                ),
                {"pid": pid},
            ).scalar_one()
            if waiting:
                return
            watcher.rollback()
            threading.Event().wait(0.01)
    pytest.fail("writer B never waited for writer A")
