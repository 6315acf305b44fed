"""A platform post is claimed once: two deliveries whose sends were lost never both take the one
post that went out — neither in the crash reconciler, nor in the later passes over unconfirmed
deliveries, nor by a person's hand, and the database refuses it if two workers race.

And a video on Facebook, which goes out through ``POST /{page}/videos`` and answers with the
video's id, is found after a crash on the Page's videos edge by that same id. The Graph
exchanges are served locally in the shape the Video API's guide documents
(https://developers.facebook.com/docs/video-api/guides/get-videos: ``GET /{page-id}/videos``
→ ``{"data": [{"description", "updated_time", "id"}], "paging": {"cursors": …}}``, with
``created_time`` asked for in ``fields``)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug import Request, Response

from piodesk.archive.media import MediaStore
from piodesk.connectors import intents
from piodesk.connectors.base import Connector, PlatformError
from piodesk.connectors.credentials import Credential
from piodesk.connectors.facebook import FacebookConnector
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict
from piodesk.core.migrate import MIGRATIONS
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.tables import Page
from piodesk.publishing import outbox
from piodesk.publishing.outbox_model import DeliveryState
from piodesk.publishing.outbox_sender import reconcile_unconfirmed, send_due
from piodesk.publishing.outbox_tables import APPEND_ONLY_0027, Delivery, PostClaim
from piodesk.publishing.video import MP4, clean_video
from tests.conftest import JUSTIFICATION
from tests.publishing.video_support import android_mp4

NOTICE = "Road closure: Platte Ave & Union Blvd are closed both ways until 6 pm."


class LostAnswers:
    """Sandbox connectors whose sends lose their answers: the first send reaches the page
    (the post is made), every later one fails on the network before it gets there."""

    def __init__(self, sessions: Any) -> None:
        self.sessions, self.sends = sessions, 0

    def __call__(self, page: Page) -> Connector:
        outer = self

        class Lossy(SandboxConnector):
            def publish(self, text: str, media: Any = (), *, idempotency_key: Any = None) -> str:
                outer.sends += 1
                if outer.sends == 1:
                    super().publish(text, media)
                raise PlatformError("sandbox", None, "read timed out")

        return Lossy(self.sessions, page.handle)


class Lagging(SandboxConnector):
    """A page whose listing has not caught up yet: nothing is found."""

    def find_published(self, text: str, **kw: Any) -> str | None:
        return None


def _two_lost_sends(sessions, staff, sandbox_pages) -> list[int]:  # type: ignore[no-untyped-def]
    north = sandbox_pages.ids["north"]
    pubs = []
    for source in ("notice:1", "notice:2"):  # the same notice, released twice by mistake
        with transaction(sessions) as s:
            pubs.append(
                outbox.enqueue(
                    s, actor=staff[Role.PIO], text=NOTICE, page_ids=[north], source=source
                )
            )
    report = send_due(sessions, LostAnswers(sessions))
    assert report.sent == [] and len(report.open) == 2
    assert len(sandbox_pages.posts("north")) == 1  # one post reached the page
    return pubs


def _pages_of(sessions, pubs: list[int]) -> list[Any]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return [outbox.status(s, p).pages[0] for p in pubs]


def test_the_crash_reconciler_gives_one_post_to_one_delivery(sessions, staff, sandbox_pages):
    pubs = _two_lost_sends(sessions, staff, sandbox_pages)
    report = intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    assert len(report.recorded) == 1 and len(report.unconfirmed) == 1
    first, second = _pages_of(sessions, pubs)
    assert sorted([first.state, second.state]) == sorted(
        [DeliveryState.SENT, DeliveryState.UNCONFIRMED]
    )
    found = first if first.state is DeliveryState.SENT else second
    other = second if found is first else first
    assert found.external_id and not other.external_id
    # Later passes do not give it to the other delivery either, and nothing is sent again.
    assert reconcile_unconfirmed(sessions, sandbox_pages.connect) == []
    assert len(sandbox_pages.posts("north")) == 1


def test_two_unconfirmed_deliveries_do_not_both_take_one_post(sessions, staff, sandbox_pages):
    pubs = _two_lost_sends(sessions, staff, sandbox_pages)
    # The listing lags at the crash: both deliveries end unconfirmed.
    intents.reconcile(sessions, lambda p: Lagging(sessions, p.handle), grace=timedelta(0))
    assert {p.state for p in _pages_of(sessions, pubs)} == {DeliveryState.UNCONFIRMED}
    # The listing caught up: the later pass finds the post for one of them, not both.
    settled = reconcile_unconfirmed(sessions, sandbox_pages.connect)
    assert len(settled) == 1
    states = sorted(p.state.value for p in _pages_of(sessions, pubs))
    assert states == sorted([DeliveryState.SENT.value, DeliveryState.UNCONFIRMED.value])


def test_a_person_cannot_give_a_claimed_post_to_a_second_delivery(sessions, staff, sandbox_pages):
    pubs = _two_lost_sends(sessions, staff, sandbox_pages)
    intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    taken = next(p for p in _pages_of(sessions, pubs) if p.state is DeliveryState.SENT)
    other = next(p for p in _pages_of(sessions, pubs) if p.state is DeliveryState.UNCONFIRMED)
    claimed = f"already recorded for delivery {taken.delivery_id}"
    with pytest.raises(Conflict, match=claimed), transaction(sessions) as s:
        outbox.resolve(
            s,
            other.delivery_id,
            actor=staff[Role.PIO],
            published=True,
            reason="I saw it on the page",
            external_id=taken.external_id,
        )
    with sessions() as s:
        again = s.get(Delivery, other.delivery_id)
        assert again is not None and again.state == DeliveryState.UNCONFIRMED.value
        assert again.external_id is None


def _claim_row(delivery_id: int, page_id: int, external_id: str, parent: str = "") -> PostClaim:
    return PostClaim(
        delivery_id=delivery_id,
        page_id=page_id,
        parent_external_id=parent,
        external_id=external_id,
        claimed_at=clock.now(),
    )


def test_the_database_refuses_one_post_for_two_deliveries(sessions, staff, sandbox_pages):
    """Two workers that each found the post before the other recorded it: the unique key of
    the claims lets only one record it. The same number in another place is another thing
    (the sandbox numbers posts and comments apart), and so is the same id on another page."""
    pubs = _two_lost_sends(sessions, staff, sandbox_pages)
    ids = [p.delivery_id for p in _pages_of(sessions, pubs)]
    north, south = sandbox_pages.ids["north"], sandbox_pages.ids["south"]
    with transaction(sessions) as s:
        s.add(_claim_row(ids[0], north, "77"))
    with pytest.raises(IntegrityError), transaction(sessions) as s:
        s.add(_claim_row(ids[1], north, "77"))
    with transaction(sessions) as s:
        s.add(_claim_row(ids[1], north, "77", parent="12"))  # comment 77 under post 12
        pub = outbox.enqueue(
            s, actor=staff[Role.PIO], text=NOTICE, page_ids=[south], source="notice:3"
        )
    with sessions() as s:
        on_south = outbox.status(s, pub).pages[0].delivery_id
    with transaction(sessions) as s:
        s.add(_claim_row(on_south, south, "77"))
    # A claim is never changed nor taken back.
    for sql in (
        "UPDATE outbox_post_claims SET external_id = 'x'",
        "DELETE FROM outbox_post_claims",
    ):
        with pytest.raises(DBAPIError), transaction(sessions) as s:
            s.execute(text(sql))


def test_migration_and_tables_agree_on_append_only() -> None:
    import importlib.util

    path = next(MIGRATIONS.glob("versions/0027_*.py"))
    spec = importlib.util.spec_from_file_location("m0027", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.APPEND_ONLY) == set(APPEND_ONLY_0027)


# ---- a Facebook video, found after a crash -----------------------------------------------------

GRAPH_PAGE = "245628824887810"
VIDEO_ID = "10153231379946729"
DESCRIPTION = "Recruits practise a traffic stop at the academy track; no one speaks on camera."
TEXT = "Academy week: recruits practise traffic stops.\n\nJoin us: https://cspd.example/join"


class GraphPage:
    """A Page as Graph serves it: a video upload that is accepted but whose answer never
    reaches piodesk (the connection drops), and the Page's edges as they then read."""

    def __init__(self, httpserver: Any) -> None:
        self.uploads: list[dict[str, Any]] = []
        self.reads: list[str] = []
        self.server = httpserver
        base = f"/v19.0/{GRAPH_PAGE}"
        httpserver.expect_request(f"{base}/videos", method="POST").respond_with_handler(
            self._upload
        )
        httpserver.expect_request(f"{base}/videos", method="GET").respond_with_handler(self._videos)
        httpserver.expect_request(f"{base}/posts", method="GET").respond_with_handler(self._posts)

    def _upload(self, request: Request) -> Response:
        self.uploads.append(
            {"description": request.form["description"], "at": clock.now().isoformat()}
        )
        return Response(json.dumps({"id": VIDEO_ID}), content_type="application/json")

    def _made(self) -> str:
        return clock.now().strftime("%Y-%m-%dT%H:%M:%S+0000")

    def _videos(self, request: Request) -> Response:
        self.reads.append(f"videos?{request.query_string.decode()}")
        # Graph rewrites the text a little (one line break for two, a shortened link).
        shown = self.uploads[0]["description"].replace("\n\n", "\n") if self.uploads else ""
        body = {
            "data": [
                {"description": shown, "created_time": self._made(), "id": VIDEO_ID},
                {"created_time": "2026-01-05T17:18:30+0000", "id": "2232477747039197"},
            ],
            "paging": {"cursors": {"before": "MjE1MzIwNjQ2NDkyMTE1NAZDZD", "after": "MTQwOT"}},
        }
        return Response(json.dumps(body), content_type="application/json")

    def _posts(self, request: Request) -> Response:
        # The feed lists the same video under its *post* id: never the id to record.
        self.reads.append("posts")
        shown = self.uploads[0]["description"] if self.uploads else ""
        body = {
            "data": [{"id": f"{GRAPH_PAGE}_987", "message": shown, "created_time": self._made()}]
        }
        return Response(json.dumps(body), content_type="application/json")

    def connector(self) -> FacebookConnector:
        return FacebookConnector(
            GRAPH_PAGE,
            Credential({"access_token": "page-token"}),
            base_url=self.server.url_for("/").rstrip("/"),
        )


def test_a_facebook_video_whose_answer_was_lost_is_found_by_its_video_id(
    sessions, staff, agency, httpserver: Any, tmp_path: Path
) -> None:
    graph = GraphPage(httpserver)
    with transaction(sessions) as s:
        page = pages.register_page(
            s,
            actor=staff[Role.PIO],
            agency=agency,
            platform="facebook",
            handle=GRAPH_PAGE,
            name="CSPD on Facebook",
            administering_unit="Public Affairs",
        )
        pages.approve_page(s, page.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
        page_id = page.id
    store = MediaStore(tmp_path / "media")
    sha = store.put(clean_video(android_mp4()).data)
    with transaction(sessions) as s:
        pub = outbox.enqueue(
            s,
            actor=staff[Role.PIO],
            text=TEXT,
            page_ids=[page_id],
            media=[{"sha256": sha, "mime_type": MP4, "alt_text": DESCRIPTION}],
            source="post:7",
        )

    class Dropped(FacebookConnector):
        def publish(self, text: str, media: Any = (), *, idempotency_key: Any = None) -> str:
            super().publish(text, media)  # Graph takes the video …
            raise PlatformError("facebook", None, "network failure (ReadTimeout)")  # … unheard

    def sending(p: Page) -> Connector:
        base = httpserver.url_for("/").rstrip("/")
        return Dropped(GRAPH_PAGE, Credential({"access_token": "page-token"}), base_url=base)

    report = send_due(sessions, sending, media=store)
    assert report.open and len(graph.uploads) == 1
    with sessions() as s:
        assert outbox.status(s, pub).pages[0].state is DeliveryState.SENDING

    found = intents.reconcile(sessions, lambda p: graph.connector(), grace=timedelta(0))
    assert len(found.recorded) == 1
    with sessions() as s:
        delivered = outbox.status(s, pub).pages[0]
    assert delivered.state is DeliveryState.SENT
    assert delivered.external_id == VIDEO_ID  # the id the upload's answer would have carried
    assert graph.reads[0].startswith("videos?") and "posts" not in graph.reads
    assert "description" in graph.reads[0] and "created_time" in graph.reads[0]
    assert len(graph.uploads) == 1  # found by reading, never uploaded again


def test_a_photo_post_is_still_looked_for_in_the_feed(httpserver: Any) -> None:
    graph = GraphPage(httpserver)
    graph.uploads.append({"description": TEXT, "at": ""})
    conn = graph.connector()
    since = clock.now() - timedelta(minutes=1)
    assert conn.find_published(TEXT, since=since, media_types=["image/jpeg"]) == (
        f"{GRAPH_PAGE}_987"
    )
    assert conn.find_published(TEXT, since=since, media_types=[MP4]) == VIDEO_ID
    assert conn.find_published(TEXT, since=since, media_types=[MP4], exclude={VIDEO_ID}) is None
    assert graph.reads[0] == "posts"
