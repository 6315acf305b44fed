"""The reconciler finds a lost send's post though the platform changed its text, on the same
page and in the send's window; two candidates leave it unconfirmed for a person, naming them.

Mastodon statuses are served in the shape of GET /api/v1/accounts/:id/statuses
(https://docs.joinmastodon.org/entities/Status/: ``content`` is HTML, links wrapped in
``invisible``/``ellipsis`` spans, entities escaped); Graph posts in the shape of
GET /{page-id}/posts with ``id,message,created_time`` (the Pages API reference)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from piodesk.connectors import intents
from piodesk.connectors.base import Connector, PlatformError
from piodesk.connectors.credentials import Credential
from piodesk.connectors.facebook import FacebookConnector
from piodesk.connectors.mastodon import MastodonConnector
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.textmatch import AmbiguousMatch
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.pages.tables import Page
from piodesk.publishing import outbox
from piodesk.publishing.outbox_model import DeliveryState, Overall
from piodesk.publishing.outbox_sender import reconcile_unconfirmed, send_due

SENT = (
    "Road closure: Platte Ave & Union Blvd are closed both ways until 6 pm.\n\n"
    "Detour: use Boulder St. Map: https://coloradosprings.gov/police/detours/platte-union"
)
T0 = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
MASTODON_HTML = (
    "<p>Road closure: Platte Ave &amp; Union Blvd are closed both ways until 6 pm.</p>"
    '<p>Detour: use Boulder St. Map: <a href="https://coloradosprings.gov/police/detours/'
    'platte-union" rel="nofollow noopener" target="_blank"><span class="invisible">https://'
    '</span><span class="ellipsis">coloradosprings.gov/police/detou</span><span class="'
    'invisible">rs/platte-union</span></a></p>'
)


def _status(sid: str, content: str, at: datetime, reply_to: str | None = None) -> dict[str, Any]:
    return {
        "id": sid,
        "created_at": at.isoformat().replace("+00:00", ".000Z"),
        "in_reply_to_id": reply_to,
        "content": content,
        "visibility": "public",
        "account": {"id": "7", "acct": "cspd"},
        "url": f"https://police.social/@cspd/{sid}",
    }


def _mastodon(httpserver: Any, statuses: list[dict[str, Any]]) -> MastodonConnector:
    httpserver.expect_request("/api/v1/accounts/7/statuses").respond_with_json(statuses)
    return MastodonConnector(
        httpserver.url_for("/").rstrip("/"),
        Credential({"access_token": "REDACTED"}),
        account_id="7",
    )


def test_mastodon_finds_the_status_as_the_server_rendered_it(httpserver: Any) -> None:
    conn = _mastodon(
        httpserver,
        [
            _status("900", "<p>Unrelated tip: lock your car.</p>", T0 + timedelta(seconds=5)),
            _status("901", MASTODON_HTML, T0 + timedelta(seconds=2)),
            _status("880", MASTODON_HTML, T0 - timedelta(hours=3)),  # yesterday's, same text
        ],
    )
    window = {"since": T0 - timedelta(seconds=60), "until": T0 + timedelta(minutes=15)}
    assert conn.find_published(SENT, **window) == "901"
    assert conn.find_published(SENT, **window, exclude={"901"}) is None
    assert conn.find_published(SENT.replace("6 pm", "8 pm"), **window) is None


def test_mastodon_two_candidates_are_ambiguous(httpserver: Any) -> None:
    conn = _mastodon(
        httpserver,
        [
            _status("901", MASTODON_HTML, T0 + timedelta(seconds=2)),
            _status("902", MASTODON_HTML.replace("</p><p>", "<br>"), T0 + timedelta(seconds=30)),
        ],
    )
    with pytest.raises(AmbiguousMatch) as caught:
        conn.find_published(SENT, since=T0, until=T0 + timedelta(minutes=15))
    assert set(caught.value.ids) == {"901", "902"}


def test_facebook_finds_the_post_with_graphs_changes(httpserver: Any) -> None:
    fb_text = SENT.replace("\n\n", "\n").replace(
        "https://coloradosprings.gov/police/detours/platte-union", "https://bit.ly/3xYz"
    )
    posts = {
        "data": [
            {
                "id": "245628824887810_1",
                "message": fb_text,
                "created_time": "2026-12-03T18:00:04+0000",
            },
            {
                "id": "245628824887810_2",
                "message": "Holiday hours.",
                "created_time": "2026-12-03T18:00:09+0000",
            },
        ]
    }
    httpserver.expect_request("/v19.0/245628824887810/posts").respond_with_json(posts)
    conn = FacebookConnector(
        "245628824887810",
        Credential({"access_token": "page-token"}),
        base_url=httpserver.url_for("/").rstrip("/"),
    )
    until = T0 + timedelta(minutes=15)
    assert conn.find_published(SENT, since=T0, until=until) == "245628824887810_1"
    req, _ = httpserver.log[0]
    assert req.args["since"] == str(int(T0.timestamp()))
    assert req.args["until"] == str(int(until.timestamp()) + 1)


# ---- through the outbox, on the sandbox --------------------------------------------------------


class Reformatting:
    """Sandbox connectors whose platform changes the text (whitespace, an entity, a trailing
    full stop) and whose answer is lost after the post is made."""

    def __init__(self, sessions, *, lose: bool = True) -> None:
        self.sessions, self.lose = sessions, lose

    def __call__(self, page: Page) -> Connector:
        outer = self

        class Wrapped(SandboxConnector):
            def publish(self, text: str, media: Any = (), *, idempotency_key=None) -> str:
                shown = " ".join(text.split()).replace("&", "&amp;") + "."
                made = super().publish(shown, media)
                if outer.lose:
                    raise PlatformError("sandbox", None, "read timed out")
                return made

        return Wrapped(self.sessions, page.handle)


def _publish(sessions, staff, page_id: int) -> int:
    with transaction(sessions) as s:
        return outbox.enqueue(
            s, actor=staff[Role.PIO], text=SENT, page_ids=[page_id], source="post:1"
        )


def test_a_reformatted_post_is_found_after_a_lost_answer(sessions, staff, sandbox_pages):
    north = sandbox_pages.ids["north"]
    pub = _publish(sessions, staff, north)
    send_due(sessions, Reformatting(sessions))
    report = intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    assert len(report.recorded) == 1
    with sessions() as s:
        st = outbox.status(s, pub)
    assert st.overall is Overall.PUBLISHED and st.pages[0].external_id
    assert len(sandbox_pages.posts("north")) == 1  # found, never sent again


def test_two_candidates_stay_unconfirmed_for_a_person(sessions, staff, sandbox_pages):
    north = sandbox_pages.ids["north"]
    pub = _publish(sessions, staff, north)
    send_due(sessions, Reformatting(sessions))
    # Someone also posted the same notice by hand on the page meanwhile.
    by_hand = SandboxConnector(sessions, "north").publish(SENT)
    intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    with sessions() as s:
        page = outbox.status(s, pub).pages[0]
    assert page.state is DeliveryState.UNCONFIRMED and not page.external_id
    assert "does not guess" in page.error and by_hand in page.error
    assert reconcile_unconfirmed(sessions, sandbox_pages.connect) == []  # still not guessed
    with sessions() as s:
        assert outbox.status(s, pub).pages[0].state is DeliveryState.UNCONFIRMED
    assert len(sandbox_pages.posts("north")) == 2  # and nothing was posted again


def test_a_post_claimed_by_another_delivery_does_not_count(sessions, staff, sandbox_pages):
    north = sandbox_pages.ids["north"]
    first = _publish(sessions, staff, north)
    send_due(sessions, Reformatting(sessions, lose=False))  # the same text, recorded as sent
    second = _publish(sessions, staff, north)
    send_due(sessions, Reformatting(sessions))  # this one's answer is lost
    report = intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    with sessions() as s:
        a, b = outbox.status(s, first).pages[0], outbox.status(s, second).pages[0]
    # Both posts match the text; the one recorded for the first delivery is left out (the
    # outbox tells the reconciler which ids are claimed), so the second's own post is found.
    assert report.recorded and not report.unconfirmed
    assert a.state is DeliveryState.SENT and b.state is DeliveryState.SENT
    assert b.external_id and b.external_id != a.external_id
    assert len(sandbox_pages.posts("north")) == 2  # nothing was sent again
