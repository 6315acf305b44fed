"""What the PIO office, legal counsel and employees do with comments (GO 409 §.20, §.22, §.12).

One module per noun: decisions on a case, counsel, warnings, blocks, reports, responses. Each
function checks the permission, validates the input before anything is written, and writes
its rows and its audit event in one transaction. Reads live in ``moderation.queries``.

Actions with an effect on the platform (hide, remove, restore, warn, block, lift) go through
the platform-action primitive (``piodesk.connectors.intents``), because the platform is another
system and cannot join piodesk's transaction: check everything in a read, record the intent,
ask the platform, then record what was done after re-checking. A refusal by the platform
records only the failed attempt and says why; the platform is never asked to do something
piodesk has already refused, and an action a crash left unrecorded is finished by the
reconciler from what the platform shows. Each module registers the recorders it needs.

The names below are re-exported so callers keep writing ``actions.decide(...)``.
"""

from piodesk.moderation.actions._common import Connect, record_state
from piodesk.moderation.actions.appeals import (
    APPEAL_OUTCOMES,
    decide_appeal,
    file_appeal,
    send_block_notice,
)
from piodesk.moderation.actions.blocks import block, block_grounds, lift_block, review_block
from piodesk.moderation.actions.corrections import (
    concur,
    decline_held,
    hold,
    open_proposal,
    reopen,
)
from piodesk.moderation.actions.counsel import ADVICE_RECOMMENDS, advise, consult
from piodesk.moderation.actions.decisions import HeldForSecond, decide, restore
from piodesk.moderation.actions.reports import file_report
from piodesk.moderation.actions.responses import ANSWER_OUTCOMES, answer
from piodesk.moderation.actions.warnings import warn, warning_text
from piodesk.moderation.queries import (
    Person,
    active_block,
    concurrences_for,
    get_case,
    may_view_case,
    person_of_case,
    resolve_link,
)
from piodesk.moderation.tables import Consultation

__all__ = [
    "ADVICE_RECOMMENDS",
    "ANSWER_OUTCOMES",
    "APPEAL_OUTCOMES",
    "Connect",
    "Consultation",
    "HeldForSecond",
    "Person",
    "active_block",
    "advise",
    "answer",
    "block",
    "block_grounds",
    "concur",
    "concurrences_for",
    "consult",
    "decide",
    "decide_appeal",
    "decline_held",
    "file_appeal",
    "file_report",
    "get_case",
    "hold",
    "lift_block",
    "may_view_case",
    "open_proposal",
    "person_of_case",
    "record_state",
    "reopen",
    "resolve_link",
    "restore",
    "review_block",
    "send_block_notice",
    "warn",
    "warning_text",
]
