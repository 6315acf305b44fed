"""Counsel's advice is attorney–client privileged (§.20; §.40 productions).

The advice and the question that asked for it live in their own evidence rows
(``moderation_advice``, ``moderation_consultations``), which the PIO office, legal counsel and
the auditor read. The audit log, read more widely, says only that advice was asked and given,
with each text's SHA-256, so the chain still vouches for the words without repeating them.
A production lists each piece of advice on the privilege log (:func:`privileged_advice`)
instead of producing it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

PRIVILEGED = "attorney–client privileged"


def text_digest(text: str) -> str:
    """SHA-256 of a privileged text, as the audit log records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PrivilegedEntry:
    """One line of a privilege log: what was withheld, without its words."""

    advice_id: int
    consultation_id: int
    case_id: int
    asked_by: str
    asked_at: datetime
    advised_by: str
    advised_at: datetime
    advice_sha256: str
    basis: str = PRIVILEGED
    description: str = ""


def privileged_advice(session: Session, case_ids: Iterable[int]) -> list[PrivilegedEntry]:
    """The legal advice given on these moderation cases, as privilege-log entries (no text).

    For productions (§.40): the caller checks who may produce; this says what to withhold.
    """
    from piodesk.moderation.tables import Advice, Consultation

    ids = sorted({int(i) for i in case_ids})
    out: list[PrivilegedEntry] = []
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Advice, Consultation)
            .join(Consultation, Consultation.id == Advice.consultation_id)
            .where(Consultation.case_id.in_(ids[start : start + 500]))
            .order_by(Consultation.case_id, Advice.id)
        )
        for advice, consultation in rows:
            out.append(
                PrivilegedEntry(
                    advice_id=advice.id,
                    consultation_id=consultation.id,
                    case_id=consultation.case_id,
                    asked_by=consultation.asked_by_name,
                    asked_at=consultation.asked_at,
                    advised_by=advice.advised_by_name,
                    advised_at=advice.advised_at,
                    advice_sha256=text_digest(advice.advice),
                    description=(
                        f"Legal counsel's advice to the PIO office on moderation case "
                        f"#{consultation.case_id} (GO 409 §.20), and the request for it"
                    ),
                )
            )
    return out
