"""What the records custodian does with a request (§.40). One function per thing a person does;
each checks permission, validates everything before writing anything, writes its rows and
its audit event in the caller's one transaction.
"""

from piodesk.records.requests.actions._common import MAX_REVIEW_BATCH, FieldErrors
from piodesk.records.requests.actions.clock import clock_as_of, extend, grounds_asked, move
from piodesk.records.requests.actions.fees import add_fee, change_calendar
from piodesk.records.requests.actions.intake import Intake, assign, log_request, parse_local
from piodesk.records.requests.actions.letters import (
    letter_context,
    letter_kind,
    preview_letter,
    save_template,
    send_letter,
)
from piodesk.records.requests.actions.reading import (
    RequestView,
    dashboard,
    list_requests,
    open_request,
)
from piodesk.records.requests.actions.review import (
    add_note,
    add_to_review,
    mark,
    query_from_json,
    run_saved_search,
    save_search,
)

__all__ = [
    "MAX_REVIEW_BATCH",
    "FieldErrors",
    "Intake",
    "RequestView",
    "add_fee",
    "add_note",
    "add_to_review",
    "assign",
    "change_calendar",
    "clock_as_of",
    "dashboard",
    "extend",
    "grounds_asked",
    "letter_context",
    "letter_kind",
    "list_requests",
    "log_request",
    "mark",
    "move",
    "open_request",
    "parse_local",
    "preview_letter",
    "query_from_json",
    "run_saved_search",
    "save_search",
    "save_template",
    "send_letter",
]
