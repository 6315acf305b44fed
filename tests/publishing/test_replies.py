"""Replies from the needs-response queue: screened first, published under the comment by the
outbox, the request closed; findings stop a reply until changed or kept with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from piodesk.core.db import transaction
from piodesk.core.errors import PermissionDenied
from piodesk.core.permissions import Role
from piodesk.moderation import queries
from piodesk.publishing import outbox, replies
from piodesk.publishing.outbox_model import Overall
from piodesk.publishing.outbox_sender import send_due
from piodesk.publishing.outbox_tables import Publication
from piodesk.screening.engine import default_screener
from tests.moderation.conftest import Site, make_site


@pytest.fixture
def site(sessions, staff, agency, tmp_path) -> Site:
    return make_site(sessions, staff, agency, tmp_path, "community")


def _request(site: Site, staff) -> tuple[int, str]:
    asks = site.comment("Resident", "When will Academy reopen? Can the department let us know?")
    site.poll()
    with site.sessions() as s:
        (row,) = queries.needs_response(s, actor=staff[Role.PIO])
    return row.request.id, asks


def test_reply_is_published_under_the_comment_and_closes_the_request(site, staff):
    request_id, comment_id = _request(site, staff)
    with transaction(site.sessions) as s:
        made = replies.reply_to_request(
            s,
            request_id,
            actor=staff[Role.PIO],
            text="Academy Blvd is expected to reopen by 3 pm today.",
            screener=default_screener(),
        )
    send_due(site.sessions, site.connect)
    with site.sessions() as s:
        assert outbox.status(s, made.publication_id).overall is Overall.PUBLISHED
        assert queries.needs_response(s, actor=staff[Role.PIO]) == []
        assert replies.replies_for(s, [request_id]) == {request_id: made.publication_id}
    with site.sessions() as s:
        from piodesk.connectors.sandbox.tables import SandboxComment

        (reply,) = s.execute(
            select(SandboxComment).where(SandboxComment.parent_comment_id == int(comment_id))
        ).scalars()
        assert reply.body == "Academy Blvd is expected to reopen by 3 pm today."


def test_screening_findings_stop_the_reply_until_kept_with_a_reason(site, staff):
    request_id, _ = _request(site, staff)
    text = "The suspect is guilty and will be convicted; call Officer Smith at 719-555-0142."
    with pytest.raises(replies.ReplyFindings) as caught, transaction(site.sessions) as s:
        replies.reply_to_request(
            s, request_id, actor=staff[Role.PIO], text=text, screener=default_screener()
        )
    assert caught.value.findings
    with site.sessions() as s:
        assert s.execute(select(func.count()).select_from(Publication)).scalar_one() == 0
        assert len(queries.needs_response(s, actor=staff[Role.PIO])) == 1


def test_only_the_pio_office_replies(site, staff):
    request_id, _ = _request(site, staff)
    for role in (Role.CADRE, Role.EMPLOYEE, Role.ADMIN, Role.LEGAL):
        with pytest.raises(PermissionDenied), transaction(site.sessions) as s:
            replies.reply_to_request(
                s, request_id, actor=staff[role], text="Thanks!", screener=default_screener()
            )


def test_the_departments_own_reply_is_not_screened_as_a_public_comment(site, staff):
    from piodesk.archive.tables import ArchiveItem
    from piodesk.moderation.tables import Case, ResponseRequest

    _, comment_id = _request(site, staff)
    # The page's reply reaches the archive by ingestion (as on Facebook, where the outbox does
    # not read replies back): it is captured like every comment under the post …
    site.connector.reply(
        comment_id,
        "When will Academy reopen? Can the department let us know? Yes: at 3 pm today.",
        under="comment",
    )
    site.poll()
    with site.sessions() as s:
        own = s.execute(
            select(ArchiveItem).where(
                ArchiveItem.author_platform_id == site.handle,
                ArchiveItem.kind.in_(("comment", "reply")),
            )
        ).scalar_one()
        # … but it is the department's own words, not the public's: no case, no request.
        assert s.execute(select(Case).where(Case.item_id == own.id)).first() is None
        assert (
            s.execute(select(ResponseRequest).where(ResponseRequest.item_id == own.id)).first()
            is None
        )
