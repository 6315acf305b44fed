"""Plain words for what the pages show: audit actions, permissions, roles, target kinds.

Pure (imports only the vocabularies it translates). A page never shows an internal code such
as ``page:register`` or ``moderation.view``; it shows what a person would say. A value missing
here falls back to a readable form of the code (tests keep every member covered).
"""

from __future__ import annotations

from piodesk.core.permissions import ROLE_LABELS, Perm, Role

#: Every audit action (core/tags.py), as a sentence fragment: "<person> <label>".
TAG_LABELS: dict[str, str] = {
    "account:bootstrap": "created the first administrator",
    "account:bootstrap_approver": "created the first chief",
    "account:seed": "seeded an account (demo)",
    "account:create": "created an account",
    "account:set_roles": "changed an account's roles",
    "account:grant_propose": "proposed a role grant",
    "account:grant_approve": "approved a role grant",
    "account:grant_decline": "declined a role grant",
    "account:activate": "activated an account",
    "account:deactivate": "deactivated an account",
    "account:throttle": "slowed sign-in after failures",
    "account:unlock": "cleared sign-in waits",
    "account:sign_in": "signed in",
    "account:sign_out": "signed out",
    "account:credentials_void": "voided old passwords and sessions",
    "account:password_change": "changed a password",
    "account:password_link": "issued a password link",
    "account:password_reset": "reset a password",
    "account:password_set": "set a password",
    "account:token_issue": "issued an API token",
    "account:token_revoke": "revoked an API token",
    "page:register": "registered a page",
    "page:update_profile": "updated a page's profile",
    "page:recheck": "re-checked a page's §.10 elements",
    "page:connect": "connected a page to its platform",
    "page:approved": "approved a page",
    "page:rejected": "declined a page",
    "page:retired": "retired a page",
    "page:resubmit": "sent a page back for approval",
    "archive:ingest": "captured posts and comments",
    "archive:import_start": "started an import",
    "archive:import_finish": "finished an import",
    "archive:reindex": "rebuilt the search index",
    "moderation:screened": "screened a comment",
    "moderation:case_opened": "opened a case",
    "moderation:case_updated": "updated a case",
    "moderation:response_needed": "noted a question needing a response",
    "moderation:answer": "recorded an answer",
    "moderation:keep": "kept the comment",
    "moderation:hide": "hid the comment",
    "moderation:remove": "removed the comment",
    "moderation:restore": "restored the comment",
    "moderation:warn": "warned the person",
    "moderation:block": "blocked the person",
    "moderation:lift_block": "lifted a block",
    "moderation:review_block": "reviewed a block",
    "moderation:report": "reported a comment",
    "moderation:consult": "asked legal counsel",
    "moderation:advise": "gave legal advice (privileged)",
    "platform_action:intent": "asked the platform to act",
    "platform_action:no_answer": "got no answer from the platform",
    "platform_action:succeeded": "saw the platform act",
    "platform_action:failed": "saw the platform refuse",
    "platform_action:unconfirmed": "could not confirm the platform's action",
    "platform_action:superseded": "saw a platform action made unnecessary",
    "evidence:baseline": "sealed the evidence baseline",
    "moderation:held": "sent a hide or removal for a second look",
    "moderation:concur": "concurred with a held decision",
    "moderation:decline_held": "declined a held decision",
    "moderation:reopen": "reopened the case",
    "moderation:block_notice": "sent the block notice",
    "moderation:appeal": "appealed a block",
    "moderation:appeal_decide": "decided an appeal",
    "moderation:person_note": "added a note on the person",
    "moderation:claim": "claimed the case",
    "moderation:assign": "assigned the case",
    "moderation:release": "released the case",
    "moderation:saved_reply": "saved a reply",
    # records requests (§.40)
    "records_request:intake": "logged an open-records request",
    "records_request:assign": "assigned the request",
    "records_request:state": "moved the request on",
    "records_request:extend": "extended the request's deadline, with a finding",
    "records_request:pause": "paused the request's clock",
    "records_request:resume": "restarted the request's clock",
    "records_request:grounds_asked": "recorded that the requester asked for written grounds",
    "records_request:note": "added a note to the request",
    "records_request:search_saved": "saved the request's search",
    "records_request:review": "marked records in the review set",
    "records_request:letter": "sent a letter to the requester",
    "records_request:fee": "logged a fee",
    "records_request:template": "edited a letter template",
    "records_request:calendar": "changed the working-day calendar",
    # holds, retention, disposition, redaction, productions (§.40)
    "records:hold_place": "placed a legal hold",
    "records:hold_acknowledge": "acknowledged a legal hold",
    "records:hold_release": "released a legal hold",
    "records:retention_set": "set a retention period",
    "records:disposition_prepare": "prepared a disposition",
    "records:disposition_approve": "approved a disposition",
    "records:disposition_destroy": "destroyed records past retention",
    "records:redaction_propose": "proposed a redaction",
    "records:redaction_decide": "decided on a redaction",
    "records:production_make": "made a production",
    # the outbox and notices (§.04, §.15)
    "outbox:enqueue": "put a post in the outbox",
    "outbox:sending": "started sending a post",
    "outbox:sent": "saw a post published",
    "outbox:failed": "saw a platform refuse a post",
    "outbox:unconfirmed": "could not confirm a post was published",
    "outbox:retry": "sent a failed post again",
    "outbox:resolve": "settled an unconfirmed post after checking the page",
    "outbox:notice_draft": "drafted a time-sensitive notice",
    "outbox:notice_approve": "approved a time-sensitive notice",
    # the cadre (§.30)
    "cadre:recommend": "recommended a cadre member",
    "cadre:vet": "vetted a cadre candidate",
    "cadre:decline": "declined a cadre candidate",
    "cadre:train": "recorded a cadre member's training",
    "cadre:suspend": "suspended a cadre member",
    "cadre:reinstate": "reinstated a cadre member",
    "cadre:end": "ended a cadre membership",
    "cadre:leave": "left the cadre",
    # stories and their review (§.04, §.12, §.30)
    "story:submit": "submitted a story",
    "story:edit": "edited a story",
    "story:note": "added a reviewer's note",
    "story:media": "added a photo",
    "story:resolve": "resolved a §.12 finding",
    "story:attest": "attested the post is factual, accurate and complete",
    "story:plan": "chose the pages, category and time",
    "story:send_for_approval": "sent a post for approval",
    "story:approve": "approved a post",
    "story:send_back": "sent a post back for changes",
    "story:reject": "rejected a story",
    "story:withdraw": "withdrew a story",
    "story:expire": "moved an unapproved post to Expired",
    "story:reopen": "reopened an expired post",
    "story:publish": "published a post",
    "story:configure_tiers": "set the approval tiers",
    # page review (§.04)
    "page:sent_back": "sent the page back for fixes",
    # the program (§.12, §.15, §.04)
    "program:authorization_grant": "granted a device authorization",
    "program:authorization_review": "reviewed a device authorization",
    "program:authorization_revoke": "revoked a device authorization",
    "program:authorization_reminder": "sent an authorization reminder",
    "program:device_unregistered": "signed in from an unregistered device",
    "program:device_refused": "was refused sign-in from an unregistered device",
    "program:investigation_log": "logged an investigative use",
    "program:investigation_review": "reviewed an investigative use",
    "program:memo_file": "filed a suggestion memo",
    "program:memo_approve": "approved a suggestion memo",
    "program:memo_return": "returned a suggestion memo with comments",
    "program:memo_decline": "declined a suggestion memo",
    "program:memo_resubmit": "resubmitted a suggestion memo",
    "program:memo_withdraw": "withdrew a suggestion memo",
    "program:page_unit": "named a page's administering unit",
    "program:page_admin_assign": "assigned a page administrator",
    "program:page_admin_remove": "removed a page administrator",
    "program:account_email": "set an account's e-mail address",
    # imports from the web form (records/imports.py)
    "archive:import_failed": "had an import stop with an error",
    "outbox:standalone": "sent an update as a new post, its original not being on the page",
}

#: Every permission, as the thing a person would say they may do.
PERM_LABELS: dict[str, str] = {
    Perm.PAGE_VIEW.value: "see the registry of pages",
    Perm.PAGE_REGISTER.value: "register pages",
    Perm.PAGE_EDIT_PROFILE.value: "edit page profiles",
    Perm.PAGE_APPROVE.value: "approve pages",
    Perm.PAGE_RETIRE.value: "retire pages",
    Perm.PAGE_CONNECT.value: "connect pages to their platforms",
    Perm.ACCOUNT_VIEW.value: "see people's accounts",
    Perm.ACCOUNT_MANAGE.value: "manage accounts",
    Perm.AUDIT_VIEW.value: "read the audit log",
    Perm.ARCHIVE_VIEW.value: "search the archive",
    Perm.ARCHIVE_IMPORT.value: "import platform exports",
    Perm.MODERATION_VIEW.value: "see the moderation queue",
    Perm.MODERATION_DECIDE.value: "decide on comments",
    Perm.MODERATION_CONSULT.value: "ask legal counsel",
    Perm.MODERATION_ADVISE.value: "give legal advice on cases",
    Perm.PERSON_WARN.value: "warn commenters",
    Perm.PERSON_BLOCK.value: "block commenters",
    Perm.REPORT_FILE.value: "report comments",
    Perm.RESPONSE_ANSWER.value: "answer comments that ask for a response",
    Perm.MODERATION_REPORTS.value: "read the moderation reports",
    # records (§.40)
    Perm.RECORDS_REQUEST_VIEW.value: "read open-records requests",
    Perm.RECORDS_REQUEST_MANAGE.value: "work open-records requests",
    Perm.HOLD_MANAGE.value: "place and release legal holds",
    Perm.RETENTION_SET.value: "set the retention schedule",
    Perm.DISPOSITION_PREPARE.value: "prepare dispositions",
    Perm.DISPOSITION_APPROVE.value: "approve dispositions",
    Perm.REDACTION_REVIEW.value: "redact productions",
    Perm.PRODUCTION_MAKE.value: "make productions",
    Perm.PRODUCTION_SUBPOENA.value: "make unredacted productions for a subpoena",
    # publishing (§.04, §.15, §.30)
    Perm.PUBLISH.value: "publish posts and replies",
    Perm.NOTICE_ISSUE.value: "issue time-sensitive notices",
    Perm.CADRE_VIEW.value: "see the cadre register",
    Perm.CADRE_RECOMMEND.value: "recommend cadre members",
    Perm.CADRE_VET.value: "vet cadre candidates",
    Perm.CADRE_MANAGE.value: "manage cadre memberships",
    Perm.STORY_SUBMIT.value: "submit stories",
    Perm.STORY_VIEW.value: "read submitted stories",
    Perm.STORY_REVIEW.value: "review stories",
    Perm.POST_APPROVE.value: "approve posts",
    Perm.APPROVAL_CONFIGURE.value: "set the approval tiers",
    # operations
    Perm.JOBS_RUN.value: "run the server's jobs by hand",
    # the program (§.04, §.12, §.15)
    Perm.INVESTIGATION_LOG.value: "log investigative uses",
    Perm.INVESTIGATION_REVIEW.value: "review investigative uses",
    Perm.INVESTIGATION_VIEW.value: "search the investigative-use log",
    Perm.MEMO_FILE.value: "file suggestion memos",
    Perm.MEMO_VIEW.value: "read suggestion memos",
    Perm.AUTHORIZATION_VIEW.value: "see device authorizations",
    Perm.AUTHORIZATION_GRANT.value: "grant device authorizations",
    Perm.PAGE_ADMINISTRATORS.value: "assign page administrators",
}

#: What audit targets are called.
TARGET_LABELS: dict[str, str] = {
    "case": "case",
    "person": "commenter",
    "page": "page",
    "account": "account",
    "grant": "role grant",
    "item": "archive record",
    "import": "import",
    "subscriber_list": "subscriber list",
    "platform_action": "platform action",
    "block": "block",
    "response_request": "question",
    "proposal": "held decision",
    "appeal": "appeal",
    "import_run": "import",
}


def tag_label(value: str) -> str:
    """An audit action in plain words."""
    found = TAG_LABELS.get(value)
    if found:
        return found
    return value.split(":", 1)[-1].replace("_", " ")


def perm_label(value: str) -> str:
    """A permission in plain words."""
    return PERM_LABELS.get(value) or value.split(".", 1)[-1].replace("_", " ")


def role_label(value: str) -> str:
    """A role's name (not its code)."""
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value.replace("_", " ")


def roles_label(values: object) -> str:
    """Several roles' names, for "Jordan Lee (Public Information Office)"."""
    items = (
        [v for v in values.split(",") if v] if isinstance(values, str) else list(values)  # type: ignore[call-overload]
    )
    return ", ".join(sorted(role_label(str(v)) for v in items))


def target_label(value: str) -> str:
    """An audit target kind in plain words ("Subscriber_list" → "subscriber list")."""
    return TARGET_LABELS.get(value) or value.replace("_", " ")
