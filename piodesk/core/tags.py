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


class RecordsRequest(Tag):
    """Open-records requests: intake, clock, review set, letters, fees (records/requests/)."""

    INTAKE = "records_request:intake"
    ASSIGN = "records_request:assign"
    STATE = "records_request:state"
    EXTEND = "records_request:extend"
    PAUSE = "records_request:pause"
    RESUME = "records_request:resume"
    GROUNDS_ASKED = "records_request:grounds_asked"
    NOTE = "records_request:note"
    SEARCH_SAVED = "records_request:search_saved"
    REVIEW = "records_request:review"
    LETTER = "records_request:letter"
    FEE = "records_request:fee"
    TEMPLATE = "records_request:template"
    CALENDAR = "records_request:calendar"


class Records(Tag):
    """Legal holds, retention, disposition, redaction and productions (records/, §.40)."""

    HOLD_PLACE = "records:hold_place"
    HOLD_ACKNOWLEDGE = "records:hold_acknowledge"
    HOLD_RELEASE = "records:hold_release"
    RETENTION_SET = "records:retention_set"
    DISPOSITION_PREPARE = "records:disposition_prepare"
    DISPOSITION_APPROVE = "records:disposition_approve"
    DISPOSITION_DESTROY = "records:disposition_destroy"
    REDACTION_PROPOSE = "records:redaction_propose"
    REDACTION_DECIDE = "records:redaction_decide"
    PRODUCTION_MAKE = "records:production_make"


class Outbox(Tag):
    """The publishing outbox and time-sensitive notices (publishing/, branch publishing-outbox)."""

    ENQUEUE = "outbox:enqueue"
    SENDING = "outbox:sending"
    # A delivery's other moves: its new state (publishing.outbox_model.DeliveryState).
    SENT = "outbox:sent"
    FAILED = "outbox:failed"
    UNCONFIRMED = "outbox:unconfirmed"
    RETRY = "outbox:retry"  # a person sends one failed page again
    RESOLVE = "outbox:resolve"  # a person who checked the page settles an unconfirmed delivery
    NOTICE_DRAFT = "outbox:notice_draft"
    NOTICE_APPROVE = "outbox:notice_approve"


class Cadre(Tag):
    """The Social Media Cadre's membership lifecycle (publishing/cadre.py, §.30)."""

    # Lifecycle moves: the step's name (publishing.workflow.CadreStep).
    RECOMMEND = "cadre:recommend"
    VET = "cadre:vet"
    DECLINE = "cadre:decline"
    TRAIN = "cadre:train"
    SUSPEND = "cadre:suspend"
    REINSTATE = "cadre:reinstate"
    END = "cadre:end"
    LEAVE = "cadre:leave"


class Story(Tag):
    """Submissions, their review and approval (publishing/, branch publishing-review)."""

    SUBMIT = "story:submit"
    EDIT = "story:edit"
    NOTE = "story:note"
    MEDIA = "story:media"
    RESOLVE = "story:resolve"
    ATTEST = "story:attest"
    PLAN = "story:plan"  # pages, category and scheduled time chosen
    SEND_FOR_APPROVAL = "story:send_for_approval"
    APPROVE = "story:approve"
    SEND_BACK = "story:send_back"
    REJECT = "story:reject"
    WITHDRAW = "story:withdraw"
    EXPIRE = "story:expire"
    REOPEN = "story:reopen"
    PUBLISH = "story:publish"  # handed to the outbox
    CONFIGURE_TIERS = "story:configure_tiers"


class DueProcess(Tag):
    """Moderation's due process: the viewpoint guard, corrections, notices, appeals and the
    queue's working parts (moderation/)."""

    HELD = "moderation:held"  # a hide or removal held by the viewpoint guard
    CONCUR = "moderation:concur"  # a second person concurred with a held decision
    DECLINE = "moderation:decline_held"  # a second person declined it; the case is open again
    REOPEN = "moderation:reopen"
    NOTICE = "moderation:block_notice"
    APPEAL = "moderation:appeal"
    APPEAL_DECIDE = "moderation:appeal_decide"
    PERSON_NOTE = "moderation:person_note"
    CLAIM = "moderation:claim"
    ASSIGN = "moderation:assign"
    RELEASE = "moderation:release"
    SAVED_REPLY = "moderation:saved_reply"


class PageReview(Tag):
    """The chief's review of a page beyond approve and decline (pages/; evidence-close)."""

    SENT_BACK = "page:sent_back"  # sent back to the PIO office for fixes, with a note (§.04)


#: Every source, for the tests and for anyone listing what the log can say.
SOURCES: tuple[type[Tag], ...] = (
    Account,
    Page,
    Archive,
    Moderation,
    PlatformAction,
    Evidence,
    RecordsRequest,
    Records,
    Outbox,
    Cadre,
    Story,
    PageReview,
    DueProcess,
)


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


class ImportWeb(Tag):
    """Imports started from the web form (records/imports.py): one that stopped with an error
    (the run stays resumable; uploading the same file again resumes it)."""

    IMPORT_FAILED = "archive:import_failed"


SOURCES = (*SOURCES, ImportWeb)


class OutboxThread(Tag):
    """A threaded update whose original is not on a page (publishing/, branch publish)."""

    STANDALONE = "outbox:standalone"  # a person sends the update on that page as a new post


SOURCES = (*SOURCES, OutboxThread)
