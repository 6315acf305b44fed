"""The Facebook Graph connector against the real Graph API bodies, served on a local socket.

Bodies: ../shared/data/platform_http/facebook_graph/testdata/ (python-facebook's saved
Graph v11 responses, see its SOURCE.md). They are bodies only (no status lines or headers),
so each test serves a body with ``pytest-httpserver`` at the endpoint the connector calls and
the real ``httpx`` client path runs end to end. Paging cursors in those files are the literal
strings "before"/"after" (anonymised upstream).

Answers built here from the Graph API documentation (developers.facebook.com/docs/graph-api,
"Pages API", "Handling Errors", "Rate Limiting"), because no recording has them:
  * ``POST /{page-id}/feed`` -> ``{"id": "<page>_<post>"}`` and the unpublished-photo upload;
  * ``POST/DELETE /{page-id}/blocked`` (``{"<user-id>": true}`` / ``{"success": true}``);
  * an expired token (code 190, subcode 463) and throttling (code 32 with the
    ``X-Business-Use-Case-Usage`` header), with HTTP status 400 / 429 as documented;
  * an empty ``{"data": []}`` page for the forward poll.
``{"success": true}`` for hiding, unhiding and deleting a comment is the inline body of the
upstream tests (``tests/facebook/test_comment.py``). The status codes of the two recorded
error bodies were not recorded; they are served as 400, which Graph uses for OAuthException.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug import Request, Response

from piodesk.connectors.base import (
    AuthExpired,
    NotFound,
    PlatformError,
    RateLimited,
    UnsupportedAction,
    registered,
)
from piodesk.connectors.credentials import Credential
from piodesk.connectors.facebook import FacebookConnector
from piodesk.connectors.model import CommentState, Cursor, ItemKind, MediaRef

V = "/v19.0"
TOKEN = "page-token-for-tests"


def _body(data: Any, name: str) -> str:
    path: Path = data(f"platform_http/facebook_graph/testdata/{name}")
    return path.read_text("utf-8")


def _connector(server: Any, page_id: str = "19292868552", **cred: str) -> FacebookConnector:
    return FacebookConnector(
        page_id,
        Credential({"access_token": TOKEN, **cred}),
        base_url=server.url_for("/").rstrip("/"),
        page_size=5,
    )


def test_registry_and_missing_capability(httpserver: Any) -> None:
    assert registered("facebook") is FacebookConnector
    with pytest.raises(UnsupportedAction, match="facebook does not support read subscribers"):
        _connector(httpserver).fetch_subscribers()


def test_read_profile(data: Any, httpserver: Any) -> None:
    body = _body(data, "base/object_data.json")
    httpserver.expect_request(f"{V}/20531316728", method="GET").respond_with_data(
        body, content_type="application/json"
    )
    profile = _connector(httpserver, "20531316728").read_profile()
    page = json.loads(body)
    assert profile.page_platform_id == "20531316728"
    assert profile.name == page["name"]
    assert profile.about.startswith(page["about"])
    assert page["description"] in profile.about
    assert page["website"] in profile.links
    assert profile.raw == body.encode("utf-8")
    (req, _resp) = httpserver.log[0]
    assert req.args["access_token"] == TOKEN
    assert "about" in req.args["fields"].split(",")


def test_feed_paging_by_cursor_then_polling_since(data: Any, httpserver: Any) -> None:
    p1 = _body(data, "base/full_connecions_p1.json")
    p2 = _body(data, "base/full_connecions_p2.json")

    def feed(request: Request) -> Response:
        if "since" in request.args:
            return Response('{"data":[]}', content_type="application/json")
        page = p2 if request.args.get("after") == "after" else p1
        return Response(page, content_type="application/json")

    httpserver.expect_request(f"{V}/19292868552/feed").respond_with_handler(feed)
    conn = _connector(httpserver)
    first = conn.fetch_posts(None)
    second = conn.fetch_posts(first.next)
    poll = conn.fetch_posts(second.next)

    want1 = [p["id"] for p in json.loads(p1)["data"]]
    want2 = [p["id"] for p in json.loads(p2)["data"]]
    assert [i.platform_id for i in first.items] == want1
    assert [i.platform_id for i in second.items] == want2
    assert first.has_more  # p1 has paging.next
    assert not second.has_more  # p2 has cursors.after but no next: the last page
    assert poll.items == () and not poll.has_more

    args = [dict(req.args) for req, _ in httpserver.log]
    assert "after" not in args[0] and args[1]["after"] == "after"
    newest = max(int(i.created_at.timestamp()) for i in first.items + second.items if i.created_at)
    assert args[2]["since"] == str(newest) and "after" not in args[2]
    assert all(a["limit"] == "5" for a in args)

    item = first.items[0]
    raw_post = json.loads(p1)["data"][0]
    assert item.kind is ItemKind.POST
    assert item.text == raw_post["message"]
    assert item.created_at is not None
    assert item.created_at.isoformat() == "2021-06-30T21:21:18+00:00"
    assert item.raw in p1.encode("utf-8") and json.loads(item.raw) == raw_post


def test_comments_without_ids_take_the_permalink_id(data: Any, httpserver: Any) -> None:
    p1 = _body(data, "facebook/apidata/comments/comments_p1.json")
    p2 = _body(data, "facebook/apidata/comments/comments_p2.json")
    post = "19292868552_10158407654328553"

    def comments(request: Request) -> Response:
        assert request.args["filter"] == "stream"
        page = p2 if request.args.get("after") == "after" else p1
        return Response(page, content_type="application/json")

    httpserver.expect_request(f"{V}/{post}/comments").respond_with_handler(comments)
    conn = _connector(httpserver)
    first = conn.fetch_comments(post)
    second = conn.fetch_comments(post, first.next)
    assert first.has_more and not second.has_more
    items = first.items + second.items
    raw = json.loads(p1)["data"] + json.loads(p2)["data"]
    assert len(items) == len(raw) == 15
    # Hand-checked in comments_p1.json: entry 6 is a reply; its permalink names the comment
    # (comment_id=…903973553) and itself (reply_comment_id=…409983033553).
    obj = "10158407654328553"
    assert items[0].platform_id == f"{obj}_10158407835073553"
    assert items[0].kind is ItemKind.COMMENT and items[0].parent_platform_id == post
    reply = items[5]
    assert reply.platform_id == f"{obj}_10158409983033553"
    assert reply.kind is ItemKind.REPLY
    assert reply.parent_platform_id == f"{obj}_10158407903973553"
    replies = [c for c in raw if "reply_comment_id=" in c["permalink_url"]]
    assert sum(1 for i in items if i.kind is ItemKind.REPLY) == len(replies) == 5
    assert len({i.platform_id for i in items}) == 15  # no reply takes its parent's id
    # Every top-level comment's comment_count equals the replies pointing at it.
    for item, c in zip(items, raw, strict=True):
        if item.kind is ItemKind.COMMENT:
            n = sum(1 for i in items if i.parent_platform_id == item.platform_id)
            assert n == c["comment_count"], item.platform_id
    assert all(i.author_platform_id is None for i in items)  # "from" needs MODERATE (v11+)
    assert items[0].text == raw[0]["message"]


def test_fully_expanded_comment_of_a_managed_page(data: Any, httpserver: Any) -> None:
    node = _body(data, "facebook/models/comment.json").strip()
    # The recorded Comment node, served inside the edge's {"data": [...]} list.
    httpserver.expect_request(f"{V}/2954961744718970/comments").respond_with_data(
        '{"data":[' + node + "]}", content_type="application/json"
    )
    (item,) = _connector(httpserver).fetch_comments("2954961744718970").items
    assert item.platform_id == "2954961744718970_2966313500250461"
    assert (item.author_platform_id, item.author_name) == ("2711636948859886", "Kun Liu")
    assert item.fields["is_hidden"] is False
    assert item.media and item.media[0].url is not None
    assert item.raw == node.encode("utf-8")


def test_hide_unhide_delete_comment(httpserver: Any) -> None:
    ok = '{"success": true}'
    cid = "2954961744718970_2966313500250461"
    httpserver.expect_ordered_request(f"{V}/{cid}", method="POST").respond_with_data(ok)
    httpserver.expect_ordered_request(f"{V}/{cid}", method="POST").respond_with_data(ok)
    httpserver.expect_ordered_request(f"{V}/{cid}", method="DELETE").respond_with_data(ok)
    conn = _connector(httpserver)
    conn.hide_comment(cid)
    conn.unhide_comment(cid)
    conn.delete_comment(cid)
    forms = [req.form.get("is_hidden") for req, _ in httpserver.log]
    assert forms == ["true", "false", None]
    httpserver.check_assertions()


def test_action_not_confirmed_is_an_error(httpserver: Any) -> None:
    httpserver.expect_request(f"{V}/1_2", method="DELETE").respond_with_data('{"success": false}')
    with pytest.raises(PlatformError, match="delete comment was not confirmed"):
        _connector(httpserver).delete_comment("1_2")


def test_block_and_unblock(httpserver: Any) -> None:
    httpserver.expect_ordered_request(f"{V}/19292868552/blocked", method="POST").respond_with_data(
        '{"1234567890": true}'
    )
    httpserver.expect_ordered_request(
        f"{V}/19292868552/blocked", method="DELETE"
    ).respond_with_data('{"success": true}')
    conn = _connector(httpserver)
    conn.block("1234567890")
    conn.unblock("1234567890")
    (block_req, _), (unblock_req, _) = httpserver.log
    assert block_req.form["user"] == "1234567890"
    assert unblock_req.args["user"] == "1234567890"


def test_publish_text_and_photo(httpserver: Any) -> None:
    httpserver.expect_ordered_request(f"{V}/19292868552/photos", method="POST").respond_with_data(
        '{"id": "555"}'
    )
    httpserver.expect_ordered_request(f"{V}/19292868552/feed", method="POST").respond_with_data(
        '{"id": "19292868552_777"}'
    )
    photo = MediaRef(data=b"\xff\xd8\xff\xe0jpeg", mime_type="image/jpeg", filename="road.jpg")
    post_id = _connector(httpserver).publish("Road closed at 5th and Main", [photo])
    assert post_id == "19292868552_777"
    (upload, _), (feed, _) = httpserver.log
    assert upload.form["published"] == "false"
    assert upload.files["source"].read() == b"\xff\xd8\xff\xe0jpeg"
    assert feed.form["message"] == "Road closed at 5th and Main"
    assert json.loads(feed.form["attached_media[0]"]) == {"media_fbid": "555"}


@pytest.mark.parametrize("name", ["error.json", "base/error_data.json"])
def test_recorded_graph_errors(data: Any, httpserver: Any, name: str) -> None:
    body = _body(data, name)
    httpserver.expect_request(f"{V}/19292868552/feed").respond_with_data(
        body, status=400, content_type="application/json"
    )
    with pytest.raises(PlatformError) as err:
        _connector(httpserver).fetch_posts(None)
    assert err.value.status == 400
    assert err.value.message.startswith(json.loads(body)["error"]["message"][:30])
    assert "(code 100)" in err.value.message


def test_expired_token(httpserver: Any) -> None:
    httpserver.expect_request(f"{V}/19292868552/feed").respond_with_json(
        {
            "error": {
                "message": "Error validating access token: Session has expired on Friday.",
                "type": "OAuthException",
                "code": 190,
                "error_subcode": 463,
                "fbtrace_id": "AbCdEf",
            }
        },
        status=400,
    )
    with pytest.raises(AuthExpired, match="Session has expired"):
        _connector(httpserver).fetch_posts(None)


def test_throttled_with_business_use_case_header(httpserver: Any) -> None:
    usage = {
        "19292868552": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 25,
                "total_time": 25,
                "estimated_time_to_regain_access": 5,
            }
        ]
    }
    httpserver.expect_request(f"{V}/19292868552/feed").respond_with_json(
        {
            "error": {
                "message": "(#32) Page request limit reached",
                "type": "OAuthException",
                "code": 32,
            }
        },
        status=429,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )
    with pytest.raises(RateLimited) as err:
        _connector(httpserver).fetch_posts(None)
    assert err.value.retry_after == 300.0


def test_appsecret_proof_and_no_token_in_errors(httpserver: Any) -> None:
    httpserver.expect_request(f"{V}/19292868552/feed").respond_with_data('{"data": []}')
    conn = _connector(httpserver, app_secret="app-secret-xyz")
    conn.fetch_posts(None)
    (req, _) = httpserver.log[0]
    expected = hmac.new(b"app-secret-xyz", TOKEN.encode(), hashlib.sha256).hexdigest()
    assert req.args["appsecret_proof"] == expected
    assert TOKEN not in repr(conn)

    dead = FacebookConnector(
        "1", Credential({"access_token": TOKEN}), base_url="http://127.0.0.1:9", timeout=2
    )
    with pytest.raises(PlatformError) as err:
        dead.fetch_posts(None)
    assert TOKEN not in str(err.value)
    assert isinstance(dead._client, httpx.Client)


def test_fetch_post_album_and_edit_time(data: Any, httpserver: Any) -> None:
    body = _body(data, "facebook/models/post.json")
    post = json.loads(body)
    httpserver.expect_request(f"{V}/{post['id']}", method="GET").respond_with_data(
        body, content_type="application/json"
    )
    item = _connector(httpserver, "565225540184937").fetch_post(post["id"])
    photos = [
        sub
        for a in post["attachments"]["data"]
        for sub in a.get("subattachments", {}).get("data", [])
        if sub.get("media", {}).get("image", {}).get("src")
    ]
    assert len(item.media) == len(photos) > 1
    assert [m.url for m in item.media] == [p["media"]["image"]["src"] for p in photos]
    assert item.media[0].mime_type == "image/jpeg"
    assert item.text == post["message"]
    assert item.edited_at is not None and item.edited_at.isoformat() == "2020-02-18T13:33:30+00:00"
    assert item.fields["status_type"] == "added_photos"
    assert item.raw == body.encode("utf-8")


def test_deleted_post_is_not_found(httpserver: Any) -> None:
    # Built from the Graph docs: code 100, subcode 33 "Object ... does not exist".
    httpserver.expect_request(f"{V}/1_2").respond_with_json(
        {
            "error": {
                "message": "Unsupported get request. Object with ID '1_2' does not exist",
                "type": "GraphMethodException",
                "code": 100,
                "error_subcode": 33,
            }
        },
        status=400,
    )
    with pytest.raises(NotFound, match="does not exist"):
        _connector(httpserver).fetch_post("1_2")


def test_token_never_reaches_the_logs(httpserver: Any, caplog: Any) -> None:
    httpserver.expect_request(f"{V}/19292868552/feed").respond_with_data('{"data": []}')
    with caplog.at_level(logging.DEBUG):
        _connector(httpserver, app_secret="app-secret-xyz").fetch_posts(None)
    # Our side only: the local test server (werkzeug) logs the URL it received, as a real
    # Graph server would in its own logs.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))
    assert "HTTP Request: GET" in ours  # httpx did log the request…
    assert TOKEN not in ours  # …without the token
    assert "access_token=REDACTED" in ours


def test_a_poll_with_more_than_a_page_keeps_its_since(data: Any, httpserver: Any) -> None:
    p1 = _body(data, "base/full_connecions_p1.json")
    p2 = _body(data, "base/full_connecions_p2.json")

    def feed(request: Request) -> Response:
        page = p2 if request.args.get("after") == "after" else p1
        return Response(page, content_type="application/json")

    httpserver.expect_request(f"{V}/19292868552/feed").respond_with_handler(feed)
    conn = _connector(httpserver)
    start = Cursor(json.dumps({"after": None, "since": 1624000000, "newest": 1624000000}))
    first = conn.fetch_posts(start)
    second = conn.fetch_posts(first.next)
    assert first.has_more and not second.has_more
    args = [dict(req.args) for req, _ in httpserver.log]
    # The second request of the sweep still says since=…, or posts between would be lost.
    assert args[0]["since"] == args[1]["since"] == "1624000000"
    assert args[1]["after"] == "after"
    newest = max(int(i.created_at.timestamp()) for i in first.items if i.created_at)
    assert second.next is not None
    assert json.loads(second.next.value) == {"after": None, "since": newest, "newest": newest}


def test_permalink_without_posts_segment_uses_the_post_id(httpserver: Any) -> None:
    # Shape of a photo/story permalink (no /posts/ segment), built from Graph docs examples.
    body = {
        "data": [
            {
                "created_time": "2021-08-10T18:45:03+0000",
                "message": "Is the road open?",
                "permalink_url": "https://www.facebook.com/permalink.php?story_fbid=222&id=111&comment_id=333",
            }
        ]
    }
    httpserver.expect_request(f"{V}/111_222/comments").respond_with_json(body)
    (item,) = _connector(httpserver, "111").fetch_comments("111_222").items
    assert item.platform_id == "222_333" and item.parent_platform_id == "111_222"


def test_comment_paging_that_does_not_advance_is_refused(data: Any, httpserver: Any) -> None:
    # The recorded first page says "next" with cursor "after"; served again for after=after,
    # the listing would be asked for the same page forever.
    p1 = _body(data, "facebook/apidata/comments/comments_p1.json")
    post = "19292868552_10158407654328553"
    httpserver.expect_request(f"{V}/{post}/comments").respond_with_data(
        p1, content_type="application/json"
    )
    conn = _connector(httpserver)
    first = conn.fetch_comments(post)
    assert first.has_more
    with pytest.raises(PlatformError, match="paging did not advance"):
        conn.fetch_comments(post, first.next)


def test_comment_state_reads_is_hidden_and_a_deleted_comment(data: Any, httpserver: Any) -> None:
    # The recorded comment (is_hidden false), the same body hidden, then Graph's "does not
    # exist" answer once it is deleted (code 100, subcode 33, as the Graph docs give it).
    body = json.loads(_body(data, "facebook/models/comment.json"))
    cid = body["id"]
    httpserver.expect_ordered_request(f"{V}/{cid}", method="GET").respond_with_json(body)
    httpserver.expect_ordered_request(f"{V}/{cid}", method="GET").respond_with_json(
        {**body, "is_hidden": True}
    )
    httpserver.expect_ordered_request(f"{V}/{cid}", method="GET").respond_with_json(
        {
            "error": {
                "message": f"Unsupported get request. Object with ID '{cid}' does not exist",
                "type": "GraphMethodException",
                "code": 100,
                "error_subcode": 33,
            }
        },
        status=400,
    )
    conn = _connector(httpserver)
    states = [conn.comment_state(cid) for _ in range(3)]
    assert states == [CommentState.VISIBLE, CommentState.HIDDEN, CommentState.DELETED]
    assert {req.args["fields"] for req, _ in httpserver.log} == {"id,is_hidden"}


def test_is_blocked_lists_the_person_while_blocked(httpserver: Any) -> None:
    # Built from the Graph docs: GET /{page-id}/blocked?user={id} lists the person if blocked.
    listed = {"data": [{"id": "1234567890", "name": "Pat Example"}]}
    httpserver.expect_ordered_request(f"{V}/19292868552/blocked").respond_with_json(listed)
    httpserver.expect_ordered_request(f"{V}/19292868552/blocked").respond_with_json({"data": []})
    conn = _connector(httpserver)
    assert conn.is_blocked("1234567890") is True
    assert conn.is_blocked("1234567890") is False
    assert [req.args["user"] for req, _ in httpserver.log] == ["1234567890", "1234567890"]
