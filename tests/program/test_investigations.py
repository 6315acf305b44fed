"""The investigative-use log (§.15): refused without purpose or case number, reviewed by a
supervisor (never one's own), append-only records the custodian searches."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import evidence
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.program import investigations as inv
from piodesk.program.model import FieldErrors
from piodesk.program.tables import InvestigativeUse, Notification


def _log(sessions: sessionmaker[Session], actor, **kw) -> int:
    args = {
        "purpose": "wanted_persons",
        "case_number": "26-014233",
        "viewed": ["https://example.social/@suspect", "facebook: Suspect Page"],
        "evidence_kept": "Screenshots of two posts, hashed into the case file",
    } | kw
    with transaction(sessions) as s:
        return inv.log_use(s, actor=actor, **args).id


def test_a_use_without_case_number_or_purpose_is_refused_and_nothing_written(
    sessions: sessionmaker[Session], staff
) -> None:
    detective = staff[Role.EMPLOYEE]
    with pytest.raises(FieldErrors) as caught:
        _log(sessions, detective, case_number="  ", purpose="curiosity")
    assert set(caught.value.fields) == {"case_number", "purpose"}
    assert "§.15" in caught.value.fields["purpose"]
    with pytest.raises(FieldErrors) as caught:
        _log(sessions, detective, purpose="other", viewed=[])
    assert set(caught.value.fields) == {"purpose_detail", "viewed"}
    with sessions() as s:
        assert s.execute(select(func.count(InvestigativeUse.id))).scalar_one() == 0


def test_logged_reviewed_searched_and_sealed(sessions: sessionmaker[Session], staff) -> None:
    detective, sup, records = staff[Role.EMPLOYEE], staff[Role.SUPERVISOR], staff[Role.RECORDS]
    use_id = _log(sessions, detective)
    _log(sessions, detective, case_number="26-099", purpose="missing_persons", viewed=["@kid"])
    with sessions() as s:
        # The supervisor is told there is an entry to review.
        told = s.execute(
            select(Notification).where(Notification.recipient_id == sup.account_id)
        ).scalars()
        assert {n.kind for n in told} == {"investigation.to_review"}
    # A concern needs a comment; the same entry is reviewed once.
    with transaction(sessions) as s, pytest.raises(InvalidInput):
        inv.review_use(s, use_id, actor=sup, outcome="concern", comment="")
    with transaction(sessions) as s:
        inv.review_use(s, use_id, actor=sup, outcome="proper")
    with transaction(sessions) as s, pytest.raises(Conflict):
        inv.review_use(s, use_id, actor=sup, outcome="proper")
    with sessions() as s:
        found = inv.search_uses(s, actor=records, query=inv.UseQuery(text="suspect page"))
        assert [u.id for u, _r in found] == [use_id]
        assert found[0][1] is not None and found[0][1].outcome == "proper"
        by_case = inv.search_uses(s, actor=records, query=inv.UseQuery(case_number="26-099"))
        assert [u.case_number for u, _ in by_case] == ["26-099"]
        waiting = inv.search_uses(s, actor=sup, query=inv.UseQuery(unreviewed=True))
        assert [u.case_number for u, _ in waiting] == ["26-099"]
        # A detective sees only their own entries; another employee none.
        assert len(inv.search_uses(s, actor=detective)) == 2
        assert inv.search_uses(s, actor=staff[Role.INTERNAL_AFFAIRS]) == []
        assert evidence.verify(s).ok
    # Entries are append-only records.
    with pytest.raises(DatabaseError), transaction(sessions) as s:
        s.execute(
            text("UPDATE investigative_uses SET case_number = 'x' WHERE id = :i"), {"i": use_id}
        )


def test_nobody_reviews_their_own_use(sessions: sessionmaker[Session], staff) -> None:
    sup = staff[Role.SUPERVISOR]
    use_id = _log(sessions, sup)
    with transaction(sessions) as s, pytest.raises(Conflict):
        inv.review_use(s, use_id, actor=sup, outcome="proper")
    with transaction(sessions) as s, pytest.raises(PermissionDenied):
        inv.review_use(s, use_id, actor=staff[Role.EMPLOYEE], outcome="proper")
