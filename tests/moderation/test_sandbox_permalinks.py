"""Every comment on the sandbox's public page has a link an employee can paste into a report
(§.22), and piodesk finds the comment from it; the pages carry piodesk's icon."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from piodesk.connectors.sandbox.routes import POSTS_PER_PAGE
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.moderation import actions
from tests.moderation.conftest import Site


def _permalinks(page: str) -> dict[str, str]:
    return {
        m[2]: m[1].replace("&amp;", "&")
        for m in re.finditer(r'<a class="permalink" href="([^"]+)" id="permalink-(\d+)"', page)
    }


def test_each_comment_has_a_permalink_that_a_report_resolves(
    client: TestClient, site: Site, staff
) -> None:
    first = site.comment("Ann", "Great work at the school crossing")
    reply = site.comment("Bo", "Agreed, my kids feel safer", reply_to=first)
    site.poll()
    shown = client.get(f"/sandbox/{site.handle}")
    links = _permalinks(shown.text)
    assert set(links) == {first, reply}
    for comment_id, link in links.items():
        assert link.endswith(f"#comment-{comment_id}")
        # The link opens a page that shows the comment it names.
        target = client.get(link.split("#")[0])
        assert target.status_code == 200 and f'id="comment-{comment_id}"' in target.text
    # An employee pastes the link (as the browser would copy it, with the host) into a report.
    with transaction(site.sessions) as s:
        report = actions.file_report(
            s,
            reason="This reply names a child's school; please look at it.",
            url="http://127.0.0.1:8000" + links[reply],
            actor=staff[Role.EMPLOYEE],
        )
        case_id = report.case_id
    assert site.case_of(reply).id == case_id


def test_a_comment_on_an_older_post_links_to_the_page_that_shows_it(
    client: TestClient, site: Site
) -> None:
    old = site.comment("Cy", "Where is the detour for the road closure?")
    for n in range(POSTS_PER_PAGE):  # push the first post off the first page of the feed
        site.connector.publish(f"Update {n}: the crossing guard schedule")
    assert f'id="comment-{old}"' not in client.get(f"/sandbox/{site.handle}").text
    older = client.get(f"/sandbox/{site.handle}?before={int(site.post_id) + 1}")
    links = _permalinks(older.text)
    assert f'id="comment-{old}"' in older.text
    assert links[old] == f"/sandbox/{site.handle}/posts/{site.post_id}#comment-{old}"
    target = client.get(links[old].split("#")[0])
    assert target.status_code == 200 and f'id="comment-{old}"' in target.text


def test_pages_carry_the_favicon(client: TestClient, site: Site) -> None:
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
    for path in (f"/sandbox/{site.handle}", "/login"):
        assert 'rel="icon" href="/static/favicon.svg"' in client.get(path).text
