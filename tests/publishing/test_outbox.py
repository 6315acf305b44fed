"""The outbox: enqueue and status (one delivery per page, refusals that write nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.publishing import outbox
from piodesk.publishing.outbox_model import DeliveryState, Overall
from piodesk.publishing.outbox_tables import Delivery, Publication
from tests.publishing.conftest import add_pages


def _count(sessions, table) -> int:
    with sessions() as s:
        return s.execute(select(func.count()).select_from(table)).scalar_one()


def test_enqueue_one_pending_delivery_per_page(sessions, staff, sandbox_pages):
    ids = list(sandbox_pages.ids.values())
    with transaction(sessions) as s:
        pub = outbox.enqueue(
            s, actor=staff[Role.PIO], text="Crime prevention tip", page_ids=ids, source="post:7"
        )
    with sessions() as s:
        st = outbox.status(s, pub)
    assert sorted(p.page_id for p in st.pages) == sorted(ids)
    assert {p.state for p in st.pages} == {DeliveryState.PENDING}
    assert st.overall is Overall.SENDING
    assert st.source == "post:7"


def test_scheduled_publication_is_scheduled(sessions, staff, sandbox_pages):
    later = clock.now() + timedelta(hours=3)
    with transaction(sessions) as s:
        pub = outbox.enqueue(
            s,
            actor=staff[Role.PIO],
            text="Community meeting tonight",
            page_ids=[sandbox_pages.ids["north"]],
            source="post:8",
            scheduled_for=later,
        )
    with sessions() as s:
        assert outbox.status(s, pub).overall is Overall.SCHEDULED


@pytest.mark.parametrize("role", [Role.CADRE, Role.ADMIN, Role.CHIEF, Role.AUDITOR, Role.EMPLOYEE])
def test_only_the_pio_office_publishes(sessions, staff, sandbox_pages, role):
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        outbox.enqueue(
            s, actor=staff[role], text="x", page_ids=[sandbox_pages.ids["north"]], source="post:1"
        )
    assert _count(sessions, Publication) == 0


def test_refusals_name_the_reason_and_write_nothing(sessions, staff, agency, sandbox_pages):
    pio = staff[Role.PIO]
    waiting = add_pages(sessions, staff, agency, ["unapproved"], approve=False)["unapproved"]
    north = sandbox_pages.ids["north"]
    cases = [
        ({"text": "x", "page_ids": [waiting]}, Conflict, "not approved"),
        ({"text": "   ", "page_ids": [north]}, InvalidInput, "required"),
        ({"text": "x", "page_ids": []}, InvalidInput, "at least one page"),
        ({"text": "x", "page_ids": [north], "kind": "reply"}, InvalidInput, "comment it answers"),
        (
            {"text": "x", "page_ids": [north], "scheduled_for": clock.now() - timedelta(hours=1)},
            InvalidInput,
            "in the past",
        ),
        (
            {
                "text": "x",
                "page_ids": [north],
                "media": [{"sha256": "ab", "mime_type": "image/png"}],
            },
            InvalidInput,
            "alt text",
        ),
        ({"text": "x" * 10_001, "page_ids": [north]}, InvalidInput, "takes at most"),
    ]
    for kwargs, error, words in cases:
        with pytest.raises(error, match=words), transaction(sessions) as s:
            outbox.enqueue(s, actor=pio, source="post:1", **kwargs)
    assert _count(sessions, Publication) == 0
    assert _count(sessions, Delivery) == 0


def test_scheduled_times_are_read_in_the_agencys_zone():
    from datetime import datetime

    summer = outbox.local_time(datetime(2026, 7, 1, 9, 0), "America/Denver")
    winter = outbox.local_time(datetime(2026, 12, 1, 9, 0), "America/Denver")
    assert summer.utcoffset() == timedelta(hours=-6)  # daylight saving time
    assert winter.utcoffset() == timedelta(hours=-7)
    with pytest.raises(InvalidInput, match="not a known zone"):
        outbox.local_time(datetime(2026, 12, 1, 9, 0), "Mars/Olympus")
