"""The rules of comment moderation, as GO 409 §.20, §.22 and §.12 set them.

Pure: no web, no storage. A comment may be hidden or removed only for one of the eight content
categories of §.20, after a person has looked at it; criticism of the department is protected
speech, so "I disagree with it" is not a reason this module can even express. Before a person
is blocked they get a warning and an explanation; a block without one needs legal counsel's
concurrence on record. Any employee may report a post or comment to the PIO (§.22), and
comments that ask the department for a response are tracked until someone answers (§.12).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from piodesk.core.errors import InvalidInput
from piodesk.core.statemachine import StateMachine
from piodesk.core.text import clean_text
from piodesk.screening.model import Category


class Action(StrEnum):
    """What a PIO may do with a comment (only what the platform supports is offered)."""

    KEEP = "keep"  # leave it up: no violation
    HIDE = "hide"  # hide from the public; reversible on every platform that can hide
    REMOVE = "remove"  # delete from the platform; the archive keeps every version


class Outcome(StrEnum):
    """Where a case ended; ``restored`` undoes an earlier hide or removal."""

    KEPT = "kept"
    HIDDEN = "hidden"
    REMOVED = "removed"
    RESTORED = "restored"


OUTCOME_OF: dict[Action, Outcome] = {
    Action.KEEP: Outcome.KEPT,
    Action.HIDE: Outcome.HIDDEN,
    Action.REMOVE: Outcome.REMOVED,
}

#: The reason a decision to keep rests on.
NO_VIOLATION = "no_violation"

#: Every reason a decision form offers: the eight §.20 categories and "no violation". There is
#: deliberately no "other", "off-topic" or "disagree": §.20 permits removal for these alone.
REASONS: dict[str, str] = {
    Category.PROFANITY.value: "Profane, obscene or pornographic content or language",
    Category.INVESTIGATION.value: "Could compromise an ongoing investigation",
    Category.PII.value: "Personal identifying information of any person",
    Category.THREAT.value: "A threat to a person or organization",
    Category.SOLICITATION.value: "Solicitation of commerce or advertising",
    Category.ILLEGAL.value: "Conduct in violation of federal, state or local law",
    Category.SAFETY.value: "Compromises the safety or security of the public or public systems",
    Category.IP.value: "Violates a legal ownership interest (copyright, trademark)",
    NO_VIOLATION: "No violation of §.20 (criticism and opinion are protected speech)",
}

MAX_NOTE = 2_000
MIN_EXPLANATION = 10


class CaseState(StrEnum):
    """Where a case stands in the queue."""

    OPEN = "open"  # waits for a PIO decision
    WITH_COUNSEL = "with_counsel"  # sent to legal counsel; still the PIO's to decide
    CLOSED = "closed"  # decided (kept, hidden, removed, or restored after a hide/removal)


CASE_LIFECYCLE: StateMachine[CaseState] = StateMachine(
    "moderation case",
    CaseState.OPEN,
    {
        CaseState.OPEN: {CaseState.WITH_COUNSEL, CaseState.CLOSED},
        # Counsel's advice returns the case to the PIO. A PIO may still decide while counsel
        # has it (a live threat cannot wait); the decision then records that no advice came.
        CaseState.WITH_COUNSEL: {CaseState.OPEN, CaseState.CLOSED},
        # A closed case stays closed: a restoration is its last word (outcome "restored").
        # Anything new about the comment — an edit with new findings, an employee's report —
        # opens a new case, so each case's history reads from start to end.
        CaseState.CLOSED: set(),
    },
)


class CaseSource(StrEnum):
    """How a case came into the queue."""

    SCREENING = "screening"  # screening found something in a captured comment
    REPORT = "report"  # an employee reported it (§.22)


def check_decision(action: Action | str, reason: str, note: str) -> tuple[Action, str, str]:
    """Validate a decision: its action, the §.20 reason it rests on, and the PIO's note.

    Keeping a comment rests on "no violation". Hiding or removing rests on one of the eight
    §.20 categories, and a removal of protected speech is exactly the mistake §.20 guards
    against, so both also need a note on what in the comment meets that category.
    """
    try:
        action = Action(action)
    except ValueError:
        raise InvalidInput(
            f"unknown decision '{str(action)[:20]}'; choose keep, hide or remove"
        ) from None
    if reason not in REASONS:
        raise InvalidInput(
            "a decision must rest on one of the §.20 categories or 'no violation' "
            f"(got '{reason[:40]}')"
        )
    if action is Action.KEEP and reason != NO_VIOLATION:
        raise InvalidInput(
            "keeping a comment rests on 'no violation'; to act on a §.20 category, hide or "
            "remove it"
        )
    if action is not Action.KEEP and reason == NO_VIOLATION:
        raise InvalidInput(
            f"a comment can only be {OUTCOME_OF[action].value} for one of the eight §.20 "
            "categories; 'no violation' means keep it"
        )
    acts = action is not Action.KEEP
    note = clean_text(
        "the note", note, max_len=MAX_NOTE, required=acts, min_len=MIN_EXPLANATION if acts else 0
    )
    return action, reason, note


@dataclass(frozen=True, slots=True)
class BlockGrounds:
    """What a block rests on: a warning on record, or legal counsel's concurrence (§.20)."""

    warning_id: int | None
    concurrence_id: int | None


def check_block_grounds(grounds: BlockGrounds) -> None:
    """Refuse a block that has neither a prior warning nor counsel's recorded concurrence."""
    if grounds.warning_id is None and grounds.concurrence_id is None:
        raise InvalidInput(
            "§.20: a person is warned, with an explanation, before being blocked. Warn them "
            "first, or record legal counsel's concurrence with blocking without a warning."
        )


class BlockState(StrEnum):
    """Where a block stands. "Due for review" is not a state: it is a date on a block in force."""

    IN_FORCE = "in_force"  # the person cannot comment on the page
    LIFTED = "lifted"  # lifted by a person; the block stays on record


BLOCK_LIFECYCLE: StateMachine[BlockState] = StateMachine(
    "block",
    BlockState.IN_FORCE,
    {
        # A review keeps the block in force until the next review date.
        BlockState.IN_FORCE: {BlockState.IN_FORCE, BlockState.LIFTED},
        # A lifted block is never lifted again or put back: a new block is a new record.
        BlockState.LIFTED: set(),
    },
)


def block_state(lifted_at: datetime | None) -> BlockState:
    """A block's state from its head columns."""
    return BlockState.IN_FORCE if lifted_at is None else BlockState.LIFTED


def review_due(blocked_at: datetime, review_days: int) -> datetime:
    """When a block comes up for review."""
    return blocked_at + timedelta(days=review_days)


# ---- §.12: comments that ask the department something -------------------------------------


class ResponseState(StrEnum):
    """Where a comment that asked the department something stands (§.12)."""

    OPEN = "open"  # waiting for someone to answer
    ANSWERED = "answered"
    NO_RESPONSE = "no_response"  # a person decided no answer is due, and said why


RESPONSE_LIFECYCLE: StateMachine[ResponseState] = StateMachine(
    "response request",
    ResponseState.OPEN,
    {
        ResponseState.OPEN: {ResponseState.ANSWERED, ResponseState.NO_RESPONSE},
        # An answer is the request's last word; a new question is a new comment.
        ResponseState.ANSWERED: set(),
        ResponseState.NO_RESPONSE: set(),
    },
)

# Direct requests for a response, and questions put to the page. Plain questions between
# commenters ("did anyone else hear that?") are not a request to the department, so a bare "?"
# only counts when the question is addressed to the department or is about its services.
_REQUEST = re.compile(
    r"\b(?:please\s+(?:respond|reply|answer|advise|help|call|contact|get\s+back|let\s+(?:me|us)"
    r"\s+know|explain|look\s+into|send)|(?:can|could|would|will)\s+(?:you|someone|somebody|"
    r"anyone\s+(?:at|from)\s+(?:the\s+)?(?:department|police|pd))\s+(?:please\s+)?"
    r"(?:respond|reply|answer|tell|explain|help|call|contact|confirm|clarify|look|send|check)|"
    r"(?:i|we)\s+(?:need|want|would\s+like|'d\s+like)\s+(?:a\s+|an\s+)?(?:response|answer|reply|"
    r"call\s*back|callback|update|to\s+(?:speak|talk)\s+(?:to|with))|"
    r"(?:who|where|how)\s+(?:do|can|should)\s+(?:i|we)\s+(?:call|contact|report|file|get|reach|"
    r"request|submit|apply|find)|"
    r"(?:any|an)\s+update\s+on|still\s+(?:waiting|no\s+(?:response|answer|reply))|"
    r"no\s+one\s+(?:has\s+)?(?:called|responded|answered|replied))",
    re.IGNORECASE,
)
_ADDRESSED = re.compile(
    r"(?:@\w+|\b(?:police|department|pd|cspd|officers?|sheriff|chief|dispatch|you\s+guys|y'?all"
    r"|your\s+(?:office|department|agency|officers?)))\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"\b(?:what|when|where|why|how|who|which|is|are|was|were|will|would|can|could|do|does|did"
    r"|should|has|have)\b[^?.!]{0,200}\?",
    re.IGNORECASE,
)


# A top-level comment under the department's own post that asks for information ("How long
# will it stay closed?") is a question to the department even without naming it. Rhetorical
# "why would anyone…" questions are left out unless they are addressed to the department.
_INFO_QUESTION = re.compile(
    r"(?:^|[.!?]\s+|\n)\s*(?:what|when|where|how|who|which|is|are|will|can|could|do|does|"
    r"should|has|have)\b[^?.!]{0,200}\?",
    re.IGNORECASE,
)


def asks_for_response(text: str, *, top_level: bool = True) -> bool:
    """True when a comment asks the department something or asks it to respond (§.12).

    ``top_level``: the comment is directly under the department's post (not a reply to
    another commenter), so a plain question for information is a question to the department.
    """
    if not text:
        return False
    sample = text[:5_000]
    if _REQUEST.search(sample):
        return True
    if any(_ADDRESSED.search(m.group(0)) for m in _QUESTION.finditer(sample)):
        return True
    return top_level and _INFO_QUESTION.search(sample) is not None and not _BETWEEN.search(sample)


# Questions put to other commenters, not to the department.
_BETWEEN = re.compile(
    r"\b(?:anyone\s+else|any\s+of\s+you|did\s+(?:anyone|anybody|you\s+guys)\s+(?:else\s+)?"
    r"(?:see|hear|notice)|am\s+i\s+the\s+only)\b",
    re.IGNORECASE,
)
