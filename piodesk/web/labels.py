"""What the audit log's codes are called by people: action tags, roles and targets in words.

Pages show these and never the stored codes ("page:approved", "records_custodian"); the CSV
export carries both, so a reader can still match an event to what the chain hashed.
"""

from __future__ import annotations

import re

from piodesk.core import tags
from piodesk.core.permissions import ROLE_LABELS, Role
from piodesk.core.words import TAG_LABELS

#: Every action the log can record, as a person would say it. An action written by a newer
#: piodesk than this table (another area's new tag) falls back to its words, see action_label.
ACTION_LABELS: dict[str, str] = {
    tags.Account.BOOTSTRAP: "First administrator created",
    tags.Account.BOOTSTRAP_APPROVER: "First approver created",
    tags.Account.SEED: "Demo account seeded",
    tags.Account.CREATE: "Account created",
    tags.Account.SET_ROLES: "Roles changed",
    tags.Account.GRANT_PROPOSE: "Role grant proposed",
    tags.Account.GRANT_APPROVE: "Role grant approved",
    tags.Account.GRANT_DECLINE: "Role grant declined",
    tags.Account.ACTIVATE: "Account activated",
    tags.Account.DEACTIVATE: "Account deactivated",
    tags.Account.THROTTLE: "Sign-ins slowed after failures",
    tags.Account.UNLOCK: "Sign-in waits cleared",
    tags.Account.SIGN_IN: "Signed in",
    tags.Account.SIGN_OUT: "Signed out",
    tags.Account.CREDENTIALS_VOID: "Password, sessions and tokens voided",
    tags.Account.PASSWORD_CHANGE: "Password changed",
    tags.Account.PASSWORD_LINK: "Password link issued",
    tags.Account.PASSWORD_RESET: "Password reset",
    tags.Account.PASSWORD_SET: "Password set",
    tags.Account.TOKEN_ISSUE: "API token issued",
    tags.Account.TOKEN_REVOKE: "API token revoked",
    tags.Page.REGISTER: "Page registered",
    tags.Page.UPDATE_PROFILE: "Page profile changed",
    tags.Page.RECHECK: "§.10 check run again",
    tags.Page.CONNECT: "Page connected to its platform",
    tags.Page.APPROVED: "Page approved",
    tags.Page.REJECTED: "Page declined",
    tags.Page.RETIRED: "Page retired",
    tags.Page.RESUBMIT: "Page resubmitted for approval",
    tags.PageReview.SENT_BACK: "Page sent back for fixes",
    tags.Archive.INGEST: "Page polled into the archive",
    tags.Archive.IMPORT_START: "Import started",
    tags.Archive.IMPORT_FINISH: "Import finished",
    tags.Archive.REINDEX: "Search index rebuilt",
    tags.Moderation.SCREENED: "Comments screened",
    tags.Moderation.CASE_OPENED: "Case opened",
    tags.Moderation.CASE_UPDATED: "Case updated",
    tags.Moderation.RESPONSE_NEEDED: "Comment needs a response",
    tags.Moderation.ANSWER: "Comment answered",
    tags.Moderation.KEEP: "Comment kept",
    tags.Moderation.HIDE: "Comment hidden",
    tags.Moderation.REMOVE: "Comment removed",
    tags.Moderation.RESTORE: "Comment restored",
    tags.Moderation.WARN: "Person warned",
    tags.Moderation.BLOCK: "Person blocked",
    tags.Moderation.LIFT_BLOCK: "Block lifted",
    tags.Moderation.REVIEW_BLOCK: "Block reviewed",
    tags.Moderation.REPORT: "Comment reported",
    tags.Moderation.CONSULT: "Legal counsel consulted",
    tags.Moderation.ADVISE: "Legal counsel advised (privileged: the advice is not shown)",
    tags.PlatformAction.INTENT: "Platform action asked",
    tags.PlatformAction.NO_ANSWER: "Platform did not answer",
    tags.PlatformAction.SUCCEEDED: "Platform action done",
    tags.PlatformAction.FAILED: "Platform action failed",
    tags.PlatformAction.UNCONFIRMED: "Platform action not confirmed",
    tags.PlatformAction.SUPERSEDED: "Platform action already recorded",
    tags.Evidence.BASELINE: "Evidence rows sealed (baseline)",
}

_SOURCE_LABELS = {
    "account": "Account",
    "page": "Page",
    "archive": "Archive",
    "moderation": "Moderation",
    "platform_action": "Platform",
    "evidence": "Evidence",
}

#: What an event is about, as people name it.
TARGET_LABELS: dict[str, str] = {
    "account": "Account",
    "page": "Page",
    "case": "Case",
    "archive_item": "Archive record",
    "import_run": "Import",
    "platform_action": "Platform action",
    "consultation": "Consultation",
    "warning": "Warning",
    "block": "Block",
    "report": "Report",
    "response_request": "Response request",
    "role_grant": "Role grant",
    "token": "API token",
    "api_token": "API token",
    "person": "Person",
    "archive": "Archive",
    "search_index": "Search index",
    "checkpoint": "Checkpoint",
    # Target types other areas record under these names.
    "subscriber_list": "Subscriber list",
    "item": "Archive record",
    "import": "Import",
    "grant": "Role grant",
    "proposal": "Held decision",
    "appeal": "Appeal",
}

#: How an event came in.
VIA_LABELS: dict[str, str] = {
    "web": "web",
    "api": "API",
    "cli": "command line",
    "operator": "local operator",
    "job": "scheduled job",
}


def action_label(action: str) -> str:
    """``page:approved`` → "Page approved"; an unknown action in words from its code."""
    known = ACTION_LABELS.get(action)
    if known:
        return known
    said = TAG_LABELS.get(action)  # core/words.py covers every tag, as "<person> <label>"
    if said:
        return said[0].upper() + said[1:]
    source, _, verb = action.partition(":")
    words = verb.replace("_", " ").strip() or source
    return f"{_SOURCE_LABELS.get(source, source.replace('_', ' ').title())}: {words}"


def role_labels(roles: str) -> str:
    """A stored role list ("chief,pio") as role names; unknown codes stay as they are."""
    names = []
    for code in (r.strip() for r in roles.replace(" ", ",").split(",")):
        if not code:
            continue
        try:
            names.append(ROLE_LABELS[Role(code)])
        except ValueError:
            names.append(code)
    return ", ".join(names)


def target_label(target_type: str) -> str:
    """A target type in words ("archive_item" → "Archive record")."""
    return TARGET_LABELS.get(target_type, target_type.replace("_", " ").capitalize())


_GROUPS = {
    "Account": "Accounts and sign-in",
    "Page": "Pages",
    "PageReview": "Page review",
    "Archive": "Archive",
    "Moderation": "Moderation",
    "PlatformAction": "Platform actions",
    "Evidence": "Evidence",
}


def source_label(source: type[tags.Tag]) -> str:
    """A source of actions (a Tag subclass) as a heading in words."""
    return _GROUPS.get(source.__name__, source.__name__)


# ---- template filters: stored codes shown in words on every page ---------------------------

#: What each kind of archive record is called ("subscriber_list" → "subscriber list").
KIND_LABELS: dict[str, str] = {
    "post": "post",
    "comment": "comment",
    "reply": "reply",
    "subscriber_list": "subscriber list",
    "profile": "page profile",
    "submission": "submission",
    "import": "import",
}

#: A moderation decision's action as its result ("remove" → "Removed").
DECISION_LABELS: dict[str, str] = {
    "keep": "Kept",
    "hide": "Hidden",
    "remove": "Removed",
    "restore": "Restored",
}


def kind_words(value: object) -> str:
    """An archive record's kind in words."""
    text = str(value or "")
    return KIND_LABELS.get(text) or text.replace("_", " ")


def decision_words(value: object) -> str:
    """A decision's action as what was done."""
    text = str(value or "")
    return DECISION_LABELS.get(text) or text.replace("_", " ").capitalize()


def case_state_words(value: object) -> str:
    """A moderation case's state ("needs_second" → "waiting for a second person")."""
    from piodesk.moderation.model import CASE_STATE_LABELS

    text = str(value or "")
    return CASE_STATE_LABELS.get(text) or text.replace("_", " ")


def page_state_words(value: object) -> str:
    """A registered page's state ("returned" → "Sent back for fixes")."""
    from piodesk.pages.model import STATE_LABELS, PageState

    try:
        return STATE_LABELS[PageState(str(value))]
    except ValueError:
        return str(value or "").replace("_", " ")


def platform_words(value: object) -> str:
    """A platform's name ("x" → "X (Twitter)", "sandbox" → "Sandbox (built-in)")."""
    from piodesk.pages.model import PLATFORM_LABELS, Platform

    try:
        return PLATFORM_LABELS[Platform(str(value))]
    except ValueError:
        return str(value or "").replace("_", " ").capitalize()


def reason_words(value: object) -> str:
    """A decision's §.20 reason in words ("no_violation" → "No violation of §.20 ...")."""
    from piodesk.moderation.model import REASONS

    text = str(value or "")
    return REASONS.get(text) or text.replace("_", " ")


#: How the program's and the role grants' records name a person: "Display Name (username)"
#: (program/memos.py and the rest) or "Display Name (username, how signed in)" (people/actions.py),
#: so the record says who even if the display name changes later.
_NAME_WITH_USERNAME = re.compile(
    r"^(?P<name>.+\S) \((?P<username>[a-z0-9._-]{2,40})(?:, [a-z_]+)?\)$"
)


def person_name(value: object) -> str:
    """A recorded "Name (username)" as the name a page shows ("Pat Nguyen (employee)" → "Pat
    Nguyen"); a display name that itself ends in a bracket, as "Sgt. Jordan Lee (PIO)", stays
    whole, since upper-case letters never appear in a username."""
    text = str(value or "")
    found = _NAME_WITH_USERNAME.match(text)
    return found["name"] if found else text


#: Registered on the templates (web/context.py): ``{{ item.kind|kind_words }}`` and so on.
TEMPLATE_FILTERS = {
    "kind_words": kind_words,
    "decision_words": decision_words,
    "case_state_words": case_state_words,
    "page_state_words": page_state_words,
    "platform_words": platform_words,
    "reason_words": reason_words,
    "role_words": role_labels,
    "action_words": action_label,
    "person_name": person_name,
}
