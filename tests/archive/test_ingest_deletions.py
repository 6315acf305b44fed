"""Comments deleted on Facebook and on Mastodon get a DELETED version at the next ingest; a
listing that is not complete deletes nothing. And each ingest write lands with its audit event.

The platforms are faked at the HTTP level only: the real connectors (httpx for Graph,
Mastodon.py for Mastodon) talk to a local ``pytest-httpserver`` that serves the recorded bodies
in ../shared/data/platform_http (python-facebook's Graph responses; Mastodon.py's cassettes).
Where a body had to change — a comment gone from a listing, a thread of two replies — it is the
recorded JSON with elements removed or fields set as the documented API shapes say
(developers.facebook.com/docs/graph-api/reference/object/comments;
docs.joinmastodon.org/methods/statuses/#context, /#get: 404 "Record not found").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug import Request, Response

from piodesk.archive.ingest import ingest_page
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem, ArchiveVersion, IngestCursor
from piodesk.archive.verify import verify_archive
from piodesk.connectors.base import ConnectorError, RateLimited
from piodesk.connectors.credentials import Credential
from piodesk.connectors.facebook import FacebookConnector, _comment_id
from piodesk.connectors.mastodon import MastodonConnector
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.demo import open_sandbox_page
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from tests.conftest import JUSTIFICATION
from tests.connectors.conftest import shared

FB_PAGE = "19292868552"
FB_POST = "19292868552_10158407654328553"
V = "/v19.0"
JSON = "application/json"


def _page(sessions: sessionmaker[Session], staff: Any, agency: Agency, platform: str) -> int:
    with transaction(sessions) as s:
        page = pages.register_page(
            s,
            actor=staff[Role.PIO],
            agency=agency,
            platform=platform,
            handle=f"cspd-{platform}",
            name=f"CSPD on {platform}",
            administering_unit="Public Affairs",
        )
        if platform == "sandbox":
            open_sandbox_page(s, page)
        pages.approve_page(s, page.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
        return page.id


@pytest.fixture
def data() -> Callable[[str], Path]:
    """``data("platform_http/…")``: the recorded bodies, or a skip when they are absent."""
    return shared


def _states(sessions: sessionmaker[Session], *kinds: str) -> dict[str, str]:
    with sessions() as s:
        rows = s.execute(select(ArchiveItem).where(ArchiveItem.kind.in_(kinds))).scalars()
        return {i.platform_id: i.state for i in rows}


def _without(body: str, drop: Callable[[dict[str, Any]], bool]) -> str:
    """The recorded list body with the elements ``drop`` picks removed (the rest verbatim)."""
    value = json.loads(body)
    value["data"] = [c for c in value["data"] if not drop(c)]
    return json.dumps(value, ensure_ascii=False)


# --- Facebook --------------------------------------------------------------------------------


class Graph:
    """A Page, one post and its comments edge (two recorded pages), served over HTTP."""

    def __init__(self, data: Any, server: Any) -> None:
        base = data("platform_http/facebook_graph/testdata")
        self.profile = (base / "base/object_data.json").read_text("utf-8")
        post = json.loads((base / "facebook/apidata/posts/single_post_data.json").read_text())
        self.feed = json.dumps({"data": [{**post, "id": FB_POST}]})
        self.p1 = (base / "facebook/apidata/comments/comments_p1.json").read_text("utf-8")
        self.p2 = (base / "facebook/apidata/comments/comments_p2.json").read_text("utf-8")
        self.second_page: Callable[[], Response] = lambda: Response(self.p2, content_type=JSON)
        server.expect_request(f"{V}/{FB_PAGE}").respond_with_data(self.profile, content_type=JSON)
        server.expect_request(f"{V}/{FB_PAGE}/feed").respond_with_handler(self._feed)
        server.expect_request(f"{V}/{FB_POST}/comments").respond_with_handler(self._comments)
        self.connector = FacebookConnector(
            FB_PAGE,
            Credential({"access_token": "page-token"}),
            base_url=server.url_for("/").rstrip("/"),
        )

    def _feed(self, request: Request) -> Response:
        if "since" in request.args:
            return Response('{"data":[]}', content_type=JSON)
        return Response(self.feed, content_type=JSON)

    def _comments(self, request: Request) -> Response:
        assert request.args["filter"] == "stream"
        if request.args.get("after") == "after":  # the recorded cursor (anonymised upstream)
            return self.second_page()
        return Response(self.p1, content_type=JSON)

    def comment_ids(self, body: str) -> list[str]:
        return [str(_comment_id(c, FB_POST)) for c in json.loads(body)["data"]]


@pytest.fixture
def graph(data: Any, httpserver: Any) -> Graph:
    return Graph(data, httpserver)


def test_a_comment_deleted_on_facebook_gets_a_deleted_version(
    sessions: sessionmaker[Session], staff: Any, agency: Agency, graph: Graph, tmp_path: Path
) -> None:
    page_id = _page(sessions, staff, agency, "facebook")
    media = MediaStore(tmp_path / "media")
    first = ingest_page(sessions, page_id, graph.connector, media=media)
    everyone = graph.comment_ids(graph.p1) + graph.comment_ids(graph.p2)
    assert first.deleted == 0
    assert _states(sessions, "comment", "reply") == dict.fromkeys(everyone, "live")

    # The author deletes a comment that has no replies: the edge no longer lists it.
    replied = {
        str(c["permalink_url"]).split("comment_id=")[1].split("&")[0]
        for c in json.loads(graph.p1)["data"] + json.loads(graph.p2)["data"]
        if "reply_comment_id" in c["permalink_url"]
    }
    gone = next(c for c in graph.comment_ids(graph.p1) if c.split("_")[1] not in replied)
    graph.p1 = _without(graph.p1, lambda c: _comment_id(c, FB_POST) == gone)
    second = ingest_page(sessions, page_id, graph.connector, media=media)
    assert second.deleted == 1
    assert _states(sessions, "comment", "reply") == {
        **dict.fromkeys(everyone, "live"),
        gone: "deleted",
    }
    with sessions() as s:
        item = s.execute(select(ArchiveItem).where(ArchiveItem.platform_id == gone)).scalar_one()
        versions = s.execute(
            select(ArchiveVersion).where(ArchiveVersion.item_id == item.id)
        ).scalars()
        assert [v.fields.get("deleted") for v in versions] == [None, True]
        events = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "archive:ingest")
        ).scalars()
        assert any(e.data.get("deleted") == 1 for e in events)
        assert verify_archive(s, media).ok

    # Polled again: already deleted, nothing more to record.
    assert ingest_page(sessions, page_id, graph.connector, media=media).deleted == 0


@pytest.mark.parametrize(
    "failure",
    [
        # Graph's throttling answer (code 32, HTTP 429) for the listing's second page.
        lambda: Response(
            '{"error":{"message":"User request limit reached","type":"OAuthException",'
            '"code":32,"fbtrace_id":"A"}}',
            status=429,
            content_type=JSON,
        ),
        lambda: Response("upstream connect error", status=502),
    ],
    ids=["rate-limited", "server-error"],
)
def test_an_incomplete_facebook_listing_deletes_nothing(
    sessions: sessionmaker[Session],
    staff: Any,
    agency: Agency,
    graph: Graph,
    tmp_path: Path,
    failure: Callable[[], Response],
) -> None:
    page_id = _page(sessions, staff, agency, "facebook")
    media = MediaStore(tmp_path / "media")
    ingest_page(sessions, page_id, graph.connector, media=media)
    everyone = _states(sessions, "comment", "reply")

    # The first page comes back without its comments, then the second page fails: what is
    # missing from a listing that was never finished is not taken for deleted.
    graph.p1 = _without(graph.p1, lambda c: True)
    graph.second_page = failure
    with pytest.raises(ConnectorError):
        ingest_page(sessions, page_id, graph.connector, media=media)
    assert _states(sessions, "comment", "reply") == everyone
    assert set(everyone.values()) == {"live"}


def test_facebook_paging_that_does_not_advance_deletes_nothing(
    sessions: sessionmaker[Session], staff: Any, agency: Agency, graph: Graph, tmp_path: Path
) -> None:
    page_id = _page(sessions, staff, agency, "facebook")
    media = MediaStore(tmp_path / "media")
    ingest_page(sessions, page_id, graph.connector, media=media)
    everyone = _states(sessions, "comment", "reply")
    # Page two points on to itself forever (``next`` with the same cursor): a cut listing.
    looping = json.loads(graph.p2)
    looping["paging"] = {**json.loads(graph.p1)["paging"]}
    graph.p1 = _without(graph.p1, lambda c: True)
    graph.second_page = lambda: Response(json.dumps(looping), content_type=JSON)
    with pytest.raises(ConnectorError, match="paging did not advance"):
        ingest_page(sessions, page_id, graph.connector, media=media)
    assert _states(sessions, "comment", "reply") == everyone


# --- Mastodon --------------------------------------------------------------------------------


class Masto:
    """A department account, one status, and a thread of two visitors' replies, over HTTP."""

    def __init__(self, data: Any, server: Any) -> None:
        path = data("platform_http/mastodon/cassettes/test_fetch_next_previous.yaml")
        recorded = yaml.safe_load(path.read_text("utf-8"))["interactions"]
        self.me = recorded[0]["response"]["body"]["string"]
        statuses = [
            json.loads(i["response"]["body"]["string"])
            for i in recorded
            if i["request"]["method"] == "POST"
        ]
        visitor_path = data("platform_http/mastodon/cassettes/test_verify_credentials.yaml")
        visitor = json.loads(
            yaml.safe_load(visitor_path.read_text("utf-8"))["interactions"][0]["response"]["body"][
                "string"
            ]
        )
        missing = data("platform_http/mastodon/cassettes/test_status_missing.yaml")
        self.not_found = yaml.safe_load(missing.read_text("utf-8"))["interactions"][0]
        self.post = statuses[0]
        self.account = json.loads(self.me)["id"]
        self.replies = [
            {
                **s,
                "in_reply_to_id": self.post["id"],
                "in_reply_to_account_id": self.account,
                "account": visitor,
            }
            for s in statuses[1:3]
        ]
        self.thread = list(self.replies)
        self.deleted: set[str] = set()
        self.status_failure: Response | None = None
        self.post_gone = False
        server.expect_request("/api/v1/accounts/verify_credentials").respond_with_data(
            self.me, content_type=JSON
        )
        server.expect_request(f"/api/v1/accounts/{self.account}/statuses").respond_with_handler(
            self._statuses
        )
        server.expect_request(f"/api/v1/accounts/{self.account}/followers").respond_with_data(
            "[]", content_type=JSON
        )
        server.expect_request(f"/api/v1/statuses/{self.post['id']}/context").respond_with_handler(
            self._context
        )
        for reply in self.replies:
            server.expect_request(f"/api/v1/statuses/{reply['id']}").respond_with_handler(
                self._status
            )
        self.connector = MastodonConnector(
            server.url_for("/").rstrip("/"), Credential({"access_token": "REDACTED"})
        )

    def _statuses(self, request: Request) -> Response:
        if "min_id" in request.args:
            return Response("[]", content_type=JSON)
        return Response(json.dumps([self.post]), content_type=JSON)

    def _context(self, request: Request) -> Response:
        if self.post_gone:
            return self._not_found()
        return Response(
            json.dumps({"ancestors": [], "descendants": self.thread}), content_type=JSON
        )

    def _not_found(self) -> Response:
        answer = self.not_found["response"]
        return Response(answer["body"]["string"], status=404, content_type=JSON)

    def _status(self, request: Request) -> Response:
        if self.status_failure is not None:
            return self.status_failure
        sid = request.path.rsplit("/", 1)[1]
        if sid in self.deleted:
            return self._not_found()
        return Response(
            json.dumps(next(r for r in self.replies if r["id"] == sid)), content_type=JSON
        )


@pytest.fixture
def masto(data: Any, httpserver: Any) -> Masto:
    return Masto(data, httpserver)


def test_a_reply_deleted_on_mastodon_gets_a_deleted_version(
    sessions: sessionmaker[Session], staff: Any, agency: Agency, masto: Masto, tmp_path: Path
) -> None:
    page_id = _page(sessions, staff, agency, "mastodon")
    media = MediaStore(tmp_path / "media")
    ingest_page(sessions, page_id, masto.connector, media=media)
    keep, gone = (r["id"] for r in masto.replies)
    assert _states(sessions, "comment", "reply") == {keep: "live", gone: "live"}

    # Deleted by its author: gone from the thread, and the status itself answers 404.
    masto.thread = [r for r in masto.thread if r["id"] != gone]
    masto.deleted.add(gone)
    report = ingest_page(sessions, page_id, masto.connector, media=media)
    assert report.deleted == 1
    assert _states(sessions, "comment", "reply") == {keep: "live", gone: "deleted"}
    assert _states(sessions, "post") == {masto.post["id"]: "live"}


def test_a_mastodon_reply_left_out_of_the_thread_but_still_there_is_not_deleted(
    sessions: sessionmaker[Session], staff: Any, agency: Agency, masto: Masto, tmp_path: Path
) -> None:
    page_id = _page(sessions, staff, agency, "mastodon")
    media = MediaStore(tmp_path / "media")
    ingest_page(sessions, page_id, masto.connector, media=media)
    # A block or a mute filters the thread, not the status: it still answers 200.
    masto.thread = masto.thread[:1]
    assert ingest_page(sessions, page_id, masto.connector, media=media).deleted == 0
    # A status check that cannot finish (rate limit) leaves it live too.
    masto.deleted.add(masto.replies[1]["id"])
    masto.status_failure = Response('{"error":"Too many requests"}', status=429, content_type=JSON)
    with pytest.raises(RateLimited):
        ingest_page(sessions, page_id, masto.connector, media=media)
    assert set(_states(sessions, "comment", "reply").values()) == {"live"}


def test_a_mastodon_status_deleted_takes_its_replies(
    sessions: sessionmaker[Session], staff: Any, agency: Agency, masto: Masto, tmp_path: Path
) -> None:
    page_id = _page(sessions, staff, agency, "mastodon")
    media = MediaStore(tmp_path / "media")
    ingest_page(sessions, page_id, masto.connector, media=media)
    # The department deleted its status: its /context answers 404 ("Record not found").
    masto.post_gone = True
    report = ingest_page(sessions, page_id, masto.connector, media=media)
    assert report.deleted == 3
    assert set(_states(sessions, "comment", "reply").values()) == {"deleted"}
    assert _states(sessions, "post") == {masto.post["id"]: "deleted"}


# --- the audit event lands with what it audits -----------------------------------------------


@pytest.fixture
def refusing_audit(sessions: sessionmaker[Session]) -> Iterator[Callable[[], None]]:
    """A database trigger that refuses new audit events (a real failure of the audit write)."""
    with sessions() as s:
        dialect = s.get_bind().dialect.name
    created = False

    def refuse() -> None:
        nonlocal created
        with transaction(sessions) as s:
            if dialect == "sqlite":
                s.execute(
                    text(
                        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events "
                        "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
                    )
                )
            else:
                s.execute(
                    text(
                        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN RAISE EXCEPTION 'audit refused'; END $$"
                    )
                )
                s.execute(
                    text(
                        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events "
                        "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                    )
                )
        created = True

    yield refuse
    if created:
        with transaction(sessions) as s:
            if dialect == "sqlite":
                s.execute(text("DROP TRIGGER refuse_audit"))
            else:
                s.execute(text("DROP TRIGGER refuse_audit ON audit_events"))
                s.execute(text("DROP FUNCTION refuse_audit()"))


def test_if_the_audit_write_fails_no_capture_lands(
    sessions: sessionmaker[Session],
    staff: Any,
    agency: Agency,
    tmp_path: Path,
    refusing_audit: Callable[[], None],
) -> None:
    page_id = _page(sessions, staff, agency, "sandbox")
    sandbox = SandboxConnector(sessions, "cspd-sandbox")
    sandbox.publish("Road closure: Academy Blvd northbound until 3 pm.")
    refusing_audit()
    with pytest.raises(DBAPIError, match="audit refused"):
        ingest_page(sessions, page_id, sandbox, media=MediaStore(tmp_path / "media"))
    with sessions() as s:
        assert s.execute(select(ArchiveItem)).first() is None
        assert s.execute(select(ArchiveVersion)).first() is None
        assert s.execute(select(IngestCursor)).first() is None
