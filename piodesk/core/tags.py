"""Every action the audit log records, as one typed vocabulary (``source:action``).

:func:`piodesk.core.audit.record` takes a :class:`Tag`, never a plain string, so a typo is a
type error rather than a new action nobody's report looks for. The values are the strings the
log has always stored: each event's hash covers its action, so renaming a value would make
every stored event of that kind fail verification. Add members; never change a value.
Pure: imports nothing from piodesk.
"""

from __future__ import annotations

from enum import StrEnum


class Tag(StrEnum):
    """An audit action; the subclasses below, one per source, hold the members."""


class Account(Tag):
    """People's accounts, sign-in and API tokens (people/)."""

    BOOTSTRAP = "account:bootstrap"
    BOOTSTRAP_APPROVER = "account:bootstrap_approver"
    SEED = "account:seed"
    CREATE = "account:create"
    SET_ROLES = "account:set_roles"
    GRANT_PROPOSE = "account:grant_propose"
    GRANT_APPROVE = "account:grant_approve"
    GRANT_DECLINE = "account:grant_decline"
    ACTIVATE = "account:activate"
    DEACTIVATE = "account:deactivate"
    THROTTLE = "account:throttle"
    UNLOCK = "account:unlock"
    SIGN_IN = "account:sign_in"
    SIGN_OUT = "account:sign_out"
    CREDENTIALS_VOID = "account:credentials_void"
    PASSWORD_CHANGE = "account:password_change"
    PASSWORD_LINK = "account:password_link"
    PASSWORD_RESET = "account:password_reset"
    PASSWORD_SET = "account:password_set"
    TOKEN_ISSUE = "account:token_issue"
    TOKEN_REVOKE = "account:token_revoke"


class Page(Tag):
    """The register of department pages and their §.04 lifecycle (pages/)."""

    REGISTER = "page:register"
    UPDATE_PROFILE = "page:update_profile"
    RECHECK = "page:recheck"
    CONNECT = "page:connect"
    # Lifecycle moves: the target state's name, except a move back to pending.
    APPROVED = "page:approved"
    REJECTED = "page:rejected"
    RETIRED = "page:retired"
    RESUBMIT = "page:resubmit"


class Archive(Tag):
    """Capturing, importing and indexing the archive (archive/)."""

    INGEST = "archive:ingest"
    IMPORT_START = "archive:import_start"
    IMPORT_FINISH = "archive:import_finish"
    REINDEX = "archive:reindex"


class Moderation(Tag):
    """Screening, cases, decisions, warnings, blocks, reports and counsel (moderation/)."""

    SCREENED = "moderation:screened"
    CASE_OPENED = "moderation:case_opened"
    CASE_UPDATED = "moderation:case_updated"
    RESPONSE_NEEDED = "moderation:response_needed"
    ANSWER = "moderation:answer"
    # Decisions: the action's name (moderation.model.Action), and undoing one.
    KEEP = "moderation:keep"
    HIDE = "moderation:hide"
    REMOVE = "moderation:remove"
    RESTORE = "moderation:restore"
    WARN = "moderation:warn"
    BLOCK = "moderation:block"
    LIFT_BLOCK = "moderation:lift_block"
    REVIEW_BLOCK = "moderation:review_block"
    REPORT = "moderation:report"
    CONSULT = "moderation:consult"
    ADVISE = "moderation:advise"


class PlatformAction(Tag):
    """An action piodesk asks of a platform: the intent, then its outcome (connectors/)."""

    INTENT = "platform_action:intent"
    NO_ANSWER = "platform_action:no_answer"
    # Outcomes: the action's new state (connectors.intents.ActionState).
    SUCCEEDED = "platform_action:succeeded"
    FAILED = "platform_action:failed"
    UNCONFIRMED = "platform_action:unconfirmed"
    SUPERSEDED = "platform_action:superseded"


class Evidence(Tag):
    """The evidence seal itself (core/evidence.py)."""

    BASELINE = "evidence:baseline"


#: Every source, for the tests and for anyone listing what the log can say.
SOURCES: tuple[type[Tag], ...] = (Account, Page, Archive, Moderation, PlatformAction, Evidence)


class Program(Tag):
    """Device authorizations, the investigative-use log, suggestion memos, page
    administrators and notifications (program/)."""

    AUTHORIZATION_GRANT = "program:authorization_grant"
    AUTHORIZATION_REVIEW = "program:authorization_review"
    AUTHORIZATION_REVOKE = "program:authorization_revoke"
    AUTHORIZATION_REMINDER = "program:authorization_reminder"
    DEVICE_UNREGISTERED = "program:device_unregistered"
    DEVICE_REFUSED = "program:device_refused"
    INVESTIGATION_LOG = "program:investigation_log"
    INVESTIGATION_REVIEW = "program:investigation_review"
    MEMO_FILE = "program:memo_file"
    MEMO_APPROVE = "program:memo_approve"
    MEMO_RETURN = "program:memo_return"
    MEMO_DECLINE = "program:memo_decline"
    MEMO_RESUBMIT = "program:memo_resubmit"
    MEMO_WITHDRAW = "program:memo_withdraw"
    PAGE_UNIT = "program:page_unit"
    PAGE_ADMIN_ASSIGN = "program:page_admin_assign"
    PAGE_ADMIN_REMOVE = "program:page_admin_remove"
    ACCOUNT_EMAIL = "program:account_email"  # where a person's notifications are e-mailed


SOURCES = (*SOURCES, Program)
