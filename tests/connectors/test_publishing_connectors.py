"""Publish, reply and thread on Mastodon and Facebook (the outbox's calls), and reading back
what was published (the reconciler's), against the platforms' documented exchanges served on
a local socket; refusals come back as errors naming the platform's reason.

Mastodon bodies are the recorded ones of Mastodon.py's test suite
(``cassettes/test_status_reply.yaml``: the status replied to and the reply), served at the
endpoints the connector calls; the exchange follows https://docs.joinmastodon.org/methods/
statuses/#create (``in_reply_to_id``, the ``Idempotency-Key`` header) and /methods/accounts/
#statuses; the 422 body is the documented validation error. Facebook bodies are python-
facebook's saved Graph answers (``comments/create_resp.json``, ``posts/feed_fields_p1.json``)
and the Graph "Handling Errors" shape for a refused photo; ``POST /{object-id}/comments``
follows the Pages API documentation.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
import yaml
from werkzeug import Request, Response

from piodesk.connectors.base import PlatformError
from piodesk.connectors.credentials import Credential
from piodesk.connectors.facebook import FacebookConnector
from piodesk.connectors.htmltext import html_to_text
from piodesk.connectors.mastodon import MastodonConnector
from piodesk.connectors.model import Capability, MediaRef

V = "/v19.0"


def _reply_cassette(data: Any) -> list[dict[str, Any]]:
    path = data("platform_http/mastodon/cassettes/test_status_reply.yaml")
    return yaml.safe_load(path.read_text("utf-8"))["interactions"]


def _mastodon(httpserver: Any, account_id: str) -> MastodonConnector:
    return MastodonConnector(
        httpserver.url_for("/").rstrip("/"),
        Credential({"access_token": "REDACTED"}),
        account_id=account_id,
    )


def test_mastodon_declares_reply_and_threads_under_its_post(data: Any, httpserver: Any) -> None:
    recorded = _reply_cassette(data)
    parent = json.loads(recorded[0]["response"]["body"]["string"])
    reply = json.loads(recorded[2]["response"]["body"]["string"])
    assert Capability.REPLY in MastodonConnector.capabilities
    sent: list[tuple[dict[str, list[str]], str | None]] = []

    def post_status(request: Request) -> Response:
        sent.append(
            (parse_qs(request.get_data(as_text=True)), request.headers.get("Idempotency-Key"))
        )
        return Response(json.dumps(reply), content_type="application/json")

    httpserver.expect_request(f"/api/v1/statuses/{parent['id']}").respond_with_json(parent)
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_handler(post_status)
    # The department's own post: threading an update under it adds no mention.
    own = _mastodon(httpserver, parent["account"]["id"])
    made = own.reply(parent["id"], "Update: one lane open.", under="post", idempotency_key="k-1")
    assert made == reply["id"]
    form, key = sent[-1]
    assert form["in_reply_to_id"] == [parent["id"]]
    assert form["status"] == ["Update: one lane open."]
    assert form["visibility"] == ["public"]
    assert key == "k-1"
    # A visitor's status: the reply starts with their handle, as Mastodon's apps do.
    other = _mastodon(httpserver, "7")
    other.reply(parent["id"], "Thanks, we will look into it.", under="comment")
    form, _ = sent[-1]
    assert form["status"] == [f"@{parent['account']['acct']} Thanks, we will look into it."]


def test_mastodon_publish_sends_the_idempotency_key(data: Any, httpserver: Any) -> None:
    reply = json.loads(_reply_cassette(data)[2]["response"]["body"]["string"])
    keys: list[str | None] = []

    def post_status(request: Request) -> Response:
        keys.append(request.headers.get("Idempotency-Key"))
        return Response(json.dumps(reply), content_type="application/json")

    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_handler(post_status)
    conn = _mastodon(httpserver, "7")
    assert conn.publish("Road closed.", idempotency_key="intent-abc") == reply["id"]
    assert keys == ["intent-abc"]


def test_mastodon_too_long_is_refused_with_the_servers_reason(httpserver: Any) -> None:
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_json(
        {"error": "Validation failed: Text character limit of 500 exceeded"}, status=422
    )
    with pytest.raises(PlatformError) as caught:
        _mastodon(httpserver, "7").publish("x" * 501)
    assert caught.value.status == 422
    assert "Text character limit of 500 exceeded" in str(caught.value)


def test_mastodon_find_published_reads_the_accounts_statuses(data: Any, httpserver: Any) -> None:
    recorded = _reply_cassette(data)
    reply = json.loads(recorded[2]["response"]["body"]["string"])
    account = reply["account"]["id"]
    httpserver.expect_request(f"/api/v1/accounts/{account}/statuses").respond_with_json([reply])
    conn = _mastodon(httpserver, account)
    text = html_to_text(reply["content"])
    assert text.startswith("@")
    words = text.split(" ", 1)[-1]  # the reply's words after its @mention
    since = datetime(2026, 8, 1, 13, 0, tzinfo=UTC)
    assert conn.find_published(words, since=since, parent_id=reply["in_reply_to_id"]) == reply["id"]
    assert conn.find_published(words, since=since, parent_id="1") is None  # another thread
    later = datetime(2026, 8, 2, tzinfo=UTC)
    assert conn.find_published(words, since=later) is None  # made before the send began


def _facebook(httpserver: Any) -> FacebookConnector:
    return FacebookConnector(
        "245628824887810",
        Credential({"access_token": "page-token"}),
        base_url=httpserver.url_for("/").rstrip("/"),
    )


def _fb_body(data: Any, name: str) -> str:
    return data(f"platform_http/facebook_graph/testdata/facebook/apidata/{name}").read_text("utf-8")


def test_facebook_reply_is_a_comment_as_the_page(data: Any, httpserver: Any) -> None:
    created = _fb_body(data, "comments/create_resp.json")
    post = "245628824887810_245778718206154"
    httpserver.expect_request(f"{V}/{post}/comments", method="POST").respond_with_data(
        created, content_type="application/json"
    )
    assert Capability.REPLY in FacebookConnector.capabilities
    made = _facebook(httpserver).reply(post, "Update: the road is open.", under="post")
    assert made == json.loads(created)["id"]
    ((req, _),) = httpserver.log
    assert req.form["message"] == "Update: the road is open."


def test_facebook_find_published_reads_the_pages_posts(data: Any, httpserver: Any) -> None:
    feed = _fb_body(data, "posts/feed_fields_p1.json")
    first = json.loads(feed)["data"][0]
    httpserver.expect_request(f"{V}/245628824887810/posts").respond_with_data(
        feed, content_type="application/json"
    )
    conn = _facebook(httpserver)
    since = datetime(2021, 7, 4, 19, 0, tzinfo=UTC)
    assert conn.find_published(first["message"], since=since) == first["id"]
    assert conn.find_published("never posted", since=since) is None
    req, _ = httpserver.log[0]
    assert req.args["since"] == str(int(since.timestamp()))


def test_facebook_bad_media_is_refused_with_graphs_reason(httpserver: Any) -> None:
    httpserver.expect_request(f"{V}/245628824887810/photos", method="POST").respond_with_json(
        {
            "error": {
                "message": "(#324) Requires upload file",
                "type": "OAuthException",
                "code": 324,
            }
        },
        status=400,
    )
    photo = MediaRef(data=b"not an image", mime_type="image/jpeg", filename="x.jpg")
    with pytest.raises(PlatformError) as caught:
        _facebook(httpserver).publish("Road closed", [photo])
    assert caught.value.status == 400 and "Requires upload file" in str(caught.value)
