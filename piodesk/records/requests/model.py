"""A records request's states, declared once, and the words people see for them.

Pure: no web, no storage. The clock that runs beside the states is ``deadline.py``.
"""

from __future__ import annotations

from enum import StrEnum

from piodesk.core.statemachine import StateMachine


class RequestState(StrEnum):
    """Where a request stands."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_REVIEW = "in_review"
    # Waiting for the requester: the clock pauses and keeps the days left.
    WAITING_CLARIFICATION = "waiting_clarification"
    WAITING_PAYMENT = "waiting_payment"
    # Closed (the clock stops: the response was given).
    FULFILLED = "fulfilled"
    PARTLY_FULFILLED = "partly_fulfilled"
    NO_RECORDS = "no_records"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


S = RequestState

STATE_LABELS: dict[RequestState, str] = {
    S.RECEIVED: "Received",
    S.ACKNOWLEDGED: "Acknowledged",
    S.IN_REVIEW: "In review",
    S.WAITING_CLARIFICATION: "Waiting for the requester (clarification)",
    S.WAITING_PAYMENT: "Waiting for the requester (payment)",
    S.FULFILLED: "Fulfilled",
    S.PARTLY_FULFILLED: "Partly fulfilled",
    S.NO_RECORDS: "No responsive records",
    S.DENIED: "Denied",
    S.WITHDRAWN: "Withdrawn",
}

#: States in which the clock is paused (waiting for the requester).
WAITING: frozenset[RequestState] = frozenset({S.WAITING_CLARIFICATION, S.WAITING_PAYMENT})
#: States that answer the request: entering one stops the clock ("responded").
CLOSED: frozenset[RequestState] = frozenset(
    {S.FULFILLED, S.PARTLY_FULFILLED, S.NO_RECORDS, S.DENIED, S.WITHDRAWN}
)
_CLOSE = (S.FULFILLED, S.PARTLY_FULFILLED, S.NO_RECORDS, S.DENIED, S.WITHDRAWN)

MACHINE: StateMachine[RequestState] = StateMachine(
    "records request",
    S.RECEIVED,
    {
        S.RECEIVED: {S.ACKNOWLEDGED, S.IN_REVIEW, *WAITING, S.NO_RECORDS, S.DENIED, S.WITHDRAWN},
        S.ACKNOWLEDGED: {S.IN_REVIEW, *WAITING, *_CLOSE},
        S.IN_REVIEW: {*WAITING, *_CLOSE},
        S.WAITING_CLARIFICATION: {S.IN_REVIEW, S.WITHDRAWN},
        S.WAITING_PAYMENT: {S.IN_REVIEW, S.WITHDRAWN},
        S.FULFILLED: set(),
        S.PARTLY_FULFILLED: set(),
        S.NO_RECORDS: set(),
        S.DENIED: set(),
        S.WITHDRAWN: set(),
    },
)


class Channel(StrEnum):
    """How a request arrived."""

    EMAIL = "email"
    WEB_FORM = "web_form"
    MAIL = "mail"
    IN_PERSON = "in_person"
    PHONE = "phone"
    FAX = "fax"


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.EMAIL: "E-mail",
    Channel.WEB_FORM: "Web form",
    Channel.MAIL: "Mail",
    Channel.IN_PERSON: "In person",
    Channel.PHONE: "Telephone",
    Channel.FAX: "Fax",
}


class LetterKind(StrEnum):
    """The letters a custodian sends, each from the agency's editable template."""

    ACKNOWLEDGEMENT = "acknowledgement"
    EXTENSION = "extension"
    FEE_ESTIMATE = "fee_estimate"
    CLARIFICATION = "clarification"
    RESPONSE = "response"
    DENIAL = "denial"


LETTER_LABELS: dict[LetterKind, str] = {
    LetterKind.ACKNOWLEDGEMENT: "Acknowledgement",
    LetterKind.EXTENSION: "Extension (finding of extenuating circumstances)",
    LetterKind.FEE_ESTIMATE: "Fee estimate",
    LetterKind.CLARIFICATION: "Request for clarification",
    LetterKind.RESPONSE: "Response",
    LetterKind.DENIAL: "Denial with grounds",
}


class FeeKind(StrEnum):
    """A line of a request's fees log."""

    TIME = "time"  # research and retrieval time (minutes)
    COPIES = "copies"  # paper copies (pages)
    PAYMENT = "payment"  # money received from the requester
    WAIVER = "waiver"  # an amount the agency waives


FEE_LABELS: dict[FeeKind, str] = {
    FeeKind.TIME: "Research and retrieval time",
    FeeKind.COPIES: "Paper copies",
    FeeKind.PAYMENT: "Payment received",
    FeeKind.WAIVER: "Waived",
}

MAX_TEXT = 20_000
MAX_NOTE = 10_000
MAX_NAME = 200
MAX_LETTER = 50_000
