"""A CORA request walked end to end on SQLite and PostgreSQL with a fixed clock: intake at 4:55
pm on the Friday before Labor Day, acknowledgement, a saved search and a review set, an
extension (refused on day 4, accepted inside the first 3), a fee estimate and a payment pause
that keeps the days left, the response; every row sealed, nothing half-written on bad input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.archive.search import SearchQuery, search
from piodesk.core import audit, clock, evidence
from piodesk.core.audit import AuditEvent
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.records.requests import actions, queries, regimes
from piodesk.records.requests.actions import FieldErrors, Intake
from piodesk.records.requests.queries import Desk
from piodesk.records.requests.tables import APPEND_ONLY, Letter, RecordsRequest, RequestEvent
from tests.archive.test_capture import comment

DENVER = ZoneInfo("America/Denver")
DESK = Desk(regimes.load(), DENVER)


class FixedClock:
    """The time piodesk sees, moved by the test."""

    def __init__(self) -> None:
        self.at = datetime(2026, 9, 4, 17, 5, tzinfo=DENVER)

    def set(self, y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
        self.at = datetime(y, m, d, hh, mm, tzinfo=DENVER)
        return self.at


@pytest.fixture
def now() -> Iterator[FixedClock]:
    fixed = FixedClock()
    clock.set_clock(lambda: fixed.at.astimezone(UTC))
    yield fixed
    clock.set_clock(None)


@pytest.fixture
def items(sessions: sessionmaker[Session], tmp_path: Path) -> list[int]:
    """Three archived comments about the parade, one of them edited."""
    media = MediaStore(tmp_path / "media")
    with transaction(sessions) as s:
        capture(
            s,
            [
                comment("p1", "The parade detour on Nevada Ave was handled well"),
                comment("p2", "Parade route map please?"),
                comment("p3", "Why was my parade comment removed?"),
                comment("x1", "Thanks for the road closure update"),
            ],
            source="test",
            media=media,
        )
    with sessions() as s:
        hits = search(s, SearchQuery(q="parade"))
        return sorted(h.item.id for h in hits)


def count(session: Session, table: type) -> int:
    return int(session.execute(select(func.count()).select_from(table)).scalar_one())


CORA_INTAKE = Intake(
    requester_name="Pat Reporter",
    requester_contact="pat@example.org",
    requester_organization="Gazette",
    channel="email",
    received_at="2026-09-04T16:55",
    text="All comments mentioning the parade on the department's Facebook page in 2026.",
    scope="Facebook page, comments, 2026",
    regime="cora",
    assignee="records-custodian",
)


def test_a_cora_request_end_to_end(
    sessions: sessionmaker[Session], staff, items: list[int], now: FixedClock
) -> None:
    custodian = staff[Role.RECORDS]
    with transaction(sessions) as s:
        request = actions.log_request(s, DESK, CORA_INTAKE, actor=custodian)
        rid = request.id
    with sessions() as s:
        view = actions.open_request(s, DESK, rid, actor=custodian)
        # 4:55 pm Friday 4 September, before the 5 pm cut-off: Friday is the day of receipt;
        # Monday 7 is Labor Day, so day 1 is Tuesday 8 and the response is due Thursday 10.
        assert view.clock.counts_from == date(2026, 9, 4)
        assert view.clock.started == date(2026, 9, 8)
        assert view.clock.due == date(2026, 9, 10)
        assert view.request.assignee_name == "Test records_custodian"

    # Tuesday: acknowledge (letter from the default template) and start the review.
    now.set(2026, 9, 8, 9)
    with transaction(sessions) as s:
        ack = actions.send_letter(s, DESK, rid, "acknowledgement", actor=custodian)
        assert "Pat Reporter" in ack.body and "Thursday 10 September 2026" in ack.body
        actions.move(s, DESK, rid, "acknowledged", actor=custodian)
        actions.move(s, DESK, rid, "in_review", actor=custodian)

    # A saved search, and a review set built from it.
    with transaction(sessions) as s:
        hits = actions.save_search(s, rid, SearchQuery(q="parade"), actor=custodian)
        found = sorted(h.item.id for h in hits)
        assert len(found) == 3
        actions.add_to_review(s, rid, found, actor=custodian, reason="search: parade")
        actions.add_to_review(s, rid, found[:1], actor=custodian)  # already there: not twice
    with transaction(sessions) as s:
        actions.mark(
            s, rid, found[0], responsive=True, reason="mentions the parade", actor=custodian
        )
        actions.mark(
            s, rid, found[1], responsive=True, reason="asks for the route", actor=custodian
        )
        actions.mark(s, rid, found[2], responsive=True, reason="first look", actor=custodian)
        actions.mark(
            s,
            rid,
            found[2],
            responsive=False,
            reason="about moderation, not the parade",
            actor=custodian,
        )
    with sessions() as s:
        assert queries.review_set_item_ids(s, rid) == found[:2]
        query, again = actions.run_saved_search(s, rid, actor=custodian)
        assert query is not None and query.q == "parade"
        assert sorted(h.item.id for h in again) == found

    # Wednesday 9 (day 2): an extension with a written finding, sent as a letter.
    now.set(2026, 9, 9, 11)
    with transaction(sessions) as s:
        letter = actions.extend(
            s,
            DESK,
            rid,
            days=7,
            finding="A broad request across a whole year of comments.",
            actor=custodian,
        )
        assert letter.kind == "extension" and "7 working days" in letter.body
    with sessions() as s:
        # Thursday 10 + 7 working days = Monday 21 September.
        assert actions.open_request(s, DESK, rid, actor=custodian).clock.due == date(2026, 9, 21)

    # Monday 14: 150 minutes of work; a fee estimate; waiting for payment pauses the clock.
    now.set(2026, 9, 14, 10)
    with transaction(sessions) as s:
        actions.add_fee(s, rid, "time", minutes=150, note="search and review", actor=custodian)
        estimate = actions.send_letter(s, DESK, rid, "fee_estimate", actor=custodian)
        assert "$62.06" in estimate.body  # 90 billable minutes at $41.37 an hour
        actions.move(s, DESK, rid, "waiting_payment", actor=custodian, reason="fee estimate sent")
    now.set(2026, 9, 23, 9)
    with sessions() as s:
        view = actions.open_request(s, DESK, rid, actor=custodian)
        assert view.clock.paused and view.clock.due is None
        assert view.clock.days_left == 5  # Tue 15, Wed 16, Thu 17, Fri 18, Mon 21
        assert view.status == "paused"  # long past Monday 21, yet not overdue
        board = actions.dashboard(s, DESK, actor=custodian)
        assert [r.request.id for r in board["paused"]] == [rid]
        assert not board["overdue"]

    # Wednesday 23: paid; the review resumes with the 5 days kept: due Wednesday 30.
    with transaction(sessions) as s:
        actions.add_fee(s, rid, "payment", amount="62.06", note="check 1041", actor=custodian)
        actions.move(s, DESK, rid, "in_review", actor=custodian, reason="payment received")
    with sessions() as s:
        view = actions.open_request(s, DESK, rid, actor=custodian)
        assert view.clock.due == date(2026, 9, 30)
        assert view.fees.balance == Decimal("0.00")
        assert view.days_left == 5
        board = actions.dashboard(s, DESK, actor=custodian, today=date(2026, 9, 30))
        assert [r.request.id for r in board["today"]] == [rid]
        board = actions.dashboard(s, DESK, actor=custodian, today=date(2026, 9, 28))
        assert [r.request.id for r in board["week"]] == [rid]
        board = actions.dashboard(s, DESK, actor=custodian, today=date(2026, 10, 1))
        assert [r.request.id for r in board["overdue"]] == [rid]

    # Tuesday 29: the response, and the request is fulfilled; the clock stops.
    now.set(2026, 9, 29, 14)
    with transaction(sessions) as s:
        actions.add_note(s, rid, "Two records produced; one not responsive.", actor=custodian)
        response = actions.send_letter(s, DESK, rid, "response", actor=custodian)
        assert "2 responsive records" in response.body
        actions.move(s, DESK, rid, "fulfilled", actor=custodian, reason="records sent")
    with sessions() as s:
        view = actions.open_request(s, DESK, rid, actor=custodian)
        assert view.status == "responded" and view.allowed == []
        assert [letter.kind for letter in view.letters] == [
            "acknowledgement",
            "extension",
            "fee_estimate",
            "response",
        ]
        assert not any(actions.dashboard(s, DESK, actor=custodian).values())
        kinds = [e.kind for e in view.events]
        assert kinds[0] == "received" and kinds[-1] == "responded"
        assert {"extended", "paused", "resumed"} <= set(kinds)
        with pytest.raises(Conflict):
            actions.mark(s, rid, found[0], responsive=False, reason="late", actor=custodian)
        # Every row is evidence, sealed into the audit chain.
        assert audit.verify(s).ok
        result = evidence.verify(s)
        assert result.ok, result.problems
        assert result.rows_checked >= 20


def test_an_extension_filed_on_day_four_is_refused_and_nothing_is_written(
    sessions: sessionmaker[Session], staff, now: FixedClock
) -> None:
    custodian = staff[Role.RECORDS]
    now.set(2026, 9, 14, 10)
    with transaction(sessions) as s:
        rid = actions.log_request(
            s,
            DESK,
            Intake(**{**CORA_INTAKE.__dict__, "received_at": "2026-09-14T09:30"}),
            actor=custodian,
        ).id
    now.set(2026, 9, 18, 9)  # Friday: working day 4
    with sessions() as s:
        before = (count(s, RequestEvent), count(s, Letter), count(s, AuditEvent))
    with pytest.raises(Conflict, match="working day 4"), transaction(sessions) as s:
        actions.extend(s, DESK, rid, days=7, finding="We are very busy.", actor=custodian)
    with sessions() as s:
        assert (count(s, RequestEvent), count(s, Letter), count(s, AuditEvent)) == before
        assert actions.open_request(s, DESK, rid, actor=custodian).clock.due == date(2026, 9, 17)


def test_no_extension_for_a_single_identified_document(
    sessions: sessionmaker[Session], staff, now: FixedClock
) -> None:
    custodian = staff[Role.RECORDS]
    now.set(2026, 9, 14, 10)
    intake = Intake(
        **{**CORA_INTAKE.__dict__, "received_at": "2026-09-14T09:30", "single_document": True}
    )
    with transaction(sessions) as s:
        rid = actions.log_request(s, DESK, intake, actor=custodian).id
    with pytest.raises(Conflict, match="single"), transaction(sessions) as s:
        actions.extend(s, DESK, rid, days=3, finding="One report is hard to find.", actor=custodian)


def test_bad_input_is_refused_whole(
    sessions: sessionmaker[Session], staff, now: FixedClock
) -> None:
    custodian = staff[Role.RECORDS]
    with sessions() as s:
        before = (count(s, RecordsRequest), count(s, AuditEvent))
    with pytest.raises(FieldErrors) as caught, transaction(sessions) as s:
        actions.log_request(
            s, DESK, Intake(channel="email", text="All the comments."), actor=custodian
        )
    assert set(caught.value.fields) == {"requester_name", "received_at"}
    assert "required" in caught.value.fields["received_at"]
    future = Intake(**{**CORA_INTAKE.__dict__, "received_at": "2026-09-05T10:00"})
    with pytest.raises(FieldErrors, match="future"), transaction(sessions) as s:
        actions.log_request(s, DESK, future, actor=custodian)
    wrong: list[dict[str, str]] = [
        {"channel": "pigeon"},
        {"received_at": "yesterday"},
        {"regime": "mars"},
        {"text": "   "},
        {"requester_name": "Pat\x1b[2J"},
        {"assignee": "nobody"},
        {"assignee": "legal-counsel"},  # may not work requests
    ]
    for bad in wrong:
        with pytest.raises(FieldErrors) as caught, transaction(sessions) as s:
            actions.log_request(s, DESK, Intake(**{**CORA_INTAKE.__dict__, **bad}), actor=custodian)
        assert set(caught.value.fields) == set(bad)
    with sessions() as s:
        assert (count(s, RecordsRequest), count(s, AuditEvent)) == before

    with transaction(sessions) as s:
        rid = actions.log_request(s, DESK, CORA_INTAKE, actor=custodian).id
    with sessions() as s:
        before = (count(s, RequestEvent), count(s, Letter), count(s, AuditEvent))
        with pytest.raises(InvalidInput, match="before the request was received"):
            actions.clock_as_of(s, DESK, rid, date(2026, 9, 3), actor=custodian)
    with pytest.raises(InvalidInput, match="grounds"), transaction(sessions) as s:
        actions.send_letter(s, DESK, rid, "denial", actor=custodian)
    with pytest.raises(InvalidInput, match="no exemption"), transaction(sessions) as s:
        actions.send_letter(s, DESK, rid, "denial", grounds=["made-up"], actor=custodian)
    with (
        pytest.raises(InvalidInput, match="before the request was received"),
        transaction(sessions) as s,
    ):
        actions.move(
            s,
            DESK,
            rid,
            "waiting_clarification",
            actor=custodian,
            at=datetime(2026, 9, 4, 12, 0, tzinfo=DENVER),
        )
    with pytest.raises(Conflict), transaction(sessions) as s:
        actions.move(s, DESK, rid, "fulfilled", actor=custodian)  # received -> fulfilled
    with pytest.raises(InvalidInput, match="say why"), transaction(sessions) as s:
        actions.move(s, DESK, rid, "denied", actor=custodian)
    with pytest.raises(InvalidInput), transaction(sessions) as s:
        actions.add_fee(s, rid, "payment", amount="-3", actor=custodian)
    with sessions() as s:
        assert (count(s, RequestEvent), count(s, Letter), count(s, AuditEvent)) == before


def test_denial_names_its_grounds_and_ccjra_grounds_within_72_hours(
    sessions: sessionmaker[Session], staff, now: FixedClock
) -> None:
    custodian = staff[Role.RECORDS]
    intake = Intake(**{**CORA_INTAKE.__dict__, "regime": "ccjra"})
    with transaction(sessions) as s:
        rid = actions.log_request(s, DESK, intake, actor=custodian).id
        actions.move(s, DESK, rid, "in_review", actor=custodian)
    now.set(2026, 9, 8, 9)
    with transaction(sessions) as s:
        actions.grounds_asked(s, DESK, rid, actor=custodian)
        letter = actions.send_letter(
            s, DESK, rid, "denial", grounds=["investigation"], actor=custodian
        )
        assert "C.R.S. 24-72-305(5)" in letter.body
        actions.move(s, DESK, rid, "denied", actor=custodian, reason="investigation open")
    with sessions() as s:
        view = actions.open_request(s, DESK, rid, actor=custodian)
        assert view.clock.due is None
        assert view.clock.grounds_due == datetime(2026, 9, 11, 9, tzinfo=DENVER)
        assert view.letters[0].grounds[0]["key"] == "investigation"


def test_agency_templates_and_calendar_are_versioned_records(
    sessions: sessionmaker[Session], staff, now: FixedClock
) -> None:
    custodian = staff[Role.RECORDS]
    with pytest.raises(InvalidInput, match="cannot be rendered"), transaction(sessions) as s:
        actions.save_template(
            s,
            "acknowledgement",
            subject="Hi",
            body="{{ request.nonsense }}",
            reason="try",
            actor=custodian,
        )
    with pytest.raises(InvalidInput), transaction(sessions) as s:  # the sandbox refuses this
        actions.save_template(
            s,
            "acknowledgement",
            subject="Hi",
            body="{{ ''.__class__.__mro__ }}",
            reason="try",
            actor=custodian,
        )
    with transaction(sessions) as s:
        actions.save_template(
            s,
            "acknowledgement",
            subject="Got it: {{ request.number }}",
            body="Hello {{ request.requester }}, due {{ clock.due }}.",
            reason="shorter",
            actor=custodian,
        )
        rid = actions.log_request(s, DESK, CORA_INTAKE, actor=custodian).id
    now.set(2026, 9, 8, 9)
    with transaction(sessions) as s:
        # The agency closes on Wednesday 9: the due date moves to Friday 11.
        actions.change_calendar(s, date(2026, 9, 9), "closed", reason="flood", actor=custodian)
        letter = actions.send_letter(s, DESK, rid, "acknowledgement", actor=custodian)
    assert letter.subject == f"Got it: R-2026-{rid}"
    assert letter.template_version == 1
    assert "Friday 11 September 2026" in letter.body


def test_who_may_do_what(sessions: sessionmaker[Session], staff, now: FixedClock) -> None:
    with transaction(sessions) as s:
        rid = actions.log_request(s, DESK, CORA_INTAKE, actor=staff[Role.RECORDS]).id
    with sessions() as s:
        actions.open_request(s, DESK, rid, actor=staff[Role.LEGAL])  # counsel reads
        actions.open_request(s, DESK, rid, actor=staff[Role.AUDITOR])
        for role in (Role.PIO, Role.EMPLOYEE, Role.ADMIN):
            with pytest.raises(PermissionDenied):
                actions.open_request(s, DESK, rid, actor=staff[role])
    for role in (Role.LEGAL, Role.AUDITOR, Role.ADMIN):
        with pytest.raises(PermissionDenied), transaction(sessions) as s:
            actions.add_note(s, rid, "a note", actor=staff[role])
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        actions.log_request(s, DESK, CORA_INTAKE, actor=staff[Role.LEGAL])
    with pytest.raises(InvalidInput, match="may not work"), transaction(sessions) as s:
        actions.assign(s, rid, "legal-counsel", actor=staff[Role.RECORDS])


def test_records_are_append_only(
    engine: Engine, sessions: sessionmaker[Session], staff, now: FixedClock
) -> None:
    with transaction(sessions) as s:
        rid = actions.log_request(s, DESK, CORA_INTAKE, actor=staff[Role.RECORDS]).id
        actions.send_letter(s, DESK, rid, "acknowledgement", actor=staff[Role.RECORDS])
    for table in ("records_letters", "records_request_events"):
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text(f"UPDATE {table} SET request_id = request_id"))
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {table}"))
    assert len(APPEND_ONLY) == 7


def test_the_migration_lists_the_same_append_only_tables() -> None:
    import importlib

    migration = importlib.import_module("piodesk.core.migrations.versions.0012_records_requests")
    assert tuple(migration.APPEND_ONLY) == APPEND_ONLY


def test_due_dates_are_never_stored() -> None:
    columns = {c.name for t in (RecordsRequest, RequestEvent) for c in t.__table__.columns}
    assert not {c for c in columns if "due" in c}  # derived by deadline.compute, every time


@contextmanager
def insider(engine: Engine) -> Iterator[None]:
    """Drop the append-only triggers as someone with the database file would (and put them
    back: the PostgreSQL test schema outlives the test)."""
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        for table in APPEND_ONLY:
            if pg:
                conn.exec_driver_sql(f"DROP TRIGGER {table}_append_only ON {table}")
            else:
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")
    try:
        yield
    finally:
        if pg:
            with engine.begin() as conn:
                for table in APPEND_ONLY:
                    conn.exec_driver_sql(
                        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                        "FOR EACH ROW EXECUTE FUNCTION piodesk_append_only()"
                    )


@pytest.mark.parametrize(
    ("statement", "label"),
    [
        ("UPDATE records_letters SET body = 'We have no records.'", "letter"),
        ("UPDATE records_requests SET received_at = received_at + INTERVAL '3 days'", "request"),
        ("UPDATE records_request_events SET note = 'nothing' WHERE kind = 'extended'", "event"),
        ("DELETE FROM records_review_items", "review decision"),
        ("UPDATE records_fee_entries SET minutes = 30", "fee entry"),
    ],
)
def test_an_insider_edit_of_a_request_record_is_named(
    engine: Engine,
    sessions: sessionmaker[Session],
    staff,
    items: list[int],
    now: FixedClock,
    statement: str,
    label: str,
) -> None:
    custodian = staff[Role.RECORDS]
    with transaction(sessions) as s:
        rid = actions.log_request(s, DESK, CORA_INTAKE, actor=custodian).id
    now.set(2026, 9, 8, 9)
    with transaction(sessions) as s:
        actions.send_letter(s, DESK, rid, "acknowledgement", actor=custodian)
        actions.add_to_review(s, rid, items, actor=custodian)
        actions.add_fee(s, rid, "time", minutes=90, actor=custodian)
        actions.extend(s, DESK, rid, days=5, finding="A year of comments.", actor=custodian)
    with sessions() as s:
        assert evidence.verify(s).ok
    if engine.dialect.name == "sqlite":
        statement = statement.replace("received_at + INTERVAL '3 days'", "'2026-09-01 10:00:00'")
    with insider(engine), engine.begin() as conn:
        conn.execute(text(statement))
    with sessions() as s:
        result = evidence.verify(s)
    assert not result.ok
    assert any(label in p for p in result.problems), result.problems


def test_deadline_reminders_tell_once_per_state(
    sessions: sessionmaker[Session], staff, now: FixedClock
) -> None:
    """Due within one working day, then overdue: the assignee is told once for each; a request
    with nobody assigned tells the records custodians; the job remembers what it sent."""
    from dataclasses import replace

    from piodesk.program.config import ProgramSettings
    from piodesk.program.jobs import program_job
    from piodesk.program.tables import Notification
    from piodesk.records.requests.reminders import DUE_SOON, OVERDUE, deadline_reminders

    custodian = staff[Role.RECORDS]
    with transaction(sessions) as s:
        assigned = actions.log_request(s, DESK, CORA_INTAKE, actor=custodian).id
        nobody = actions.log_request(s, DESK, replace(CORA_INTAKE, assignee=""), actor=custodian).id
        assert s.get(RecordsRequest, nobody).assignee_id is None

    def told() -> list[tuple[str, int, str]]:
        with sessions() as s:
            return sorted(
                (n.kind, n.recipient_id, n.link.partition("#")[0])
                for n in s.execute(select(Notification)).scalars()
            )

    # Both are due Thursday 10 September. Tuesday: two working days left, nobody is told.
    now.set(2026, 9, 8, 9)
    assert deadline_reminders(sessions, DESK) == 0
    assert told() == []
    # Wednesday: due within one working day.
    now.set(2026, 9, 9, 9)
    assert deadline_reminders(sessions, DESK) == 2
    due_soon = [
        (DUE_SOON, custodian.account_id, f"/records/requests/{assigned}"),
        (DUE_SOON, custodian.account_id, f"/records/requests/{nobody}"),
    ]
    assert told() == due_soon
    # Again, and on the due day itself, through the program's job: nothing is repeated.
    program_job(sessions, ProgramSettings(smtp_host=""), DESK)
    now.set(2026, 9, 10, 15)
    assert deadline_reminders(sessions, DESK) == 0
    assert told() == due_soon
    # Friday: overdue, told once.
    now.set(2026, 9, 11, 9)
    assert deadline_reminders(sessions, DESK) == 2
    now.set(2026, 9, 14, 9)
    assert deadline_reminders(sessions, DESK) == 0
    overdue = [k for k in told() if k[0] == OVERDUE]
    assert [r for _, r, _ in overdue] == [custodian.account_id] * 2
    assert staff[Role.LEGAL].account_id not in [r for _, r, _ in told()]
