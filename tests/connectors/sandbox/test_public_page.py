"""The sandbox's public page over HTTP: reading, commenting, CSRF, limits, blocks, escaping."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.sandbox.platform import visitor_id_for
from piodesk.connectors.sandbox.routes import POSTS_PER_PAGE, VISITOR_COOKIE
from piodesk.connectors.sandbox.tables import SandboxComment, SandboxPage
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from tests.conftest import People
from tests.connectors.sandbox.conftest import HANDLE, register_sandbox_page, visitor_comment

URL = f"/sandbox/{HANDLE}"


def csrf_of(html: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token, "the page has no comment form"
    return token[1]


def comment_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(SandboxComment)).scalar_one()


@pytest.fixture
def post_id(conn: SandboxConnector) -> str:
    """A page with an older and a newer post; the id of the newer one."""
    conn.publish("Older post: crime prevention tip")
    return conn.publish("Newer post: road closure on Nevada Ave")


def test_the_public_page_shows_profile_and_posts_newest_first(
    client: TestClient, post_id: str
) -> None:
    page = client.get(URL)
    assert page.status_code == 200
    assert "The opinions expressed by webpage visitors do not reflect" in page.text
    assert "(719) 444-7000" in page.text and "Comments are monitored" in page.text
    assert page.text.index("Newer post") < page.text.index("Older post")
    cookie = page.headers["set-cookie"]
    assert f"{VISITOR_COOKIE}=" in cookie and "HttpOnly" in cookie and "Path=/sandbox" in cookie
    assert "default-src 'self'" in page.headers["content-security-policy"]
    # No sign-in needed, and no staff navigation on the platform's page.
    assert "Sign out" not in page.text


def test_a_visitor_comments_and_sees_it(
    client: TestClient, post_id: str, conn: SandboxConnector
) -> None:
    page = client.get(URL)
    response = client.post(
        f"{URL}/posts/{post_id}/comments",
        data={
            "csrf_token": csrf_of(page.text),
            "visitor_name": "Maria",
            "body": "How long is\nthe closure?",
        },
    )
    assert response.status_code == 303
    [item] = conn.fetch_comments(post_id).items
    assert response.headers["location"] == f"{URL}#comment-{item.platform_id}"
    assert item.fields["permalink_url"] == response.headers["location"]
    after = client.get(URL)
    assert f'id="comment-{item.platform_id}"' in after.text
    assert "How long is\nthe closure?" in after.text and "(you)" in after.text
    # The archive gets a one-way id; the cookie's secret is stored nowhere.
    token = client.cookies[VISITOR_COOKIE]
    assert item.author_platform_id == visitor_id_for(token)
    assert token.encode() not in item.raw
    # Another visitor sees the comment but not as theirs.
    other = TestClient(client.app)
    assert "How long is" in other.get(URL).text and "(you)" not in other.get(URL).text


def test_a_visitor_replies_to_a_comment(
    client: TestClient, post_id: str, sessions: sessionmaker[Session], conn: SandboxConnector
) -> None:
    parent = visitor_comment(sessions, post_id, "Is Cascade open?", visitor="v-bob", name="Bob")
    page = client.get(URL)
    response = client.post(
        f"{URL}/posts/{post_id}/comments",
        data={
            "csrf_token": csrf_of(page.text),
            "visitor_name": "Ann",
            "body": "Yes, it is",
            "parent_comment_id": parent,
        },
    )
    assert response.status_code == 303
    reply = next(i for i in conn.fetch_comments(post_id).items if i.platform_id != parent)
    assert reply.parent_platform_id == parent
    html = client.get(URL).text
    thread = html[html.index(f'id="comment-{parent}"') :]
    assert thread.index("Yes, it is") < thread.index("</section>")


def test_hostile_html_is_shown_as_text(client: TestClient, post_id: str) -> None:
    page = client.get(URL)
    client.post(
        f"{URL}/posts/{post_id}/comments",
        data={
            "csrf_token": csrf_of(page.text),
            "visitor_name": '<script>alert("name")</script>',
            "body": '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a>',
        },
    )
    html = client.get(URL).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert '<a href="javascript' not in html
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


@pytest.mark.parametrize("case", ["no token", "wrong token", "no cookie", "other visitor's"])
def test_a_comment_without_the_right_csrf_token_is_refused(
    client: TestClient, post_id: str, sessions: sessionmaker[Session], case: str
) -> None:
    token = csrf_of(client.get(URL).text)
    data = {"visitor_name": "Mallory", "body": "forged"}
    if case == "wrong token":
        data["csrf_token"] = token[:-4] + "0000"
    elif case == "no cookie":
        data["csrf_token"] = token
        client.cookies.clear()
    elif case == "other visitor's":
        other = TestClient(client.app)
        data["csrf_token"] = csrf_of(other.get(URL).text)
    response = client.post(f"{URL}/posts/{post_id}/comments", data=data)
    assert response.status_code == 403
    assert "reload the page" in response.text
    assert comment_count(sessions) == 0


def test_an_over_long_comment_is_refused_with_a_clear_message(
    client: TestClient, post_id: str, sessions: sessionmaker[Session]
) -> None:
    token = csrf_of(client.get(URL).text)
    too_long = "Slow down on Nevada! " * 95 + "the end."  # 2,003 characters
    assert len(too_long) == 2003
    response = client.post(
        f"{URL}/posts/{post_id}/comments",
        data={"csrf_token": token, "visitor_name": "Pat", "body": too_long},
    )
    assert response.status_code == 422
    assert "Your comment is 2,003 characters long; the limit is 2,000." in response.text
    assert too_long in response.text  # what they wrote is kept in the form, to shorten
    assert comment_count(sessions) == 0
    # Exactly at the limit is fine.
    response = client.post(
        f"{URL}/posts/{post_id}/comments",
        data={"csrf_token": token, "visitor_name": "Pat", "body": "x" * 2000},
    )
    assert response.status_code == 303 and comment_count(sessions) == 1


def test_an_empty_comment_or_name_is_refused(
    client: TestClient, post_id: str, sessions: sessionmaker[Session]
) -> None:
    token = csrf_of(client.get(URL).text)
    for name, body, message in (
        ("", "hello", "Your name is empty"),
        ("Pat", "  ", "Your comment is empty"),
    ):
        response = client.post(
            f"{URL}/posts/{post_id}/comments",
            data={"csrf_token": token, "visitor_name": name, "body": body},
        )
        assert response.status_code == 422 and message in response.text
    assert comment_count(sessions) == 0


def test_a_blocked_visitor_is_told_and_refused(
    client: TestClient, post_id: str, sessions: sessionmaker[Session], conn: SandboxConnector
) -> None:
    token = csrf_of(client.get(URL).text)
    first = client.post(
        f"{URL}/posts/{post_id}/comments",
        data={"csrf_token": token, "visitor_name": "Troll", "body": "first"},
    )
    assert first.status_code == 303
    conn.block(visitor_id_for(client.cookies[VISITOR_COOKIE]))

    page = client.get(URL)
    assert "blocked you from commenting on this page" in page.text
    assert 'name="body"' not in page.text  # no comment forms for them
    refused = client.post(
        f"{URL}/posts/{post_id}/comments",
        data={"csrf_token": token, "visitor_name": "Troll", "body": "second"},
    )
    assert refused.status_code == 403
    assert "blocked you from commenting" in refused.text
    assert comment_count(sessions) == 1
    [mine] = conn.fetch_comments(post_id).items
    no_edit = client.post(
        f"{URL}/comments/{mine.platform_id}/edit", data={"csrf_token": token, "body": "edited"}
    )
    assert no_edit.status_code == 403
    assert [i.text for i in conn.fetch_comments(post_id).items] == ["first"]
    # Others still comment.
    other = TestClient(client.app, follow_redirects=False)
    other_token = csrf_of(other.get(URL).text)
    ok = other.post(
        f"{URL}/posts/{post_id}/comments",
        data={"csrf_token": other_token, "visitor_name": "Neighbor", "body": "fine"},
    )
    assert ok.status_code == 303 and comment_count(sessions) == 2


def test_hidden_and_deleted_comments_are_not_shown(
    client: TestClient, post_id: str, sessions: sessionmaker[Session], conn: SandboxConnector
) -> None:
    hidden = visitor_comment(sessions, post_id, "HIDDEN-TEXT")
    reply = visitor_comment(sessions, post_id, "REPLY-UNDER-HIDDEN", visitor="v-b", parent=hidden)
    deleted = visitor_comment(sessions, post_id, "DELETED-TEXT")
    visitor_comment(sessions, post_id, "VISIBLE-TEXT")
    conn.hide_comment(hidden)
    conn.delete_comment(deleted)
    html = client.get(URL).text
    assert "VISIBLE-TEXT" in html
    for gone in ("HIDDEN-TEXT", "REPLY-UNDER-HIDDEN", "DELETED-TEXT"):
        assert gone not in html
    # A reply to a hidden comment, or into its thread, is refused like a reply to nothing.
    for parent in (hidden, reply):
        response = client.post(
            f"{URL}/posts/{post_id}/comments",
            data={
                "csrf_token": csrf_of(html),
                "visitor_name": "Ann",
                "body": "replying",
                "parent_comment_id": parent,
            },
        )
        assert response.status_code == 404
    conn.delete_post(post_id)
    assert "Newer post" not in client.get(URL).text


def test_the_platform_shows_its_own_pages_whatever_piodesk_registered(
    client: TestClient, sessions: sessionmaker[Session], staff: People, agency: Agency
) -> None:
    # The sandbox behaves like any platform: its pages are its own, public once opened; piodesk's
    # registry (§.04 approval) governs what piodesk does with a page, not whether it exists.
    with transaction(sessions) as session:
        platform.open_page(session, "neighbours", name="Neighbours United", about="Local news")
    assert platform_page_count(sessions) >= 1
    shown = client.get("/sandbox/neighbours")
    assert (
        shown.status_code == 200
        and "Neighbours United" in shown.text
        and "Local news" in shown.text
    )
    # A page registered in piodesk but never opened on the platform does not exist there.
    with transaction(sessions) as session:
        pages.register_page(
            session,
            actor=staff[Role.PIO],
            agency=agency,
            platform="sandbox",
            handle="only-in-registry",
            name="Only in the registry",
            administering_unit="Patrol",
        )
    assert client.get("/sandbox/only-in-registry").status_code == 404
    assert client.get("/sandbox/no-such-page").status_code == 404
    response = client.post(
        "/sandbox/only-in-registry/posts/1/comments",
        data={"csrf_token": "x", "visitor_name": "A", "body": "b"},
    )
    assert response.status_code == 404
    assert comment_count(sessions) == 0
    # Retiring the page in piodesk leaves the platform's page as it was (the platform decides).
    retiring = register_sandbox_page(sessions, staff, agency, "retiring-page")
    with transaction(sessions) as session:
        pages.retire_page(session, retiring, actor=staff[Role.CHIEF], reason="merged")
    assert client.get("/sandbox/retiring-page").status_code == 200


def test_a_page_handle_is_opened_once(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        platform.open_page(session, "twice", name="Twice")
    with pytest.raises(Conflict, match="already has a page"), transaction(sessions) as session:
        platform.open_page(session, "twice", name="Twice again")
    with pytest.raises(InvalidInput, match="page name is empty"), transaction(sessions) as session:
        platform.open_page(session, "nameless", name="   ")


def platform_page_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return len(session.execute(select(SandboxPage)).scalars().all())


def test_the_visitor_cookie_is_secure_when_configured(client: TestClient, post_id: str) -> None:
    client.app.state.ctx.settings.cookie_secure = True  # type: ignore[attr-defined]
    cookie = client.get(URL).headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_the_registry_links_to_the_public_page(
    client: TestClient, sandbox_page: int, staff: People
) -> None:
    from tests.conftest import PASSWORD

    login = client.get("/login")
    client.post(
        "/login",
        data={"username": "pio", "password": PASSWORD, "csrf_token": csrf_of(login.text)},
    )
    detail = client.get(f"/pages/{sandbox_page}")
    assert f'href="/sandbox/{HANDLE}"' in detail.text


def test_a_visitor_edits_their_own_comment_and_nobody_else_can(
    client: TestClient, post_id: str, sessions: sessionmaker[Session], conn: SandboxConnector
) -> None:
    token = csrf_of(client.get(URL).text)
    client.post(
        f"{URL}/posts/{post_id}/comments",
        data={"csrf_token": token, "visitor_name": "Maria", "body": "Closed till 3?"},
    )
    [before] = conn.fetch_comments(post_id).items
    cid = before.platform_id
    assert f"/comments/{cid}/edit" in client.get(URL).text  # the author is offered an edit

    edited = client.post(
        f"{URL}/comments/{cid}/edit", data={"csrf_token": token, "body": "Closed till 4?"}
    )
    assert edited.status_code == 303
    assert edited.headers["location"] == f"{URL}/posts/{post_id}#comment-{cid}"
    [after] = conn.fetch_comments(post_id).items
    assert after.text == "Closed till 4?" and after.edited_at is not None
    assert after.fingerprint != before.fingerprint  # a new version for the archive
    assert "· edited" in client.get(URL).text

    too_long = client.post(
        f"{URL}/comments/{cid}/edit", data={"csrf_token": token, "body": "y" * 2001}
    )
    assert too_long.status_code == 422 and "the limit is 2,000" in too_long.text

    other = TestClient(client.app, follow_redirects=False)
    other_html = other.get(URL).text
    assert f"/comments/{cid}/edit" not in other_html
    refused = other.post(
        f"{URL}/comments/{cid}/edit", data={"csrf_token": csrf_of(other_html), "body": "pwned"}
    )
    assert refused.status_code == 404
    forged = other.post(f"{URL}/comments/{cid}/edit", data={"csrf_token": token, "body": "pwned"})
    assert forged.status_code == 403
    assert [i.text for i in conn.fetch_comments(post_id).items] == ["Closed till 4?"]
    assert comment_count(sessions) == 1


def test_out_of_range_ids_are_not_found(client: TestClient, post_id: str) -> None:
    token = csrf_of(client.get(URL).text)
    for path, data in (
        (f"{URL}/posts/{10**30}/comments", {"visitor_name": "A", "body": "b"}),
        (f"{URL}/posts/{2**31}/comments", {"visitor_name": "A", "body": "b"}),
        (f"{URL}/comments/{10**30}/edit", {"body": "b"}),
        (
            f"{URL}/posts/{post_id}/comments",
            {"visitor_name": "A", "body": "b", "parent_comment_id": "99999999999999999"},
        ),
    ):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404


def test_older_posts_are_a_link_away(client: TestClient, conn: SandboxConnector) -> None:
    ids = [conn.publish(f"Notice number {n}.") for n in range(POSTS_PER_PAGE + 3)]
    first = client.get(URL).text
    shown = re.findall(r'<article class="sandbox-post" id="post-(\d+)"', first)
    assert shown == list(reversed(ids))[:POSTS_PER_PAGE]  # newest first
    older = re.search(r'href="([^"]+)" id="older-posts"', first)
    assert older
    second = client.get(older[1].replace("&amp;", "&")).text
    assert re.findall(r'id="post-(\d+)"', second) == list(reversed(ids))[POSTS_PER_PAGE:]
    assert 'id="older-posts"' not in second


def test_the_feed_shows_each_posts_newest_threads_and_the_post_page_all(
    client: TestClient, post_id: str, sessions: sessionmaker[Session]
) -> None:
    shown = platform.THREADS_ON_FEED
    ids = [
        visitor_comment(sessions, post_id, f"COMMENT-{n:03d}", visitor=f"v-{n}")
        for n in range(shown + 3)
    ]
    oldest_reply = visitor_comment(sessions, post_id, "REPLY-TO-OLDEST", parent=ids[0])
    newest_reply = visitor_comment(sessions, post_id, "REPLY-TO-NEWEST", parent=ids[-1])
    hidden = visitor_comment(sessions, post_id, "HIDDEN-NEWEST", visitor="v-h")
    with transaction(sessions) as session:
        page = platform.find_page(session, HANDLE)
        assert page is not None
        platform.set_hidden(session, page, int(hidden), True)
    feed = client.get(URL).text
    on_feed = re.findall(r"COMMENT-(\d{3})", feed)
    # The newest threads, oldest first, each with its replies; hidden ones neither shown nor
    # counted among the earlier ones.
    assert on_feed == [f"{n:03d}" for n in range(3, shown + 3)]
    assert "REPLY-TO-NEWEST" in feed and "REPLY-TO-OLDEST" not in feed
    assert "HIDDEN-NEWEST" not in feed
    link = (
        f'<a href="{URL}/posts/{post_id}" id="all-comments-{post_id}">View 3 earlier comments</a>'
    )
    assert link in feed
    # One form per post, and a link (not a form) to reply under each comment.
    assert feed.count('name="parent_comment_id"') == 0
    assert feed.count('class="reply-link"') == shown

    whole = client.get(f"{URL}/posts/{post_id}")
    assert whole.status_code == 200
    assert re.findall(r"COMMENT-(\d{3})", whole.text) == [f"{n:03d}" for n in range(shown + 3)]
    assert f'id="comment-{oldest_reply}"' in whole.text and "HIDDEN-NEWEST" not in whole.text
    assert "earlier comment" not in whole.text and f'href="{URL}" id="back-to-page"' in whole.text
    assert f'id="comment-{newest_reply}"' in whole.text
    assert client.get(f"{URL}/posts/{10**6}").status_code == 404


def test_the_reply_form_comes_alone_for_htmx_and_with_the_post_without_script(
    client: TestClient, post_id: str, sessions: sessionmaker[Session]
) -> None:
    parent = visitor_comment(sessions, post_id, "Is Cascade open?", visitor="v-bob", name="Bob")
    reply_to = visitor_comment(sessions, post_id, "It is", visitor="v-cy", parent=parent)
    token = csrf_of(client.get(URL).text)
    fragment = client.get(f"{URL}/comments/{parent}/reply", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.headers["vary"] == "HX-Request"
    assert "<html" not in fragment.text and "<form" in fragment.text
    assert f'name="parent_comment_id" value="{parent}"' in fragment.text
    assert csrf_of(fragment.text) == token and "autofocus" in fragment.text
    page = client.get(f"{URL}/comments/{parent}/reply")
    assert "<html" in page.text and "Is Cascade open?" in page.text
    slot = page.text[page.text.index(f'id="reply-{parent}"') :]
    assert slot.index(f'name="parent_comment_id" value="{parent}"') < slot.index("</div>")
    # Only a visible comment that starts a thread takes replies (as the form's handler says).
    assert client.get(f"{URL}/comments/{reply_to}/reply").status_code == 404
    assert client.get(f"{URL}/comments/{10**6}/reply").status_code == 404

    sent = client.post(
        f"{URL}/posts/{post_id}/comments",
        data={
            "csrf_token": token,
            "visitor_name": "Ann",
            "body": "Yes",
            "parent_comment_id": parent,
        },
        follow_redirects=False,
    )
    with sessions() as session:
        reply = session.execute(select(func.max(SandboxComment.id))).scalar_one()
    assert sent.headers["location"] == f"{URL}/posts/{post_id}#comment-{reply}"
    refused = client.post(
        f"{URL}/posts/{post_id}/comments",
        data={"csrf_token": token, "visitor_name": "Ann", "body": " ", "parent_comment_id": parent},
    )
    # The message comes back beside the reply form, open under its comment.
    assert refused.status_code == 422
    slot = refused.text[refused.text.index(f'id="reply-{parent}"') :]
    assert slot.index('id="form-error"') < slot.index("</form>")
