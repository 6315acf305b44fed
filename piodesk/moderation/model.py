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
    # A hide or removal the viewpoint guard held: it waits for a second PIO (or counsel).
    AWAITING_SECOND = "needs_second"
    CLOSED = "closed"  # decided (kept, hidden, removed, or restored after a hide/removal)


#: What each state is called on the pages.
CASE_STATE_LABELS: dict[str, str] = {
    CaseState.OPEN.value: "open",
    CaseState.WITH_COUNSEL.value: "with legal counsel",
    CaseState.AWAITING_SECOND.value: "waiting for a second person",
    CaseState.CLOSED.value: "decided",
}

CASE_LIFECYCLE: StateMachine[CaseState] = StateMachine(
    "moderation case",
    CaseState.OPEN,
    {
        CaseState.OPEN: {CaseState.WITH_COUNSEL, CaseState.CLOSED, CaseState.AWAITING_SECOND},
        # Counsel's advice returns the case to the PIO. A PIO may still decide while counsel
        # has it (a live threat cannot wait); the decision then records that no advice came.
        CaseState.WITH_COUNSEL: {CaseState.OPEN, CaseState.CLOSED, CaseState.AWAITING_SECOND},
        # A held hide or removal: a second PIO concurs (closed) or declines (open again).
        CaseState.AWAITING_SECOND: {CaseState.OPEN, CaseState.CLOSED},
        # A decided case is reopened only with a reason (a correction, an appeal): the reopening
        # is its own record, and the history reads from start to end with every step.
        CaseState.CLOSED: {CaseState.OPEN},
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
    """What a block rests on (§.20): a warning delivered to the person *and* a later violation
    a PIO decided (a comment posted after the warning, hidden or removed) — or legal counsel's
    concurrence with blocking without that."""

    warning_id: int | None
    concurrence_id: int | None
    # The hide or removal, decided after the warning, of a comment posted after it.
    violation_id: int | None = None
    # A warning exists but was not delivered (the platform had no messages).
    undelivered_warning_id: int | None = None


def check_block_grounds(grounds: BlockGrounds) -> None:
    """Refuse a block that rests neither on a delivered warning followed by a decided violation
    nor on counsel's recorded concurrence."""
    if grounds.concurrence_id is not None:
        return
    if grounds.warning_id is None:
        extra = (
            " The warning on record was not delivered to the person, so it does not count."
            if grounds.undelivered_warning_id is not None
            else ""
        )
        raise InvalidInput(
            "§.20: a person is warned, with an explanation, before being blocked. Warn them "
            "first, or record legal counsel's concurrence with blocking without a warning." + extra
        )
    if grounds.violation_id is None:
        raise InvalidInput(
            "§.20: a warning is a chance to stop. A block needs a later violation: a comment "
            "the person posted after the warning that a PIO hid or removed. Nothing like that is "
            "on record since the warning; or record legal counsel's concurrence."
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


# ---- the viewpoint guard (§.20, First Amendment) ------------------------------------------

#: Words in a PIO's note that speak of opinion, tone or disrespect: the viewpoint a government
#: page may not remove (Lindke v. Freed, 2024). Removal for them is exactly §.20's mistake.
VIEWPOINT_WORDS = re.compile(
    r"\b(?:dis-?respect\w*|respect(?:ful)?|rude\w*|tone|opinions?|insult\w*|offensive|offend\w*|"
    r"negativ\w*|critic\w*|attitude|hostile|disagree\w*|unprofessional|demean\w*|"
    r"anti-?police|cop-?hat\w*|mean-?spirited|disparag\w*|derogatory|unfair|biased|"
    r"misleading|misinformation|bad\s+for\s+morale|morale|embarrass\w*|viewpoint|"
    r"political|mock\w*|sarcas\w*|trolling|troll|whin\w*|complain\w*|useless|"
    r"attacks?\s+(?:the\s+)?(?:department|officers?|police|chief)|"
    r"(?:makes?|making)\s+(?:us|the\s+department|officers?)\s+look\s+bad)\b",
    re.IGNORECASE,
)


class Guard(StrEnum):
    """Why a hide or removal needs a second person (the viewpoint guard)."""

    NO_FINDING = "no_finding"  # screening found nothing in the comment
    OTHER_FINDING = "other_finding"  # screening found something, not the category chosen
    VIEWPOINT_NOTE = "viewpoint_note"  # the note speaks of opinion, tone or disrespect


def viewpoint_guard(
    action: Action, reason: str, note: str, found: set[str] | frozenset[str]
) -> list[tuple[Guard, str]]:
    """Why this hide or removal may be removing lawful speech, in plain sentences (empty: none).

    ``found``: the categories screening found in the comment. A hide or removal for a category
    screening did not find, or with a note about opinion, tone or disrespect, is held for a
    second person: legal counsel's concurrence or a second PIO's.
    """
    if action is Action.KEEP:
        return []
    out: list[tuple[Guard, str]] = []
    label = REASONS.get(reason, reason).lower()
    if not found:
        out.append(
            (Guard.NO_FINDING, f"screening found nothing in this comment, and you chose: {label}")
        )
    elif reason not in found:
        names = ", ".join(sorted(found))
        out.append(
            (
                Guard.OTHER_FINDING,
                f"screening did not find this category ({label}); it found only: {names}",
            )
        )
    words = sorted({m.group(0).lower() for m in VIEWPOINT_WORDS.finditer(note or "")})
    if words:
        out.append(
            (
                Guard.VIEWPOINT_NOTE,
                "the note speaks of opinion, tone or disrespect ("
                + ", ".join(f"“{w}”" for w in words[:5])
                + "), which is protected speech, not a §.20 category",
            )
        )
    return out


#: Who may concur with a held hide or removal (PIODESK_VIEWPOINT_CONCURRENCE).
CONCURRENCE_MODES = ("counsel_or_pio", "counsel", "pio")


# ---- corrections -------------------------------------------------------------------------

#: Why a hidden or removed comment goes back up (a restore rests on its own reason).
RESTORE_REASONS: dict[str, str] = {
    "no_violation": "On a second look, no §.20 category applies",
    "wrong_category": "The category was wrong; the comment does not meet it",
    "appeal": "The author's appeal was granted",
    "counsel": "Legal counsel advised restoring it",
    "edited": "The author removed what met the category",
    "mistake": "Hidden or removed by mistake (wrong comment)",
}


# ---- plain words for findings --------------------------------------------------------------

_QUOTED = re.compile(r"\(\s*[\"“](?P<word>[^\"”]{1,80})[\"”]\s*\)")

#: One plain sentence per §.20 category, as the case page says it.
FINDING_SENTENCES: dict[str, str] = {
    "profanity": "The comment uses profane or obscene language",
    "pii": "The comment contains personal identifying information",
    "threat": "The comment may contain a threat to a person or organization",
    "solicitation": "The comment solicits commerce or advertises",
    "investigation": "The comment may compromise an ongoing investigation",
    "illegal": "The comment may describe conduct in violation of law",
    "safety": "The comment may compromise public safety or security",
    "ip": "The comment may violate a legal ownership interest (copyright, trademark)",
}


def plain_finding(category: str, explanation: str) -> str:
    """A finding's sentence in §.20's own terms (no "hateful language": that is no category)."""
    base = FINDING_SENTENCES.get(category)
    if base is None:
        return re.sub(r",?\s*(?:or\s+)?hateful", "", explanation or "")
    m = _QUOTED.search(explanation or "")
    return f"{base} (“{m.group('word')}”)." if m else f"{base}."
